// itc/detail/spin.hpp — a bounded spin before a thread parks.
//
// Parking a thread and waking it again costs far more than a short hand-off: on the 2-core KVM
// machines this project is measured on, a futex wake-up of a halted vCPU takes 20–35 µs, while
// two running threads hand a cache line back and forth in ~0.3 µs (stress/bench/README.md,
// event/pingpong). So a waiter first polls its condition for a few microseconds and parks only
// if nothing happened by then. The budget is short and fixed, so a thread blocked for a second
// still spends all but a few microseconds of it parked (the CPU-time check in stress/bench).
//
// Under a model checker (P::is_model_checker) the condition is polled exactly once: the spin is
// a performance device, and the interleavings that matter for correctness are those of the
// park path, which the checker then explores in full. A checker's platform also counts every
// poll as a step, so an unbounded-looking loop would only slow the search.
#pragma once

#include <chrono>

namespace itc::detail {

/// How long a waiter polls before it parks. Longer than a round trip between two running
/// threads (~0.3 µs here), shorter than the cost of a park + wake (~20–35 µs).
inline constexpr std::chrono::nanoseconds kSpinBeforePark{std::chrono::microseconds(20)};

/// The spin budget of a wait that ends at `deadline` (nullptr: no deadline): a spin never
/// outlasts the caller's timeout. Unused under a model checker, where it does not read the clock.
template <class P>
std::chrono::nanoseconds spin_budget(const typename P::Clock::time_point* deadline) {
  if constexpr (P::is_model_checker) return {};
  if (deadline == nullptr) return kSpinBeforePark;
  const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(*deadline - P::Clock::now());
  return left < kSpinBeforePark ? left : kSpinBeforePark;
}

/// Tells the CPU this is a spin-wait loop (x86 `pause`, Arm `yield`): it saves power and
/// leaves the pipeline to a sibling hyper-thread.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield" ::: "memory");
#endif
}

/// Polls `ready()` until it returns true (then returns true) or `budget` has passed (returns
/// false). `ready` must only read shared state with atomic loads: it runs without any lock.
/// `pauses_per_poll` spaces the polls out: each poll of a cache line that another thread writes
/// on every operation takes that line away from it, so a waiter that expects to wait for many
/// of those operations (a putter waiting for a batch of free slots) should poll less often.
template <class P, class Ready>
bool spin_until(Ready&& ready, std::chrono::nanoseconds budget = kSpinBeforePark, int pauses_per_poll = 1) {
  if (ready()) return true;
  if constexpr (P::is_model_checker) {
    return false;
  } else {
    // The clock is read once per batch of polls (a steady_clock read is ~20–30 ns in a VM,
    // about the cost of a few `pause`s), and not at all for the first batch: a hand-off
    // between two running threads usually lands within it.
    using SpinClock = std::chrono::steady_clock;
    constexpr int kPollsPerClockRead = 16;
    const auto poll = [&] {
      for (int p = 0; p < pauses_per_poll; ++p) cpu_relax();
      return ready();
    };
    for (int i = 0; i < kPollsPerClockRead; ++i) {
      if (poll()) return true;
    }
    const auto give_up = SpinClock::now() + budget;
    for (;;) {
      for (int i = 0; i < kPollsPerClockRead; ++i) {
        if (poll()) return true;
      }
      if (SpinClock::now() >= give_up) return false;
    }
  }
}

}  // namespace itc::detail
