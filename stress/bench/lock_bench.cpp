// stress/bench/lock_bench.cpp — acquire/release pairs of itc::Lock, RLock, Semaphore and
// BoundedSemaphore against std::mutex, std::recursive_mutex and std::counting_semaphore.
//
//   lock/uncontended/*   one thread, acquire() then release(); ns per pair. The process has a
//                        second, parked thread (bench_main.cpp), as any threaded program does
//   lock/contended/*     two threads, kPairs pairs each, on one lock (a semaphore with one
//                        permit); a counter incremented inside checks mutual exclusion. Timed from
//                        the start gate to the last join; reported per pair (total over threads)
// Python's equivalents (threading.Lock/RLock/Semaphore/BoundedSemaphore) are in pybench.py.
#include <benchmark/benchmark.h>

#include <functional>
#include <mutex>
#include <semaphore>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "itc/lock.hpp"
#include "itc/semaphore.hpp"

namespace {

constexpr long kPairs = 100'000;  // per thread per iteration (contended)

struct StdMutex {
  std::mutex m;
  void acquire() { m.lock(); }
  void release() { m.unlock(); }
};
struct StdRecursiveMutex {
  std::recursive_mutex m;
  void acquire() { m.lock(); }
  void release() { m.unlock(); }
};
struct StdCountingSemaphore {
  std::counting_semaphore<> s{1};
  void acquire() { s.acquire(); }
  void release() { s.release(); }
};
struct StdBinarySemaphore {
  std::binary_semaphore s{1};
  void acquire() { s.acquire(); }
  void release() { s.release(); }
};
struct ItcLock {
  itc::Lock l;
  void acquire() { l.acquire(); }
  void release() { l.release(); }
};
struct ItcRLock {
  itc::RLock l;
  void acquire() { l.acquire(); }
  void release() { l.release(); }
};
struct ItcSemaphore {
  itc::Semaphore s{1};
  void acquire() { s.acquire(); }
  void release() { s.release(); }
};
struct ItcBoundedSemaphore {
  itc::BoundedSemaphore s{1};
  void acquire() { s.acquire(); }
  void release() { s.release(); }
};

template <class L>
void bm_uncontended(benchmark::State& state) {
  L lock;
  for (auto _ : state) {
    lock.acquire();
    lock.release();
  }
  state.SetItemsProcessed(state.iterations());
}

template <class L>
void bm_contended(benchmark::State& state) {
  for (auto _ : state) {
    L lock;
    long counter = 0;
    auto body = [&lock, &counter] {
      for (long i = 0; i < kPairs; ++i) {
        lock.acquire();
        ++counter;
        lock.release();
      }
    };
    state.SetIterationTime(itc_bench::run_timed({body, body}));
    if (counter != 2 * kPairs) {
      itc_bench::fail(state, "mutual exclusion violated: lost increments");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * 2 * kPairs);
}

template <class L>
void add(const std::string& impl) {
  benchmark::RegisterBenchmark(("lock/uncontended/" + impl).c_str(), bm_uncontended<L>);
  benchmark::RegisterBenchmark(("lock/contended/" + impl).c_str(), bm_contended<L>)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

int register_all() {
  add<ItcLock>("itc_lock");
  add<ItcRLock>("itc_rlock");
  add<ItcSemaphore>("itc_semaphore");
  add<ItcBoundedSemaphore>("itc_bounded_semaphore");
  add<StdMutex>("std_mutex");
  add<StdRecursiveMutex>("std_recursive_mutex");
  add<StdCountingSemaphore>("std_counting_semaphore");
  add<StdBinarySemaphore>("std_binary_semaphore");
  return 0;
}

[[maybe_unused]] const int registered = register_all();

}  // namespace
