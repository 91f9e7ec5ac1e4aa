// models/scenarios/lock.hpp — "Method 4 with two locks", "Lock vs RLock" and their mistakes.
//
// Two threads move a unit between two accounts, each guarded by its own Lock, holding both. The
// broken forms take the two locks in opposite orders, re-acquire a non-reentrant Lock from a
// helper, or release an RLock from a thread that does not own it.
#pragma once

#include <mutex>

#include "itc/event.hpp"
#include "itc/lock.hpp"
#include "itc/models/scenario.hpp"
#include "lockstep.hpp"

namespace itc::models::scenarios {

template <class P>
struct LockTwoAccounts {
  static constexpr unsigned threads = 2;
  static constexpr int kRounds = P::is_model_checker ? 1 : 2000;

  BasicLock<P> lock_a;
  BasicLock<P> lock_b;
  typename P::template Var<int> account_a{0};  // guarded by lock_a
  typename P::template Var<int> account_b{0};  // guarded by lock_b

  // Thread 0 moves a unit from A to B, thread 1 from B to A; both locks are held.
  void move(unsigned i) {
    if (i == 0) {
      --account_a.write();
      ++account_b.write();
    } else {
      --account_b.write();
      ++account_a.write();
    }
  }
  // Takes `first`, then `second`, and moves thread i's unit while holding both. acquire() is
  // called here, not by the guards (they adopt the held lock), so that the checkers name these
  // two lines exactly: from std::lock_guard, acquire() sees a line of <mutex>, and the checkers
  // must recover the caller from debug info (lock/relock_nonreentrant below relies on that).
  void move_holding(BasicLock<P>& first, BasicLock<P>& second, unsigned i) {
    first.acquire();
    std::lock_guard<BasicLock<P>> hold_first(first, std::adopt_lock);
    second.acquire();
    std::lock_guard<BasicLock<P>> hold_second(second, std::adopt_lock);
    move(i);
  }
  void check() {
    scenario_assert<P>(account_a.read() == 0 && account_b.read() == 0, "no unit is lost or made up");
  }
};

template <class P>
struct LockCorrect : LockTwoAccounts<P> {
  static constexpr ScenarioInfo info{"lock/correct",
                                     "Method 4 with two locks",
                                     "both threads take A then B",
                                     "—",
                                     "models/scenarios/lock.hpp",
                                     {Verdict::pass},
                                     {Verdict::pass},
                                     {Verdict::pass}};
  void thread(unsigned i) {
    for (int r = 0; r < this->kRounds; ++r) {
      this->move_holding(this->lock_a, this->lock_b, i);  // one global order: A, then B
    }
  }
};

template <class P>
struct LockAbba : LockTwoAccounts<P> {
  static constexpr ScenarioInfo info{"lock/abba",
                                     "Disadvantages: risk of deadlocks",
                                     "thread 1 takes A then B, thread 2 takes B then A",
                                     "one global order, or take both at once",
                                     "models/scenarios/lock.hpp",
                                     {Verdict::lock_order_inversion},
                                     {Verdict::hang, true},
                                     {Verdict::lock_order_inversion}};
  // On real threads the first round is taken one thread after the other: both lock orders are
  // then exercised without any chance to deadlock, which is the run ThreadSanitizer reports
  // "even on runs that do not hang" (its lock-order graph sees A->B, then B->A). Without it, a
  // run whose very first round deadlocks never completes a reversed pair and TSan stays silent
  // (measured: 5 of 100 TSan runs). The later rounds overlap freely and hang on real threads.
  // A model checker explores every order anyway, so there the gate does nothing.
  Lockstep<P> first_round_done;

  void thread(unsigned i) {
    // DEFECT: each thread first locks the account it takes from, so the orders are opposite.
    BasicLock<P>& from = i == 0 ? this->lock_a : this->lock_b;
    BasicLock<P>& to = i == 0 ? this->lock_b : this->lock_a;
    if (i == 1) first_round_done.await(0);
    for (int r = 0; r < this->kRounds; ++r) {
      this->move_holding(from, to, i);
      if (i == 0 && r == 0) first_round_done.announce(0);
    }
  }
};

/// Both threads add to a shared list through add(), which holds the Lock and calls a helper
/// that takes the same Lock again.
template <class P>
struct LockRelockNonreentrant {
  static constexpr ScenarioInfo info{"lock/relock_nonreentrant",
                                     "Lock vs RLock",
                                     "a function holding a Lock calls another that takes it again",
                                     "RLock",
                                     "models/scenarios/lock.hpp",
                                     {Verdict::deadlock},
                                     {Verdict::hang},
                                     {Verdict::hang}};
  static constexpr unsigned threads = 2;

  BasicLock<P> lock;
  typename P::template Var<int> size{0};
  typename P::template Var<int> last_logged{0};

  void log_size() {
    std::lock_guard<BasicLock<P>> hold(lock);
    last_logged.write() = size.read();
  }
  void add() {
    std::lock_guard<BasicLock<P>> hold(lock);
    ++size.write();
    log_size();  // DEFECT: takes `lock` again while this thread holds it; a Lock is not reentrant
  }

  void thread(unsigned) { add(); }
  void check() { scenario_assert<P>(size.read() == static_cast<int>(threads), "every add() happened"); }
};

/// Thread 0 acquires, works, and leaves the release to thread 1 — a hand-off that works with a
/// Lock (nobody owns it) but not with an RLock (only its owner may release it).
template <class P>
struct LockReleaseUnowned {
  static constexpr ScenarioInfo info{"lock/release_unowned",
                                     "RLock contract",
                                     "a thread releases an RLock it does not own",
                                     "—",
                                     "models/scenarios/lock.hpp",
                                     {Verdict::error},
                                     {Verdict::error},
                                     {Verdict::error}};
  static constexpr unsigned threads = 2;

  BasicRLock<P> lock;
  BasicEvent<P> handed_over;
  typename P::template Var<int> work{0};

  void thread(unsigned i) {
    if (i == 0) {
      lock.acquire();
      ++work.write();
      handed_over.set();  // "thread 1 will release it"
      return;
    }
    handed_over.wait();
    lock.release();  // DEFECT: thread 1 does not own the RLock -> UnacquiredLockRelease
  }
  void check() {}
};

}  // namespace itc::models::scenarios
