// itc/lock.hpp — threading.Lock and threading.RLock.
//
// ── BasicLock<P>: threading.Lock ────────────────────────────────────────────────────────────────
// A non-recursive lock that *nobody owns*: any thread may release it (Python's Lock is a binary
// semaphore), releasing it while unlocked is an error, and destroying it while held is fine. That
// is why it is not std::mutex, for which all three are undefined behaviour.
//
//   acquire()                      block until acquired; returns true
//   acquire(false)                 try once; true if it was free (false if held, even by the caller)
//   acquire(timeout)               wait at most `timeout`; false on expiry. Zero = try once.
//                                  Negative -> InvalidArgument "timeout value must be a
//                                  non-negative number"
//   acquire(false, timeout)        InvalidArgument "can't specify a timeout for a non-blocking call"
//   release()                      unlock; UnacquiredLockRelease "release unlocked lock" if unlocked
//   locked()                       true while held by anyone (a snapshot)
//   lock()/unlock()/try_lock()/try_lock_for()/try_lock_until()
//                                  the C++ Lockable / TimedLockable names: std::lock_guard,
//                                  std::unique_lock and std::scoped_lock work.
//
// A second acquire() by the thread that holds the lock blocks (self-deadlock) until some other
// thread releases it: Python's Lock is not reentrant. Which waiter wins after a release is not
// specified (a barging lock).
//
// Memory ordering: a successful acquire() synchronises-with the release() that made the lock
// free (acquire/release on the state word), so writes made before release() are visible after
// acquire(), also when the two calls happen on different threads.
//
// ThreadSanitizer: happens-before comes from the state word's atomics, and a TSan build reports
// lock-order inversions between itc locks (lock/abba) with both acquisition stacks. A release by
// another thread, a Lock destroyed while held and reused thread ids produce no report. How, and
// why TSan's ordinary mutex annotations cannot express a Python Lock: itc/platform/
// tsan_annotations.hpp.
//
// Checkers: every acquire/release (and lock()/unlock()/try_lock*()) also takes a defaulted
// trailing SourceLocation, the caller's line, and reports attempt / acquired / gave-up /
// released to the platform's optional on_lock hook (itc/platform/lock_events.hpp). The model
// checker builds its lock-order graph and its deadlock report from it; the stress runner's
// watchdog names the owner of a lock a hung thread waits for. StdPlatform has no hook: the
// calls compile to nothing (the generated code is unchanged; stress/bench/README.md).
//
// Destroying a Lock as soon as an acquire() returns is safe — e.g. a timed acquirer that gets
// the lock the moment a release() frees it, and destroys it: release()'s compare-exchange is the
// step that frees the lock, and after it release() touches nothing of the Lock (the wake-up
// passes only the state word's address to the platform).
//
// Implementation: one atomic state word — 0 free, 1 held, 2 held and maybe waited on (Drepper's
// futex mutex, "Futexes are tricky"). The uncontended path is one compare-exchange to take and
// one to give back, no system call. A contended acquirer marks the word 2 and parks on the word
// itself (P::park); a release that sees 2 wakes one parked thread by the word's address. Every
// acquirer that has parked takes the word with the same exchange to 2, so a woken thread keeps
// the mark for those still parked; a timed acquirer that gives up leaves the word marked, so a
// wake-up it may have consumed is passed on by the next release. The owner (for is_owned()) is
// recorded after the word is taken and cleared before it is given back.
//
// ── BasicRLock<P>: threading.RLock ──────────────────────────────────────────────────────────────
// A reentrant lock owned by one thread at a time. The owner may acquire it again (each acquire
// needs its release); only the owner may release (UnacquiredLockRelease "cannot release
// un-acquired lock" otherwise, and the owner keeps the lock). recursion_count() and is_owned()
// expose what Python keeps private (_recursion_count, _is_owned). Same timeouts as Lock.
#pragma once

#include <chrono>
#include <cstdint>

#include "itc/detail/deadline.hpp"
#include "itc/detail/lockable.hpp"
#include "itc/errors.hpp"
#include "itc/platform/lock_events.hpp"
#include "itc/platform/std_platform.hpp"
#include "itc/platform/tsan_annotations.hpp"

namespace itc {

template <class P = StdPlatform>
class BasicLock : public detail::TimedLockable<BasicLock<P>> {
 public:
  using platform_type = P;
  using clock = typename P::Clock;

  BasicLock() { detail::tsan::created(this); }
  ~BasicLock() {
    if (locked()) detail::tsan::forget_holder(this);  // destroying a held Lock is legal (A14)
    detail::tsan::destroyed(this);
  }
  BasicLock(const BasicLock&) = delete;
  BasicLock& operator=(const BasicLock&) = delete;

  /// Blocks until the lock is acquired. Always returns true.
  bool acquire(SourceLocation loc = SourceLocation::current()) {
    detail::tsan::lock_attempt(this);
    detail::lock_event<P>(LockEvent::attempt, this, loc);
    if (!try_fast()) acquire_slow(nullptr);
    detail::tsan::lock_acquired(this);
    detail::lock_event<P>(LockEvent::acquired, this, loc);
    return true;
  }

  /// acquire(true) blocks; acquire(false) tries once and never blocks.
  bool acquire(bool blocking, SourceLocation loc = SourceLocation::current()) {
    if (blocking) return acquire(loc);
    const bool acquired = try_fast();
    if (acquired) {
      detail::tsan::lock_acquired(this);
      detail::lock_event<P>(LockEvent::acquired, this, loc);
    }
    return acquired;
  }

  /// Waits at most `timeout`. Zero tries once; negative throws InvalidArgument.
  template <class Rep, class Period>
  bool acquire(std::chrono::duration<Rep, Period> timeout, SourceLocation loc = SourceLocation::current()) {
    detail::reject_nan(timeout);  // CPython: ValueError "Invalid value NaN (not a number)"
    if (detail::is_negative(timeout)) throw InvalidArgument("timeout value must be a non-negative number");
    const bool may_wait = !detail::is_zero_or_negative(timeout);
    if (may_wait) {
      detail::tsan::lock_attempt(this);
      detail::lock_event<P>(LockEvent::attempt, this, loc);
    }
    bool acquired = try_fast();
    if (!acquired && may_wait) {
      const auto deadline = detail::deadline_after<clock>(timeout);
      acquired = acquire_slow(&deadline);
    }
    if (acquired) {
      detail::tsan::lock_acquired(this);
      detail::lock_event<P>(LockEvent::acquired, this, loc);
    } else if (may_wait) {
      detail::lock_event<P>(LockEvent::gave_up, this, loc);
    }
    return acquired;
  }

  /// Python's acquire(blocking, timeout): a timeout with blocking == false is an error.
  template <class Rep, class Period>
  bool acquire(bool blocking, std::chrono::duration<Rep, Period> timeout,
               SourceLocation loc = SourceLocation::current()) {
    detail::reject_nan(timeout);  // CPython: ValueError "Invalid value NaN (not a number)"
    if (!blocking) throw InvalidArgument("can't specify a timeout for a non-blocking call");
    return acquire(timeout, loc);
  }

  /// Releases the lock; any thread may do so. Throws UnacquiredLockRelease if it is not locked.
  void release(SourceLocation loc = SourceLocation::current()) {
    // Forget the owner *before* the lock can be taken again, never after: clearing it later
    // could erase the next owner's record, and not clearing it would let this thread, seeing a
    // stale owner_ while the next acquirer has taken the state word but not yet recorded
    // itself, believe it still holds the lock (Condition would then let it wait() and release
    // the other thread's lock). A release of an unlocked lock throws before touching anything.
    std::uint32_t s = state_.load(std::memory_order_relaxed);
    if (s == kFree) throw UnacquiredLockRelease("release unlocked lock");
    detail::lock_event<P>(LockEvent::released, this, loc);
    if (owner_.load(std::memory_order_relaxed) == P::current_thread()) {
      detail::tsan::released_by_owner(this);
    } else {
      detail::tsan::forget_holder(this);  // released by another thread (legal here, A6)
    }
    owner_.store(typename P::ThreadId{}, std::memory_order_relaxed);
    do {
      if (s == kFree) throw UnacquiredLockRelease("release unlocked lock");
      // release: publishes the critical section to the next acquirer.
    } while (!state_.compare_exchange_strong(s, kFree, std::memory_order_release));
    // The lock is free: an acquirer may have taken it and destroyed it. Address only.
    if (s == kContended) P::unpark_one(&state_);
  }

  /// True while the lock is held by any thread. A snapshot: it may change at once.
  [[nodiscard]] bool locked() const { return state_.load(std::memory_order_relaxed) != kFree; }

  /// True if the lock is held and the calling thread was the one that acquired it. Used by
  /// Condition to reject wait()/notify() from a thread that does not hold the lock.
  ///
  /// Why it cannot see a stale "me": a thread only records itself after taking the state word,
  /// and every release() clears owner_ before freeing the word. If this thread released last,
  /// its own clear precedes this read (program order). If another thread released it (any
  /// thread may), the acquire load below reads the word from a release sequence headed by that
  /// release, so its clear happens-before the read of owner_ as well. Residual window: a
  /// release() by a third thread racing with the acquire it is releasing (between the
  /// acquirer's compare-exchange and its owner_ store) can leave a stale owner behind; that
  /// needs a program that releases a lock it did not see being acquired.
  [[nodiscard]] bool is_owned() const {
    return state_.load(std::memory_order_acquire) != kFree &&
           owner_.load(std::memory_order_relaxed) == P::current_thread();
  }

  // Condition's save/restore protocol (Python's _release_save/_acquire_restore).
  std::size_t release_save(SourceLocation loc = SourceLocation::current()) {
    release(loc);
    return 1;
  }
  void acquire_restore(std::size_t /*saved*/, SourceLocation loc = SourceLocation::current()) {
    acquire(loc);
  }

 private:
  static constexpr std::uint32_t kFree = 0;
  static constexpr std::uint32_t kHeld = 1;
  static constexpr std::uint32_t kContended = 2;

  bool try_fast() {
    std::uint32_t expected = kFree;
    // acquire: pairs with the release in release().
    if (!state_.compare_exchange_strong(expected, kHeld, std::memory_order_acquire)) return false;
    owner_.store(P::current_thread(), std::memory_order_relaxed);
    return true;
  }

  // Parks until the lock is taken or the deadline (if any) passes. Out of line so that the
  // fast path's callers keep their registers (the inlined park loop made a caller spill its
  // loop counter beside the lock word; see stress/bench/README.md).
  [[gnu::noinline]] bool acquire_slow(const typename clock::time_point* deadline) {
    for (;;) {
      // Marking the word contended *before* parking is what makes a release that races with us
      // see kContended and wake us (park() sleeps only while the word is still kContended).
      if (state_.exchange(kContended, std::memory_order_acquire) == kFree) {
        owner_.store(P::current_thread(), std::memory_order_relaxed);
        return true;
      }
      if (!P::park(state_, kContended, deadline)) {
        // Timed out: one last try, so a release that coincided with the deadline is not lost.
        // It must be the same exchange as above, not a compare-exchange from kFree: if a third
        // thread barged in meanwhile, the word is kHeld; leaving it so would make that
        // thread's release() wake nobody and strand the other parked waiters. Re-marking it
        // kContended hands a wake-up this thread may have consumed on to the next release().
        if (state_.exchange(kContended, std::memory_order_acquire) == kFree) {
          owner_.store(P::current_thread(), std::memory_order_relaxed);
          return true;
        }
        return false;
      }
    }
  }

  typename P::template Atomic<std::uint32_t> state_{kFree};
  typename P::template Atomic<typename P::ThreadId> owner_{};
};

template <class P = StdPlatform>
class BasicRLock : public detail::TimedLockable<BasicRLock<P>> {
 public:
  using platform_type = P;
  using clock = typename P::Clock;

  BasicRLock() = default;
  BasicRLock(const BasicRLock&) = delete;
  BasicRLock& operator=(const BasicRLock&) = delete;

  /// Blocks until acquired; re-acquiring by the owner never blocks. Returns true.
  bool acquire(SourceLocation loc = SourceLocation::current()) {
    if (enter_again()) return true;
    inner_.acquire(loc);
    become_owner(1);
    return true;
  }
  bool acquire(bool blocking, SourceLocation loc = SourceLocation::current()) {
    if (enter_again()) return true;
    if (!inner_.acquire(blocking, loc)) return false;
    become_owner(1);
    return true;
  }
  template <class Rep, class Period>
  bool acquire(std::chrono::duration<Rep, Period> timeout, SourceLocation loc = SourceLocation::current()) {
    detail::reject_nan(timeout);  // CPython: ValueError "Invalid value NaN (not a number)"
    if (detail::is_negative(timeout)) throw InvalidArgument("timeout value must be a non-negative number");
    if (enter_again()) return true;
    if (!inner_.acquire(timeout, loc)) return false;
    become_owner(1);
    return true;
  }
  template <class Rep, class Period>
  bool acquire(bool blocking, std::chrono::duration<Rep, Period> timeout,
               SourceLocation loc = SourceLocation::current()) {
    detail::reject_nan(timeout);  // CPython: ValueError "Invalid value NaN (not a number)"
    if (!blocking) throw InvalidArgument("can't specify a timeout for a non-blocking call");
    return acquire(timeout, loc);
  }

  /// Releases one level. Throws UnacquiredLockRelease unless the caller owns the lock.
  void release(SourceLocation loc = SourceLocation::current()) {
    if (!is_owned()) throw UnacquiredLockRelease("cannot release un-acquired lock");
    std::size_t& count = count_.write();
    if (--count == 0) {
      owner_.store(typename P::ThreadId{}, std::memory_order_relaxed);
      inner_.release(loc);
    }
  }

  /// True if the calling thread owns the lock (Python's _is_owned()).
  [[nodiscard]] bool is_owned() const {
    return owner_.load(std::memory_order_relaxed) == P::current_thread();
  }
  /// The caller's recursion depth: 0 unless it owns the lock (Python's _recursion_count()).
  [[nodiscard]] std::size_t recursion_count() const { return is_owned() ? count_.read() : 0; }
  /// True while any thread holds the lock (Python 3.14's RLock.locked()).
  [[nodiscard]] bool locked() const { return inner_.locked(); }

  /// Releases every level at once and returns the depth (Python's _release_save); Condition
  /// uses it so that wait() really unlocks a recursively held lock. Throws if not owned.
  std::size_t release_save(SourceLocation loc = SourceLocation::current()) {
    if (!is_owned()) throw UnacquiredLockRelease("cannot release un-acquired lock");
    const std::size_t depth = count_.read();
    count_.write() = 0;
    owner_.store(typename P::ThreadId{}, std::memory_order_relaxed);
    inner_.release(loc);
    return depth;
  }
  /// Re-acquires and restores the depth saved by release_save (Python's _acquire_restore).
  void acquire_restore(std::size_t depth, SourceLocation loc = SourceLocation::current()) {
    inner_.acquire(loc);
    become_owner(depth);
  }

 private:
  // The owner touches count_ only while it holds inner_, so count_ needs no lock of its own:
  // ownership hand-offs are ordered by inner_'s release/acquire.
  bool enter_again() {
    if (!is_owned()) return false;
    ++count_.write();
    return true;
  }
  void become_owner(std::size_t depth) {
    count_.write() = depth;
    owner_.store(P::current_thread(), std::memory_order_relaxed);
  }

  BasicLock<P> inner_;
  typename P::template Atomic<typename P::ThreadId> owner_{};
  typename P::template Var<std::size_t> count_{0};
};

using Lock = BasicLock<>;
using RLock = BasicRLock<>;

// The default platform observes no lock events: Lock's hooks compile to nothing there.
static_assert(!ObservesLocks<StdPlatform>);

}  // namespace itc
