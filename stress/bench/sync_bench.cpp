// stress/bench/sync_bench.cpp — itc::Condition and itc::Barrier.
//
//   cond/notify_no_waiters/*   notify() with the lock held and nobody waiting; ns per call
//       itc_condition          itc::Condition() (owns an itc::RLock, Python's default)
//       itc_condition_lock     itc::Condition over an itc::Lock
//       std_condvar            std::condition_variable::notify_one with its std::mutex held
//   cond/pingpong/*            notify with a waiter: one round trip = each side sets a turn
//                              variable, notify()s and wait()s until the other has answered
//       itc_condition, itc_condition_lock, std_condvar (std::mutex + std::condition_variable)
//   barrier/round2/*           one cycle of a 2-party barrier (this thread + a partner)
//       itc_barrier            itc::Barrier(2).wait()
//       std_barrier            C++20 std::barrier<>(2).arrive_and_wait()
//       cv_barrier             textbook mutex + condition_variable + generation counter
// Python's equivalents are in pybench.py.
#include <benchmark/benchmark.h>

#include <atomic>
#include <barrier>
#include <condition_variable>
#include <mutex>

#include "bench_common.hpp"
#include "itc/barrier.hpp"
#include "itc/condition.hpp"
#include "itc/lock.hpp"

namespace {

using itc_bench::Partner;

// ── Condition ─────────────────────────────────────────────────────────────────────────────────

/// The itc::Condition flavours behind one interface: lock()/unlock()/wait()/notify().
struct ItcCondition {
  itc::Condition c;
  void lock() { c.acquire(); }
  void unlock() { c.release(); }
  void wait() { c.wait(); }
  void notify() { c.notify(); }
};
struct ItcConditionLock {
  itc::Lock l;
  itc::Condition c{l};
  void lock() { c.acquire(); }
  void unlock() { c.release(); }
  void wait() { c.wait(); }
  void notify() { c.notify(); }
};
struct StdCondvar {
  std::mutex m;
  std::condition_variable cv;
  void lock() { m.lock(); }
  void unlock() { m.unlock(); }
  void wait() {
    std::unique_lock<std::mutex> lk(m, std::adopt_lock);
    cv.wait(lk);
    lk.release();
  }
  void notify() { cv.notify_one(); }
};

template <class C>
void bm_notify_no_waiters(benchmark::State& state) {
  C c;
  c.lock();
  for (auto _ : state) c.notify();
  c.unlock();
  state.SetItemsProcessed(state.iterations());
}

template <class C>
void bm_cond_pingpong(benchmark::State& state) {
  C c;
  int turn = 0;  // guarded by c: 1 = partner's turn, 0 = ours
  bool stop = false;
  {
    Partner partner([&] {
      c.lock();
      for (;;) {
        while (turn != 1 && !stop) c.wait();
        if (stop) break;
        turn = 0;
        c.notify();
      }
      c.unlock();
    });
    for (auto _ : state) {
      c.lock();
      turn = 1;
      c.notify();
      while (turn != 0) c.wait();
      c.unlock();
    }
    c.lock();
    stop = true;
    c.notify();
    c.unlock();
  }
  state.SetItemsProcessed(state.iterations());
}

// ── Barrier ───────────────────────────────────────────────────────────────────────────────────

struct ItcBarrier {
  itc::Barrier b{2};
  void wait() { b.wait(); }
};
struct StdBarrier {
  std::barrier<> b{2};
  void wait() { b.arrive_and_wait(); }
};
/// The textbook cyclic barrier: count arrivals, bump a generation, wake everyone.
class CvBarrier {
 public:
  void wait() {
    std::unique_lock<std::mutex> lk(m_);
    const unsigned long gen = generation_;
    if (++count_ == 2) {
      count_ = 0;
      ++generation_;
      cv_.notify_all();
      return;
    }
    while (gen == generation_) cv_.wait(lk);
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  unsigned long generation_ = 0;
  int count_ = 0;
};

template <class B>
void bm_barrier(benchmark::State& state) {
  B b;
  std::atomic<long> total{0};  // rounds the partner must do; 0 = not known yet
  {
    Partner partner([&] {
      for (long k = 1;; ++k) {
        b.wait();
        const long t = total.load();
        if (t != 0 && k >= t) break;
      }
    });
    for (auto _ : state) b.wait();
    total.store(static_cast<long>(state.iterations()) + 1);
    b.wait();
  }
  state.SetItemsProcessed(state.iterations());
}

int register_all() {
  benchmark::RegisterBenchmark("cond/notify_no_waiters/itc_condition", bm_notify_no_waiters<ItcCondition>);
  benchmark::RegisterBenchmark("cond/notify_no_waiters/itc_condition_lock",
                               bm_notify_no_waiters<ItcConditionLock>);
  benchmark::RegisterBenchmark("cond/notify_no_waiters/std_condvar", bm_notify_no_waiters<StdCondvar>);
  benchmark::RegisterBenchmark("cond/pingpong/itc_condition", bm_cond_pingpong<ItcCondition>)->UseRealTime();
  benchmark::RegisterBenchmark("cond/pingpong/itc_condition_lock", bm_cond_pingpong<ItcConditionLock>)
      ->UseRealTime();
  benchmark::RegisterBenchmark("cond/pingpong/std_condvar", bm_cond_pingpong<StdCondvar>)->UseRealTime();
  benchmark::RegisterBenchmark("barrier/round2/itc_barrier", bm_barrier<ItcBarrier>)->UseRealTime();
  benchmark::RegisterBenchmark("barrier/round2/std_barrier", bm_barrier<StdBarrier>)->UseRealTime();
  benchmark::RegisterBenchmark("barrier/round2/cv_barrier", bm_barrier<CvBarrier>)->UseRealTime();
  return 0;
}

[[maybe_unused]] const int registered = register_all();

}  // namespace
