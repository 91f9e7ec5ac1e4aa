// Test support shared by the primitive tests: a C++ port of CPython's lock_tests.Bunch and
// helpers for timing assertions that do not flake on a loaded 2-core machine.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace itc::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// Give `n` threads time to block (CPython's wait_threads_blocked: 10 ms each). A heuristic,
/// never a synchronisation point: tests use it only to make "did not finish yet" meaningful.
inline void wait_threads_blocked(int n) { std::this_thread::sleep_for(10ms * n); }

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

/// Polls `pred` (10 ms steps) for at most `limit`; returns its last value.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 10s) {
  const auto end = Clock::now() + limit;
  while (!pred()) {
    if (Clock::now() >= end) return pred();
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

}  // namespace itc::test
