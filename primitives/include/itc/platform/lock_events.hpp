// itc/platform/lock_events.hpp — the optional platform hook through which a checker learns who
// holds which itc::Lock / itc::RLock, and where it was acquired.
//
// A platform *may* provide
//
//   static void on_lock(LockEvent event, const void* lock, const SourceLocation& loc);
//
// BasicLock calls it (through lock_event<P> below) with its own address and the caller's
// source location (the line that called acquire()/lock()/release(), not a line of lock.hpp):
//
//   attempt    before a blocking or timed acquire may block (not for acquire(false)): the
//              calling thread now waits for `lock`. ThreadSanitizer's "pre-lock": a lock-order
//              checker adds its edges here, so the inversion is seen before the deadlock
//   acquired   the calling thread holds `lock` (after attempt, or a successful try)
//   gave_up    a timed acquire expired: the calling thread no longer waits
//   released   `lock` is about to be freed, by any thread (a Python Lock may be released by
//              a thread that did not acquire it)
//
// RLock reports only its outermost acquire and its last release (through the Lock inside it);
// Condition's wait() reports the release and the re-acquire of its lock.
//
// Cost: a platform without on_lock (StdPlatform) gets `if constexpr (false)`: no call, no
// argument, no code — the generated lock/unlock is the same instruction for instruction as
// without the hook (measured with objdump: stress/bench/README.md). The Relacy platform feeds
// its lock-order graph and its deadlock report from it; the stress platform records each lock's
// owner and acquisition site for the watchdog.
//
// Errors: on_lock must not throw (it is called from release() paths that are noexcept in
// spirit); a checker reports through its own channel (Relacy's fail_test).
#pragma once

#include "itc/platform/source_location.hpp"

namespace itc {

enum class LockEvent { attempt, acquired, gave_up, released };

template <class P>
concept ObservesLocks = requires(LockEvent e, const void* lock, const SourceLocation& loc) {
  P::on_lock(e, lock, loc);
};

namespace detail {

template <class P>
inline void lock_event(LockEvent e, const void* lock, const SourceLocation& loc) {
  if constexpr (ObservesLocks<P>) P::on_lock(e, lock, loc);
}

}  // namespace detail
}  // namespace itc
