// models/tests/kernels/pct_kernels.hpp — small kernels for the model checker's own tests
// (built into itc-model-kernels; not part of the catalog): bugs of known depth for measuring
// PCT (models/tests/pct_rate.sh), and lock-order shapes (models/tests/lock_order.sh).
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

/// Lock order over the platform mutex. `Reversed`: thread 0 takes A then B, thread 1 B then A
/// (an inversion in one execution whenever both complete). `Exclusive`: the threads race for a
/// ticket and only the winner locks — thread 0 A then B, thread 1 B then A — so no execution
/// takes both orders and none can deadlock, yet the search's graph has the cycle.
template <class P, bool Reversed, bool Exclusive>
struct TwoMutexes {
  static constexpr unsigned threads = 2;
  typename P::Mutex a, b;
  typename P::template Atomic<int> ticket{0};
  typename P::template Var<int> sum{0};

  void thread(unsigned i) {
    if (Exclusive && ticket.exchange(1) != 0) return;
    typename P::Mutex& first = Reversed && i == 1 ? b : a;
    typename P::Mutex& second = Reversed && i == 1 ? a : b;
    first.lock();
    second.lock();
    ++sum.write();
    second.unlock();
    first.unlock();
  }
  void check() {}
};

template <class P>
struct AbbaMutex : TwoMutexes<P, true, false> {
  static constexpr ScenarioInfo info{"kernel/abba_mutex",
                                     "lock-order kernel",
                                     "thread 0 takes A then B, thread 1 B then A",
                                     "one order",
                                     "models/tests/kernels/pct_kernels.hpp",
                                     {Verdict::lock_order_inversion, false, Verdict::deadlock},
                                     {Verdict::none},
                                     {Verdict::none}};
};

template <class P>
struct AbbaAcrossExecutions : TwoMutexes<P, true, true> {
  static constexpr ScenarioInfo info{"kernel/abba_across_executions",
                                     "lock-order kernel",
                                     "the winner of a race takes A then B (thread 0) or B then A (thread 1)",
                                     "one order",
                                     "models/tests/kernels/pct_kernels.hpp",
                                     {Verdict::lock_order_inversion},
                                     {Verdict::none},
                                     {Verdict::none}};
};

template <class P>
struct AbAb : TwoMutexes<P, false, false> {
  static constexpr ScenarioInfo info{
      "kernel/ab_ab",  "lock-order kernel", "—", "—", "models/tests/kernels/pct_kernels.hpp", {Verdict::pass},
      {Verdict::pass}, {Verdict::pass}};
};

}  // namespace itc::models::kernels

#define ITC_SCENARIOS(X)  \
  X(CheckThenUse)         \
  X(CheckThenUseLocked)   \
  X(AbbaMutex)            \
  X(AbbaAcrossExecutions) \
  X(AbAb)
