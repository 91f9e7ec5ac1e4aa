// itc/models/relacy_platform.hpp — the Platform that runs itc primitives under Relacy.
//
// Relacy (Debian's relacy-dev) executes a test's threads as fibers under its own scheduler and
// explores their interleavings: random, context-bounded, or exhaustive. Every itc primitive
// compiles against RelacyPlatform unchanged, because this file models the same concept as
// StdPlatform (see itc/platform/std_platform.hpp):
//
//   Mutex      rl::mutex: lock/unlock are scheduling points; double lock and foreign unlock are
//              reported by Relacy
//   CondVar    Relacy's condition variable. An untimed wait may wake spuriously, up to
//              SpuriousWakeups::per_wait times per thread and condition variable in an execution
//              (default 1): the wake-up is a choice made at the wait (see CondVar::wait), in
//              every strategy — random, PCT, bounded and full search — so a missing `while`
//              around a wait is found systematically, with a replayable trace. A timed
//              wait may time out at any point; when it does, the model clock jumps to the
//              deadline (see ModelClock)
//   Atomic<T>  rl::atomic<T> with the std::memory_order mapped to Relacy's: Relacy simulates the
//              C++ memory model, so a relaxed store that "publishes" plain data is a data race
//   park/unpark  Relacy's futex wait set on the rl::atomic (what its futex() uses): a parked
//              thread is blocked for deadlock detection, a timed park may time out as a
//              scheduling choice (a park never wakes spuriously in the model). unpark names
//              the word by address only and finds it in a table of live parked-on words, so an
//              unpark after the waiter destroyed the object is the no-op it is on real threads —
//              while any *other* access to the destroyed object is still reported by Relacy
//              ("access to freed memory")
//   Var<T>     the value plus an rl::var<int> shadow that is read or written on every access, so
//              Relacy reports unsynchronised access to *any* T (a std::deque included)
//   ThreadId   1 + Relacy's thread index (0 = nobody)
//   on_lock    itc::Lock / RLock events (itc/platform/lock_events.hpp) feed the lock-order graph
//              (LockOrder below) and the table of which lock each thread holds and waits for,
//              printed after a deadlock (the `locks` block, models/README.md)
//
// Every operation forwards its SourceLocation as an rl::debug_info, so a trace names the line
// inside the primitive ("queue.hpp:212 get") and not this adapter.
//
// Inside this file (and in scenarios compiled with it) `delete` and `memory_order_*` are
// Relacy macros: copy operations are suppressed by the non-copyable Relacy members instead of
// `= delete`, and orders are spelled std::memory_order::relaxed.
//
// Include order matters (a measured Relacy fact): relacy.hpp #defines new, delete, malloc,
// free, assert and the memory_order_* names, so every standard header and every itc header is
// included before it. This header does that itself; include it before anything else that uses
// Relacy, and compile with -fno-sized-deallocation.
#pragma once

// Standard and itc headers first: relacy.hpp's macros must not see them.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <string>

#include "itc/itc.hpp"

#include <relacy/relacy.hpp>

namespace itc::models {

inline rl::debug_info to_rl(const SourceLocation& loc) {
  return rl::debug_info(loc.function, loc.file, static_cast<unsigned>(loc.line));
}

inline rl::memory_order to_rl(std::memory_order mo) {
  switch (mo) {
    case std::memory_order::relaxed:
      return rl::mo_relaxed;
    case std::memory_order::consume:
      return rl::mo_consume;
    case std::memory_order::acquire:
      return rl::mo_acquire;
    case std::memory_order::release:
      return rl::mo_release;
    case std::memory_order::acq_rel:
      return rl::mo_acq_rel;
    default:
      return rl::mo_seq_cst;
  }
}

/// Time inside a model. Relacy has no clock: a timed wait either is woken or "times out" as a
/// scheduling choice. ModelClock stands still and jumps forward to a wait's deadline when that
/// wait times out, so a primitive's "has the deadline passed?" check agrees with the wait's
/// verdict and every timeout loop terminates. It restarts at zero for every execution.
struct ModelClock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<ModelClock>;
  static constexpr bool is_steady = true;

  static time_point now() noexcept { return current(); }
  static void reset() noexcept { current() = time_point{}; }
  static void advance_to(time_point t) noexcept {
    if (current() < t) current() = t;
  }

 private:
  static time_point& current() noexcept {
    static time_point t{};  // one model runs at a time per process; reset per execution
    return t;
  }
};

/// The words threads have parked on in this execution, by address. Only the model's own
/// bookkeeping: every fiber of an execution runs on one OS thread and switches only inside
/// Relacy calls, so plain data suffices. A fixed table, because Relacy tracks every heap
/// allocation made during an execution.
class ParkedWords {
 public:
  using Wake = void (*)(const void*, unsigned, const rl::debug_info&);
  bool add(const void* word, Wake wake) noexcept {
    for (Entry& e : entries_) {
      if (e.word == nullptr) {
        e = Entry{word, wake};
        return true;
      }
    }
    RL_VERIFY(!"itc: more than 64 distinct words parked on in one execution");
    return false;
  }
  void remove(const void* word) noexcept {
    for (Entry& e : entries_)
      if (e.word == word) e = Entry{};
  }
  [[nodiscard]] Wake find(const void* word) const noexcept {
    for (const Entry& e : entries_)
      if (e.word == word) return e.wake;
    return nullptr;
  }
  void clear() noexcept {
    for (Entry& e : entries_) e = Entry{};
  }

 private:
  struct Entry {
    const void* word = nullptr;
    Wake wake = nullptr;
  };
  Entry entries_[64];
};

inline ParkedWords& parked_words() noexcept {
  static ParkedWords words;
  return words;
}

/// How many spurious wake-ups a thread may have on one condition variable in one execution
/// (`itc-model --spurious W`, default 1; 0 turns them off). Set by the runner before a search.
struct SpuriousWakeups {
  static constexpr unsigned kMaxThreads = 64;
  unsigned per_wait = 1;
};

inline SpuriousWakeups& spurious_wakeups() noexcept {
  static SpuriousWakeups s;
  return s;
}

/// Lock-order tracking, ThreadSanitizer's semantics in the model: whenever a thread acquires
/// lock B while it holds lock A, the edge A -> B is recorded with both acquisition sites, in one
/// graph over the whole search. An acquisition that closes a cycle is a potential deadlock —
/// reported even when no execution deadlocks:
///
///   * every edge of the cycle taken in this execution (the usual case: one thread takes A then
///     B, another later B then A): the execution fails at once with `lock_order_inversion`,
///     both sites in the message, and its trace and replay line reproduce it;
///   * the cycle spans executions: it is kept (the first one) and reported when the search ends
///     without another failure, naming both sites and the executions that took each order.
///
/// Locks are identified by address: a search reconstructs the scenario at the same address for
/// every execution. Covers RelacyPlatform::Mutex (lock/unlock; edges added when the lock is
/// taken; a condition-variable wait keeps its mutex counted as held, so its re-lock adds no
/// edge) and itc::Lock / RLock through RelacyPlatform::on_lock (itc/platform/lock_events.hpp).
/// For an itc lock the edges are added at the *attempt*, before the acquire may block — as
/// ThreadSanitizer's pre-lock does — so the acquisition that would close a deadlock cycle is
/// reported as the inversion it is, with `deadlock` in the message when the other thread of the
/// cycle is waiting at that moment (the execution cannot continue: both threads wait for
/// each other). The sites are the callers' lines (acquire()'s SourceLocation), and per thread the
/// table keeps what it holds and what it waits for (held(), waiting()), which the runner prints
/// after a deadlock. Fixed tables, because memory allocated inside an execution belongs to
/// Relacy; beyond them, edges are not recorded (an inversion may be missed, never invented).
class LockOrder {
 public:
  struct Site {
    const char* file = "";
    const char* function = "";
    int line = 0;
    // itc locks: a return address in the code that called acquire(), for when `file` is not
    // the user's (std::lock_guard called lock()): the runner symbolizes it after the search.
    const void* pc = nullptr;
  };
  struct Edge {
    const void* from = nullptr;  // held ...
    const void* to = nullptr;    // ... while this one was acquired
    Site from_site, to_site;
    unsigned thread = 0;
    unsigned long long execution = 0;
  };
  struct Inversion {
    bool found = false;
    Edge first, second;     // first: the earlier order; second: the acquisition that closed it
    bool deadlock = false;  // first's thread waits for second's held lock right now
  };
  /// What a thread holds: an itc lock (user == true) or a platform Mutex inside a primitive.
  struct Held {
    const void* lock;
    Site site;
    bool user;
  };
  struct Waiting {
    const void* lock = nullptr;  // nullptr: not waiting for an itc lock
    Site site;
  };
  static constexpr unsigned kMaxThreads = 64, kMaxHeld = 16, kMaxEdges = 256, kMaxNames = 64;

  /// A new search: forget every edge.
  void reset_search() noexcept {
    edges_count_ = 0;
    names_count_ = 0;
    execution_ = 0;
    across_ = Inversion{};
    enabled = true;
  }
  /// A new execution: nothing is held.
  void reset_execution() noexcept {
    ++execution_;
    for (auto& n : held_count_) n = 0;
    for (auto& w : waiting_) w = Waiting{};
    deadlock_cycle_ = Inversion{};
  }

  /// itc lock: `thread` is about to wait for `lock` at `site`. Adds the edges from every lock
  /// it holds. A cycle they close is kept: as deadlock_cycle() when the other thread of the
  /// cycle waits at this moment (the execution is about to deadlock: Relacy will detect it and
  /// the runner reports the inversion with its deadlock), otherwise as the search's pending
  /// inversion (across_executions(), reported if the search finds nothing worse). Never fails
  /// the execution itself: the deadlock, when there is one, is shown as it happens.
  void attempt(unsigned thread, const void* lock, Site site) noexcept {
    if (!enabled || thread >= kMaxThreads) return;
    (void)name_of(lock);
    waiting_[thread] = Waiting{lock, site};
    for (unsigned i = 0; i != held_count_[thread]; ++i) {
      const Held& h = held_[thread][i];
      if (h.lock == lock) continue;
      const Edge e{h.lock, lock, h.site, site, thread, execution_};
      if (const Edge* back = find(lock, h.lock)) {
        Inversion inv{true, *back, e, false};
        inv.deadlock = back->to == h.lock && back->thread < kMaxThreads &&
                       waiting_[back->thread].lock == h.lock && holds(back->thread, lock) &&
                       back->execution == execution_;
        if (inv.deadlock) {
          if (!deadlock_cycle_.found) deadlock_cycle_ = inv;
        } else if (!across_.found) {
          across_ = inv;
        }
      }
      add(e);
    }
  }
  /// The cycle of itc locks this execution deadlocked on (found == false if none).
  [[nodiscard]] const Inversion& deadlock_cycle() const noexcept { return deadlock_cycle_; }
  /// itc lock: `thread` now holds `lock` (after attempt(), or a successful try).
  void took(unsigned thread, const void* lock, Site site) noexcept {
    if (thread >= kMaxThreads) return;
    (void)name_of(lock);
    if (waiting_[thread].lock == lock) waiting_[thread] = Waiting{};
    if (held_count_[thread] < kMaxHeld) held_[thread][held_count_[thread]++] = Held{lock, site, true};
  }
  /// itc lock: a timed acquire expired.
  void gave_up(unsigned thread) noexcept {
    if (thread < kMaxThreads) waiting_[thread] = Waiting{};
  }
  /// itc lock: released by `thread`, which need not be the thread that holds it (a Python Lock).
  void released_any(unsigned thread, const void* lock) noexcept {
    if (thread < kMaxThreads && holds(thread, lock)) {
      released(thread, lock);
      return;
    }
    for (unsigned t = 0; t != kMaxThreads; ++t)
      if (holds(t, lock)) {
        released(t, lock);
        return;
      }
  }
  [[nodiscard]] bool holds(unsigned thread, const void* lock) const noexcept {
    if (thread >= kMaxThreads) return false;
    for (unsigned i = 0; i != held_count_[thread]; ++i)
      if (held_[thread][i].lock == lock) return true;
    return false;
  }
  /// The thread (index) that holds `lock`, or kMaxThreads.
  [[nodiscard]] unsigned holder(const void* lock) const noexcept {
    for (unsigned t = 0; t != kMaxThreads; ++t)
      if (holds(t, lock)) return t;
    return kMaxThreads;
  }
  [[nodiscard]] unsigned held_count(unsigned thread) const noexcept {
    return thread < kMaxThreads ? held_count_[thread] : 0;
  }
  [[nodiscard]] const Held& held(unsigned thread, unsigned i) const noexcept { return held_[thread][i]; }
  [[nodiscard]] const Waiting& waiting(unsigned thread) const noexcept { return waiting_[thread]; }
  /// A lock's name in reports: "Lock#k", k its order of first appearance in the search (1, 2...;
  /// 0 if the table is full). Stable across executions, since locks are identified by address.
  unsigned name_of(const void* lock) noexcept {
    for (unsigned i = 0; i != names_count_; ++i)
      if (names_[i] == lock) return i + 1;
    if (names_count_ == kMaxNames) return 0;
    names_[names_count_++] = lock;
    return names_count_;
  }

  /// Called after `thread` acquired `lock` at `site`. Returns the inversion this acquisition
  /// closes within this execution (found == false if none).
  Inversion acquired(unsigned thread, const void* lock, Site site) noexcept {
    Inversion now;
    if (!enabled || thread >= kMaxThreads) return now;
    for (unsigned i = 0; i != held_count_[thread]; ++i) {
      const Held& h = held_[thread][i];
      if (h.lock == lock) continue;
      const Edge e{h.lock, lock, h.site, site, thread, execution_};
      if (const Edge* back = find(lock, h.lock)) {
        Inversion inv{true, *back, e};
        if (back->execution == execution_) {
          if (!now.found) now = inv;
        } else if (!across_.found) {
          across_ = inv;
        }
      }
      add(e);
    }
    if (held_count_[thread] < kMaxHeld) held_[thread][held_count_[thread]++] = Held{lock, site, false};
    return now;
  }
  void released(unsigned thread, const void* lock) noexcept {
    if (thread >= kMaxThreads) return;
    unsigned& n = held_count_[thread];
    for (unsigned i = n; i-- > 0;)
      if (held_[thread][i].lock == lock) {
        for (unsigned j = i + 1; j < n; ++j) held_[thread][j - 1] = held_[thread][j];
        --n;
        return;
      }
  }
  [[nodiscard]] const Inversion& across_executions() const noexcept { return across_; }
  [[nodiscard]] unsigned long long execution() const noexcept { return execution_; }

  bool enabled = true;
  // The message of the inversion that ended the current execution (fixed storage, as
  // model_error_message: an execution's allocations do not outlive it).
  char message[512] = {};
  bool failed = false;  // the current execution ended with a lock-order inversion

 private:
  /// The edge a -> b, or a path a -> ... -> b of at most a few steps (a cycle through other
  /// locks), as the edge that starts it.
  const Edge* find(const void* a, const void* b) const noexcept {
    for (unsigned i = 0; i != edges_count_; ++i)
      if (edges_[i].from == a && edges_[i].to == b) return &edges_[i];
    for (unsigned i = 0; i != edges_count_; ++i)  // one lock in between
      if (edges_[i].from == a)
        for (unsigned j = 0; j != edges_count_; ++j)
          if (edges_[j].from == edges_[i].to && edges_[j].to == b) return &edges_[i];
    return nullptr;
  }
  void add(const Edge& e) noexcept {
    for (unsigned i = 0; i != edges_count_; ++i)
      if (edges_[i].from == e.from && edges_[i].to == e.to) {
        edges_[i].execution = e.execution;  // the latest execution that took it
        edges_[i].from_site = e.from_site;
        edges_[i].to_site = e.to_site;
        edges_[i].thread = e.thread;
        return;
      }
    if (edges_count_ < kMaxEdges) edges_[edges_count_++] = e;
  }

  Held held_[kMaxThreads][kMaxHeld] = {};
  unsigned held_count_[kMaxThreads] = {};
  Waiting waiting_[kMaxThreads] = {};
  Inversion deadlock_cycle_;
  const void* names_[kMaxNames] = {};
  unsigned names_count_ = 0;
  Edge edges_[kMaxEdges] = {};
  unsigned edges_count_ = 0;
  unsigned long long execution_ = 0;
  Inversion across_;
};

/// A source path from the repository folder on, without allocating (the spelling of
/// repo_relative_path in scenario.hpp, for use inside an execution).
inline const char* short_path(const char* path) noexcept {
  const char* best = nullptr;
  for (const char* root : {"primitives/", "models/", "stress/", "examples/", "verify/"})
    for (const char* at = std::strstr(path, root); at != nullptr; at = std::strstr(at + 1, root))
      if (best == nullptr || at > best) best = at;
  return best != nullptr ? best : path;
}

inline LockOrder& lock_order() noexcept {
  static LockOrder graph;
  return graph;
}

struct RelacyPlatform {
  using Clock = ModelClock;
  using ThreadId = unsigned;

  static constexpr bool is_model_checker = true;

  static ThreadId current_thread() noexcept { return rl::thread_index() + 1; }

  /// Called by the model runner before every execution: time restarts at zero, no word is
  /// parked on.
  static void reset_execution() noexcept {
    ModelClock::reset();
    parked_words().clear();
    lock_order().reset_execution();
    lock_order().failed = false;
  }

  /// A failed scenario invariant: Relacy stops this execution and reports `assertion`.
  static void fail(const char* what, SourceLocation loc) {
    rl::ctx().fail_test(what, rl::test_result_user_assert_failed, to_rl(loc));
  }

  /// A scheduling point without synchronisation, for spin/poll loops (Relacy needs one there).
  static void yield(SourceLocation loc = SourceLocation::current()) { rl::yield(1, to_rl(loc)); }

  /// itc::Lock / RLock events (itc/platform/lock_events.hpp): the lock-order graph and the
  /// per-thread "holds / waits for" table (see LockOrder::attempt for when a cycle is reported).
  /// Not inlined, so that its return address lies in the code that inlined acquire().
  [[gnu::noinline]] static void on_lock(LockEvent event, const void* lock, const SourceLocation& loc) {
    LockOrder& g = lock_order();
    const unsigned self = rl::thread_index();
    const LockOrder::Site site{loc.file, loc.function, loc.line, __builtin_return_address(0)};
    switch (event) {
      case LockEvent::attempt:
        g.attempt(self, lock, site);
        break;
      case LockEvent::acquired:
        g.took(self, lock, site);
        break;
      case LockEvent::gave_up:
        g.gave_up(self);
        break;
      case LockEvent::released:
        g.released_any(self, lock);
        break;
    }
  }

  /// The message of an inversion, into `out`: both orders with their sites, or, for a cycle
  /// the execution deadlocked on, which lock each thread holds and waits for.
  static void describe_inversion(const LockOrder::Inversion& inv, char* out, std::size_t size) {
    LockOrder& g = lock_order();
    const LockOrder::Edge& a = inv.first;
    const LockOrder::Edge& b = inv.second;
    if (inv.deadlock) {
      std::snprintf(
          out, size,
          "lock order inversion, and the deadlock it causes: T%u holds Lock#%u (acquired %s:%d) and "
          "waits for Lock#%u (at %s:%d); T%u holds Lock#%u (acquired %s:%d) and waits for Lock#%u "
          "(at %s:%d)",
          a.thread, g.name_of(a.from), short_path(a.from_site.file), a.from_site.line, g.name_of(a.to),
          short_path(a.to_site.file), a.to_site.line, b.thread, g.name_of(b.from),
          short_path(b.from_site.file), b.from_site.line, g.name_of(b.to), short_path(b.to_site.file),
          b.to_site.line);
    } else {
      std::snprintf(out, size, "lock order inversion: T%u took %s:%d then %s:%d; T%u takes %s:%d then %s:%d",
                    a.thread, short_path(a.from_site.file), a.from_site.line, short_path(a.to_site.file),
                    a.to_site.line, b.thread, short_path(b.from_site.file), b.from_site.line,
                    short_path(b.to_site.file), b.to_site.line);
    }
  }

  /// Fails the current execution with the inversion `inv` (closed at `loc`).
  static void report_inversion(const LockOrder::Inversion& inv, SourceLocation loc) {
    LockOrder& g = lock_order();
    describe_inversion(inv, g.message, sizeof g.message);
    g.failed = true;
    rl::ctx().fail_test(g.message, rl::test_result_user_assert_failed, to_rl(loc));
  }

  class Mutex {
   public:
    Mutex() = default;
    void lock(SourceLocation loc = SourceLocation::current()) {
      m_.lock(to_rl(loc));
      const LockOrder::Inversion inv =
          lock_order().acquired(rl::thread_index(), this, LockOrder::Site{loc.file, loc.function, loc.line});
      if (inv.found) report_inversion(inv, loc);
    }
    void unlock(SourceLocation loc = SourceLocation::current()) {
      lock_order().released(rl::thread_index(), this);
      m_.unlock(to_rl(loc));
    }
    rl::mutex& native() noexcept { return m_; }

   private:
    rl::mutex m_;
  };

  class CondVar {
   public:
    // Relacy's own spurious wake-ups are off (`init(false)`): they exist only under its random
    // scheduler, ten per condition variable. The budget below is the same in every strategy.
    CondVar() { cv_.init(false, RL_INFO); }
    ~CondVar() { cv_.deinit(RL_INFO); }

    // A spurious wake-up is a choice made at the wait: the wait may return at once, having
    // released and re-acquired the mutex, without a notify. That is every spurious wake-up
    // there is: one at a later moment is this one with the waiter not scheduled until then
    // (its re-lock is a scheduling point), so nothing is lost, and the search gains one
    // two-way choice per wait instead of one per step while a thread waits (measured: the
    // latter makes bounded search of barrier/correct run past 5 million executions).
    // Bounded and full search explore both branches; random and PCT take it with
    // probability 1/4, as Relacy does for a spurious compare-exchange failure.
    void wait(Mutex& m, SourceLocation loc = SourceLocation::current()) {
      const unsigned self = rl::thread_index();
      if (self < SpuriousWakeups::kMaxThreads && spurious_used_[self] < spurious_wakeups().per_wait) {
        rl::context& c = rl::ctx();
        const bool spurious =
            c.is_random_sched() ? c.rand(4, rl::sched_type_user) == 0 : c.rand(2, rl::sched_type_user) == 1;
        if (spurious) {
          ++spurious_used_[self];
          if (c.collecting_history())
            c.exec_log_msg(to_rl(loc), "cond_var: wait exit spuriously (a wake-up without a notify)");
          m.unlock(loc);
          m.lock(loc);
          return;
        }
      }
      cv_.wait(m.native(), false, to_rl(loc));
    }
    bool wait_until(Mutex& m, Clock::time_point deadline, SourceLocation loc = SourceLocation::current()) {
      if (Clock::now() >= deadline) return false;
      const bool woken = cv_.wait(m.native(), true, to_rl(loc)) == rl::sema_wakeup_reason_success;
      if (!woken) Clock::advance_to(deadline);
      return woken;
    }
    void notify_one(SourceLocation loc = SourceLocation::current()) { cv_.notify_one(to_rl(loc)); }
    void notify_all(SourceLocation loc = SourceLocation::current()) { cv_.notify_all(to_rl(loc)); }

   private:
    struct Tag;
    rl::condvar<Tag> cv_;
    unsigned spurious_used_[SpuriousWakeups::kMaxThreads] = {};  // per thread, this execution
    RL_NOCOPY(CondVar);
  };

  template <class T>
  class Atomic {
   public:
    Atomic() : a_(T{}) {}
    explicit Atomic(T v) : a_(v) {}

    T load(std::memory_order mo = std::memory_order::seq_cst,
           SourceLocation loc = SourceLocation::current()) const {
      return a_.load(to_rl(mo), to_rl(loc));
    }
    void store(T v, std::memory_order mo = std::memory_order::seq_cst,
               SourceLocation loc = SourceLocation::current()) {
      a_.store(v, to_rl(mo), to_rl(loc));
    }
    T exchange(T v, std::memory_order mo = std::memory_order::seq_cst,
               SourceLocation loc = SourceLocation::current()) {
      return a_.exchange(v, to_rl(mo), to_rl(loc));
    }
    bool compare_exchange_strong(T& expected, T desired, std::memory_order mo = std::memory_order::seq_cst,
                                 SourceLocation loc = SourceLocation::current()) {
      return a_.compare_exchange_strong(expected, desired, to_rl(mo), to_rl(loc));
    }
    T fetch_add(T v, std::memory_order mo = std::memory_order::seq_cst,
                SourceLocation loc = SourceLocation::current()) {
      return a_.fetch_add(v, to_rl(mo), to_rl(loc));
    }
    T fetch_sub(T v, std::memory_order mo = std::memory_order::seq_cst,
                SourceLocation loc = SourceLocation::current()) {
      return a_.fetch_sub(v, to_rl(mo), to_rl(loc));
    }

    ~Atomic() {
      if (registered_) parked_words().remove(this);
    }

    // RelacyPlatform::park's half. One scheduling point (a waker may run just before the
    // park), then the check and the sleep with no scheduling point between them, as in
    // Relacy's own futex(). The check is a read-modify-write that adds nothing: it reads the
    // latest value, as a futex's kernel-side check does (a plain load could be given an older
    // value by Relacy's weak-memory model and sleep through a change that already happened),
    // and it has exactly one outcome, so it adds no branch to the search.
    bool park_while(T expected, bool timed, SourceLocation loc) const {
      rl::context& c = rl::ctx();
      c.sched();
      {
        rl::preemption_disabler no_switch(c);
        if (a_.fetch_add(T{}, rl::mo_acquire, to_rl(loc)) != expected) return true;
        if (!registered_) registered_ = parked_words().add(this, &Atomic::wake_n);
      }
      return a_.wait(c, timed, false, to_rl(loc)) != rl::unpark_reason_timeout;
    }

   private:
    static void wake_n(const void* self, unsigned count, const rl::debug_info& info) {
      const Atomic* a = static_cast<const Atomic*>(self);
      a->a_.wake(rl::ctx(), count, info);
    }

    mutable rl::atomic<T> a_;
    mutable bool registered_ = false;  // bookkeeping of the model, not state of the program
  };

  template <class T>
  static bool park(const Atomic<T>& word, T expected, const Clock::time_point* deadline,
                   SourceLocation loc = SourceLocation::current()) {
    if (deadline != nullptr && Clock::now() >= *deadline) return false;
    const bool woken = word.park_while(expected, deadline != nullptr, loc);
    if (!woken) Clock::advance_to(*deadline);
    return woken;
  }
  template <class T>
  static void unpark_one(const Atomic<T>* word, SourceLocation loc = SourceLocation::current()) {
    unpark_at(word, 1, loc);
  }
  template <class T>
  static void unpark_all(const Atomic<T>* word, SourceLocation loc = SourceLocation::current()) {
    unpark_at(word, ~0U, loc);
  }

  /// A wake-up by address: Relacy's futex wake if a live word is parked on at that address
  /// (and nothing at all if the object was destroyed).
  static void unpark_at(const void* word, unsigned count, SourceLocation loc) {
    // No scheduling point of its own: the wake only moves parked threads to runnable, and the
    // signaller's next operation (or its end) is where another thread may run. Fewer points
    // keep bounded search of three-thread scenarios within seconds.
    if (const ParkedWords::Wake wake = parked_words().find(word)) wake(word, count, to_rl(loc));
  }

  template <class T>
  class Var {
   public:
    template <class... Args>
    explicit Var(Args&&... args) : v_(std::forward<Args>(args)...), shadow_(0) {}

    const T& read(SourceLocation loc = SourceLocation::current()) const {
      (void)shadow_(to_rl(loc)).load();
      return v_;
    }
    T& write(SourceLocation loc = SourceLocation::current()) {
      shadow_(to_rl(loc)).store(0);
      return v_;
    }

   private:
    T v_;
    rl::var<int> shadow_;
  };
};

}  // namespace itc::models
