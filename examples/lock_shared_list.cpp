// Method 4: shared variables with Lock. Python version: python/lock_shared_list.py
//
// Four threads increment a shared counter and append to a shared list, each access under one
// itc::Lock. Only main prints, after every thread has finished, so the output is deterministic.
#include <algorithm>
#include <cstddef>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "itc/itc.hpp"

namespace {

// Guarded by `lock`. Not written as ITC_GUARDED_BY(lock): itc::Lock is not a Clang capability
// (and std::lock_guard is not a scoped one), so -Wthread-safety cannot check user data here.
std::vector<int> shared_list;
int counter = 0;
itc::Lock lock;

void worker(int worker_id) {
  for (int i = 0; i < 1000; ++i) {
    // ++counter is a read, an add and a write: without the lock, concurrent updates get lost.
    std::lock_guard guard(lock);
    ++counter;
  }
  std::lock_guard guard(lock);
  shared_list.push_back(worker_id);
}

// Python's repr of a list of ints: [0, 1, 2].
std::string python_repr(const std::vector<int>& values) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < values.size(); ++i) out << (i == 0 ? "" : ", ") << values[i];
  out << ']';
  return out.str();
}

}  // namespace

int main() {
  std::vector<std::thread> threads;
  for (int n = 0; n < 4; ++n) threads.emplace_back(worker, n);
  for (std::thread& t : threads) t.join();

  // join() made every worker's writes visible here; no lock is needed once they are gone.
  std::cout << "Counter: " << counter << '\n';
  // Sorted, because the workers finish in any order.
  std::vector<int> sorted = shared_list;
  std::sort(sorted.begin(), sorted.end());
  std::cout << "Workers in the list: " << python_repr(sorted) << '\n';
}
