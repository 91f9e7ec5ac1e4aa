// itc/broken/queue_without_lock.hpp — BROKEN ON PURPOSE: a Queue whose put()/get() touch the
// deque without holding the lock.
//
// Defect:   put() appends and get() pops outside the critical section; only the wait for an item
//           is locked ("Common mistake 1: no lock", inside the Queue itself).
// Fix:      every access to the container under the one mutex, as itc::BasicQueue does.
// Expected: model data_race (Relacy sees the unsynchronised deque access) · stress assertion or
//           crash (p): items lost or duplicated, or a corrupted deque · tsan data_race.
// Scenario: queue/unlocked_queue (models/scenarios/queue.hpp).
#pragma once

#include <deque>
#include <utility>

#include "itc/platform/invariant.hpp"
#include "itc/platform/lock_guard.hpp"
#include "itc/platform/std_platform.hpp"

namespace itc::broken {

template <class T, class P = StdPlatform>
class QueueWithoutLock {
 public:
  void put(T item) {
    items_.write().push_back(std::move(item));  // DEFECT: no lock around the container
    detail::MutexGuard guard(mutex_);
    not_empty_.notify_one();
  }

  T get() {
    {
      detail::MutexGuard guard(mutex_);
      while (items_.read().empty()) not_empty_.wait(mutex_);
    }
    // DEFECT: another consumer may pop between the check above and the pop below.
    check_invariant<P>(!items_.read().empty(), "get() found the item it waited for gone");
    std::deque<T>& items = items_.write();
    T item = std::move(items.front());
    items.pop_front();
    return item;
  }

 private:
  typename P::Mutex mutex_;
  typename P::CondVar not_empty_;
  typename P::template Var<std::deque<T>> items_;
};

}  // namespace itc::broken
