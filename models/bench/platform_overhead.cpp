// platform_overhead — what the platform layer costs under Relacy.
//
// Runs the same producer/consumer scenario (queue/correct: 2 items, put/get/task_done/join)
// twice, interleaved, under Relacy's random scheduler:
//   raw   the queue written directly against Relacy (rl::mutex, rl::condition_variable,
//         rl::var), mirroring itc::BasicQueue's logic step for step;
//   itc   itc::BasicQueue<int, RelacyPlatform>, through the platform adapter;
// and prints executions per second for each and the ratio. Usage: platform_overhead [executions]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <sstream>

#include "itc/models/relacy_platform.hpp"

namespace {

constexpr int kItems = 2;

// The textbook queue in raw Relacy: every shared datum is an rl::var, every call site a `$`.
struct RawQueue {
  rl::mutex m;
  rl::condition_variable not_empty, all_done;
  std::deque<int> items;
  rl::var<int> items_shadow{0};
  rl::var<int> unfinished{0};
  rl::var<int> getters{0};
  rl::var<int> joiners{0};

  void put(int v) {
    m.lock($);
    items_shadow($).store(0);
    items.push_back(v);
    unfinished($) = unfinished($) + 1;
    if (getters($) > 0) not_empty.notify_one($);
    m.unlock($);
  }
  int get() {
    m.lock($);
    while ((items_shadow($).load(), items.empty())) {
      getters($) = getters($) + 1;
      not_empty.wait(m, $);
      getters($) = getters($) - 1;
    }
    items_shadow($).store(0);
    const int v = items.front();
    items.pop_front();
    m.unlock($);
    return v;
  }
  void task_done() {
    m.lock($);
    unfinished($) = unfinished($) - 1;
    if (unfinished($) == 0 && joiners($) > 0) all_done.notify_all($);
    m.unlock($);
  }
  void join() {
    m.lock($);
    joiners($) = joiners($) + 1;
    while (unfinished($) > 0) all_done.wait(m, $);
    joiners($) = joiners($) - 1;
    m.unlock($);
  }
};

template <class Q>
struct ProducerConsumer : rl::test_suite<ProducerConsumer<Q>, 2> {
  Q q;
  rl::var<int> sum{0};
  void thread(unsigned i) {
    if (i == 0) {
      for (int n = 1; n <= kItems; ++n) q.put(n);
      q.join();
    } else {
      for (int n = 0; n < kItems; ++n) {
        const int v = q.get();
        sum($) = sum($) + v;
        q.task_done();
      }
    }
  }
  void after() { RL_ASSERT(sum($) == kItems * (kItems + 1) / 2); }
};

using ItcQueue = itc::BasicQueue<int, itc::models::RelacyPlatform>;

template <class Test>
double executions_per_second(unsigned long long executions) {
  rl::test_params p;
  std::ostringstream sink;
  p.output_stream = &sink;
  p.progress_stream = &sink;
  p.iteration_count = executions;
  const auto t0 = std::chrono::steady_clock::now();
  if (!rl::simulate<Test>(p)) {
    std::fprintf(stderr, "platform_overhead: the scenario failed\n");
    std::exit(1);
  }
  return static_cast<double>(executions) /
         std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const unsigned long long executions = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
  double raw_best = 0, itc_best = 0;
  for (int round = 0; round < 5; ++round) {  // interleaved, best of 5: drift cancels out
    const double raw = executions_per_second<ProducerConsumer<RawQueue>>(executions);
    const double itc = executions_per_second<ProducerConsumer<ItcQueue>>(executions);
    raw_best = raw > raw_best ? raw : raw_best;
    itc_best = itc > itc_best ? itc : itc_best;
    std::printf("round %d  raw %9.0f exec/s   itc %9.0f exec/s\n", round + 1, raw, itc);
  }
  std::printf("best     raw %9.0f exec/s   itc %9.0f exec/s   itc/raw %.3f  (platform cost %+.1f%%)\n",
              raw_best, itc_best, itc_best / raw_best, (raw_best / itc_best - 1) * 100);
}
