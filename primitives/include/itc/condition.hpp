// itc/condition.hpp — threading.Condition.
//
// A condition variable bound to a lock. BasicCondition<P>() creates and owns an RLock (Python's
// default); BasicCondition<P>(lock) uses any lock with the Condition protocol — BasicLock,
// BasicRLock, or a user type with acquire()/release()/is_owned()/release_save()/
// acquire_restore(). Several Conditions may share one lock (queue.Queue does).
//
//   acquire()/acquire(blocking)/acquire(timeout)/acquire(blocking, timeout)/release()/is_owned()
//   lock()/unlock()/try_lock()/try_lock_for()/try_lock_until()
//                           forwarded to the lock (RAII: std::lock_guard, std::unique_lock), so
//                           a default Condition is usable exactly like an RLock (Python's
//                           ConditionAsRLockTests), with the lock's own errors. A timed acquire
//                           on a user lock type without acquire(bool, duration) throws
//                           InvalidArgument "the condition's lock does not support a timeout"
//   wait()                  release the lock fully (every recursion level), sleep until notified,
//                           re-acquire and restore the depth; returns true
//   wait(timeout)           the same, or return false once `timeout` has passed; timeout <= 0
//                           never sleeps (returns false), like Python
//   wait_for(pred[, timeout])  loop on pred() under the lock; returns pred()'s last value. The
//                           timeout is one total deadline, not per wake-up
//   notify(n = 1)           wake min(n, #waiters) waiters, exactly; n <= 0 is a no-op
//   notify_all()            wake every current waiter
//
// Errors: wait()/wait_for()/notify()/notify_all() by a thread that does not hold the lock throw
// UnacquiredConditionUse ("cannot wait on un-acquired lock" / "cannot notify on un-acquired
// lock"). Unlike CPython's heuristic for a plain Lock (§4.4), ownership is really tracked.
//
// Wake-ups are exact and never spurious: every waiter parks on its own condition variable and
// only a notify() that picked it (FIFO) makes wait() return true. So wait(timeout) == false means
// "not notified", and notify(3) with 5 waiters wakes exactly 3. A woken waiter still has to
// re-acquire the lock, so it cannot return before the notifier releases it.
//
// Memory ordering: everything the notifier wrote before releasing the lock is visible to the
// waiter after wait() returns (the lock's release/acquire). notify() with nobody waiting reads
// one relaxed counter and takes no internal mutex (the user lock orders it; see maybe_waiters).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <utility>

#include "itc/detail/deadline.hpp"
#include "itc/detail/lockable.hpp"
#include "itc/errors.hpp"
#include "itc/lock.hpp"
#include "itc/platform/lock_guard.hpp"
#include "itc/platform/std_platform.hpp"

namespace itc {

template <class P = StdPlatform>
class BasicCondition : public detail::TimedLockable<BasicCondition<P>> {
 public:
  using platform_type = P;
  using clock = typename P::Clock;

  /// Owns a fresh RLock, as threading.Condition() does.
  BasicCondition() : owned_(std::in_place), lock_(LockRef::make(*owned_)) {}

  /// Uses `lock`, which must outlive the condition.
  template <class L>
  explicit BasicCondition(L& lock) : lock_(LockRef::make(lock)) {}

  BasicCondition(const BasicCondition&) = delete;
  BasicCondition& operator=(const BasicCondition&) = delete;

  // The lock's interface, forwarded (Python: Condition.acquire/release/__enter__/__exit__).
  bool acquire() { return lock_.acquire(lock_.self, true); }
  bool acquire(bool blocking) { return lock_.acquire(lock_.self, blocking); }
  /// The lock's timed acquire; e.g. for an RLock a negative timeout throws InvalidArgument.
  template <class Rep, class Period>
  bool acquire(std::chrono::duration<Rep, Period> timeout) {
    detail::reject_nan(timeout);  // CPython: ValueError "Invalid value NaN (not a number)"
    return lock_.acquire_timed(lock_.self, true, to_nanoseconds(timeout));
  }
  template <class Rep, class Period>
  bool acquire(bool blocking, std::chrono::duration<Rep, Period> timeout) {
    detail::reject_nan(timeout);  // CPython: ValueError "Invalid value NaN (not a number)"
    return lock_.acquire_timed(lock_.self, blocking, to_nanoseconds(timeout));
  }
  void release() { lock_.release(lock_.self); }
  /// True if the calling thread holds the lock (Python's Condition._is_owned()).
  [[nodiscard]] bool is_owned() const { return lock_.is_owned(lock_.self); }

  /// Waits until notified. Requires the lock; returns true.
  bool wait() { return wait_impl(nullptr); }

  /// Waits until notified or `timeout` passes; false if not notified. timeout <= 0 never blocks.
  template <class Rep, class Period>
  bool wait(std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = detail::deadline_after<clock>(timeout);
    return wait_impl(&deadline);
  }

  /// Waits until pred() is truthy; returns its value. Checked before the first wait.
  template <class Pred>
  auto wait_for(Pred pred) -> decltype(pred()) {
    require_owned("cannot wait on un-acquired lock");
    auto result = pred();
    while (!result) {
      wait_impl(nullptr);
      result = pred();
    }
    return result;
  }

  /// Waits until pred() is truthy or the total `timeout` passes; returns pred()'s last value.
  template <class Pred, class Rep, class Period>
  auto wait_for(Pred pred, std::chrono::duration<Rep, Period> timeout) -> decltype(pred()) {
    require_owned("cannot wait on un-acquired lock");
    const auto deadline = detail::deadline_after<clock>(timeout);
    auto result = pred();
    while (!result) {
      if (clock::now() >= deadline) break;
      wait_impl(&deadline);
      result = pred();
    }
    return result;
  }

  /// Wakes min(n, waiters) waiters. Requires the lock. n <= 0 does nothing.
  void notify(std::ptrdiff_t n = 1) {
    require_owned("cannot notify on un-acquired lock");
    if (n <= 0 || !maybe_waiters()) return;
    detail::MutexGuard guard(waiters_mutex_);
    for (Waiter* w = head_; w != nullptr && n > 0; w = head_, --n) {
      unlink(w);
      w->notified.write() = true;
      w->cv.notify_one();
    }
  }

  /// Wakes every current waiter. Requires the lock.
  void notify_all() {
    require_owned("cannot notify on un-acquired lock");
    if (!maybe_waiters()) return;
    detail::MutexGuard guard(waiters_mutex_);
    while (Waiter* w = head_) {
      unlink(w);
      w->notified.write() = true;
      w->cv.notify_one();
    }
  }

 private:
  // Type-erased view of the lock: Condition works with any lock type without being a template
  // over it (Python's Condition accepts any lock object).
  struct LockRef {
    void* self;
    bool (*acquire)(void*, bool);
    bool (*acquire_timed)(void*, bool, std::chrono::nanoseconds);
    void (*release)(void*);
    bool (*is_owned)(void*);
    std::size_t (*release_save)(void*);
    void (*acquire_restore)(void*, std::size_t);

    template <class L>
    static LockRef make(L& l) {
      return LockRef{
          &l,
          [](void* s, bool blocking) { return static_cast<L*>(s)->acquire(blocking); },
          [](void* s, bool blocking, std::chrono::nanoseconds timeout) -> bool {
            if constexpr (requires(L & l, bool b, std::chrono::nanoseconds t) { l.acquire(b, t); }) {
              return static_cast<L*>(s)->acquire(blocking, timeout);
            } else {
              throw InvalidArgument("the condition's lock does not support a timeout");
            }
          },
          [](void* s) { static_cast<L*>(s)->release(); },
          [](void* s) { return static_cast<L*>(s)->is_owned(); },
          [](void* s) { return static_cast<L*>(s)->release_save(); },
          [](void* s, std::size_t d) { static_cast<L*>(s)->acquire_restore(d); }};
    }
  };

  // The type-erased lock takes nanoseconds. Convert without overflow or loss of sign: huge
  // timeouts saturate (the lock then saturates its deadline, like detail::deadline_after), and
  // a negative sub-nanosecond value stays negative, so the lock still rejects it.
  template <class Rep, class Period>
  static std::chrono::nanoseconds to_nanoseconds(std::chrono::duration<Rep, Period> d) {
    using std::chrono::nanoseconds;
    const std::chrono::duration<double, std::nano> as_double(d);
    if (as_double >= std::chrono::duration<double, std::nano>(nanoseconds::max())) return nanoseconds::max();
    if (as_double <= std::chrono::duration<double, std::nano>(nanoseconds::min())) return nanoseconds::min();
    return d < std::chrono::duration<Rep, Period>::zero() ? std::chrono::floor<nanoseconds>(d)
                                                          : std::chrono::ceil<nanoseconds>(d);
  }

  // One per blocked wait(), on the waiter's stack; linked FIFO under waiters_mutex_.
  struct Waiter {
    typename P::CondVar cv;
    typename P::template Var<bool> notified{false};
    Waiter* prev = nullptr;
    Waiter* next = nullptr;
  };

  void require_owned(const char* message) {
    if (!lock_.is_owned(lock_.self)) throw UnacquiredConditionUse(message);
  }

  // The notifier's fast path: "nobody waits" without touching waiters_mutex_ (a notify() with
  // no waiter is the common case in a producer loop; the mutex round trip made it 10x slower
  // than std::condition_variable::notify_one). Why a relaxed load is enough: a waiter is
  // linked (linked_ incremented) only while it holds the user lock, before it releases it in
  // wait_impl, and the notifier holds the user lock now. So every link happened-before this
  // load, no link can run concurrently with it, and the only later writes are unlinks. Reading
  // 0 therefore means every waiter that could be notified has already left the list.
  bool maybe_waiters() const { return linked_.load(std::memory_order_relaxed) != 0; }

  void link(Waiter* w) ITC_REQUIRES(waiters_mutex_) {
    linked_.store(linked_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    w->prev = tail_;
    w->next = nullptr;
    if (tail_ != nullptr)
      tail_->next = w;
    else
      head_ = w;
    tail_ = w;
  }
  void unlink(Waiter* w) ITC_REQUIRES(waiters_mutex_) {
    // Only under waiters_mutex_: a plain read-modify-write, published by the mutex to the next
    // writer and, for the lock-free reader above, by the user lock (see maybe_waiters).
    linked_.store(linked_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    if (w->prev != nullptr)
      w->prev->next = w->next;
    else
      head_ = w->next;
    if (w->next != nullptr)
      w->next->prev = w->prev;
    else
      tail_ = w->prev;
    w->prev = w->next = nullptr;
  }

  bool wait_impl(const typename clock::time_point* deadline) {
    require_owned("cannot wait on un-acquired lock");
    Waiter me;
    {
      // Enqueue while still holding the user lock: a notify() cannot run in between, so none
      // is lost.
      detail::MutexGuard guard(waiters_mutex_);
      link(&me);
    }
    const std::size_t saved = lock_.release_save(lock_.self);
    bool notified = false;
    {
      detail::MutexGuard guard(waiters_mutex_);
      while (!me.notified.read()) {
        if (deadline == nullptr) {
          me.cv.wait(waiters_mutex_);
        } else if (clock::now() >= *deadline || !me.cv.wait_until(waiters_mutex_, *deadline)) {
          break;
        }
      }
      notified = me.notified.read();
      if (!notified) unlink(&me);
    }
    lock_.acquire_restore(lock_.self, saved);
    return notified;
  }

  std::optional<BasicRLock<P>> owned_;
  LockRef lock_;
  typename P::Mutex waiters_mutex_;
  Waiter* head_ ITC_GUARDED_BY(waiters_mutex_) = nullptr;
  Waiter* tail_ ITC_GUARDED_BY(waiters_mutex_) = nullptr;
  // How many waiters are linked. Written under waiters_mutex_; read without it by notify().
  typename P::template Atomic<std::size_t> linked_{0};
};

using Condition = BasicCondition<>;

}  // namespace itc
