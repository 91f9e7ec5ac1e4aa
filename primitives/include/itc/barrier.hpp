// itc/barrier.hpp — threading.Barrier.
//
// A cyclic barrier for a fixed number of parties. Each wait() blocks until `parties` threads have
// called it; then one of them runs the optional action, and all are released together. The
// barrier is then reused for the next round.
//
//   BasicBarrier<P>(parties, action = {}, timeout = none)
//                        InvalidArgument "parties must be > 0" if parties < 1. `timeout` is the
//                        default for wait() without an argument.
//   wait() / wait(timeout)
//                        returns this thread's index in 0..parties-1, distinct per round. Throws
//                        BrokenBarrierError if the barrier is or becomes broken: abort(), reset()
//                        while waiting, a timeout (of any waiter; timeout <= 0 breaks at once
//                        unless this thread completes the round), or an action that throws (that
//                        exception propagates in the thread that ran the action; the others get
//                        BrokenBarrierError).
//   reset()              back to the empty state; current waiters get BrokenBarrierError
//   abort()              break the barrier; current and future wait()s throw until reset()
//   parties(), n_waiting(), broken()   snapshots
//
// State machine (CPython's): filling → (last arrival runs the action) → draining → filling once
// every released thread has left. A thread arriving while the previous round drains waits until
// it has drained, so it joins the next round, never the old one. resetting behaves like draining
// but releases the waiters with BrokenBarrierError; broken holds until reset().
//
// Memory ordering: everything each party wrote before wait() is visible to every party after
// wait() returns (all go through the barrier's mutex), and to the action.
//
// Destruction: any party may destroy the barrier as soon as its own wait() has returned, even
// though the other parties of that round may still be on their way out of wait() (they need
// the barrier's mutex to leave). The destructor waits until every thread has left wait() —
// the drain of glibc's pthread_barrier_destroy. Destroying a barrier while a thread waits in a
// round that can no longer fill blocks the destructor (undefined for std::barrier as well).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>

#include "itc/detail/deadline.hpp"
#include "itc/errors.hpp"
#include "itc/platform/lock_guard.hpp"
#include "itc/platform/std_platform.hpp"

namespace itc {

template <class P = StdPlatform>
class BasicBarrier {
 public:
  using platform_type = P;
  using clock = typename P::Clock;
  using duration = std::chrono::nanoseconds;

  explicit BasicBarrier(std::ptrdiff_t parties, std::function<void()> action = {},
                        std::optional<duration> timeout = std::nullopt)
      : parties_(check_parties(parties)), action_(std::move(action)), default_timeout_(timeout) {}
  /// Waits until no thread is inside wait() (see "Destruction" above).
  ~BasicBarrier() {
    detail::MutexGuard guard(mutex_);
    while (count_.read() > 0) cv_.wait(mutex_);
  }
  BasicBarrier(const BasicBarrier&) = delete;
  BasicBarrier& operator=(const BasicBarrier&) = delete;

  /// Waits for the round to fill, using the constructor's timeout if it had one.
  std::size_t wait() {
    if (default_timeout_) return wait(*default_timeout_);
    return wait_impl(nullptr);
  }

  /// Waits at most `timeout` for the round to fill; on expiry breaks the barrier and throws.
  template <class Rep, class Period>
  std::size_t wait(std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = detail::deadline_after<clock>(timeout);
    return wait_impl(&deadline);
  }

  /// Returns the barrier to the empty state; threads waiting now get BrokenBarrierError.
  void reset() {
    detail::MutexGuard guard(mutex_);
    State& state = state_.write();
    if (count_.read() > 0) {
      if (state == State::filling || state == State::broken) state = State::resetting;
      // draining: the drain finishes, then the next round starts clean.
    } else {
      state = State::filling;
    }
    cv_.notify_all();
  }

  /// Breaks the barrier: current and later wait()s throw BrokenBarrierError until reset().
  void abort() {
    detail::MutexGuard guard(mutex_);
    break_barrier();
  }

  [[nodiscard]] std::size_t parties() const { return parties_; }

  /// Threads blocked in the current round (0 while draining or resetting).
  [[nodiscard]] std::size_t n_waiting() {
    detail::MutexGuard guard(mutex_);
    return state_.read() == State::filling ? count_.read() : 0;
  }

  [[nodiscard]] bool broken() {
    detail::MutexGuard guard(mutex_);
    return state_.read() == State::broken;
  }

 private:
  enum class State { filling, draining, resetting, broken };

  static std::size_t check_parties(std::ptrdiff_t parties) {
    if (parties < 1) throw InvalidArgument("parties must be > 0");
    return static_cast<std::size_t>(parties);
  }

  std::size_t wait_impl(const typename clock::time_point* deadline) {
    detail::MutexGuard guard(mutex_);
    // Wait out a previous round's drain (or a reset) before joining.
    while (state_.read() == State::draining || state_.read() == State::resetting) cv_.wait(mutex_);
    if (state_.read() == State::broken) throw BrokenBarrierError();
    const std::size_t index = count_.read();
    ++count_.write();
    struct Leave {  // runs on every exit path, like Python's `finally: self._count -= 1; _exit()`
      BasicBarrier* self;
      ~Leave() ITC_NO_THREAD_SAFETY_ANALYSIS { self->leave(); }
    } leave{this};
    if (index + 1 == parties_) {
      release_round();
    } else {
      wait_round(deadline);
    }
    return index;
  }

  void release_round() ITC_REQUIRES(mutex_) {
    try {
      if (action_) action_();
    } catch (...) {
      break_barrier();
      throw;
    }
    state_.write() = State::draining;
    cv_.notify_all();
  }

  void wait_round(const typename clock::time_point* deadline) ITC_REQUIRES(mutex_) {
    while (state_.read() == State::filling) {
      if (deadline == nullptr) {
        cv_.wait(mutex_);
      } else if (clock::now() >= *deadline || !cv_.wait_until(mutex_, *deadline)) {
        if (state_.read() != State::filling) break;
        break_barrier();
        throw BrokenBarrierError();
      }
    }
    if (state_.read() == State::broken || state_.read() == State::resetting) throw BrokenBarrierError();
  }

  void leave() ITC_REQUIRES(mutex_) {
    if (--count_.write() == 0) {
      State& state = state_.write();
      if (state == State::draining || state == State::resetting) state = State::filling;
      // Also when the state stays: a destructor may be waiting for the last thread to leave.
      cv_.notify_all();
    }
  }

  void break_barrier() ITC_REQUIRES(mutex_) {
    state_.write() = State::broken;
    cv_.notify_all();
  }

  const std::size_t parties_;
  std::function<void()> action_;
  const std::optional<duration> default_timeout_;
  typename P::Mutex mutex_;
  typename P::CondVar cv_;
  typename P::template Var<State> state_ ITC_GUARDED_BY(mutex_){State::filling};
  typename P::template Var<std::size_t> count_ ITC_GUARDED_BY(mutex_){0};
};

using Barrier = BasicBarrier<>;

}  // namespace itc
