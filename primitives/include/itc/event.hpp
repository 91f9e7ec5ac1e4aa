// itc/event.hpp — threading.Event.
//
// A flag that threads wait for. set() raises it and wakes every waiter; clear() lowers it.
//
//   is_set()            the flag (a snapshot)
//   set()               raise the flag, wake all waiters (idempotent)
//   clear()             lower the flag; later wait()s block again
//   wait()              return true once the flag has been raised
//   wait(timeout)       true if the flag was raised before or during the wait, false after
//                       `timeout` otherwise. timeout <= 0 never blocks (negative is not an error)
//
// wait() reports whether the event was *signalled while this thread waited*, not the flag's value
// when the thread runs again: `set(); clear();` back to back still makes every waiter return true
// (Python's gh-57711 contract). A generation counter bumped by every set() makes this exact; a
// naive `while (!flag) cv.wait()` loop would deadlock there (models/ has that broken Event).
//
// Memory ordering: everything written before set() is visible after a wait() or is_set() that
// returns true (release store / acquire load of the flag, and the mutex for waiters).
#pragma once

#include <chrono>
#include <cstdint>

#include "itc/detail/deadline.hpp"
#include "itc/platform/lock_guard.hpp"
#include "itc/platform/std_platform.hpp"

namespace itc {

template <class P = StdPlatform>
class BasicEvent {
 public:
  using platform_type = P;
  using clock = typename P::Clock;

  BasicEvent() = default;
  BasicEvent(const BasicEvent&) = delete;
  BasicEvent& operator=(const BasicEvent&) = delete;

  [[nodiscard]] bool is_set() const { return flag_.load(std::memory_order_acquire); }

  void set() {
    detail::MutexGuard guard(mutex_);
    flag_.store(true, std::memory_order_release);
    ++generation_.write();
    if (waiters_.read() > 0) cv_.notify_all();
  }

  void clear() {
    detail::MutexGuard guard(mutex_);
    flag_.store(false, std::memory_order_relaxed);
  }

  /// Blocks until set; returns true.
  bool wait() { return wait_impl(nullptr); }

  /// Blocks until set or `timeout` passes. Returns whether the event was signalled.
  template <class Rep, class Period>
  bool wait(std::chrono::duration<Rep, Period> timeout) {
    if (is_set()) return true;
    if (detail::is_zero_or_negative(timeout)) return false;
    const auto deadline = detail::deadline_after<clock>(timeout);
    return wait_impl(&deadline);
  }

 private:
  bool wait_impl(const typename clock::time_point* deadline) {
    if (is_set()) return true;
    detail::MutexGuard guard(mutex_);
    if (flag_.load(std::memory_order_relaxed)) return true;
    const std::uint64_t seen = generation_.read();
    ++waiters_.write();
    while (generation_.read() == seen) {
      if (deadline == nullptr) {
        cv_.wait(mutex_);
      } else if (!cv_.wait_until(mutex_, *deadline)) {
        break;
      }
    }
    --waiters_.write();
    return generation_.read() != seen;
  }

  typename P::template Atomic<bool> flag_{false};
  typename P::Mutex mutex_;
  typename P::CondVar cv_;
  typename P::template Var<std::uint64_t> generation_ ITC_GUARDED_BY(mutex_){0};
  typename P::template Var<std::uint32_t> waiters_ ITC_GUARDED_BY(mutex_){0};
};

using Event = BasicEvent<>;

}  // namespace itc
