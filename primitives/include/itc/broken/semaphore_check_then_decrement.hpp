// itc/broken/semaphore_check_then_decrement.hpp — BROKEN ON PURPOSE: acquire() checks the count
// and decrements it in two separate atomic steps.
//
// Defect:   `if (value > 0) value -= 1;` where the load and the decrement are each atomic but
//           not one step together: two acquirers can both see the last permit and both take it,
//           so the count goes negative and more threads hold a resource than the pool has.
// Fix:      one indivisible step: a compare-exchange loop (`while (v > 0 && !cas(v, v - 1))`,
//           as itc::BasicSemaphore does), or the check and the decrement under one lock.
// Expected: model assertion (more workers inside than the pool allows) · stress assertion (p) ·
//           tsan — (only atomics and locked data: no data race to see).
// Scenario: semaphore/check_then_decrement (models/scenarios/semaphore.hpp).
#pragma once

#include <atomic>
#include <cstddef>

#include "itc/platform/lock_guard.hpp"
#include "itc/platform/std_platform.hpp"

namespace itc::broken {

template <class P = StdPlatform>
class SemaphoreCheckThenDecrement {
 public:
  explicit SemaphoreCheckThenDecrement(std::ptrdiff_t value = 1) : value_(value) {}

  bool acquire() {
    for (;;) {
      if (value_.load(std::memory_order::seq_cst) > 0) {
        // DEFECT: another acquirer may take the permit seen above before this decrement.
        value_.fetch_sub(1, std::memory_order::seq_cst);
        return true;
      }
      detail::MutexGuard guard(mutex_);
      while (value_.load(std::memory_order::seq_cst) <= 0) cv_.wait(mutex_);
    }
  }

  void release() {
    value_.fetch_add(1, std::memory_order::seq_cst);
    detail::MutexGuard guard(mutex_);  // a sleeper holds it from its check to its wait
    cv_.notify_all();
  }

  /// The current count (a snapshot).
  [[nodiscard]] std::ptrdiff_t value() const { return value_.load(std::memory_order::relaxed); }

  // Lockable names, so that std::lock_guard works as it does with itc::Semaphore.
  void lock() { acquire(); }
  void unlock() { release(); }

 private:
  typename P::template Atomic<std::ptrdiff_t> value_;
  typename P::Mutex mutex_;
  typename P::CondVar cv_;
};

}  // namespace itc::broken
