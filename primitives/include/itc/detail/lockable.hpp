// itc/detail/lockable.hpp — the C++ Lockable / TimedLockable names over Python's acquire/release.
//
// Lock, RLock and Condition are used with std::lock_guard, std::unique_lock and std::scoped_lock
// through these names. Derived must provide acquire(), acquire(bool blocking),
// acquire(duration) and release(), with Python's meaning. Where Derived's calls also take a
// trailing SourceLocation (Lock, RLock), the caller's location is passed on, so that a checker
// (itc/platform/lock_events.hpp) names the line that called lock(). Called from
// std::lock_guard or std::unique_lock, that line is inside the standard library's header: call
// acquire()/release() (or take the guard with std::adopt_lock after acquire()) to have your
// own line named.
#pragma once

#include <chrono>

#include "itc/detail/deadline.hpp"
#include "itc/platform/source_location.hpp"

namespace itc::detail {

template <class Derived>
class TimedLockable {
 public:
  void lock(SourceLocation loc = SourceLocation::current()) {
    if constexpr (requires(Derived & d) { d.acquire(loc); }) {
      self().acquire(loc);
    } else {
      self().acquire();
    }
  }
  void unlock(SourceLocation loc = SourceLocation::current()) {
    if constexpr (requires(Derived & d) { d.release(loc); }) {
      self().release(loc);
    } else {
      self().release();
    }
  }
  bool try_lock(SourceLocation loc = SourceLocation::current()) {
    if constexpr (requires(Derived & d) { d.acquire(false, loc); }) {
      return self().acquire(false, loc);
    } else {
      return self().acquire(false);
    }
  }
  /// A zero, negative or NaN duration is a single try, never an error (Python's
  /// acquire(timeout) would reject a negative or NaN one; the C++ TimedLockable names report
  /// only success or failure). A duration too large for the clock waits without a deadline.
  template <class Rep, class Period>
  bool try_lock_for(std::chrono::duration<Rep, Period> d, SourceLocation loc = SourceLocation::current()) {
    const auto timeout = is_zero_or_negative(d) ? std::chrono::duration<Rep, Period>::zero() : d;
    if constexpr (requires(Derived & l) { l.acquire(timeout, loc); }) {
      return self().acquire(timeout, loc);
    } else {
      return self().acquire(timeout);
    }
  }
  /// A time point not after Clock::now() is a single try, however far in the past (even
  /// time_point::min(), whose distance from now does not fit any duration). Any clock works;
  /// its time point is turned into a timeout once, so a later change of a non-steady clock
  /// (system_clock set back or forth) does not move this wait's deadline.
  template <class Clock, class Duration>
  bool try_lock_until(std::chrono::time_point<Clock, Duration> tp,
                      SourceLocation loc = SourceLocation::current()) {
    return try_lock_for(time_until(tp), loc);
  }

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
};

}  // namespace itc::detail
