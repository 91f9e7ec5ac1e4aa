// itc/broken/event_lost_wakeup.hpp — BROKEN ON PURPOSE: wait() checks the flag outside the lock.
//
// Defect:   wait() reads the flag, and only then takes the mutex and waits on the condition
//           variable. A set() that runs between the check and the wait raises the flag and
//           notifies while nobody is waiting yet: the notification is lost and the waiter sleeps
//           forever on a flag that is already up (a lost wake-up).
// Fix:      check the flag and wait under one hold of the mutex
//           (`MutexGuard g(m); while (!flag) cv.wait(m);`), as itc::BasicEvent does.
// Expected: model deadlock · stress hang (p): the window is a few instructions wide ·
//           tsan — (the flag is atomic and the rest is locked: no data race to see).
// Scenario: event/lost_wakeup (models/scenarios/event.hpp).
#pragma once

#include <atomic>

#include "itc/platform/lock_guard.hpp"
#include "itc/platform/std_platform.hpp"

namespace itc::broken {

template <class P = StdPlatform>
class EventLostWakeup {
 public:
  [[nodiscard]] bool is_set() const { return flag_.load(std::memory_order::acquire); }

  void set() {
    detail::MutexGuard guard(mutex_);
    flag_.store(true, std::memory_order::release);
    cv_.notify_all();
  }

  void clear() {
    detail::MutexGuard guard(mutex_);
    flag_.store(false, std::memory_order::relaxed);
  }

  bool wait() {
    while (!flag_.load(std::memory_order::acquire)) {
      // DEFECT: the flag was checked without the mutex; a set() that runs right here notifies
      // before this thread waits, and the wait below never ends.
      detail::MutexGuard guard(mutex_);
      cv_.wait(mutex_);
    }
    return true;
  }

 private:
  typename P::template Atomic<bool> flag_{false};
  typename P::Mutex mutex_;
  typename P::CondVar cv_;
};

}  // namespace itc::broken
