// stress/bench/event_bench.cpp — ping-pong round trip between two threads (event/pingpong/*).
//
// One iteration = one round trip: this thread sets `ping` and waits for `pong`; the partner
// waits for `ping`, clears it and sets `pong`. Implementations:
//   itc_event          itc::Event (set / wait / clear)
//   cv_event           textbook Event: std::mutex + std::condition_variable + bool, notify_all
//                      under the lock (what CPython's threading.Event does)
//   atomic_wait        C++20 std::atomic<int>::wait / notify_one
//   binary_semaphore   std::binary_semaphore pair (release / acquire)
//   itc_semaphore      itc::Semaphore(0) pair (release / acquire)
//   spin, spin_pause   THE HARDWARE LIMIT: two atomics on separate cache lines, each side
//                      spinning on the other's (spin_pause with the `pause` hint in the loop);
//                      they yield only when the other side is clearly not running (see spin_until)
// The Python equivalent (threading.Event pair) is pybench.py's event/pingpong/py_event.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <semaphore>
#include <string>
#include <thread>

#include "bench_common.hpp"
#include "itc/event.hpp"
#include "itc/semaphore.hpp"
#include "textbook.hpp"

namespace {

using itc_bench::CvEvent;
using itc_bench::Partner;

/// An event on C++20 atomic wait/notify (libstdc++ spins briefly, then futex).
class AtomicWaitEvent {
 public:
  void set() {
    flag_.store(1, std::memory_order_release);
    flag_.notify_one();
  }
  void clear() { flag_.store(0, std::memory_order_relaxed); }
  void wait() {
    while (flag_.load(std::memory_order_acquire) == 0) flag_.wait(0, std::memory_order_acquire);
  }

 private:
  std::atomic<int> flag_{0};
};

template <class E>
void bm_event_pingpong(benchmark::State& state) {
  E ping, pong;
  std::atomic<bool> stop{false};
  {
    Partner partner([&] {
      for (;;) {
        ping.wait();
        ping.clear();
        if (stop.load()) break;
        pong.set();
      }
    });
    for (auto _ : state) {
      ping.set();
      pong.wait();
      pong.clear();
    }
    stop.store(true);
    ping.set();
  }
  state.SetItemsProcessed(state.iterations());
}

/// Semaphore pair: release() the other side's, acquire() ours.
template <class S>
void bm_semaphore_pingpong(benchmark::State& state) {
  S ping(0), pong(0);
  std::atomic<bool> stop{false};
  {
    Partner partner([&] {
      for (;;) {
        ping.acquire();
        if (stop.load()) break;
        pong.release();
      }
    });
    for (auto _ : state) {
      ping.release();
      pong.acquire();
    }
    stop.store(true);
    ping.release();
  }
  state.SetItemsProcessed(state.iterations());
}

/// Spins until `done()`. If the other side has made no progress for kSpinBeforeYield it is
/// evidently not running (more runnable threads than CPUs: a busy machine), and only then does
/// the loop yield, so that a loaded machine shows a slower round trip instead of one that waits
/// for a whole scheduler time slice. With both threads on a CPU a round trip takes well under a
/// microsecond and the loop never yields.
constexpr auto kSpinBeforeYield = std::chrono::microseconds(50);
template <class Done>
inline void spin_until(bool pause, Done done) {
  for (unsigned polls = 1; !done(); ++polls) {
    if (pause) itc_bench::cpu_pause();
    if (polls % 64 == 0) {
      const auto t0 = std::chrono::steady_clock::now();
      while (!done()) {
        if (std::chrono::steady_clock::now() - t0 > kSpinBeforeYield) {
          std::this_thread::yield();
        } else if (pause) {
          itc_bench::cpu_pause();
        }
      }
      return;
    }
  }
}

/// Two spinning threads; the physical limit of a round trip between two cores.
void bm_spin_pingpong(benchmark::State& state, bool pause) {
  itc_bench::PaddedAtomic<long> ping, pong;
  {
    Partner partner([&] {
      long last = 0;
      for (;;) {
        long v = last;
        spin_until(pause, [&] { return (v = ping.v.load(std::memory_order_acquire)) != last; });
        if (v < 0) break;
        last = v;
        pong.v.store(v, std::memory_order_release);
      }
    });
    long k = 0;
    for (auto _ : state) {
      ++k;
      ping.v.store(k, std::memory_order_release);
      spin_until(pause, [&] { return pong.v.load(std::memory_order_acquire) == k; });
    }
    ping.v.store(-1, std::memory_order_release);
  }
  state.SetItemsProcessed(state.iterations());
}

using ItcSemaphore = itc::Semaphore;

int register_all() {
  benchmark::RegisterBenchmark("event/pingpong/itc_event", bm_event_pingpong<itc::Event>)->UseRealTime();
  benchmark::RegisterBenchmark("event/pingpong/cv_event", bm_event_pingpong<CvEvent>)->UseRealTime();
  benchmark::RegisterBenchmark("event/pingpong/atomic_wait", bm_event_pingpong<AtomicWaitEvent>)
      ->UseRealTime();
  benchmark::RegisterBenchmark("event/pingpong/binary_semaphore",
                               bm_semaphore_pingpong<std::binary_semaphore>)
      ->UseRealTime();
  benchmark::RegisterBenchmark("event/pingpong/itc_semaphore", bm_semaphore_pingpong<ItcSemaphore>)
      ->UseRealTime();
  benchmark::RegisterBenchmark("event/pingpong/spin", bm_spin_pingpong, false)->UseRealTime();
  benchmark::RegisterBenchmark("event/pingpong/spin_pause", bm_spin_pingpong, true)->UseRealTime();
  return 0;
}

[[maybe_unused]] const int registered = register_all();

}  // namespace
