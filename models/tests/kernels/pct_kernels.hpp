// models/tests/kernels/pct_kernels.hpp — small bug kernels of known depth, for measuring PCT
// (built into itc-model-kernels, used by models/tests/pct_rate.sh; not part of the catalog).
//
// The depth of a bug (Burckhardt et al., ASPLOS 2010) is the number of ordering constraints
// between steps of different threads that expose it. PCT with depth d finds a bug of depth d
// with probability at least 1/(n * k^(d-1)) per execution; pct_rate.sh measures the rate and
// checks it against that bound.
#pragma once

#include "itc/models/scenario.hpp"

#define ITC_SCENARIO_NAMESPACE ::itc::models::kernels

namespace itc::models::kernels {

/// Depth 2: thread 0 checks a flag, works, then uses what the flag promised; thread 1 clears
/// the flag. The failure needs (check before clear) and (clear before use): two constraints.
/// Both threads do some unrelated atomic steps first, so an execution is ~22 steps long and the
/// window between check and use is 3 steps. With `Locked`, check and use are one critical
/// section and no schedule fails (the twin that keeps the measurement honest).
template <class P, bool Locked>
struct CheckThenUseBody {
  static constexpr unsigned threads = 2;
  static constexpr int kPadding = 8;

  typename P::Mutex mutex;
  typename P::template Atomic<int> flag{1};
  typename P::template Atomic<int> work{0};

  void thread(unsigned i) {
    for (int s = 0; s < kPadding; ++s) work.fetch_add(1);
    if (Locked) mutex.lock();
    if (i == 0) {
      if (flag.load() == 1) {
        work.fetch_add(1);
        work.fetch_add(1);
        scenario_assert<P>(flag.load() == 1, "the flag checked is still set when it is used");
      }
    } else {
      flag.store(0);
    }
    if (Locked) mutex.unlock();
  }
  void check() {}
};

template <class P>
struct CheckThenUse : CheckThenUseBody<P, false> {
  static constexpr ScenarioInfo info{"kernel/check_then_use_depth2",
                                     "PCT measurement kernel",
                                     "the flag checked is cleared before it is used (depth 2)",
                                     "hold a lock across check and use",
                                     "models/tests/kernels/pct_kernels.hpp",
                                     {Verdict::assertion},
                                     {Verdict::none},
                                     {Verdict::none}};
};

template <class P>
struct CheckThenUseLocked : CheckThenUseBody<P, true> {
  static constexpr ScenarioInfo info{"kernel/check_then_use_locked",
                                     "PCT measurement kernel",
                                     "—",
                                     "—",
                                     "models/tests/kernels/pct_kernels.hpp",
                                     {Verdict::pass},
                                     {Verdict::pass},
                                     {Verdict::pass}};
};

}  // namespace itc::models::kernels

#define ITC_SCENARIOS(X) \
  X(CheckThenUse)        \
  X(CheckThenUseLocked)
