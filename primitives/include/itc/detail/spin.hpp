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
#include <cstdint>

#include "itc/detail/deadline.hpp"

namespace itc::detail {

/// How long a waiter polls before it parks. Longer than a round trip between two running
/// threads (~0.3 µs here), shorter than the cost of a park + wake (~20–35 µs).
inline constexpr std::chrono::nanoseconds kSpinBeforePark{std::chrono::microseconds(20)};

/// The spin budget of a wait that ends at `deadline` (nullptr: no deadline): the time left
/// until it, at most kSpinBeforePark, and zero if it has passed, so that with spin_until() a
/// spin never outlasts the caller's timeout. Unused under a model checker, where it does not
/// read the clock.
template <class P>
std::chrono::nanoseconds spin_budget(const typename P::Clock::time_point* deadline) {
  if constexpr (P::is_model_checker) {
    return {};
  } else {
    using D = typename P::Clock::duration;
    if (deadline == nullptr) return kSpinBeforePark;
    const D left = time_until(*deadline);  // saturating: a deadline may be time_point::max()
    if (left <= D::zero()) return {};
    if (left >= std::chrono::ceil<D>(kSpinBeforePark)) return kSpinBeforePark;
    return std::chrono::duration_cast<std::chrono::nanoseconds>(left);  // < kSpinBeforePark: fits
  }
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
///
/// A budget <= 0 is one poll and nothing else. Otherwise the spin ends within about one
/// `pause`, one clock read and one poll after the budget, whatever pauses_per_poll is.
template <class P, class Ready>
bool spin_until(Ready&& ready, std::chrono::nanoseconds budget = kSpinBeforePark, int pauses_per_poll = 1) {
  if (ready()) return true;
  if constexpr (P::is_model_checker) {
    return false;
  } else {
    if (budget <= std::chrono::nanoseconds::zero()) return false;
    // The trade-off. A hand-off between two running threads usually lands within the first
    // few polls, so those must be cheap; but a `pause` costs anywhere from ~10 to ~140 cycles
    // depending on the CPU, so a fixed number of polls without a clock read (this used to be
    // 16 polls of up to 64 pauses each: ~20 µs on the project's machines, against a 1 µs
    // timeout) can outlast a short budget many times over. So:
    //   - the first poll above reads no clock: a hand-off that has already landed costs one load;
    //   - then the clock is read once (~20–30 ns in a VM). That is off the critical path of a
    //     hand-off: the partner's store takes longer than that to reach this core, and the
    //     first pauses follow right after;
    //   - between clock reads come at most kPausesPerClockRead pauses (the cost of a clock read
    //     is that of a few pauses, so spinning stays mostly pausing), and never more than fit
    //     in what is left of the budget at the cost per pause measured over the previous batch
    //     (its clock reads and polls included). Before any measurement, the first batch assumes
    //     the slowest pause, kSlowestPause, so a full 20 µs budget still starts with 16
    //     clock-free polls (Event ping-pong), while a 1 µs budget gets 6 pauses.
    // Polls stay exactly pauses_per_poll pauses apart across batches.
    using SpinClock = std::chrono::steady_clock;
    using std::chrono::nanoseconds;
    constexpr std::int64_t kPausesPerClockRead = 16;
    constexpr nanoseconds kSlowestPause{150};  // ~140 cycles (Skylake and later) at ~1 GHz
    const int per_poll = pauses_per_poll < 1 ? 1 : pauses_per_poll;
    auto now = SpinClock::now();
    const auto give_up =
        budget >= SpinClock::time_point::max() - now ? SpinClock::time_point::max() : now + budget;
    nanoseconds per_pause = kSlowestPause;
    int until_poll = per_poll;
    for (;;) {
      const std::int64_t fit = (give_up - now) / per_pause;
      const std::int64_t batch = fit < 1 ? 1 : (fit > kPausesPerClockRead ? kPausesPerClockRead : fit);
      for (std::int64_t i = 0; i < batch; ++i) {
        cpu_relax();
        if (--until_poll == 0) {
          until_poll = per_poll;
          if (ready()) return true;
        }
      }
      const auto before = now;
      now = SpinClock::now();
      if (now >= give_up) return false;
      per_pause = (now - before) / batch;
      if (per_pause < nanoseconds(1)) per_pause = nanoseconds(1);
    }
  }
}

}  // namespace itc::detail
