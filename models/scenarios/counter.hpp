// models/scenarios/counter.hpp — "Method 4: shared variables with Lock" and its mistakes.
//
// Two threads increment a shared counter. The correct form holds the Lock around the
// read-modify-write; the broken forms drop it, lock only the writer, or split a check and an
// action into two critical sections.
#pragma once

#include <mutex>

#include "itc/lock.hpp"
#include "itc/models/scenario.hpp"

namespace itc::models::scenarios {

template <class P>
struct CounterBase {
  static constexpr unsigned threads = 2;
  // Relacy explores every interleaving of a few steps; real threads need many steps to lose one.
  static constexpr int kIncrements = P::is_model_checker ? 2 : 2000;

  BasicLock<P> lock;
  typename P::template Var<int> counter{0};

  void increment_unlocked() {
    const int seen = counter.read();
    counter.write() = seen + 1;
  }
  // The correct increment: the read-modify-write under the Lock (Python: `with lock:`).
  void increment() {
    std::lock_guard<BasicLock<P>> hold(lock);
    increment_unlocked();
  }
  void check() {
    scenario_assert<P>(counter.read() == static_cast<int>(threads) * kIncrements,
                       "every increment is counted (no lost update)");
  }
};

template <class P>
struct CounterCorrect : CounterBase<P> {
  static constexpr ScenarioInfo info{"counter/correct",
                                     "Method 4, shared variables with Lock",
                                     "—",
                                     "—",
                                     "models/scenarios/counter.hpp",
                                     {Verdict::pass},
                                     {Verdict::pass},
                                     {Verdict::pass}};
  void thread(unsigned) {
    for (int i = 0; i < this->kIncrements; ++i) this->increment();
  }
};

template <class P>
struct CounterNoLock : CounterBase<P> {
  static constexpr ScenarioInfo info{"counter/no_lock",
                                     "Common mistake 1",
                                     "`counter += 1` with no lock",
                                     "hold the Lock",
                                     "models/scenarios/counter.hpp",
                                     {Verdict::data_race},
                                     {Verdict::assertion, true},
                                     {Verdict::data_race, false, Verdict::assertion}};  // CATALOG.md E6
  void thread(unsigned) {
    for (int i = 0; i < this->kIncrements; ++i) this->increment_unlocked();  // DEFECT
  }
};

template <class P>
struct CounterUnlockedReader : CounterBase<P> {
  static constexpr ScenarioInfo info{"counter/unlocked_reader",
                                     "Method 4",
                                     "writer locks, reader does not",
                                     "reader holds the Lock too",
                                     "models/scenarios/counter.hpp",
                                     {Verdict::data_race},
                                     {Verdict::none},
                                     {Verdict::data_race}};
  typename P::template Var<int> last_seen{0};
  void thread(unsigned i) {
    for (int n = 0; n < this->kIncrements; ++n) {
      if (i == 0) {
        this->increment();
      } else {
        const int seen = this->counter.read();  // DEFECT: reads without the lock
        last_seen.write() = seen;
      }
    }
  }
  void check() {
    scenario_assert<P>(this->counter.read() == this->kIncrements, "every increment is counted");
  }
};

template <class P>
struct CounterCheckThenAct {
  static constexpr ScenarioInfo info{"counter/check_then_act",
                                     "Why Lock is needed",
                                     "the size check and the append are two critical sections",
                                     "one critical section",
                                     "models/scenarios/counter.hpp",
                                     {Verdict::assertion},
                                     {Verdict::assertion, true},
                                     {Verdict::assertion, true}};  // CATALOG.md E5
  static constexpr unsigned threads = 2;
  static constexpr int kCapacity = 1;
  static constexpr int kRounds = P::is_model_checker ? 1 : 500;

  BasicLock<P> lock;
  typename P::template Var<int> size{0};

  void thread(unsigned) {
    for (int round = 0; round < kRounds; ++round) {
      bool room = false;
      {
        std::lock_guard<BasicLock<P>> hold(lock);
        room = size.read() < kCapacity;
      }
      if (!room) continue;
      {  // DEFECT: the check above may be stale by now
        std::lock_guard<BasicLock<P>> hold(lock);
        ++size.write();
        scenario_assert<P>(size.read() <= kCapacity, "the list never exceeds its capacity");
      }
      {
        std::lock_guard<BasicLock<P>> hold(lock);  // take our item out again for the next round
        --size.write();
      }
    }
  }
  void check() {}
};

}  // namespace itc::models::scenarios
