// itc/broken/event_without_generation.hpp — BROKEN ON PURPOSE: a naive Event that waits on the
// flag's current value.
//
// Defect:   wait() is `while (!flag) cv.wait();`: it returns only if the flag is still up when
//           the woken thread runs again. `set(); clear();` back to back wakes the waiter, lowers
//           the flag before it re-checks, and the waiter goes back to sleep forever. Python's
//           contract (gh-57711) is that wait() returns True if the flag was set at any point
//           while the thread waited.
// Fix:      a generation counter bumped by every set(); a waiter returns once the generation
//           differs from the one it saw when it started waiting, as itc::BasicEvent does.
// Expected: model deadlock · stress hang (p) · tsan — (every access is locked).
// Scenario: event/set_then_clear (models/scenarios/event.hpp).
#pragma once

#include <cstdint>

#include "itc/platform/lock_guard.hpp"
#include "itc/platform/std_platform.hpp"

namespace itc::broken {

template <class P = StdPlatform>
class EventWithoutGeneration {
 public:
  [[nodiscard]] bool is_set() {
    detail::MutexGuard guard(mutex_);
    return flag_.read();
  }

  void set() {
    detail::MutexGuard guard(mutex_);
    flag_.write() = true;
    cv_.notify_all();
  }

  void clear() {
    detail::MutexGuard guard(mutex_);
    flag_.write() = false;
  }

  bool wait() {
    detail::MutexGuard guard(mutex_);
    ++waiting_.write();
    while (!flag_.read()) cv_.wait(mutex_);  // DEFECT: the flag's value now, not "was it set?"
    --waiting_.write();
    return true;
  }

  /// How many threads are inside wait() (a snapshot). Not part of threading.Event: Python's own
  /// tests reach it through `_cond._waiters`; the scenario uses it to set() only once the waiter
  /// is really waiting, as gh-57711's reproducer does.
  [[nodiscard]] std::uint32_t waiting() {
    detail::MutexGuard guard(mutex_);
    return waiting_.read();
  }

 private:
  typename P::Mutex mutex_;
  typename P::CondVar cv_;
  typename P::template Var<bool> flag_ ITC_GUARDED_BY(mutex_){false};
  typename P::template Var<std::uint32_t> waiting_ ITC_GUARDED_BY(mutex_){0};
};

}  // namespace itc::broken
