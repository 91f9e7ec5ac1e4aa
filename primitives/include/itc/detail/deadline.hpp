// itc/detail/deadline.hpp — turning a std::chrono timeout into a deadline, once.
//
// Python computes `endtime = monotonic() + timeout` once per call and recomputes the remaining
// time after every wake-up (queue.py L168–175): a timeout is a total budget, not a per-wait
// budget. itc does the same with the platform's steady clock. Timeouts too large to add to the
// clock's current time saturate at time_point::max() (CPython raises OverflowError above
// TIMEOUT_MAX; the Python-semantics checklist §4.6 allows a port to clamp instead).
//
// Every helper here is total: any value of any std::chrono::duration — NaN, ±infinity,
// duration::min()/max() — gives a defined answer, never an overflowing conversion.
//
// NaN and infinity (measured on CPython 3.13):
//
//   - +infinity is the largest timeout: it saturates like any other timeout too large for the
//     clock, so the call waits without a deadline. CPython raises OverflowError wherever an
//     infinite timeout reaches a C lock.
//   - -infinity is the most negative timeout: each call treats it as it treats -1 s (CPython's
//     Lock, RLock and SimpleQueue raise OverflowError instead of their negative-timeout error).
//   - NaN is a timeout that has already expired: is_negative() is false (NaN passes the sign
//     check, as `nan < 0` is False in Python), is_zero_or_negative() is true, deadline_after()
//     returns "now". So a call tries once and then gives its timeout result. That is exactly
//     CPython where it defines the result: Event.wait(nan) and Condition.wait(nan) return False
//     at once, and Queue.put/get(nan) succeed when they need not wait. Where CPython's code
//     waits in a loop — Semaphore.acquire, Condition.wait_for, Barrier.wait, Queue.put/get —
//     NaN hangs it by accident: its `remaining <= 0` exit test is never true for NaN, so it
//     re-polls Condition.wait(nan), which returns at once, forever at 100 % CPU. A port must
//     not hang there; itc stops after the first try, which is what each of those loops does
//     for any timeout that has run out.
//   - CPython's C-implemented calls convert the timeout first and reject NaN with
//     `ValueError: Invalid value NaN (not a number)`: Lock.acquire, RLock.acquire (and so
//     Condition.acquire) and SimpleQueue.get. Those itc calls call reject_nan() first.
#pragma once

#include <chrono>
#include <type_traits>

#include "itc/errors.hpp"

namespace itc::detail {

/// True if `d` is a floating-point NaN (always false for integral representations).
template <class Rep, class Period>
constexpr bool is_nan(std::chrono::duration<Rep, Period> d) {
  if constexpr (std::chrono::treat_as_floating_point_v<Rep>) {
    return d.count() != d.count();
  } else {
    return false;
  }
}

/// Throws InvalidArgument (a ValueError) with CPython's message if `timeout` is NaN. For the
/// calls CPython implements in C, which reject NaN before looking at anything else: Lock and
/// RLock acquire(timeout), Condition acquire(timeout), SimpleQueue get(timeout).
template <class Rep, class Period>
void reject_nan(std::chrono::duration<Rep, Period> timeout) {
  if (is_nan(timeout)) throw InvalidArgument("Invalid value NaN (not a number)");
}

/// True if `d` is negative. False for NaN: NaN passes a sign check, as in Python.
template <class Rep, class Period>
constexpr bool is_negative(std::chrono::duration<Rep, Period> d) {
  return d < std::chrono::duration<Rep, Period>::zero();
}

/// True if a wait of `d` must not block: zero, negative, or NaN (a timeout already expired).
template <class Rep, class Period>
constexpr bool is_zero_or_negative(std::chrono::duration<Rep, Period> d) {
  return is_nan(d) || d <= std::chrono::duration<Rep, Period>::zero();
}

/// Half of To's range, as a double: a bound for range decisions made in floating point. Any
/// value below it converts to To exactly enough and without overflow, whatever the rounding of
/// the conversion; anything above it is more than a century (for nanoseconds: 146 years) and
/// is treated as unbounded.
template <class To>
constexpr double half_range() {
  return static_cast<double>(To::max().count()) / 2;
}

/// `d` in the unit of `To`, rounded up, saturating at To::max() from half its range up; `d`
/// must be positive and not NaN. The range check is in floating point, so it cannot overflow.
template <class To, class Rep, class Period>
To ceil_saturating(std::chrono::duration<Rep, Period> d) {
  if (std::chrono::duration<double, typename To::period>(d).count() >= half_range<To>()) return To::max();
  return std::chrono::ceil<To>(d);
}

/// The deadline of a wait of `timeout` starting now on `Clock`: now for zero, negative and NaN
/// timeouts, time_point::max() for timeouts past the clock's range (including +infinity).
template <class Clock, class Rep, class Period>
typename Clock::time_point deadline_after(std::chrono::duration<Rep, Period> timeout) {
  using TP = typename Clock::time_point;
  using D = typename Clock::duration;
  const auto now = Clock::now();
  if (is_zero_or_negative(timeout)) return now;
  // Exact arithmetic in the clock's unit from here: headroom >= 0 (a clock before its epoch
  // has at least D::max() of it), and the step is added only if it fits.
  const D headroom = now.time_since_epoch() < D::zero() ? D::max() : TP::max() - now;
  const D step = ceil_saturating<D>(timeout);
  if (step >= headroom) return TP::max();
  return now + step;
}

/// `tp - Clock::now()` without overflow, for try_lock_until() (which Python has not). Time
/// points more than half the common duration's range from the epoch (time_point::min()/max(),
/// or the extremes of a coarse Duration, which do not even fit the clock's unit) saturate: the
/// result is the common duration's max() if tp is later than now, else its min().
template <class Clock, class Duration>
auto time_until(std::chrono::time_point<Clock, Duration> tp) {
  using Common = std::common_type_t<Duration, typename Clock::duration>;
  const auto now = Clock::now();
  if constexpr (std::chrono::treat_as_floating_point_v<typename Common::rep>) {
    return Common(tp.time_since_epoch()) - Common(now.time_since_epoch());
  } else {
    using AsDouble = std::chrono::duration<double, typename Common::period>;
    const double t = AsDouble(tp.time_since_epoch()).count();
    const double n = AsDouble(now.time_since_epoch()).count();
    const double half = half_range<Common>();
    // Both within half the range: the conversions and the difference fit, so subtract exactly.
    if (t < half && t > -half && n < half && n > -half) {
      return Common(tp.time_since_epoch()) - Common(now.time_since_epoch());
    }
    return t > n ? Common::max() : Common::min();
  }
}

}  // namespace itc::detail
