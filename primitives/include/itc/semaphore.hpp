// itc/semaphore.hpp — threading.Semaphore and threading.BoundedSemaphore.
//
// A counter of available permits. acquire() takes one, blocking while there are none;
// release(n) gives back n and wakes up to n blocked acquirers. Any thread may release (no
// ownership).
//
//   BasicSemaphore<P>(value = 1)       InvalidArgument "semaphore initial value must be >= 0" if
//                                      value < 0
//   acquire()                          block until a permit is taken; returns true
//   acquire(false)                     try once
//   acquire(timeout)                   wait at most `timeout`; false on expiry. timeout <= 0 is a
//                                      non-blocking try and never an error (Python treats a
//                                      negative timeout as 0 here, unlike Lock and Queue)
//   acquire(false, timeout)            InvalidArgument "can't specify timeout for non-blocking acquire"
//   release(n = 1)                     InvalidArgument "n must be one or more" if n < 1
//   value()                            the current count (a snapshot; Python shows it in repr)
//
// BasicBoundedSemaphore<P>(value = 1) is the same, except that release(n) throws
// SemaphoreReleasedTooManyTimes ("Semaphore released too many times") when value + n would
// exceed the initial value; the check covers the whole n at once and the value is unchanged.
//
// Which blocked acquirer gets a released permit is not specified.
//
// Memory ordering: a release() happens-before the acquire() that takes one of its permits.
//
// Implementation: the count is one atomic; acquire() and release() are a single
// compare-exchange / fetch_add when nobody is blocked — no system call, unlike
// std::counting_semaphore here, which posts a futex wake per release. Blocked acquirers register
// in `sleepers_` (sequentially consistent, Dekker-style against the count) so that release()
// takes the park mutex only when someone may be asleep.
#pragma once

#include <chrono>
#include <cstddef>

#include "itc/detail/deadline.hpp"
#include "itc/errors.hpp"
#include "itc/platform/lock_guard.hpp"
#include "itc/platform/std_platform.hpp"

namespace itc {
namespace detail {

template <class P, bool Bounded>
class SemaphoreImpl {
 public:
  using platform_type = P;
  using clock = typename P::Clock;

  explicit SemaphoreImpl(std::ptrdiff_t value = 1) : value_(check_initial(value)), limit_(value) {}
  SemaphoreImpl(const SemaphoreImpl&) = delete;
  SemaphoreImpl& operator=(const SemaphoreImpl&) = delete;

  bool acquire() {
    if (try_take()) return true;
    return acquire_slow(nullptr);
  }
  bool acquire(bool blocking) { return blocking ? acquire() : try_take(); }
  template <class Rep, class Period>
  bool acquire(std::chrono::duration<Rep, Period> timeout) {
    if (try_take()) return true;
    if (detail::is_zero_or_negative(timeout)) return false;
    const auto deadline = detail::deadline_after<clock>(timeout);
    return acquire_slow(&deadline);
  }
  template <class Rep, class Period>
  bool acquire(bool blocking, std::chrono::duration<Rep, Period> timeout) {
    if (!blocking) throw InvalidArgument("can't specify timeout for non-blocking acquire");
    return acquire(timeout);
  }

  void release(std::ptrdiff_t n = 1) {
    if (n < 1) throw InvalidArgument("n must be one or more");
    if constexpr (Bounded) {
      std::ptrdiff_t v = value_.load(std::memory_order_relaxed);
      do {
        if (v + n > limit_) throw SemaphoreReleasedTooManyTimes();
      } while (!value_.compare_exchange_strong(v, v + n, std::memory_order_seq_cst));
    } else {
      value_.fetch_add(n, std::memory_order_seq_cst);
    }
    // seq_cst pairs with the sleeper's seq_cst increment + re-check of value_: either it sees our
    // permits or we see it registered.
    const std::ptrdiff_t sleeping = sleepers_.load(std::memory_order_seq_cst);
    if (sleeping == 0) return;
    MutexGuard guard(park_mutex_);
    if (n >= sleeping) {
      park_cv_.notify_all();
    } else {
      for (std::ptrdiff_t i = 0; i < n; ++i) park_cv_.notify_one();
    }
  }

  /// The number of permits available now (a snapshot).
  [[nodiscard]] std::ptrdiff_t value() const { return value_.load(std::memory_order_relaxed); }

  // RAII and Lockable-style names: std::lock_guard<Semaphore> works.
  void lock() { acquire(); }
  void unlock() { release(); }
  bool try_lock() { return try_take(); }

 private:
  static std::ptrdiff_t check_initial(std::ptrdiff_t value) {
    if (value < 0) throw InvalidArgument("semaphore initial value must be >= 0");
    return value;
  }

  bool try_take() {
    std::ptrdiff_t v = value_.load(std::memory_order_relaxed);
    while (v > 0) {
      // acquire: pairs with release()'s increment.
      if (value_.compare_exchange_strong(v, v - 1, std::memory_order_acquire)) return true;
    }
    return false;
  }

  bool acquire_slow(const typename clock::time_point* deadline) {
    MutexGuard guard(park_mutex_);
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    bool taken = false;
    for (;;) {
      std::ptrdiff_t v = value_.load(std::memory_order_seq_cst);
      while (v > 0 && !taken) {
        taken = value_.compare_exchange_strong(v, v - 1, std::memory_order_seq_cst);
      }
      if (taken) break;
      if (deadline == nullptr) {
        park_cv_.wait(park_mutex_);
      } else if (!park_cv_.wait_until(park_mutex_, *deadline)) {
        taken = try_take();
        break;
      }
    }
    sleepers_.fetch_sub(1, std::memory_order_seq_cst);
    return taken;
  }

  typename P::template Atomic<std::ptrdiff_t> value_;
  const std::ptrdiff_t limit_;
  typename P::template Atomic<std::ptrdiff_t> sleepers_{0};
  typename P::Mutex park_mutex_;
  typename P::CondVar park_cv_;
};

}  // namespace detail

template <class P = StdPlatform>
class BasicSemaphore : public detail::SemaphoreImpl<P, false> {
 public:
  explicit BasicSemaphore(std::ptrdiff_t value = 1) : detail::SemaphoreImpl<P, false>(value) {}
};

template <class P = StdPlatform>
class BasicBoundedSemaphore : public detail::SemaphoreImpl<P, true> {
 public:
  explicit BasicBoundedSemaphore(std::ptrdiff_t value = 1) : detail::SemaphoreImpl<P, true>(value) {}
};

using Semaphore = BasicSemaphore<>;
using BoundedSemaphore = BasicBoundedSemaphore<>;

}  // namespace itc
