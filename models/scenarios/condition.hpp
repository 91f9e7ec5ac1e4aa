// models/scenarios/condition.hpp — "Method 3: Condition" and its mistakes.
//
// A producer sets `data_ready` and notifies; a consumer waits on the Condition until
// `data_ready`, then takes the data. The broken forms wait with `if` instead of `while`, wait
// without checking the predicate first, write the predicate outside the lock, share one
// Condition between producers and consumers of a bounded buffer, or wait without holding the
// lock at all.
#pragma once

#include <mutex>

#include "itc/condition.hpp"
#include "itc/models/scenario.hpp"
#include "itc/platform/lock_guard.hpp"
#include "lockstep.hpp"

namespace itc::models::scenarios {

/// The tutorial's program, round after round: the consumer announces that it is about to wait
/// for `data_ready`; the producer sees that, raises the flag and notifies; the consumer takes the
/// data and lowers the flag. Lockstep keeps the two threads meeting at the racy point in every
/// round on real threads (the model checker runs one round and explores every interleaving).
template <class P>
struct ConditionBase {
  static constexpr unsigned threads = 2;  // 0 produces, 1 consumes
  static constexpr int kRounds = P::is_model_checker ? 1 : 500;

  BasicCondition<P> condition;  // owns an RLock, like threading.Condition()
  Lockstep<P> consumer;         // the consumer announces each round before it takes the lock
  typename P::template Var<bool> data_ready{false};
  typename P::template Var<int> consumed{0};

  void produce() {
    std::lock_guard<BasicCondition<P>> hold(condition);  // Python: `with condition:`
    data_ready.write() = true;
    condition.notify();
  }
  // The consumer's half once it is awake with the lock held.
  void take() {
    scenario_assert<P>(data_ready.read(), "the consumer goes on only once data_ready is true");
    data_ready.write() = false;
    ++consumed.write();
  }
  // The rounds: thread 0 waits for the consumer's announcement, then runs `produce_round`;
  // thread 1 announces the round, takes the lock (`with condition:`), runs `consume_wait` and
  // then take().
  template <class Produce, class ConsumeWait>
  void rounds(unsigned i, Produce produce_round, ConsumeWait consume_wait) {
    for (int r = 0; r < kRounds; ++r) {
      if (i == 0) {
        consumer.await(r);
        produce_round();
        continue;
      }
      consumer.announce(r);
      std::lock_guard<BasicCondition<P>> hold(condition);
      consume_wait();
      take();
    }
  }
  void check() { scenario_assert<P>(consumed.read() == kRounds, "the consumer took every round"); }
};

template <class P>
struct ConditionCorrect : ConditionBase<P> {
  static constexpr ScenarioInfo info{
      "condition/correct", "Method 3, Condition", "—", "—", "models/scenarios/condition.hpp", {Verdict::pass},
      {Verdict::pass},     {Verdict::pass}};
  void thread(unsigned i) {
    this->rounds(
        i, [this] { this->produce(); },
        [this] {
          while (!this->data_ready.read()) this->condition.wait();
        });
  }
};

/// itc's Condition never wakes spuriously (every waiter parks on its own condition variable and
/// returns only when a notify() picked it), so `if` instead of `while` would go unpunished there.
/// This scenario therefore uses the raw platform mutex and condition variable, the C++ analogue
/// of the mistake: std::condition_variable may wake without a notify, and so does the model's,
/// as a scheduling choice in every strategy (RelacyPlatform::CondVar::wait).
template <class P>
struct ConditionIfNotWhile {
  static constexpr ScenarioInfo info{"condition/if_not_while",
                                     "How Condition works",
                                     "`if (!ready) wait()` instead of `while`",
                                     "`while` or `wait_for(pred)`",
                                     "models/scenarios/condition.hpp",
                                     {Verdict::assertion},
                                     {Verdict::none},
                                     {Verdict::none}};
  static constexpr unsigned threads = 2;  // 0 produces, 1 consumes
  static constexpr int kRounds = P::is_model_checker ? 1 : 500;

  typename P::Mutex mutex;
  typename P::CondVar cv;
  Lockstep<P> consumer;
  typename P::template Var<bool> data_ready{false};
  typename P::template Var<int> consumed{0};

  void thread(unsigned i) {
    for (int r = 0; r < kRounds; ++r) {
      if (i == 0) {
        consumer.await(r);
        detail::MutexGuard hold(mutex);
        data_ready.write() = true;
        cv.notify_one();
        continue;
      }
      consumer.announce(r);
      detail::MutexGuard hold(mutex);
      if (!data_ready.read()) cv.wait(mutex);  // DEFECT: a wake-up is not a promise
      scenario_assert<P>(data_ready.read(), "the consumer goes on only once data_ready is true");
      data_ready.write() = false;
      ++consumed.write();
    }
  }
  void check() { scenario_assert<P>(consumed.read() == kRounds, "the consumer took every round"); }
};

template <class P>
struct ConditionNoPredicate : ConditionBase<P> {
  static constexpr ScenarioInfo info{
      "condition/no_predicate",
      "Method 3",
      "the consumer waits without checking `data_ready` first; the producer may notify first",
      "check the predicate under the lock before waiting",
      "models/scenarios/condition.hpp",
      {Verdict::deadlock},
      {Verdict::hang, true},
      {Verdict::hang, true}};
  void thread(unsigned i) {
    this->rounds(
        i, [this] { this->produce(); },
        [this] {
          this->condition.wait();  // DEFECT: if the producer already notified, nobody will again
        });
  }
};

template <class P>
struct ConditionUnlockedWrite : ConditionBase<P> {
  static constexpr ScenarioInfo info{"condition/unlocked_write",
                                     "Method 3",
                                     "`data_ready = true` written outside the lock",
                                     "write it under the lock",
                                     "models/scenarios/condition.hpp",
                                     {Verdict::data_race},
                                     {Verdict::none},
                                     {Verdict::data_race}};
  void thread(unsigned i) {
    this->rounds(
        i,
        [this] {
          this->data_ready.write() = true;  // DEFECT: the consumer reads it under the lock
          std::lock_guard<BasicCondition<P>> hold(this->condition);
          this->condition.notify();
        },
        [this] {
          while (!this->data_ready.read()) this->condition.wait();
        });
  }
};

/// A bounded buffer of one slot: one producer, two consumers, and one Condition for "not full"
/// and "not empty" alike.
template <class P>
struct ConditionNotifyWrongWaiter {
  static constexpr ScenarioInfo info{
      "condition/notify_wrong_waiter",
      "Common mistake 3 (overusing one Condition)",
      "bounded buffer, one Condition shared by producers and consumers, `notify()` wakes a thread "
      "of the same role",
      "two Conditions, or `notify_all()`",
      "models/scenarios/condition.hpp",
      {Verdict::deadlock},
      {Verdict::hang, true},
      {Verdict::hang, true}};
  static constexpr unsigned threads = 3;  // 0 produces, 1 and 2 consume
  static constexpr int kCapacity = 1;
  static constexpr int kItemsPerConsumer = P::is_model_checker ? 1 : 500;

  BasicCondition<P> condition;
  typename P::template Var<int> count{0};  // items in the buffer
  typename P::template Var<int> taken{0};

  void thread(unsigned i) {
    if (i == 0) {
      for (int n = 0; n < 2 * kItemsPerConsumer; ++n) {
        std::lock_guard<BasicCondition<P>> hold(condition);
        while (count.read() == kCapacity) condition.wait();
        ++count.write();
        condition.notify();  // wakes the first waiter; only consumers can be waiting now
      }
      return;
    }
    for (int n = 0; n < kItemsPerConsumer; ++n) {
      std::lock_guard<BasicCondition<P>> hold(condition);
      while (count.read() == 0) condition.wait();
      --count.write();
      ++taken.write();
      condition.notify();  // DEFECT: meant for the producer, may wake the other consumer
    }
  }
  void check() { scenario_assert<P>(taken.read() == 2 * kItemsPerConsumer, "every item was taken"); }
};

template <class P>
struct ConditionWaitUnlocked {
  static constexpr ScenarioInfo info{"condition/wait_unlocked",
                                     "Condition contract",
                                     "`wait()` without holding the lock",
                                     "acquire first",
                                     "models/scenarios/condition.hpp",
                                     {Verdict::error},
                                     {Verdict::error},
                                     {Verdict::error}};
  static constexpr unsigned threads = 2;  // 0 produces, 1 consumes

  BasicCondition<P> condition;
  typename P::template Var<bool> data_ready{false};

  void thread(unsigned i) {
    if (i == 0) {
      std::lock_guard<BasicCondition<P>> hold(condition);
      data_ready.write() = true;
      condition.notify();
      return;
    }
    condition.wait();  // DEFECT: no `with condition:` around it -> UnacquiredConditionUse
  }
  void check() {}
};

}  // namespace itc::models::scenarios
