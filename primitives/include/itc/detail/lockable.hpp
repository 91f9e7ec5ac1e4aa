// itc/detail/lockable.hpp — the C++ Lockable / TimedLockable names over Python's acquire/release.
//
// Lock, RLock and Condition are used with std::lock_guard, std::unique_lock and std::scoped_lock
// through these names. Derived must provide acquire(), acquire(bool blocking),
// acquire(duration) and release(), with Python's meaning.
#pragma once

#include <chrono>

#include "itc/detail/deadline.hpp"

namespace itc::detail {

template <class Derived>
class TimedLockable {
 public:
  void lock() { self().acquire(); }
  void unlock() { self().release(); }
  bool try_lock() { return self().acquire(false); }
  /// A zero, negative or NaN duration is a single try, never an error (Python's
  /// acquire(timeout) would reject a negative or NaN one; the C++ TimedLockable names report
  /// only success or failure). A duration too large for the clock waits without a deadline.
  template <class Rep, class Period>
  bool try_lock_for(std::chrono::duration<Rep, Period> d) {
    return self().acquire(is_zero_or_negative(d) ? std::chrono::duration<Rep, Period>::zero() : d);
  }
  /// A time point not after Clock::now() is a single try, however far in the past (even
  /// time_point::min(), whose distance from now does not fit any duration). Any clock works;
  /// its time point is turned into a timeout once, so a later change of a non-steady clock
  /// (system_clock set back or forth) does not move this wait's deadline.
  template <class Clock, class Duration>
  bool try_lock_until(std::chrono::time_point<Clock, Duration> tp) {
    return try_lock_for(time_until(tp));
  }

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
};

}  // namespace itc::detail
