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
//   release(n = 1)                     InvalidArgument "n must be one or more" if n < 1;
//                                      OverflowError "semaphore value would overflow" if the
//                                      value would exceed PTRDIFF_MAX (Python has no limit);
//                                      the value is then unchanged
//   value()                            the current count (a snapshot; Python shows it in repr)
//
// BasicBoundedSemaphore<P>(value = 1) is the same, except that release(n) throws
// SemaphoreReleasedTooManyTimes ("Semaphore released too many times") when value + n would
// exceed the initial value; the check covers the whole n at once (any n, PTRDIFF_MAX included:
// the check cannot overflow) and the value is unchanged.
//
// Which blocked acquirer gets a released permit is not specified.
//
// Memory ordering: a release() happens-before the acquire() that takes one of its permits.
//
// Implementation: one atomic word, value << 1 | parked, where `parked` means "a thread may be
// parked on this word". acquire() and release() are a single compare-exchange when nobody is
// blocked — no lock, no system call, unlike std::counting_semaphore here, which posts a futex
// wake per release. A blocked acquirer sets the parked bit and parks on the word itself
// (P::park, detail/parking_lot.hpp); release() clears the bit in the same compare-exchange that
// adds the permits and, if it was set, wakes parked threads by the word's address.
//
// Destroying the semaphore as soon as an acquire() returns is safe: release()'s compare-exchange
// is the step that lets an acquirer return, and after it release() touches nothing of the
// semaphore (the wake-up uses only the word's address).
//
// No acquirer is stranded: release(1) clears the bit and wakes one thread, so others may still
// be parked with the bit clear. Therefore every acquirer that has parked once sets the bit
// again when it leaves the slow path (with its permit, or on a timeout), as in Drepper's futex
// mutex ("Futexes are tricky", 2011): the next release() then wakes the next sleeper. And a
// woken acquirer that leaves permits behind wakes the next sleeper itself, since a release()
// that ran while its wake-up was in flight saw the bit clear and woke nobody. The cost is at
// most one wake-up that finds nobody.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "itc/detail/deadline.hpp"
#include "itc/errors.hpp"
#include "itc/platform/std_platform.hpp"

namespace itc {
namespace detail {

template <class P, bool Bounded>
class SemaphoreImpl {
 public:
  using platform_type = P;
  using clock = typename P::Clock;

  explicit SemaphoreImpl(std::ptrdiff_t value = 1) : state_(check_initial(value)), limit_(value) {}
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
    // First try on the guess that the semaphore is at rest less one permit (see at_rest_);
    // a wrong guess fails the compare-exchange, which then hands back the real word. The guess
    // itself is never checked against the limits: a check must see a real value.
    std::uint64_t s = at_rest_ - kOnePermit;
    if (!fits(count(s), n)) s = state_.load(std::memory_order_relaxed);
    std::uint64_t next = 0;
    do {
      if (!fits(count(s), n)) {
        if constexpr (Bounded) {
          throw SemaphoreReleasedTooManyTimes();
        } else {
          throw OverflowError("semaphore value would overflow");
        }
      }
      next = (s & ~kParked) + (static_cast<std::uint64_t>(n) << 1);
      // release: a release() happens-before the acquire() that takes one of its permits.
    } while (!state_.compare_exchange_strong(s, next, std::memory_order_release));
    // The semaphore may be gone now (an acquirer took a permit and destroyed it): address only.
    if ((s & kParked) != 0) {
      if (n == 1) {
        P::unpark_one(&state_);
      } else {
        P::unpark_all(&state_);  // those that find no permit park again
      }
    }
  }

  /// The number of permits available now (a snapshot).
  [[nodiscard]] std::ptrdiff_t value() const { return count(state_.load(std::memory_order_relaxed)); }

  // RAII and Lockable-style names: std::lock_guard<Semaphore> works.
  void lock() { acquire(); }
  void unlock() { release(); }
  bool try_lock() { return try_take(); }

 private:
  static constexpr std::uint64_t kParked = 1;
  static constexpr std::uint64_t kOnePermit = 2;

  static std::ptrdiff_t count(std::uint64_t s) { return static_cast<std::ptrdiff_t>(s >> 1); }

  // Whether releasing n more permits onto v keeps the value legal. Differences, not sums: v + n
  // could overflow.
  bool fits(std::ptrdiff_t v, std::ptrdiff_t n) const {
    if constexpr (Bounded) {
      return n <= limit_ - v;
    } else {
      return n <= std::numeric_limits<std::ptrdiff_t>::max() - v;
    }
  }

  static std::uint64_t check_initial(std::ptrdiff_t value) {
    if (value < 0) throw InvalidArgument("semaphore initial value must be >= 0");
    return static_cast<std::uint64_t>(value) << 1;
  }

  bool try_take() {
    // Compare-exchange on a guess (at rest, see at_rest_) rather than after a load: when the
    // guess is right, as it is whenever the semaphore is used one holder at a time, the load's
    // round trip before the locked instruction is saved (15.4 -> 9.4 ns per uncontended
    // acquire/release pair on the project's machine); when it is wrong, the failed
    // compare-exchange returns the real word.
    std::uint64_t s = at_rest_;
    do {
      if (count(s) == 0) return false;
      // acquire: pairs with release()'s compare-exchange. The parked bit is kept.
    } while (!state_.compare_exchange_strong(s, s - kOnePermit, std::memory_order_acquire));
    return true;
  }

  // Out of line, as Lock's: the fast path's callers keep their registers.
  [[gnu::noinline]] bool acquire_slow(const typename clock::time_point* deadline) {
    std::uint64_t s = state_.load(std::memory_order_relaxed);
    std::uint64_t remark = 0;  // kParked once this thread has parked
    for (;;) {
      if (count(s) > 0) {
        // Taking a permit after having parked: set the bit again for whoever still sleeps.
        if (state_.compare_exchange_strong(s, (s - kOnePermit) | remark, std::memory_order_acquire)) {
          // Permits left over: a release() may have found the bit clear (this thread's wake-up
          // still in flight) and woken nobody, so pass the wake-up on. This thread is still
          // inside acquire(), so the semaphore is alive; the wake uses only the address anyway.
          if (remark != 0 && count(s) > 1) P::unpark_one(&state_);
          return true;
        }
        continue;
      }
      if ((s & kParked) == 0) {
        if (!state_.compare_exchange_strong(s, s | kParked, std::memory_order_relaxed)) continue;
        s |= kParked;
      }
      const bool woken = P::park(state_, s, deadline);
      remark = kParked;
      s = state_.load(std::memory_order_relaxed);
      if (!woken && count(s) == 0) {
        // Timed out. Leave the bit set (a release() may have cleared it to wake this thread,
        // while others still sleep), then make one last try: a release racing the deadline
        // still counts.
        while ((s & kParked) == 0 &&
               !state_.compare_exchange_strong(s, s | kParked, std::memory_order_relaxed)) {
        }
        return try_take();
      }
    }
  }

  typename P::template Atomic<std::uint64_t> state_;  // value << 1 | parked
  const std::ptrdiff_t limit_;
  // The word of an idle semaphore: its initial value (at least one permit, so that a Semaphore(0)
  // used for signalling guesses "one release pending"), nobody parked. Only a first guess for
  // the compare-exchanges; never trusted.
  const std::uint64_t at_rest_ = static_cast<std::uint64_t>(limit_ > 0 ? limit_ : 1) << 1;
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
