// itc/broken/queue_if_not_while.hpp — BROKEN ON PURPOSE: get() waits with `if`, not `while`.
//
// Defect:   `if (empty) wait();` then pop. A wake-up does not guarantee the condition still
//           holds: another consumer can take the item first (a stolen wake-up), and condition
//           variables may wake spuriously.
// Fix:      `while (empty) wait();` (or wait_for(pred)), as itc::BasicQueue does.
// Expected: model assertion (a stolen wake-up pops an empty deque) · stress assertion (p) ·
//           tsan — (every access is locked: no data race to see).
// Scenario: queue/if_not_while (models/scenarios/queue.hpp).
#pragma once

#include <deque>
#include <utility>

#include "itc/platform/invariant.hpp"
#include "itc/platform/lock_guard.hpp"
#include "itc/platform/std_platform.hpp"

namespace itc::broken {

template <class T, class P = StdPlatform>
class QueueIfNotWhile {
 public:
  void put(T item) {
    detail::MutexGuard guard(mutex_);
    items_.write().push_back(std::move(item));
    not_empty_.notify_one();
  }

  T get() {
    detail::MutexGuard guard(mutex_);
    if (items_.read().empty()) not_empty_.wait(mutex_);  // DEFECT: `if` instead of `while`
    check_invariant<P>(!items_.read().empty(), "get() woke up to an empty queue and would pop it");
    std::deque<T>& items = items_.write();
    T item = std::move(items.front());
    items.pop_front();
    return item;
  }

 private:
  typename P::Mutex mutex_;
  typename P::CondVar not_empty_;
  typename P::template Var<std::deque<T>> items_ ITC_GUARDED_BY(mutex_);
};

}  // namespace itc::broken
