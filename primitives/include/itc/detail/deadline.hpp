// itc/detail/deadline.hpp — turning a std::chrono timeout into a deadline, once.
//
// Python computes `endtime = monotonic() + timeout` once per call and recomputes the remaining
// time after every wake-up (queue.py L168–175): a timeout is a total budget, not a per-wait
// budget. itc does the same with the platform's steady clock. Timeouts too large to add to the
// clock's current time saturate at time_point::max() (CPython raises OverflowError above
// TIMEOUT_MAX; python-semantics.md §4.6 allows a port to clamp instead).
#pragma once

#include <chrono>

#include "itc/errors.hpp"

namespace itc::detail {

template <class Clock, class Rep, class Period>
typename Clock::time_point deadline_after(std::chrono::duration<Rep, Period> timeout) {
  using TP = typename Clock::time_point;
  using D = typename Clock::duration;
  const auto now = Clock::now();
  if (timeout <= std::chrono::duration<Rep, Period>::zero()) return now;
  // Compare in floating seconds first so that absurd values (hours::max()) cannot overflow the
  // conversion to the clock's duration.
  const auto headroom = std::chrono::duration<double>(TP::max() - now);
  if (std::chrono::duration<double>(timeout) >= headroom) return TP::max();
  return now + std::chrono::ceil<D>(timeout);
}

template <class Rep, class Period>
constexpr bool is_negative(std::chrono::duration<Rep, Period> d) {
  return d < std::chrono::duration<Rep, Period>::zero();
}

template <class Rep, class Period>
constexpr bool is_zero_or_negative(std::chrono::duration<Rep, Period> d) {
  return d <= std::chrono::duration<Rep, Period>::zero();
}

}  // namespace itc::detail
