// Test support shared by the primitive tests: a C++ port of CPython's lock_tests.Bunch,
// helpers for timing assertions that do not flake on a loaded 2-core machine, the error and lock
// checks every lock-like suite makes, and the typed-test scaffolding of the queue suites.
// A test file says `using namespace itc::test;`, which also brings in std::chrono_literals.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "itc/errors.hpp"
#include "itc/queue.hpp"

namespace itc::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// Give `n` threads time to block (CPython's wait_threads_blocked: 10 ms each). A heuristic,
/// never a synchronisation point: tests use it only to make "did not finish yet" meaningful.
inline void wait_threads_blocked(int n) {
  std::this_thread::sleep_for(10ms * n);
}

/// Seconds elapsed since `start`.
inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// CPython's assertTimeout band, loosened upward for loaded machines: the lower bound is tight
/// (0.6x: a timeout must not fire early), the upper bound generous (20x).
#define ITC_EXPECT_TIMEOUT(actual_seconds, expected_seconds)      \
  do {                                                            \
    EXPECT_GE((actual_seconds), 0.6 * (expected_seconds));        \
    EXPECT_LT((actual_seconds), 20.0 * (expected_seconds) + 2.0); \
  } while (0)

/// Port of lock_tests.Bunch: runs `f(i)` on `n` threads. The constructor returns once all have
/// started; join() (or the destructor) waits for them. started()/finished() count progress.
class Bunch {
 public:
  Bunch(std::function<void(std::size_t)> f, std::size_t n) {
    threads_.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      threads_.emplace_back([this, f, i] {
        started_.fetch_add(1);
        f(i);
        finished_.fetch_add(1);
      });
    }
    while (started_.load() < n) std::this_thread::yield();
  }
  Bunch(const Bunch&) = delete;
  Bunch& operator=(const Bunch&) = delete;
  ~Bunch() { join(); }

  void join() {
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  std::size_t started() const { return started_.load(); }
  std::size_t finished() const { return finished_.load(); }

 private:
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> started_{0};
  std::atomic<std::size_t> finished_{0};
};

/// A mutex-protected vector: Python's tests append to lists from many threads under the GIL.
template <class T>
class SharedList {
 public:
  void append(T v) {
    std::lock_guard<std::mutex> g(m_);
    v_.push_back(std::move(v));
  }
  std::vector<T> snapshot() const {
    std::lock_guard<std::mutex> g(m_);
    return v_;
  }
  std::size_t size() const {
    std::lock_guard<std::mutex> g(m_);
    return v_.size();
  }

 private:
  mutable std::mutex m_;
  std::vector<T> v_;
};

/// Polls `pred` (1 ms steps) for at most `limit`; returns its last value.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 10s) {
  const auto end = Clock::now() + limit;
  while (!pred()) {
    if (Clock::now() >= end) return pred();
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// ---- Errors, timing and lock checks ---------------------------------------------------------

/// f() throws `Specific` (also caught as `PyBase`, itc::Error, std::runtime_error) with `message`, each run.
template <class Specific, class PyBase, class F>
void expect_python_error(F f, const std::string& message) {
  static_assert(std::is_base_of_v<PyBase, Specific>);
  static_assert(std::is_base_of_v<itc::Error, PyBase>);
  EXPECT_THROW(f(), Specific);
  EXPECT_THROW(f(), PyBase);
  EXPECT_THROW(f(), itc::Error);
  EXPECT_THROW(f(), std::runtime_error);
  try {
    f();
    ADD_FAILURE() << "expected an exception with message: " << message;
  } catch (const Specific& e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
}

/// Runs f and returns how long it took, in seconds.
template <class F>
double time_it(F&& f) {
  const auto start = Clock::now();
  f();
  return seconds_since(start);
}

/// A timed operation gave up no earlier than `timeout` (exact: steady clock) and not absurdly late.
inline void expect_timed_out_after(double dt, std::chrono::duration<double> timeout) {
  EXPECT_GE(dt, timeout.count());
  ITC_EXPECT_TIMEOUT(dt, timeout.count());
}

/// True if a fresh thread can take `lock` with a non-blocking acquire (and gives it back).
template <class L>
bool free_for_another_thread(L& lock) {
  bool got = false;
  std::thread([&] {
    got = lock.acquire(false);
    if (got) lock.release();
  }).join();
  return got;
}

/// Thread i of a "every waiter gets through" test: even i blocks, odd i waits with a long timeout.
template <class L>
bool acquire_blocking_or_timed(L& lock, std::size_t i) {
  return i % 2 == 0 ? lock.acquire() : lock.acquire(30s);
}

/// Counts the threads inside a section and the most that were ever inside at once.
class Occupancy {
 public:
  void enter() {
    const int now = inside_.fetch_add(1) + 1;
    int seen = max_.load();
    while (now > seen && !max_.compare_exchange_weak(seen, now)) {
    }
  }
  void leave() { inside_.fetch_sub(1); }
  int inside() const { return inside_.load(); }
  int max() const { return max_.load(); }

 private:
  std::atomic<int> inside_{0};
  std::atomic<int> max_{0};
};

/// `v`, sorted ascending.
template <class T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

/// 0, 1, ..., n-1: what a sorted list of thread indices must be when each thread ran once.
inline std::vector<std::size_t> indices(std::size_t n) {
  std::vector<std::size_t> v(n);
  std::iota(v.begin(), v.end(), std::size_t{0});
  return v;
}

// ---- Queue suites: the three queue kinds as typed-test parameters ---------------------------

/// The value of a queued test item (int, or an int behind a pointer); test files add overloads.
inline int value_of(int v) {
  return v;
}
/// The value behind a unique_ptr item.
inline int value_of(const std::unique_ptr<int>& p) {
  return *p;
}
/// The value behind a shared_ptr item.
inline int value_of(const std::shared_ptr<int>& p) {
  return *p;
}

/// Orders any item type by value (a PriorityQueue of pointers must not compare addresses).
struct ValueLess {
  template <class T>
  bool operator()(const T& a, const T& b) const {
    return value_of(a) < value_of(b);
  }
};

/// queue.Queue: FIFO. expected() is the order in which `puts` come out again.
struct FifoKind {
  static constexpr const char* name = "Queue";
  template <class T>
  using Q = itc::Queue<T>;
  static std::vector<int> expected(std::vector<int> puts) { return puts; }
};
/// queue.LifoQueue: LIFO.
struct LifoKind {
  static constexpr const char* name = "LifoQueue";
  template <class T>
  using Q = itc::LifoQueue<T>;
  static std::vector<int> expected(std::vector<int> puts) {
    std::reverse(puts.begin(), puts.end());
    return puts;
  }
};
/// queue.PriorityQueue: int uses the default std::less, the other item types compare by value.
struct PriorityKind {
  static constexpr const char* name = "PriorityQueue";
  template <class T>
  using Q =
      std::conditional_t<std::is_same_v<T, int>, itc::PriorityQueue<int>, itc::PriorityQueue<T, ValueLess>>;
  static std::vector<int> expected(std::vector<int> puts) { return sorted(std::move(puts)); }
};

/// Names a typed test after its kind: QueueKinds/Queue, QueueKinds/LifoQueue, ...
struct KindNames {
  template <class Kind>
  static std::string GetName(int) {
    return Kind::name;
  }
};

/// The three kinds, for TYPED_TEST_SUITE.
using QueueKindTypes = ::testing::Types<FifoKind, LifoKind, PriorityKind>;

/// Waits (bounded) until `n` getters are blocked in `q` (stats() counts them under its mutex).
template <class Q>
bool await_getters(Q& q, std::size_t n) {
  return eventually([&] { return q.stats().getters_blocked >= n; });
}
/// Waits (bounded) until `n` putters are blocked in `q`.
template <class Q>
bool await_putters(Q& q, std::size_t n) {
  return eventually([&] { return q.stats().putters_blocked >= n; });
}
/// Waits (bounded) until `n` joiners are blocked in `q`.
template <class Q>
bool await_joiners(Q& q, std::size_t n) {
  return eventually([&] { return q.stats().joiners_blocked >= n; });
}

/// Removes every item (non-blocking) and returns their values in retrieval order.
template <class Q>
std::vector<int> drain(Q& q) {
  std::vector<int> out;
  while (auto item = q.try_get()) out.push_back(value_of(*item));
  return out;
}

}  // namespace itc::test
