// models/selfcheck/selfcheck_scenarios.hpp — itc checking its own fast paths.
//
// The tutorial catalog (models/scenarios) runs each primitive the way the tutorial uses it:
// one producer, one consumer, unbounded. The optimised implementations have paths that shape
// never reaches: a FIFO Queue's two locks and batch hand-over with several getters, putters
// parked on a full queue (the Dekker pair on taken_/putters_), shutdown() waking both sides,
// timed waits racing a hand-off, the one-word Event with concurrent set()/clear(), a Barrier
// waiter's timeout racing the round's last arrival, reset()/abort() while a party waits. These
// scenarios drive exactly those paths; every checker must find nothing (verdict pass).
// Built into itc-selfcheck-model / itc-selfcheck-stress by stress/CMakeLists.txt.
#pragma once

#include <chrono>
#include <string_view>

#include "itc/barrier.hpp"
#include "itc/errors.hpp"
#include "itc/event.hpp"
#include "itc/models/scenario.hpp"
#include "itc/queue.hpp"
#include "lockstep.hpp"

namespace itc::models::selfcheck {

/// Every self-check is a correct program: each checker must report `pass`.
constexpr ScenarioInfo self_check(std::string_view id, std::string_view origin, std::string_view source) {
  return correct_form(id, origin, source);
}

/// Two producers fill a maxsize-1 queue, so one of them parks in put() and must be woken by
/// the consumer's get(); every item arrives once, in each producer's order.
template <class P, class Q>
struct BoundedTwoProducers {
  static constexpr unsigned threads = 3;  // 0, 1 put; 2 gets
  static constexpr int kPerProducer = P::is_model_checker ? 1 : 300;

  Q q{1};
  typename P::template Var<long> sum{0};
  typename P::template Var<int> last_seen[2]{typename P::template Var<int>(0),
                                             typename P::template Var<int>(0)};

  void thread(unsigned i) {
    if (i < 2) {
      // Items of producer i: i*1000 + 1, 2, ... (so the consumer can check per-producer order).
      for (int n = 1; n <= kPerProducer; ++n) q.put(static_cast<int>(i) * 1000 + n);
      return;
    }
    for (int n = 0; n < 2 * kPerProducer; ++n) {
      const int item = q.get();
      const int producer = item / 1000;
      scenario_assert<P>(item % 1000 == last_seen[producer].read() + 1,
                         "each producer's items arrive in order");
      last_seen[producer].write() = item % 1000;
      sum.write() += item;
    }
  }
  void check() {
    const long per = 1L * kPerProducer * (kPerProducer + 1) / 2;
    scenario_assert<P>(sum.read() == per + (1000L * kPerProducer + per), "every item arrived once");
  }
};

template <class P>
struct QueueBoundedTwoProducers : BoundedTwoProducers<P, BasicQueue<int, P>> {
  static constexpr ScenarioInfo info = self_check("selfcheck/queue_bounded_two_producers",
                                                  "itc::Queue internals", "primitives/include/itc/queue.hpp");
};

/// One producer, two consumers; the producer ends with shutdown(), which must wake a parked
/// getter, and getters drain what is left before they see ShutDown. Consumer 2 uses short
/// timed gets, so timeouts race hand-offs. Covers the batch hand-over to one getter while the
/// other is parked (FIFO), or the single-lock path (LIFO).
template <class P, class Q>
struct TwoConsumersShutdown {
  static constexpr unsigned threads = 3;  // 0 puts then shuts down; 1 and 2 get until ShutDown
  static constexpr int kItems = P::is_model_checker ? 1 : 500;

  Q q;
  typename P::template Var<long> sums[2]{typename P::template Var<long>(0),
                                         typename P::template Var<long>(0)};

  void thread(unsigned i) {
    if (i == 0) {
      for (int n = 1; n <= kItems; ++n) q.put(n);
      q.shutdown();
      return;
    }
    long& sum = sums[i - 1].write();
    for (;;) {
      try {
        // Under a model checker the timed get() is left out: with it, three threads are beyond
        // an exhaustive (context-bounded) search in minutes. Real threads race it instead.
        sum += i == 1 || P::is_model_checker ? q.get() : q.get(std::chrono::microseconds(50));
      } catch (const Empty&) {
        scenario_assert<P>(i == 2, "only a timed get() may report Empty");
      } catch (const ShutDown&) {
        return;
      }
    }
  }
  void check() {
    scenario_assert<P>(sums[0].read() + sums[1].read() == 1L * kItems * (kItems + 1) / 2,
                       "the consumers together got every item once, and only then ShutDown");
  }
};

template <class P>
struct QueueTwoConsumersShutdown : TwoConsumersShutdown<P, BasicQueue<int, P>> {
  static constexpr ScenarioInfo info = self_check("selfcheck/queue_two_consumers_shutdown",
                                                  "itc::Queue internals", "primitives/include/itc/queue.hpp");
};

template <class P>
struct LifoQueueTwoConsumersShutdown : TwoConsumersShutdown<P, BasicQueue<int, P, LifoOrder<int>>> {
  static constexpr ScenarioInfo info =
      self_check("selfcheck/lifo_queue_two_consumers_shutdown", "itc::LifoQueue internals",
                 "primitives/include/itc/queue.hpp");
};

/// A putter parked on a full queue must be woken by shutdown() and throw ShutDown; a getter
/// still gets the queued item.
template <class P>
struct QueueShutdownWakesPutter {
  static constexpr ScenarioInfo info = self_check("selfcheck/queue_shutdown_wakes_putter",
                                                  "itc::Queue internals", "primitives/include/itc/queue.hpp");
  static constexpr unsigned threads = 2;

  BasicQueue<int, P> q{1};
  BasicEvent<P> first_put;
  typename P::template Var<int> outcome{0};  // 1: second put stored, 2: it threw ShutDown

  void thread(unsigned i) {
    if (i == 0) {
      q.put(1);
      first_put.set();
      try {
        q.put(2);  // the queue stays full until after shutdown(): parks, or sees the shutdown
        outcome.write() = 1;
      } catch (const ShutDown&) {
        outcome.write() = 2;
      }
      return;
    }
    first_put.wait();
    q.shutdown();
    scenario_assert<P>(q.get() == 1, "items put before shutdown() are still delivered");
  }
  void check() { scenario_assert<P>(outcome.read() == 2, "a put() after shutdown() throws ShutDown"); }
};

/// Task accounting without a lock: two consumers call task_done() (a compare-exchange on
/// done_total_) while the producer parks in join() (the Dekker pair on joiners_); join() must
/// return exactly when every item is done, and see the consumers' writes.
template <class P>
struct QueueTaskDoneJoin {
  static constexpr ScenarioInfo info = self_check("selfcheck/queue_task_done_join", "itc::Queue internals",
                                                  "primitives/include/itc/queue.hpp");
  static constexpr unsigned threads = 3;  // 0 puts and joins; 1, 2 get + task_done
  static constexpr int kPerConsumer = P::is_model_checker ? 1 : 300;

  BasicQueue<int, P> q;
  typename P::template Var<long> processed[2]{typename P::template Var<long>(0),
                                              typename P::template Var<long>(0)};

  void thread(unsigned i) {
    if (i == 0) {
      for (int n = 1; n <= 2 * kPerConsumer; ++n) q.put(n);
      q.join();
      scenario_assert<P>(q.unfinished_tasks() == 0, "join() returns only when every task is done");
      scenario_assert<P>(
          processed[0].read() + processed[1].read() == 1L * kPerConsumer * (2 * kPerConsumer + 1),
          "join() sees what the consumers wrote before task_done()");
      return;
    }
    for (int n = 0; n < kPerConsumer; ++n) {
      processed[i - 1].write() += q.get();
      q.task_done();
    }
  }
  void check() {}
};

/// shutdown(immediate=true) races a consumer's task_done(): dropped items count as done, the
/// count never goes below zero (no spurious TaskDoneTooManyTimes), and join() returns.
template <class P>
struct QueueImmediateShutdownTaskDone {
  static constexpr ScenarioInfo info = self_check("selfcheck/queue_immediate_shutdown_task_done",
                                                  "itc::Queue internals", "primitives/include/itc/queue.hpp");
  static constexpr unsigned threads = 3;  // 0 puts 2 and joins; 1 gets + task_done; 2 shuts down

  BasicQueue<int, P> q;
  BasicEvent<P> both_put;

  void thread(unsigned i) {
    if (i == 0) {
      q.put(1);
      q.put(2);
      both_put.set();
      q.join();
      return;
    }
    both_put.wait();
    if (i == 2) return q.shutdown(true);
    try {
      (void)q.get();
      q.task_done();
    } catch (const ShutDown&) {
    }
  }
  void check() { scenario_assert<P>(q.unfinished_tasks() == 0, "nothing is left unfinished"); }
};

/// Two getters wait on an empty queue while a producer puts two items: each put() must wake a
/// getter unless as many wakes as parked getters are already on their way (Queue's
/// getters_parked_ / getter_wakes_pending_). A put that skipped a wake it owed leaves a getter
/// parked beside an item: the checkers see a deadlock. (A version with a timed getter, which
/// absorbs a wake when it times out, is beyond bounded search here in minutes; it runs on real
/// threads in primitives/tests/queue_test.cpp, TimedGetterTimingOutStrandsNoWake.)
template <class P>
struct QueueTwoGettersTwoPuts {
  static constexpr ScenarioInfo info = self_check("selfcheck/queue_two_getters_two_puts",
                                                  "itc::Queue internals", "primitives/include/itc/queue.hpp");
  static constexpr unsigned threads = 3;  // 0 puts twice; 1 and 2 get once
  static constexpr int kRounds = P::is_model_checker ? 1 : 300;

  BasicQueue<int, P> q;
  typename P::template Var<long> got[2]{typename P::template Var<long>(0), typename P::template Var<long>(0)};

  void thread(unsigned i) {
    for (int r = 0; r < kRounds; ++r) {
      if (i == 0) {
        q.put(1);
        q.put(2);
      } else {
        got[i - 1].write() += q.get();
      }
    }
  }
  void check() {
    scenario_assert<P>(got[0].read() + got[1].read() == 3L * kRounds, "every item arrived once");
  }
};

/// A queue that starts unbounded gets a capacity while its consumer takes items, and loses it
/// again. The capacity check counts items stored minus items taken: a take of the unbounded
/// phase that the count misses makes the queue look fuller than it is, and the bounded put()
/// parks for ever beside an empty queue (a deadlock the checkers report); once bounded, every
/// take must reach the count where a parked putter sees it. (A variant of the Queue that
/// counted an unbounded queue's takes under the getters' lock, folding them in at
/// set_maxsize(), deadlocks here without the fold.)
template <class P, class Q>
struct CapacitySetWhileTaking {
  static constexpr unsigned threads = 2;  // 0 puts and changes maxsize; 1 gets
  static constexpr int kRounds = P::is_model_checker ? 1 : 300;

  Q q;  // unbounded
  typename P::template Var<long> sum{0};

  void thread(unsigned i) {
    if (i == 0) {
      for (int r = 0; r < kRounds; ++r) {
        q.put(1);
        q.put(2);
        q.put(3);
        q.set_maxsize(2);
        q.put(4);  // waits until the consumer has taken at least two of 1, 2, 3
        q.set_maxsize(0);
        q.put(5);
      }
      return;
    }
    for (int n = 0; n < 5 * kRounds; ++n) sum.write() += q.get();
  }
  void check() {
    scenario_assert<P>(sum.read() == 15L * kRounds, "every item arrived once");
    scenario_assert<P>(q.qsize() == 0 && !q.full(), "the queue is empty at the end, and says so");
  }
};

template <class P>
struct QueueCapacitySetWhileTaking : CapacitySetWhileTaking<P, BasicQueue<int, P>> {
  static constexpr ScenarioInfo info = self_check("selfcheck/queue_capacity_set_while_taking",
                                                  "itc::Queue internals", "primitives/include/itc/queue.hpp");
};

template <class P>
struct LifoQueueCapacitySetWhileTaking : CapacitySetWhileTaking<P, BasicQueue<int, P, LifoOrder<int>>> {
  static constexpr ScenarioInfo info =
      self_check("selfcheck/lifo_queue_capacity_set_while_taking", "itc::LifoQueue internals",
                 "primitives/include/itc/queue.hpp");
};

/// Round after round, a setter runs set(); clear(); set(); while two threads wait (one without,
/// one with a timeout): the one-word state (generation << 1 | flag) must let every wait()
/// return true, and what was written before set() must be visible after it.
template <class P>
struct EventPulses {
  static constexpr ScenarioInfo info =
      self_check("selfcheck/event_pulses", "itc::Event internals", "primitives/include/itc/event.hpp");
  static constexpr unsigned threads = 3;  // 0 pulses; 1 waits; 2 waits with a timeout
  static constexpr int kRounds = P::is_model_checker ? 1 : 300;

  BasicEvent<P> pulse;
  scenarios::Lockstep<P> waiting[2];  // waiter k is about to wait in round r
  scenarios::Lockstep<P> woken[2];    // waiter k has returned in round r
  scenarios::Lockstep<P> reset;       // the setter has cleared the event after round r
  typename P::template Var<int> payload{0};

  void thread(unsigned i) {
    for (int r = 0; r < kRounds; ++r) {
      if (i == 0) {
        waiting[0].await(r);
        waiting[1].await(r);
        payload.write() = r + 1;
        pulse.set();
        pulse.clear();  // a waiter already parked must still return true (gh-57711)
        pulse.set();    // one that has not parked yet must not block
        woken[0].await(r);
        woken[1].await(r);
        // Under a model checker the lockstep is a no-op and there is one round: a clear() here
        // could come before a waiter even starts, and that waiter would then rightly block.
        if constexpr (!P::is_model_checker) pulse.clear();
        reset.announce(r);
      } else {
        const unsigned k = i - 1;
        reset.await(r - 1);
        waiting[k].announce(r);
        const bool signalled = k == 0 ? pulse.wait() : pulse.wait(std::chrono::hours(1));
        // A model checker may let any timed wait time out (Relacy does, whatever the duration).
        if (k == 1 && P::is_model_checker && !signalled) continue;
        scenario_assert<P>(signalled, "wait() returns true once the event was set");
        scenario_assert<P>(payload.read() == r + 1, "writes before set() are visible after wait()");
        woken[k].announce(r);
      }
    }
  }
  void check() {}
};

/// A timed Barrier waiter whose deadline races the last arrival. Either the round completes (both
/// parties return, with indices 0 and 1, and each sees what the other wrote before wait()) or
/// the timeout broke it first (both get BrokenBarrierError: the untimed party at its arrival or
/// while it waits). The untimed party deletes the barrier as soon as its wait() returns, so the
/// path where the timed-out thread was handed "released" and still needs the barrier's mutex
/// is checked for a use after free too (the destructor must wait for it).
template <class P>
struct BarrierTimeoutRacesCompletion {
  static constexpr ScenarioInfo info =
      self_check("selfcheck/barrier_timeout_races_completion", "itc::Barrier internals",
                 "primitives/include/itc/barrier.hpp");
  static constexpr unsigned threads = 2;  // 0 waits with a short timeout; 1 waits, then deletes

  BasicBarrier<P>* b = new BasicBarrier<P>(2);
  typename P::template Var<int> payload[2]{typename P::template Var<int>(0),
                                           typename P::template Var<int>(0)};
  typename P::template Var<int> index[2]{typename P::template Var<int>(-1),
                                         typename P::template Var<int>(-1)};

  void thread(unsigned i) {
    payload[i].write() = static_cast<int>(i) + 1;
    try {
      // 50 µs: on real threads about as long as the other thread takes to arrive. A model
      // checker may time it out at any point, or never.
      const std::size_t mine = i == 0 ? b->wait(std::chrono::microseconds(50)) : b->wait();
      index[i].write() = static_cast<int>(mine);
      scenario_assert<P>(payload[1 - i].read() == 2 - static_cast<int>(i),
                         "a party's writes before wait() are visible after the other's wait()");
    } catch (const BrokenBarrierError&) {
      index[i].write() = -2;
    }
    if (i == 1) delete b;  // its wait() returned: legal even while thread 0 is still inside
  }
  void check() {
    const int a = index[0].read();
    const int c = index[1].read();
    scenario_assert<P>((a == -2 && c == -2) || (a >= 0 && c >= 0 && a + c == 1),
                       "the round completes for both parties (indices 0 and 1) or breaks for both");
  }
};

/// reset() and abort() while a party may be waiting: thread 1 resets, aborts and resets the
/// 2-party barrier, then opens the next round and waits in it. Thread 0 waits once; if that
/// wait is broken (by the reset or the abort it was blocked in, or because it arrived while
/// the barrier was broken) it waits for the reopening and then waits again. Both must end up
/// passing one round together, with indices 0 and 1, and the barrier must end up not broken.
template <class P>
struct BarrierResetAbortWhileWaiting {
  static constexpr ScenarioInfo info =
      self_check("selfcheck/barrier_reset_abort_while_waiting", "itc::Barrier internals",
                 "primitives/include/itc/barrier.hpp");
  static constexpr unsigned threads = 2;  // 0 waits (and again if broken); 1 resets, aborts, resets, waits

  BasicBarrier<P> b{2};
  BasicEvent<P> reopened;
  typename P::template Var<int> index[2]{typename P::template Var<int>(-1),
                                         typename P::template Var<int>(-1)};
  typename P::template Var<int> broken_waits{0};

  void thread(unsigned i) {
    if (i == 1) {
      b.reset();
      b.abort();
      scenario_assert<P>(b.broken(), "abort() leaves the barrier broken");
      try {
        (void)b.wait();
        scenario_assert<P>(false, "wait() on a broken barrier throws BrokenBarrierError");
      } catch (const BrokenBarrierError&) {
      }
      b.reset();
      reopened.set();
      index[1].write() = static_cast<int>(b.wait());
      return;
    }
    try {
      index[0].write() = static_cast<int>(b.wait());
      return;
    } catch (const BrokenBarrierError&) {
      ++broken_waits.write();
    }
    reopened.wait();
    index[0].write() = static_cast<int>(b.wait());
  }
  void check() {
    scenario_assert<P>(index[0].read() + index[1].read() == 1 && index[0].read() >= 0 && index[1].read() >= 0,
                       "after the reset both parties pass a round together, with indices 0 and 1");
    scenario_assert<P>(broken_waits.read() <= 1, "a party waits at most once in a broken round");
    scenario_assert<P>(!b.broken() && b.n_waiting() == 0, "the last round left the barrier clean");
  }
};

}  // namespace itc::models::selfcheck
