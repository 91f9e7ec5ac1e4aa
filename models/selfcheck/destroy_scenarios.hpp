// models/selfcheck/destroy_scenarios.hpp — signal, then the waiter destroys the primitive.
//
// The completion pattern: a thread waits for a signal and destroys the primitive as soon as its
// wait returns (`done.wait(); delete &done;`, `q.join();` then the queue goes away). It is a
// correct program for POSIX mutexes and semaphores and for Python objects, so it must be one
// for itc: the signalling side may touch nothing of the object after the atomic step that lets
// the waiter return. Each scenario heap-allocates one primitive in its constructor, thread 0
// waits on it and `delete`s it the moment the wait returns, the other thread(s) signal it.
//
// Under Relacy `new` and `delete` are Relacy's macros (this header is included after
// relacy.hpp): the deleted primitive's rl::atomic / rl::mutex / rl::condition_variable members
// are dead, and any later access by the signaller fails their signature check, "ACCESS TO
// FREED MEMORY" (model_check.hpp maps it to `crash`). On real threads (the stress runner) the
// same body runs; a late access there goes unnoticed unless it corrupts something, so the
// stress verdict is expected to stay `pass` either way (the ASan test
// primitives/tests/destroy_after_wake_test.cpp is the real-thread detector). The scenario
// object itself, which the runners own, is never destroyed early: only the primitive is.
//
// Every wait here is bounded by the program's logic (the signal always comes), and every path
// deletes the primitive exactly once, so Relacy's leak check holds too.
#pragma once

#include <chrono>

#include "itc/barrier.hpp"
#include "itc/condition.hpp"
#include "itc/errors.hpp"
#include "itc/event.hpp"
#include "itc/lock.hpp"
#include "itc/models/scenario.hpp"
#include "itc/queue.hpp"
#include "itc/semaphore.hpp"
#include "selfcheck_scenarios.hpp"

namespace itc::models::selfcheck {

/// Source of a destroy scenario: the primitive's header holds the defect, if any.
constexpr ScenarioInfo destroy_check(std::string_view id, std::string_view source) {
  return self_check(id, "signal, then the waiter destroys the primitive (completion pattern)", source);
}

// ---- Event ----------------------------------------------------------------------------------

/// set() -> wait(); the waiter deletes the Event.
template <class P>
struct DestroyEventSetWait {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/event_set_wait", "primitives/include/itc/event.hpp");
  static constexpr unsigned threads = 2;  // 0 waits and deletes, 1 sets

  BasicEvent<P>* e = new BasicEvent<P>();

  void thread(unsigned i) {
    if (i == 1) {
      e->set();
      return;
    }
    scenario_assert<P>(e->wait(), "wait() returns true once set");
    delete e;
  }
  void check() {}
};

/// set() -> wait(timeout): the timed wait either sees the set() or times out (the model may
/// time it out at any point), and then an untimed wait() does.
template <class P>
struct DestroyEventSetTimedWait {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/event_set_timed_wait", "primitives/include/itc/event.hpp");
  static constexpr unsigned threads = 2;

  BasicEvent<P>* e = new BasicEvent<P>();

  void thread(unsigned i) {
    if (i == 1) {
      e->set();
      return;
    }
    if (!e->wait(std::chrono::milliseconds(10)))
      scenario_assert<P>(e->wait(), "wait() returns true once set");
    delete e;
  }
  void check() {}
};

// ---- Semaphore / BoundedSemaphore ------------------------------------------------------------

/// release() -> acquire() on Semaphore(0).
template <class P>
struct DestroySemaphoreReleaseAcquire {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/semaphore_release_acquire", "primitives/include/itc/semaphore.hpp");
  static constexpr unsigned threads = 2;

  BasicSemaphore<P>* s = new BasicSemaphore<P>(0);

  void thread(unsigned i) {
    if (i == 1) {
      s->release();
      return;
    }
    scenario_assert<P>(s->acquire(), "acquire() takes the released permit");
    delete s;
  }
  void check() {}
};

/// release(2) -> two acquire()s on Semaphore(0); the second one's return allows the delete.
template <class P>
struct DestroySemaphoreReleaseN {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/semaphore_release_n", "primitives/include/itc/semaphore.hpp");
  static constexpr unsigned threads = 2;

  BasicSemaphore<P>* s = new BasicSemaphore<P>(0);

  void thread(unsigned i) {
    if (i == 1) {
      s->release(2);
      return;
    }
    s->acquire();
    s->acquire();
    delete s;
  }
  void check() {}
};

/// release() -> acquire(timeout) on a BoundedSemaphore(1) whose permit thread 0 took first
/// (the release must follow that take, or it would exceed the bound: thread 1 waits for it).
template <class P>
struct DestroyBoundedSemaphoreReleaseAcquire {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/bounded_semaphore_release_acquire", "primitives/include/itc/semaphore.hpp");
  static constexpr unsigned threads = 2;

  BasicBoundedSemaphore<P>* s = new BasicBoundedSemaphore<P>(1);
  BasicEvent<P> taken;  // harness: outlives the semaphore

  void thread(unsigned i) {
    if (i == 1) {
      taken.wait();
      s->release();
      return;
    }
    scenario_assert<P>(s->acquire(false), "the initial permit is free");
    taken.set();
    if (!s->acquire(std::chrono::milliseconds(10))) s->acquire();
    delete s;
  }
  void check() {}
};

// ---- Lock / RLock -----------------------------------------------------------------------------

/// Lock held by thread 0; thread 1 releases it (any thread may), thread 0's second acquire()
/// takes it and deletes the Lock (destroying a held Lock is legal).
template <class P>
struct DestroyLockReleaseAcquire {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/lock_release_acquire", "primitives/include/itc/lock.hpp");
  static constexpr unsigned threads = 2;

  BasicLock<P>* l = new BasicLock<P>();
  BasicEvent<P> held;  // harness: outlives the lock

  void thread(unsigned i) {
    if (i == 1) {
      held.wait();
      l->release();
      return;
    }
    l->acquire();
    held.set();
    l->acquire();
    delete l;
  }
  void check() {}
};

/// The same with a timed acquire that may time out first (its last try can take the lock
/// release() just freed), then a blocking one.
template <class P>
struct DestroyLockReleaseTimedAcquire {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/lock_release_timed_acquire", "primitives/include/itc/lock.hpp");
  static constexpr unsigned threads = 2;

  BasicLock<P>* l = new BasicLock<P>();
  BasicEvent<P> held;

  void thread(unsigned i) {
    if (i == 1) {
      held.wait();
      l->release();
      return;
    }
    l->acquire();
    held.set();
    if (!l->acquire(std::chrono::milliseconds(10))) l->acquire();
    l->release();
    delete l;
  }
  void check() {}
};

/// RLock: thread 1 owns it and releases it while thread 0 blocks in acquire(); thread 0 takes
/// it, releases it and deletes it.
template <class P>
struct DestroyRLockReleaseAcquire {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/rlock_release_acquire", "primitives/include/itc/lock.hpp");
  static constexpr unsigned threads = 2;

  BasicRLock<P>* r = new BasicRLock<P>();
  BasicEvent<P> held;

  void thread(unsigned i) {
    if (i == 1) {
      r->acquire();
      held.set();
      r->release();
      return;
    }
    held.wait();
    r->acquire();
    r->release();
    delete r;
  }
  void check() {}
};

// ---- Condition -------------------------------------------------------------------------------

/// Python's pattern: `with c: while not flag: c.wait()` against `with c: flag = True;
/// c.notify()`. The notifier releases the lock after notifying; the waiter returns from wait()
/// holding it, releases it and deletes the shared state (the Condition, and the lock it uses).
template <class P, class Shared, bool kNotifyAll>
struct ConditionNotifyThenDestroy {
  static constexpr unsigned threads = 2;
  Shared* s = new Shared();

  void thread(unsigned i) {
    if (i == 1) {
      s->c.acquire();
      s->flag.write() = true;
      if constexpr (kNotifyAll) {
        s->c.notify_all();
      } else {
        s->c.notify();
      }
      s->c.release();
      return;
    }
    s->c.acquire();
    while (!s->flag.read()) s->c.wait();
    s->c.release();
    delete s;
  }
  void check() {}
};

template <class P>
struct ConditionOwningItsRLock {
  BasicCondition<P> c;
  typename P::template Var<bool> flag{false};
};

template <class P>
struct ConditionOverUserLock {
  BasicLock<P> lock;
  BasicCondition<P> c{lock};
  typename P::template Var<bool> flag{false};
};

/// A default Condition (it owns its RLock), woken by notify().
template <class P>
struct DestroyConditionNotifyWait : ConditionNotifyThenDestroy<P, ConditionOwningItsRLock<P>, false> {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/condition_notify_wait", "primitives/include/itc/condition.hpp");
};

/// The same over a user Lock, woken by notify_all(); the lock and the condition are deleted
/// together.
template <class P>
struct DestroyConditionOverLock : ConditionNotifyThenDestroy<P, ConditionOverUserLock<P>, true> {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/condition_over_lock", "primitives/include/itc/condition.hpp");
};

// ---- Barrier ---------------------------------------------------------------------------------

/// Two parties; thread 0 (the last arriver or the waiting one) deletes the barrier as soon as
/// its wait() returns.
template <class P>
struct DestroyBarrierTwoParties {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/barrier_two_parties", "primitives/include/itc/barrier.hpp");
  static constexpr unsigned threads = 2;

  BasicBarrier<P>* b = new BasicBarrier<P>(2);

  void thread(unsigned i) {
    (void)b->wait();
    if (i == 0) delete b;
  }
  void check() {}
};

/// Three parties; thread 0 deletes it when its wait() returns, whether it arrived last or
/// returns first among the woken.
template <class P>
struct DestroyBarrierThreeParties {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/barrier_three_parties", "primitives/include/itc/barrier.hpp");
  static constexpr unsigned threads = 3;

  BasicBarrier<P>* b = new BasicBarrier<P>(3);

  void thread(unsigned i) {
    (void)b->wait();
    if (i == 0) delete b;
  }
  void check() {}
};

// ---- Queues ----------------------------------------------------------------------------------

/// put() -> get(); the getter deletes the queue.
template <class P, class Q>
struct PutGetDestroy {
  static constexpr unsigned threads = 2;

  Q* q = new Q();

  void thread(unsigned i) {
    if (i == 1) {
      q->put(7);
      return;
    }
    scenario_assert<P>(q->get() == 7, "get() returns the item put");
    delete q;
  }
  void check() {}
};

template <class P>
struct DestroyQueuePutGet : PutGetDestroy<P, BasicQueue<int, P>> {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/queue_put_get", "primitives/include/itc/queue.hpp");
};
template <class P>
struct DestroyLifoQueuePutGet : PutGetDestroy<P, BasicQueue<int, P, LifoOrder<int>>> {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/lifo_queue_put_get", "primitives/include/itc/queue.hpp");
};
template <class P>
struct DestroyPriorityQueuePutGet : PutGetDestroy<P, BasicQueue<int, P, PriorityOrder<int>>> {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/priority_queue_put_get", "primitives/include/itc/queue.hpp");
};
template <class P>
struct DestroySimpleQueuePutGet : PutGetDestroy<P, BasicSimpleQueue<int, P>> {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/simple_queue_put_get", "primitives/include/itc/queue.hpp");
};

/// put() -> get() + task_done() on the other thread -> join(); the joiner deletes the queue.
template <class P>
struct DestroyQueueTaskDoneJoin {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/queue_task_done_join", "primitives/include/itc/queue.hpp");
  static constexpr unsigned threads = 2;

  BasicQueue<int, P>* q = new BasicQueue<int, P>();

  void thread(unsigned i) {
    if (i == 1) {
      (void)q->get();
      q->task_done();
      return;
    }
    q->put(1);
    q->join();
    delete q;
  }
  void check() {}
};

/// shutdown() -> a getter blocked on the empty queue throws ShutDown, then deletes the queue.
template <class P>
struct DestroyQueueShutdownGet {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/queue_shutdown_get", "primitives/include/itc/queue.hpp");
  static constexpr unsigned threads = 2;

  BasicQueue<int, P>* q = new BasicQueue<int, P>();

  void thread(unsigned i) {
    if (i == 1) {
      q->shutdown();
      return;
    }
    bool shut_down = false;
    try {
      (void)q->get();
    } catch (const ShutDown&) {
      shut_down = true;
    }
    scenario_assert<P>(shut_down, "get() on an empty, shut-down queue throws ShutDown");
    delete q;
  }
  void check() {}
};

/// shutdown(immediate) -> join(): the dropped item counts as done, join() returns, and the
/// joiner deletes the queue. (If the shutdown comes first, put() throws ShutDown and join()
/// has nothing to wait for.)
template <class P>
struct DestroyQueueShutdownJoin {
  static constexpr ScenarioInfo info =
      destroy_check("destroy/queue_shutdown_join", "primitives/include/itc/queue.hpp");
  static constexpr unsigned threads = 2;

  BasicQueue<int, P>* q = new BasicQueue<int, P>();

  void thread(unsigned i) {
    if (i == 1) {
      q->shutdown(true);
      return;
    }
    try {
      q->put(1);
    } catch (const ShutDown&) {
    }
    q->join();
    delete q;
  }
  void check() {}
};

}  // namespace itc::models::selfcheck
