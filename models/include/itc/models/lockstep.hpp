// itc/models/lockstep.hpp — make two threads meet at a racy point, round after round.
//
// A race window a few instructions wide is hit on real threads only if both threads arrive at it
// at about the same time. Lockstep lets one thread announce "I am at round r" and the other spin
// until it sees that, so that in every round the two race from the same starting line (and a
// round's plain data is handed over: announce is a release, await an acquire).
//
// Under a model checker both calls do nothing: the model runs one round and explores every
// interleaving of it anyway, and a spin would only multiply the schedules to explore.
//
// Usage (two threads, one racy step each per round):
//   itc::models::Lockstep<P> step;
//   thread 0: for (int r = 0; r < kRounds; ++r) { step.announce(r); racy_write(); }
//   thread 1: for (int r = 0; r < kRounds; ++r) { step.await(r); racy_read(); }
#pragma once

#include <atomic>

#include "itc/models/scenario.hpp"

namespace itc::models {

template <class P>
class Lockstep {
 public:
  /// The calling thread has reached round r.
  void announce(int r) {
    if constexpr (!P::is_model_checker) round_.store(r, std::memory_order::release);
  }
  /// Spins until the other thread has announced round r (or a later one).
  void await(int r) {
    if constexpr (!P::is_model_checker) {
      while (round_.load(std::memory_order::acquire) < r) scenario_yield<P>();
    }
  }

 private:
  typename P::template Atomic<int> round_{-1};
};

}  // namespace itc::models
