// itc/broken/barrier_without_generation.hpp — BROKEN ON PURPOSE: a reusable Barrier without a
// generation counter.
//
// Defect:   a waiter waits until "the round is full" (`count >= parties`), and the count is reset
//           only when the last thread of the round has left. A fast thread that leaves and comes
//           back for the next round before the slow ones have left still finds the old round's
//           full count, and passes the next round's barrier at once, before the others have done
//           that round's work.
// Fix:      a generation counter: the last arrival resets the count and bumps the generation, and
//           a waiter waits until the generation it arrived in has ended (itc::BasicBarrier keeps
//           CPython's filling/draining states for the same purpose).
// Expected: model assertion (a party passes round r + 1 before every party has finished round
//           r + 1's work) · stress assertion (p) · tsan — (every access is locked).
// Scenario: barrier/no_generation (models/scenarios/barrier.hpp).
#pragma once

#include <cstddef>

#include "itc/platform/lock_guard.hpp"
#include "itc/platform/std_platform.hpp"

namespace itc::broken {

template <class P = StdPlatform>
class BarrierWithoutGeneration {
 public:
  explicit BarrierWithoutGeneration(std::size_t parties) : parties_(parties) {}

  void wait() {
    detail::MutexGuard guard(mutex_);
    if (++count_.write() == parties_) {
      cv_.notify_all();  // the round is full: release everyone
    } else {
      // DEFECT: "full" is not tied to a round: a count left over from the previous round lets
      // an early arrival of the next round through at once.
      while (count_.read() < parties_) cv_.wait(mutex_);
    }
    if (++leaving_.write() == parties_) {  // the last one out resets for the next round
      count_.write() = 0;
      leaving_.write() = 0;
    }
  }

  [[nodiscard]] std::size_t parties() const { return parties_; }

 private:
  const std::size_t parties_;
  typename P::Mutex mutex_;
  typename P::CondVar cv_;
  typename P::template Var<std::size_t> count_ ITC_GUARDED_BY(mutex_){0};
  typename P::template Var<std::size_t> leaving_ ITC_GUARDED_BY(mutex_){0};
};

}  // namespace itc::broken
