// itc/barrier.hpp — threading.Barrier.
//
// A cyclic barrier for a fixed number of parties. Each wait() blocks until `parties` threads have
// called it; then one of them runs the optional action, and all are released together. The
// barrier is then reused for the next round.
//
//   BasicBarrier<P>(parties, action = {}, timeout = none)
//                        InvalidArgument "parties must be > 0" if parties < 1. `timeout` is the
//                        default for wait() without an argument.
//   wait() / wait(timeout)
//                        returns this thread's index in 0..parties-1, distinct per round. Throws
//                        BrokenBarrierError if the barrier is or becomes broken: abort(), reset()
//                        while waiting, a timeout (of any waiter; timeout <= 0 breaks at once
//                        unless this thread completes the round), or an action that throws (that
//                        exception propagates in the thread that ran the action; the others get
//                        BrokenBarrierError).
//   reset()              back to the empty state; current waiters get BrokenBarrierError
//   abort()              break the barrier; current and future wait()s throw until reset()
//   parties(), n_waiting(), broken()   snapshots
//
// A timed-out waiter breaks the barrier only while its round is still filling: if the last
// party arrives before the timed-out thread has broken it, the round completes and that thread
// returns its index as well (CPython's wait_for re-checks its predicate under the lock after the
// timeout). A reset() or abort() while the round is filling releases its waiters with
// BrokenBarrierError; once a round has completed, its parties return their indices whatever
// happens next (in CPython an abort() right after a round completed can still make a party of
// that round that has not woken up yet raise; itc gives the outcome CPython gives when that
// party woke first).
//
// Design (why it is not CPython's). CPython has one condition variable and two phases: the last
// arrival notify_all()s (filling → draining), and the last party to *leave* notify_all()s again
// (draining → filling), while an arrival of the next round sleeps until the drain is over. That
// is a second broadcast and a second sleep per round. Here nobody waits for a round to drain:
//
//   - every waiter links a Node on its own stack into the round's list, under the mutex:
//     { word, handed, next }. `word` is an atomic the waiter alone waits on: waiting → claimed →
//     released | broken, or waiting → timing_out; a "parked" bit says it sleeps on the word;
//   - the last arrival runs the action under the mutex, then *detaches* the list: it claims each
//     node (compare-exchange waiting → claimed) and starts the next round at once (count 0).
//     It unlocks, and only then walks the claimed nodes: for each it reads `next`, then
//     exchanges the word to released (release order) and, if the waiter parked, unparks it by
//     the word's address. After that exchange it never touches that node again (its owner may
//     return and pop its stack frame), and after the unlock it never touches the barrier;
//   - a waiter polls its own word, and then parks on it (P::park), with the deadline while its
//     node is merely waiting. How it polls depends on whether the parties fit on the CPUs:
//       * parties <= CPUs (P::cpu_count()): it spins up to 20 µs (detail/spin.hpp, as
//         Event does) and parks. It does not yield: Linux's EEVDF scheduler answers
//         sched_yield() by pushing the caller's deadline back a whole slice, so next to a busy
//         process each yield costs milliseconds;
//       * more parties than CPUs: the parties still to arrive need the CPUs the waiters hold,
//         so it spins only 0.5 µs, then yields up to 16 times, polling after each, and parks.
//         A yield that kept it off the CPU for more than 200 µs gave the CPU to some other
//         process for a slice: it sets `slow_yield` in its node and parks, and the detacher,
//         finding that flag, makes the next 256 rounds park after the spin without yielding
//         (then yields are tried again).
//     Measured on a 2-vCPU Xeon (family 6 model 207), µs a round: 2 parties, median of 5 runs
//     of stress/bench barrier/round2; 3, 4 and 8 parties, the range of 2–3 direct runs of
//     20,000 rounds quiet and 2,000 next to two `yes > /dev/null` (stress/bench/README.md):
//         parties, condition   0.5 µs spin + 16 yields   20 µs spin, park   this rule   textbook
//         2, quiet             6.8                       0.55               the spin    48
//         2, 2 × yes           1,984                     1.5                the spin    90
//         3, quiet             1.6–2.0                   34–42              2.0–2.4     40–61
//         4, quiet             2.5–3.9                   44–56              3.4–4.4     40–61
//         8, quiet             6.7–8.2                   82–97              8.7–8.8     40–61
//         3, 2 × yes           3.4–2,289                 46–92              2.8–154     6.6–111
//         4, 2 × yes           5.0–54                    75–123             150–168     12–128
//         8, 2 × yes           2,359–2,459               249–309            236–305     50–247
//     So the spin wins while the parties fit and the yields win when they do not, unless
//     another process takes the CPU they give away: then the slow-yield rule keeps a round
//     within about 1.5× of the textbook's slowest, instead of a slice of milliseconds.
//     std::barrier, which yields without such a rule, took 1.8–3 ms a round with 2 parties
//     next to `yes`.
//   - on timeout the waiter moves its word waiting → timing_out (a compare-exchange that races
//     the claim: exactly one of the two wins) and takes the mutex. If its node is still linked,
//     it breaks the barrier like abort(); if a detacher got there first (it found the word
//     timing_out), that detacher has written the node's outcome to `handed` under the mutex
//     and left the word alone, and the waiter takes that outcome;
//   - reset() and abort() detach the list the same way with the outcome "broken"; reset() then
//     leaves the barrier filling, abort() leaves it broken. A throwing action breaks it too.
//
// Memory ordering: everything each party wrote before wait() is visible to every party after
// wait() returns, and to the action. A waiter's writes reach the last arrival through the mutex
// (it linked its node under it); the last arrival's, the action's and, transitively, every
// earlier party's writes reach each waiter through the release exchange of its word, which the
// waiter reads with acquire. The claim needs no ordering of its own: it runs under the mutex and
// only decides who publishes the outcome. A timing_out waiter reads `handed` under the mutex.
//
// Destruction: any party may destroy the barrier as soon as its own wait() has returned, even
// though the other parties of that round may still be on their way out of wait(). A released
// waiter touches nothing of the barrier after the word it waits on changed, and the thread that
// released it touches nothing of it after unlocking. The only exception is a timed-out waiter
// whose outcome was handed to it: it still needs the mutex. The detacher counts such threads
// (`pending_`, under the mutex, before it unlocks), and the destructor waits until that count
// and the number of threads blocked in the current round are 0. Destroying a barrier while a
// thread waits in a round that can no longer fill blocks the destructor until that waiter's
// timeout breaks the round (forever without a timeout; undefined for std::barrier as well).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>

#include "itc/detail/deadline.hpp"
#include "itc/detail/spin.hpp"
#include "itc/errors.hpp"
#include "itc/platform/lock_guard.hpp"
#include "itc/platform/std_platform.hpp"

namespace itc {

template <class P = StdPlatform>
class BasicBarrier {
 public:
  using platform_type = P;
  using clock = typename P::Clock;
  using duration = std::chrono::nanoseconds;

  explicit BasicBarrier(std::ptrdiff_t parties, std::function<void()> action = {},
                        std::optional<duration> timeout = std::nullopt)
      : parties_(check_parties(parties)),
        oversubscribed_(more_parties_than_cpus(parties_)),
        action_(std::move(action)),
        default_timeout_(timeout) {}
  /// Waits until no thread is blocked in the current round and no timed-out thread still has to
  /// collect its outcome (see "Destruction" above).
  ~BasicBarrier() {
    detail::MutexGuard guard(mutex_);
    destroying_.write() = true;
    while (count_.read() > 0 || pending_.read() > 0) cv_.wait(mutex_);
  }
  BasicBarrier(const BasicBarrier&) = delete;
  BasicBarrier& operator=(const BasicBarrier&) = delete;

  /// Waits for the round to fill, using the constructor's timeout if it had one.
  std::size_t wait() {
    if (default_timeout_) return wait(*default_timeout_);
    return wait_impl(nullptr);
  }

  /// Waits at most `timeout` for the round to fill; on expiry breaks the barrier and throws.
  template <class Rep, class Period>
  std::size_t wait(std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = detail::deadline_after<clock>(timeout);
    return wait_impl(&deadline);
  }

  /// Returns the barrier to the empty state; threads waiting now get BrokenBarrierError.
  void reset() {
    Node* detached = nullptr;
    {
      detail::MutexGuard guard(mutex_);
      detached = detach_locked(kBroken);
      broken_.write() = false;
    }
    deliver(detached, kBroken);
  }

  /// Breaks the barrier: current and later wait()s throw BrokenBarrierError until reset().
  void abort() {
    Node* detached = nullptr;
    {
      detail::MutexGuard guard(mutex_);
      detached = break_locked();
    }
    deliver(detached, kBroken);
  }

  [[nodiscard]] std::size_t parties() const { return parties_; }

  /// Threads blocked in the current round (0 while broken).
  [[nodiscard]] std::size_t n_waiting() {
    detail::MutexGuard guard(mutex_);
    return count_.read();
  }

  [[nodiscard]] bool broken() {
    detail::MutexGuard guard(mutex_);
    return broken_.read();
  }

 private:
  // Node::word: the state in the low bits, plus kParked while the waiter sleeps (or is about to
  // sleep) on the word and must be unparked.
  static constexpr std::uint32_t kWaiting = 0;    // linked, nobody has decided its outcome
  static constexpr std::uint32_t kClaimed = 1;    // detached; released/broken follows soon
  static constexpr std::uint32_t kReleased = 2;   // final: return the index
  static constexpr std::uint32_t kBroken = 3;     // final: throw BrokenBarrierError
  static constexpr std::uint32_t kTimingOut = 4;  // the waiter gave up and heads for the mutex
  static constexpr std::uint32_t kStateMask = 7;
  static constexpr std::uint32_t kParked = 8;
  // The waiting strategy (see "Design"). With more parties than CPUs: a short poll, then up to
  // kYieldsBeforePark yields; a yield that keeps the waiter off its CPU for longer than
  // kSlowYield gave the CPU to another process, and the next kRoundsWithoutYields rounds park
  // after the poll instead.
  static constexpr std::chrono::nanoseconds kShortSpin{500};
  static constexpr int kYieldsBeforePark = 16;
  static constexpr std::chrono::microseconds kSlowYield{200};
  static constexpr std::size_t kRoundsWithoutYields = 256;

  /// A waiting party, on its own stack.
  struct Node {
    typename P::template Atomic<std::uint32_t> word{kWaiting};
    // Written under the barrier's mutex: by the waiter (next, when it links the node) and by a
    // detacher (next, to chain the claimed nodes; handed, for a timing_out node).
    typename P::template Var<Node*> next{nullptr};
    typename P::template Var<std::uint32_t> handed{kWaiting};  // kReleased / kBroken once detached
    // Set by the waiter when one of its yields was slow; read by the detacher under the mutex.
    typename P::template Atomic<bool> slow_yield{false};
  };

  /// Whether waiters should give their CPU to the parties still to arrive (see "Design"). Never
  /// under a model checker, where nothing spins, nor on a platform that cannot count CPUs.
  static bool more_parties_than_cpus(std::size_t parties) {
    if constexpr (P::is_model_checker) {
      return false;
    } else if constexpr (requires { P::cpu_count(); }) {
      return parties > P::cpu_count();
    } else {
      return false;
    }
  }

  static std::size_t check_parties(std::ptrdiff_t parties) {
    if (parties < 1) throw InvalidArgument("parties must be > 0");
    return static_cast<std::size_t>(parties);
  }

  std::size_t wait_impl(const typename clock::time_point* deadline) {
    Node me;
    std::size_t index = 0;
    bool last = false;
    Node* detached = nullptr;
    std::exception_ptr error;
    // How this thread will wait, decided while it may still read the barrier: after the unlock
    // a waiter touches nothing of it but its own node (see "Destruction").
    bool oversubscribed = false;
    bool may_yield = false;
    {
      detail::MutexGuard guard(mutex_);
      if (broken_.read()) throw BrokenBarrierError();
      oversubscribed = oversubscribed_;
      may_yield = oversubscribed && rounds_without_yields_.read() == 0;
      index = count_.read();
      last = index + 1 == parties_;
      if (!last) {
        me.next.write() = head_.read();
        head_.write() = &me;
        count_.write() = index + 1;
      } else {
        // The last arrival runs the action with the mutex held (as CPython does): no timed-out
        // waiter can break the round meanwhile, and an action that throws breaks it instead.
        if (action_) {
          try {
            action_();
          } catch (...) {
            error = std::current_exception();
          }
        }
        detached = error ? break_locked() : detach_locked(kReleased);
      }
    }
    if (last) {
      // The barrier may be destroyed from here on by any released party: nodes only.
      deliver(detached, error ? kBroken : kReleased);
      if (error) std::rethrow_exception(error);
      return index;
    }
    if (await(me, deadline, oversubscribed, may_yield) == kReleased) return index;
    throw BrokenBarrierError();
  }

  /// A linked waiter: spins, then parks on its own word until a detacher publishes its outcome
  /// (kReleased or kBroken). On timeout it settles the race with the detacher on the word; the
  /// loser of that race defers to the winner.
  std::uint32_t await(Node& me, const typename clock::time_point* deadline, bool oversubscribed,
                      bool may_yield) {
    const auto final_state = [](std::uint32_t w) {
      const std::uint32_t s = w & kStateMask;
      return s == kReleased || s == kBroken;
    };
    std::uint32_t w = kWaiting;
    // acquire: the detacher's exchange publishes the round (see "Memory ordering").
    const auto ready = [&] {
      w = me.word.load(std::memory_order_acquire);
      return final_state(w);
    };
    if constexpr (!P::is_model_checker) {
      // Spins, yields if there are more parties than CPUs, then parks (see "Design").
      auto budget = detail::spin_budget<P>(deadline);
      if (oversubscribed) budget = std::min(budget, std::chrono::nanoseconds(kShortSpin));
      if (detail::spin_until<P>(ready, budget)) return w & kStateMask;
      for (int i = 0; may_yield && i < kYieldsBeforePark; ++i) {
        const auto before = clock::now();
        if (deadline != nullptr && before >= *deadline) break;
        P::yield();
        if (ready()) return w & kStateMask;
        if (clock::now() - before > kSlowYield) {
          // Another process had the CPU: tell the detacher, which stops the yields for a while.
          me.slow_yield.store(true, std::memory_order_relaxed);
          break;
        }
      }
    }
    w = me.word.load(std::memory_order_acquire);
    for (;;) {
      if (final_state(w)) return w & kStateMask;
      const bool claimed = (w & kStateMask) == kClaimed;  // the outcome is on its way: no deadline
      if (!claimed && deadline != nullptr && clock::now() >= *deadline) {
        // Gives up, unless a detacher claimed the node first (then the CAS fails and we wait
        // for the outcome it is about to publish).
        if (me.word.compare_exchange_strong(w, kTimingOut, std::memory_order_acquire)) return time_out(me);
        continue;
      }
      if ((w & kParked) == 0) {
        // Announce the sleep in the word, so that the detacher's exchange knows to unpark us.
        if (!me.word.compare_exchange_strong(w, w | kParked, std::memory_order_acquire)) continue;
        w |= kParked;
      }
      (void)P::park(me.word, w, claimed ? nullptr : deadline);  // a timeout is seen above
      w = me.word.load(std::memory_order_acquire);
    }
  }

  /// The waiter has moved its word to kTimingOut: nobody will change that word any more. Under
  /// the mutex, either its node is still linked (it breaks the barrier, CPython's timeout
  /// rule) or a detacher already handed it its outcome (and counted it in pending_).
  std::uint32_t time_out(Node& me) {
    Node* detached = nullptr;
    std::uint32_t outcome = kBroken;
    {
      detail::MutexGuard guard(mutex_);
      // Still linked: break the round. break_locked() hands this node kBroken like any other
      // timing_out node and counts it in pending_, so the code below is the same either way.
      if (me.handed.read() == kWaiting) detached = break_locked();
      outcome = me.handed.read();
      --pending_.write();
      notify_destructor_locked();
    }
    deliver(detached, kBroken);
    return outcome;
  }

  /// Detaches the current round's waiters with `outcome` and starts a new, empty round. Claimed
  /// nodes come back as a chain for deliver(), to be completed after the unlock; a node already
  /// timing_out gets its outcome in `handed` now and is counted in pending_ (its thread still
  /// needs the mutex, so the destructor must wait for it).
  Node* detach_locked(std::uint32_t outcome) ITC_REQUIRES(mutex_) {
    Node* chain = nullptr;
    bool saw_slow_yield = false;
    Node* n = head_.read();
    while (n != nullptr) {
      Node* const following = n->next.read();
      // relaxed: under the mutex; the race with the waiter's compare-exchanges is settled by
      // the word's modification order alone.
      std::uint32_t w = n->word.load(std::memory_order_relaxed);
      if constexpr (!P::is_model_checker) {
        // relaxed: a hint; a slow yield reported after this read counts in no round.
        if (n->slow_yield.load(std::memory_order_relaxed)) saw_slow_yield = true;
      }
      for (;;) {
        if ((w & kStateMask) == kTimingOut) {
          n->handed.write() = outcome;
          ++pending_.write();
          break;
        }
        if (n->word.compare_exchange_strong(w, kClaimed | (w & kParked), std::memory_order_relaxed)) {
          n->next.write() = chain;
          chain = n;
          break;
        }
      }
      n = following;
    }
    head_.write() = nullptr;
    count_.write() = 0;
    if constexpr (!P::is_model_checker) {
      if (saw_slow_yield) {
        rounds_without_yields_.write() = kRoundsWithoutYields;
      } else if (rounds_without_yields_.read() > 0) {
        --rounds_without_yields_.write();
      }
    }
    notify_destructor_locked();
    return chain;
  }

  Node* break_locked() ITC_REQUIRES(mutex_) {
    broken_.write() = true;
    return detach_locked(kBroken);
  }

  /// Wakes the destructor if it waits and no thread needs the barrier any more.
  void notify_destructor_locked() ITC_REQUIRES(mutex_) {
    if (destroying_.read() && count_.read() == 0 && pending_.read() == 0) cv_.notify_all();
  }

  /// Publishes `outcome` to each claimed node of `chain`, after the mutex was released. Touches
  /// only the nodes, never the barrier (static), and each node only up to its exchange.
  static void deliver(Node* chain, std::uint32_t outcome) {
    while (chain != nullptr) {
      Node* const n = chain;
      chain = n->next.read();  // before the exchange: afterwards the node may be gone
      // release: publishes the round (the action's and every party's writes) to the waiter.
      const std::uint32_t old = n->word.exchange(outcome, std::memory_order_release);
      if ((old & kParked) != 0) P::unpark_one(&n->word);  // address only: n may be gone
    }
  }

  const std::size_t parties_;
  const bool oversubscribed_;  // more parties than CPUs: waiters yield (see "Design")
  std::function<void()> action_;
  const std::optional<duration> default_timeout_;
  typename P::Mutex mutex_;
  typename P::CondVar cv_;  // only the destructor waits on it
  // The current round's waiters (their nodes, newest first) and how many there are.
  typename P::template Var<Node*> head_ ITC_GUARDED_BY(mutex_){nullptr};
  typename P::template Var<std::size_t> count_ ITC_GUARDED_BY(mutex_){0};
  typename P::template Var<bool> broken_ ITC_GUARDED_BY(mutex_){false};
  // Timed-out threads that were handed their outcome and have yet to collect it.
  typename P::template Var<std::size_t> pending_ ITC_GUARDED_BY(mutex_){0};
  typename P::template Var<bool> destroying_ ITC_GUARDED_BY(mutex_){false};
  // Rounds left in which waiters park without yielding, after a slow yield was seen.
  typename P::template Var<std::size_t> rounds_without_yields_ ITC_GUARDED_BY(mutex_){0};
};

using Barrier = BasicBarrier<>;

}  // namespace itc
