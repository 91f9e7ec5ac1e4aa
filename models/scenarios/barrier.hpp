// models/scenarios/barrier.hpp — "Synchronize tasks: rounds in lockstep" and its mistake.
//
// Every party does one unit of work per round, then waits at the Barrier; once past it, the
// round's work of every party must be done. The broken form reuses a Barrier that has no
// generation counter, so a fast party slips through the next round's barrier early.
#pragma once

#include "itc/barrier.hpp"
#include "itc/broken/barrier_without_generation.hpp"
#include "itc/models/scenario.hpp"

namespace itc::models::scenarios {

/// The tutorial's rounds over any barrier type B.
template <class P, class B>
struct BarrierRounds {
  static constexpr unsigned threads = 3;
  // Two rounds: reuse is where a barrier goes wrong.
  static constexpr int kRounds = P::is_model_checker ? 2 : 500;

  B barrier{threads};
  typename P::template Atomic<int> work_done{0};  // units of work finished, all rounds together

  void thread(unsigned) {
    for (int r = 0; r < kRounds; ++r) {
      work_done.fetch_add(1);  // this round's work
      barrier.wait();
      scenario_assert<P>(work_done.load() >= static_cast<int>(threads) * (r + 1),
                         "past the barrier, every party has finished this round's work");
    }
  }
  void check() {
    scenario_assert<P>(work_done.load() == static_cast<int>(threads) * kRounds, "every round ran");
  }
};

template <class P>
struct BarrierCorrect : BarrierRounds<P, BasicBarrier<P>> {
  static constexpr ScenarioInfo info{"barrier/correct",
                                     "Synchronize tasks: rounds in lockstep",
                                     "—",
                                     "—",
                                     "models/scenarios/barrier.hpp",
                                     {Verdict::pass},
                                     {Verdict::pass},
                                     {Verdict::pass}};
};

template <class P>
struct BarrierNoGeneration : BarrierRounds<P, broken::BarrierWithoutGeneration<P>> {
  static constexpr ScenarioInfo info{
      "barrier/no_generation",
      "broken Barrier implementation",
      "reuse without a generation counter: a fast thread passes the next round's barrier early",
      "generation counter",
      "primitives/include/itc/broken/barrier_without_generation.hpp",
      {Verdict::assertion},
      {Verdict::assertion, true},
      {Verdict::assertion, true}};  // CATALOG.md E5
};

}  // namespace itc::models::scenarios
