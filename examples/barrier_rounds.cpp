// Barrier: threads work in lockstep rounds. Python version: python/barrier_rounds.py
//
// Three workers do three rounds each; nobody starts round r + 1 before all have finished round
// r. The barrier's action reports each round, so the output is deterministic.
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

constexpr int kParties = 3;
constexpr int kRounds = 3;

itc::Lock lock;
std::vector<int> arrived;  // ids of the workers that reached the barrier in the current round
int round_no = 0;

// Python's repr of a list of ints: [0, 1, 2].
std::string python_repr(const std::vector<int>& values) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < values.size(); ++i) out << (i == 0 ? "" : ", ") << values[i];
  out << ']';
  return out.str();
}

// The barrier calls this once per round, in one thread, after all parties have arrived and
// before any is released: every worker of this round is in `arrived`, none of the next. Only
// this thread prints while the workers run, so std::cout needs no lock of its own.
void end_of_round() {
  std::lock_guard guard(lock);
  std::sort(arrived.begin(), arrived.end());
  std::cout << "Round " << round_no << " complete: workers " << python_repr(arrived) << '\n';
  arrived.clear();
  ++round_no;
}

itc::Barrier barrier(kParties, end_of_round);

void worker(int n) {
  for (int r = 0; r < kRounds; ++r) {
    {
      std::lock_guard guard(lock);
      arrived.push_back(n);  // this round's work
    }
    barrier.wait();
  }
}

}  // namespace

int main() {
  std::cout << "Starting " << kParties << " workers for " << kRounds << " rounds\n";
  std::vector<std::thread> threads;
  for (int n = 0; n < kParties; ++n) threads.emplace_back(worker, n);
  for (std::thread& t : threads) t.join();
  std::cout << "All rounds done\n";
}
