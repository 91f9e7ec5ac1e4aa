// Semaphore: 4 workers share a pool of 2 resources. Python version: python/semaphore_pool.py
//
// The semaphore starts at 2, so at most two workers hold a resource at once; the others block
// in acquire() until one is released.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "itc/itc.hpp"

namespace {

// One line at a time: concurrent `std::cout <<` calls may interleave their characters.
itc::Lock print_lock;

template <class... Args>
void print(const Args&... args) {
  std::lock_guard guard(print_lock);
  (std::cout << ... << args) << '\n' << std::flush;  // flushed, so a hang still shows progress
}

itc::Semaphore pool(2);  // two resources: at most two workers inside at once
itc::Lock stats_lock;
int in_use = 0;
int peak = 0;

void worker(int n) {
  std::lock_guard resource(pool);  // Python: `with pool:` (acquire() now, release() at scope end)
  {
    std::lock_guard guard(stats_lock);
    ++in_use;
    peak = std::max(peak, in_use);
  }
  print("Worker ", n, " acquired a resource");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // use the resource
  print("Worker ", n, " released a resource");
  std::lock_guard guard(stats_lock);
  --in_use;
}

}  // namespace

int main() {
  std::vector<std::thread> threads;
  for (int n = 0; n < 4; ++n) threads.emplace_back(worker, n);
  for (std::thread& t : threads) t.join();

  // The peak itself depends on timing (1 or 2); the limit does not.
  print("Never more than 2 at once: ", peak <= 2 ? "True" : "False");
}
