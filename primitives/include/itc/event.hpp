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
// Implementation: the flag, the generation and a "someone may be parked" bit live in ONE atomic
// word, generation << 2 | parked << 1 | flag, so a waiter can never see a new flag with an old
// generation or the reverse (with two atomics it could: the stress checker's event/correct
// caught exactly that race within 10 ms). set() and clear() are a compare-exchange each.
// wait() polls the word for a few microseconds (detail/spin.hpp), then sets the parked bit and
// parks on the word itself (P::park, detail/parking_lot.hpp). set()'s compare-exchange clears
// the parked bit; if it was set, set() wakes the word's parked threads *by address*.
//
// Destroying the Event as soon as a wait() returns is safe (the completion pattern
// `Event done; ...; done.wait(); }`): the compare-exchange in set() is the step that lets a
// waiter return, and after it set() reads and writes nothing of the Event — the wake-up passes
// only the word's address to the platform, which tolerates a word that no longer exists.
//
// The generation has 62 bits: it cannot wrap while a waiter waits.
//
// Costs: set() and clear() with nobody parked: one compare-exchange, no lock, no system call. A
// wait() that is satisfied within the spin: no system call, about a cache-line round trip.
#pragma once

#include <chrono>
#include <cstdint>

#include "itc/detail/deadline.hpp"
#include "itc/detail/spin.hpp"
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
      next = (s & kFlag) != 0 ? s : ((s + kGenerationStep) | kFlag) & ~kParked;
      // release: publishes the caller's writes to the waiters that see the new generation.
    } while (!state_.compare_exchange_strong(s, next, std::memory_order_acq_rel));
    // From here on the Event may already be destroyed by a waiter that saw `next`: only the
    // word's address is used. A flag that was already up has no parked waiters (they were all
    // woken when it went up, and nobody parks while it is up).
    if ((s & kParked) != 0) P::unpark_all(&state_);
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
  static constexpr std::uint64_t kParked = 2;
  static constexpr std::uint64_t kGenerationStep = 4;
  static constexpr std::uint64_t kGenerationMask = ~(kFlag | kParked);

  bool wait_impl(const typename clock::time_point* deadline) {
    const std::uint64_t seen = state_.load(std::memory_order_acquire);
    if ((seen & kFlag) != 0) return true;
    // The flag is down in `seen`, so any set() from now on moves the generation: "signalled
    // while this thread waited" is exactly "the generation is no longer seen's".
    const auto signalled = [seen](std::uint64_t s) { return ((s ^ seen) & kGenerationMask) != 0; };
    if (detail::spin_until<P>([&] { return signalled(state_.load(std::memory_order_acquire)); },
                              detail::spin_budget<P>(deadline))) {
      return true;
    }
    std::uint64_t s = state_.load(std::memory_order_acquire);
    for (;;) {
      if (signalled(s)) return true;
      if ((s & kParked) == 0) {
        // Announce the sleeper in the word itself, so that the set() which changes it knows to
        // wake us; if the word moved meanwhile, look again.
        if (!state_.compare_exchange_strong(s, s | kParked, std::memory_order_acquire)) continue;
        s |= kParked;
      }
      // Sleeps only while the word is still `s`; any set() changes it (and clears kParked).
      const bool woken = P::park(state_, s, deadline);
      s = state_.load(std::memory_order_acquire);
      if (!woken) return signalled(s);  // a set() racing the timeout still counts
    }
  }

  typename P::template Atomic<std::uint64_t> state_{0};  // generation << 2 | parked << 1 | flag
};

using Event = BasicEvent<>;

}  // namespace itc
