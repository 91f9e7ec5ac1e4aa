// models/scenarios/queue.hpp — "Method 1: producer-consumer with Queue" and its mistakes.
//
// A producer puts items and join()s; a consumer get()s each one and calls task_done(). The
// broken forms forget task_done(), call it twice, never end the consumer, fill a bounded queue
// before any consumer exists, or use a Queue that is itself broken (no lock; `if` not `while`).
#pragma once

#include <string>

#include "itc/broken/queue_if_not_while.hpp"
#include "itc/broken/queue_without_lock.hpp"
#include "itc/event.hpp"
#include "itc/models/scenario.hpp"
#include "itc/queue.hpp"

namespace itc::models::scenarios {

/// "Queue: 3 of 3 tasks never marked done (put 3, task_done 0); 0 queued; blocked: 1 in join()".
template <class Q>
std::string describe_queue(Q& q) {
  const auto s = q.stats();
  std::string text = "Queue: " + std::to_string(s.unfinished) + " of " + std::to_string(s.put_total) +
                     " tasks never marked done (put " + std::to_string(s.put_total) + ", task_done " +
                     std::to_string(s.task_done_total) + "); " + std::to_string(s.queued) +
                     " queued; blocked: " + std::to_string(s.joiners_blocked) + " in join(), " +
                     std::to_string(s.getters_blocked) + " in get(), " + std::to_string(s.putters_blocked) +
                     " in put()";
  if (s.shut_down) text += "; shut down";
  return text;
}

template <class P>
struct QueueBase {
  static constexpr unsigned threads = 2;
  static constexpr int kItems = P::is_model_checker ? 2 : 200;
  static constexpr int kExpectedSum = kItems * (kItems + 1) / 2;  // items are 1..kItems

  BasicQueue<int, P> q;
  typename P::template Var<int> sum{0};  // written by the consumer only

  void produce_and_join() {
    for (int i = 1; i <= kItems; ++i) q.put(i);
    q.join();
  }
  void check() { scenario_assert<P>(sum.read() == kExpectedSum, "the consumer saw every item once"); }

  /// For the stress watchdog: the queue's accounting, as a diagnosis of a hung join().
  std::string describe() { return describe_queue(q); }
};

template <class P>
struct QueueCorrect : QueueBase<P> {
  static constexpr ScenarioInfo info{"queue/correct",
                                     "Method 1, producer-consumer with Queue",
                                     "—",
                                     "—",
                                     "models/scenarios/queue.hpp",
                                     {Verdict::pass},
                                     {Verdict::pass},
                                     {Verdict::pass}};
  void thread(unsigned i) {
    if (i == 0) return this->produce_and_join();
    for (int n = 0; n < this->kItems; ++n) {
      this->sum.write() += this->q.get();
      this->q.task_done();
    }
  }
};

template <class P>
struct QueueMissingTaskDone : QueueBase<P> {
  static constexpr ScenarioInfo info{"queue/missing_task_done",
                                     "Common mistake 2",
                                     "consumer never calls `task_done()`",
                                     "call it once per `get()`",
                                     "models/scenarios/queue.hpp",
                                     {Verdict::deadlock},
                                     {Verdict::hang},
                                     {Verdict::hang}};
  void thread(unsigned i) {
    if (i == 0) return this->produce_and_join();
    for (int n = 0; n < this->kItems; ++n) this->sum.write() += this->q.get();  // DEFECT
  }
};

template <class P>
struct QueueExtraTaskDone : QueueBase<P> {
  static constexpr ScenarioInfo info{"queue/extra_task_done",
                                     "Queue contract",
                                     "`task_done()` twice per item",
                                     "once per item",
                                     "models/scenarios/queue.hpp",
                                     {Verdict::error},
                                     {Verdict::error},
                                     {Verdict::error}};
  void thread(unsigned i) {
    if (i == 0) return this->produce_and_join();
    for (int n = 0; n < this->kItems; ++n) {
      this->sum.write() += this->q.get();
      this->q.task_done();
      this->q.task_done();  // DEFECT
    }
  }
};

template <class P>
struct QueueNoShutdown : QueueBase<P> {
  static constexpr ScenarioInfo info{"queue/no_shutdown",
                                     "Best practice 5 (daemon consumer)",
                                     "consumer loops forever; nothing ends it; the program joins it",
                                     "`shutdown()` or a sentinel (C++ has no daemon threads)",
                                     "models/scenarios/queue.hpp",
                                     {Verdict::deadlock},
                                     {Verdict::hang},
                                     {Verdict::hang}};
  void thread(unsigned i) {
    if (i == 0) return this->produce_and_join();
    for (;;) {  // DEFECT: no way out of this loop
      this->sum.write() += this->q.get();
      this->q.task_done();
    }
  }
};

template <class P>
struct QueueUnlockedQueue {
  static constexpr ScenarioInfo info{"queue/unlocked_queue",
                                     "Common mistake 1, inside the Queue",
                                     "a Queue whose `put`/`get` touch the deque without the lock",
                                     "the reference Queue",
                                     "primitives/include/itc/broken/queue_without_lock.hpp",
                                     {Verdict::data_race},
                                     {Verdict::assertion, true, Verdict::crash, false, Verdict::hang},
                                     {Verdict::data_race}};
  static constexpr unsigned threads = 3;  // two producers, one consumer
  static constexpr int kItemsPerProducer = P::is_model_checker ? 1 : 20000;

  broken::QueueWithoutLock<int, P> q;
  typename P::template Var<long> sum{0};

  void thread(unsigned i) {
    if (i < 2) {
      for (int n = 1; n <= kItemsPerProducer; ++n) q.put(n);
      return;
    }
    for (int n = 0; n < 2 * kItemsPerProducer; ++n) sum.write() += q.get();
  }
  void check() {
    const long expected = 2L * kItemsPerProducer * (kItemsPerProducer + 1) / 2;
    scenario_assert<P>(sum.read() == expected, "every item is delivered exactly once");
  }
};

template <class P>
struct QueueIfNotWhile {
  static constexpr ScenarioInfo info{"queue/if_not_while",
                                     "Condition misuse inside the Queue",
                                     "`get()` waits with `if (empty) wait` instead of `while`; two consumers",
                                     "`while`",
                                     "primitives/include/itc/broken/queue_if_not_while.hpp",
                                     {Verdict::assertion},
                                     {Verdict::assertion, true},
                                     {Verdict::assertion, true}};  // CATALOG.md E5
  static constexpr unsigned threads = 3;                           // one producer, two consumers
  static constexpr int kItemsPerConsumer = P::is_model_checker ? 1 : 20000;

  broken::QueueIfNotWhile<int, P> q;

  void thread(unsigned i) {
    if (i == 0) {
      for (int n = 0; n < 2 * kItemsPerConsumer; ++n) q.put(n);
      return;
    }
    for (int n = 0; n < kItemsPerConsumer; ++n) (void)q.get();
  }
  void check() {}
};

template <class P>
struct QueueFullBeforeConsumer {
  static constexpr ScenarioInfo info{"queue/full_before_consumer",
                                     "bounded Queue",
                                     "`maxsize=1`; the producer puts 2 items before any consumer exists",
                                     "start the consumer first, or put with a timeout",
                                     "models/scenarios/queue.hpp",
                                     {Verdict::deadlock},
                                     {Verdict::hang},
                                     {Verdict::hang}};
  static constexpr unsigned threads = 2;

  BasicQueue<int, P> q{1};
  BasicEvent<P> consumer_started;

  std::string describe() { return describe_queue(q) + "; maxsize 1, consumer not started"; }

  void thread(unsigned i) {
    if (i == 0) {
      q.put(1);
      q.put(2);  // DEFECT: blocks forever, the consumer is only started below
      consumer_started.set();
      return;
    }
    consumer_started.wait();
    (void)q.get();
    (void)q.get();
  }
  void check() {}
};

}  // namespace itc::models::scenarios
