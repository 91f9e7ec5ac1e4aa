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
// returns true (set() is a release read-modify-write of the state word, wait() and is_set()
// acquire loads of it).
//
// Implementation: the flag and the generation live in ONE atomic word, generation << 1 | flag,
// so a waiter can never see a new flag with an old generation or the reverse (with two atomics
// it could: the stress checker's event/correct caught exactly that race within 10 ms). set()
// and clear() are a compare-exchange each; nobody takes a lock unless a waiter has parked.
// wait() polls the word for a few microseconds (detail/spin.hpp), then registers in
// `sleepers_` and parks on a condition variable. The registration and set() form a Dekker pair
// (both sequentially consistent): either set() sees a sleeper and notifies under the park
// mutex, or the sleeper's re-check under that mutex sees the new generation.
//
// Costs: set() and clear() with nobody parked: one compare-exchange, no system call. A
// wait() that is satisfied within the spin: no system call, about a cache-line round trip.
#pragma once

#include <chrono>
#include <cstdint>

#include "itc/detail/deadline.hpp"
#include "itc/detail/spin.hpp"
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

  [[nodiscard]] bool is_set() const { return (state_.load(std::memory_order_acquire) & kFlag) != 0; }

  void set() {
    std::uint64_t s = state_.load(std::memory_order_relaxed);
    std::uint64_t next = 0;
    do {
      // Already set: store the same value back anyway, so that this set() still publishes the
      // caller's writes (a release) to whoever reads the flag next.
      next = (s & kFlag) != 0 ? s : ((s + kGenerationStep) | kFlag);
      // seq_cst: one half of the Dekker pair with a sleeper's registration (see wait_impl).
    } while (!state_.compare_exchange_strong(s, next, std::memory_order_seq_cst));
    if (next == s) return;  // the flag was already up: every parked waiter was woken then
    if (sleepers_.load(std::memory_order_seq_cst) == 0) return;
    // Under the park mutex: a sleeper checks the generation under it before it waits, so it has
    // either seen the new generation or is inside wait() and gets this notification.
    detail::MutexGuard guard(park_mutex_);
    park_cv_.notify_all();
  }

  void clear() {
    std::uint64_t s = state_.load(std::memory_order_relaxed);
    while (!state_.compare_exchange_strong(s, s & ~kFlag, std::memory_order_acq_rel)) {
    }
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
  static constexpr std::uint64_t kFlag = 1;
  static constexpr std::uint64_t kGenerationStep = 2;

  bool wait_impl(const typename clock::time_point* deadline) {
    const std::uint64_t seen = state_.load(std::memory_order_acquire);
    if ((seen & kFlag) != 0) return true;
    // The flag is down in `seen`, so any set() from now on moves the generation: "signalled
    // while this thread waited" is exactly "the generation is no longer seen's".
    const auto signalled = [this, seen](std::memory_order mo) {
      return ((state_.load(mo) ^ seen) & ~kFlag) != 0;
    };
    if (detail::spin_until<P>([&] { return signalled(std::memory_order_acquire); },
                              detail::spin_budget<P>(deadline))) {
      return true;
    }

    detail::MutexGuard guard(park_mutex_);
    // seq_cst increment, then seq_cst re-check: the other half of set()'s Dekker pair.
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    bool woken = false;
    while (!(woken = signalled(std::memory_order_seq_cst))) {
      if (deadline == nullptr) {
        park_cv_.wait(park_mutex_);
      } else if (!park_cv_.wait_until(park_mutex_, *deadline)) {
        woken = signalled(std::memory_order_seq_cst);  // a set() racing the timeout still counts
        break;
      }
    }
    sleepers_.fetch_sub(1, std::memory_order_relaxed);
    return woken;
  }

  typename P::template Atomic<std::uint64_t> state_{0};  // generation << 1 | flag
  typename P::template Atomic<std::uint32_t> sleepers_{0};
  typename P::Mutex park_mutex_;
  typename P::CondVar park_cv_;
};

using Event = BasicEvent<>;

}  // namespace itc
