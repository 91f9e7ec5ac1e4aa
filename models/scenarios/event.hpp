// models/scenarios/event.hpp — "Method 2: signalling with Event" and its mistakes.
//
// A setter writes a payload and set()s an Event; a waiter wait()s for it and reads the payload.
// The broken forms signal with a plain bool, publish with a relaxed store, or use an Event that
// is itself broken (a lost wake-up; a wait() that misses `set(); clear();`).
#pragma once

#include "itc/broken/event_lost_wakeup.hpp"
#include "itc/broken/event_without_generation.hpp"
#include "itc/event.hpp"
#include "itc/models/scenario.hpp"
#include "lockstep.hpp"

namespace itc::models::scenarios {

/// The tutorial's program over any Event type E: round after round, the waiter announces that it
/// is about to wait, the setter writes the round's payload and set()s, the waiter checks the
/// payload and clear()s for the next round.
template <class P, class E>
struct EventSignal {
  static constexpr unsigned threads = 2;  // 0 sets, 1 waits
  // One round explores every interleaving; real threads need many rounds to hit a narrow window.
  static constexpr int kRounds = P::is_model_checker ? 1 : 500;

  E event;
  Lockstep<P> waiter;                         // the waiter announces each round before it waits
  typename P::template Var<int> payload{0};   // written by the setter before set()
  typename P::template Var<int> received{0};  // rounds the waiter saw (waiter only)

  void thread(unsigned i) {
    for (int r = 0; r < kRounds; ++r) {
      if (i == 0) {
        waiter.await(r);
        payload.write() = r + 1;
        event.set();
      } else {
        waiter.announce(r);
        event.wait();
        scenario_assert<P>(payload.read() == r + 1, "the waiter sees what was written before set()");
        ++received.write();
        event.clear();
      }
    }
  }
  void check() { scenario_assert<P>(received.read() == kRounds, "the waiter saw every round"); }
};

template <class P>
struct EventCorrect : EventSignal<P, BasicEvent<P>> {
  static constexpr ScenarioInfo info{"event/correct",
                                     "Method 2, Event signalling",
                                     "—",
                                     "—",
                                     "models/scenarios/event.hpp",
                                     {Verdict::pass},
                                     {Verdict::pass},
                                     {Verdict::pass}};
};

template <class P>
struct EventPlainFlag {
  static constexpr ScenarioInfo info{"event/plain_flag",
                                     "Best practice 2",
                                     "a `bool` flag polled without synchronisation",
                                     "`Event` (or an atomic)",
                                     "models/scenarios/event.hpp",
                                     {Verdict::data_race},
                                     {Verdict::none},
                                     {Verdict::data_race}};
  static constexpr unsigned threads = 2;  // 0 sets, 1 polls

  typename P::template Var<bool> flag{false};
  typename P::template Var<int> payload{0};

  void thread(unsigned i) {
    if (i == 0) {
      payload.write() = 42;
      flag.write() = true;  // DEFECT: a plain bool, written and polled without synchronisation
      return;
    }
    while (!flag.read()) scenario_yield<P>();
    scenario_assert<P>(payload.read() == 42, "the poller sees what was written before the flag");
  }
  void check() {}
};

template <class P>
struct EventLostWakeup : EventSignal<P, broken::EventLostWakeup<P>> {
  static constexpr ScenarioInfo info{
      "event/lost_wakeup",
      "broken Event implementation",
      "`wait()` checks the flag, then waits on the condvar without holding the mutex in between",
      "check and wait under one lock hold",
      "primitives/include/itc/broken/event_lost_wakeup.hpp",
      {Verdict::deadlock},
      {Verdict::hang, true},
      {Verdict::hang, true}};
};

template <class P>
struct EventSetThenClear {
  static constexpr ScenarioInfo info{
      "event/set_then_clear",
      "Event contract (`wait()` returns True if the flag was set at any point while waiting)",
      "a naive Event whose `wait()` loops on the current flag value; `set(); clear()` back to back",
      "itc's Event (generation counter)",
      "primitives/include/itc/broken/event_without_generation.hpp",
      {Verdict::deadlock},
      {Verdict::hang, true},
      {Verdict::hang, true}};
  static constexpr unsigned threads = 2;  // 0 sets and clears, 1 waits
  static constexpr int kRounds = P::is_model_checker ? 1 : 200;

  broken::EventWithoutGeneration<P> event;
  typename P::template Atomic<int> waiter_round{-1};
  typename P::template Var<int> woken{0};  // waiter only

  void thread(unsigned i) {
    for (int r = 0; r < kRounds; ++r) {
      if (i == 0) {
        // set() only once the waiter is inside this round's wait(): only then does the contract
        // promise that it returns.
        while (waiter_round.load() != r || event.waiting() == 0) scenario_yield<P>();
        event.set();
        event.clear();  // legal right away: the waiter was waiting while the flag was up
      } else {
        waiter_round.store(r);
        event.wait();
        ++woken.write();
      }
    }
  }
  void check() { scenario_assert<P>(woken.read() == kRounds, "every set() woke the waiter"); }
};

template <class P>
struct EventRelaxedPublish {
  static constexpr ScenarioInfo info{"event/relaxed_publish",
                                     "memory ordering (C++ specific)",
                                     "payload written as plain data, flag stored with `memory_order_relaxed`",
                                     "release/acquire",
                                     "models/scenarios/event.hpp",
                                     {Verdict::data_race},
                                     {Verdict::none},
                                     {Verdict::data_race}};
  static constexpr unsigned threads = 2;  // 0 publishes, 1 polls

  typename P::template Atomic<bool> ready{false};
  typename P::template Var<int> payload{0};

  void thread(unsigned i) {
    if (i == 0) {
      payload.write() = 42;
      ready.store(true, std::memory_order::relaxed);  // DEFECT: relaxed publishes nothing
      return;
    }
    while (!ready.load(std::memory_order::acquire)) scenario_yield<P>();
    scenario_assert<P>(payload.read() == 42, "the poller sees what was written before the flag");
  }
  void check() {}
};

}  // namespace itc::models::scenarios
