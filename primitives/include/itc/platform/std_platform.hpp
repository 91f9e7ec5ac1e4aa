// itc/platform/std_platform.hpp — the real-thread platform every primitive defaults to.
//
// A *Platform* is the one thing an itc primitive knows about the world it runs in. Every
// primitive is `template <class P = StdPlatform>` and touches shared state only through:
//
//   P::Mutex            a non-recursive mutex, a Clang capability: lock(loc), unlock(loc)
//   P::CondVar          wait(m, loc); wait_until(m, deadline, loc) -> false on timeout;
//                       notify_one(loc); notify_all(loc). Waits may wake spuriously.
//   P::Atomic<T>        load/store/exchange/compare_exchange_*/fetch_add/fetch_sub with an
//                       explicit std::memory_order and a source location
//   P::Var<T>           plain shared data: read(loc) -> const T&, write(loc) -> T&. On this
//                       platform it is the bare value; a model checker's platform records every
//                       access so that it can report data races on it
//   P::Clock            a steady clock for deadlines
//   P::ThreadId, P::current_thread()   identity of the calling thread (for ownership checks)
//   P::yield()          a scheduling point for poll loops
//   P::park(word, expected, deadline)   sleep while the Atomic `word` holds `expected`; false
//                       once `deadline` (nullptr: none) has passed, true when woken (or when
//                       the word already differed). May return spuriously: callers loop
//   P::unpark_one(&word), P::unpark_all(&word)
//                       wake threads parked on `word`. They use only the word's *address*, so
//                       calling them after the object holding the word was destroyed (by a
//                       waiter that returned) is harmless: the rule that makes "signal, then
//                       the waiter destroys the object" safe (detail/parking_lot.hpp)
//   P::is_model_checker true under a model checker (scenarios shrink their sizes there)
//   P::cpu_count()      optional: how many CPUs the threads share (>= 1). A Barrier with more
//                       parties yields instead of spinning; without it, a Barrier never yields.
//                       BasicStdPlatform: Hooks::cpu_count() if the Hooks have one, otherwise
//                       std::thread::hardware_concurrency(), read once
//   P::on_lock(event, lock, loc)   optional: told when an itc::Lock/RLock is waited for,
//                       acquired, given up on or released (itc/platform/lock_events.hpp).
//                       BasicStdPlatform has it only when its Hooks do; StdPlatform does not
//
// and `SourceLocation loc = SourceLocation::current()` on every operation, so a checker's trace
// points at the line inside the primitive. No primitive contains an #ifdef for a checker: the
// Relacy platform (models/) and the chaos platform (stress/) are other models of this concept.
//
// BasicStdPlatform<Hooks> calls `Hooks::at(SyncPoint, loc)` before each synchronisation
// operation. StdPlatform uses NoHooks, whose empty inline function compiles to nothing; the
// stress runner plugs in seeded delays there to widen race windows.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include "itc/detail/parking_lot.hpp"
#include "itc/platform/lock_events.hpp"
#include "itc/platform/source_location.hpp"
#include "itc/platform/thread_annotations.hpp"

namespace itc {

/// The synchronisation points at which a platform may inject scheduling noise.
enum class SyncPoint {
  lock,
  unlock,
  wait,
  notify,
  yield,
  atomic_load,
  atomic_store,
  atomic_rmw,
  var_read,
  var_write
};

/// Hooks that do nothing: the default, zero-cost configuration. A Hooks type has
///   at(point, loc)    called before every synchronisation operation
///   done(point, loc)  called when an operation that may block (lock, wait) has returned
/// and may have
///   relax(loc)        what yield() does after at(): gives the CPU to other threads. Without
///                     it, yield() is std::this_thread::yield()
/// The stress runner's hooks inject seeded delays in at() and record, between at() and done(),
/// where each thread is blocked, for its watchdog; their relax() sleeps briefly instead of
/// calling sched_yield, which Linux's EEVDF scheduler answers by pushing the caller's deadline
/// back a slice per call, so that a poll loop on a machine with other busy processes waits
/// milliseconds per iteration.
struct NoHooks {
  static void at(SyncPoint /*point*/, const SourceLocation& /*loc*/) noexcept {}
  static void done(SyncPoint /*point*/, const SourceLocation& /*loc*/) noexcept {}
};

template <class Hooks = NoHooks>
struct BasicStdPlatform {
  using Clock = std::chrono::steady_clock;
  /// A thread's identity is the address of a thread_local object: one load from the thread
  /// pointer in an executable, where std::this_thread::get_id() is a call into libc
  /// (pthread_self). That call was half the cost of Condition::notify() with nobody waiting
  /// (the ownership check). Like pthread_t, a value may be reused by a thread started after
  /// this one ended; a thread that ended holds no lock, so ownership checks stay exact.
  using ThreadId = const void*;

  static constexpr bool is_model_checker = false;

  static ThreadId current_thread() noexcept {
    static thread_local const char identity = 0;
    return &identity;
  }

  /// The machine's online CPUs, or what the Hooks say (tests fix it to make a Barrier's choice
  /// between spinning and yielding independent of the machine). A CPU quota or an affinity
  /// mask smaller than the machine is not seen.
  static unsigned cpu_count() noexcept {
    if constexpr (requires { Hooks::cpu_count(); }) {
      return Hooks::cpu_count();
    } else {
      static const unsigned n = [] {
        const unsigned c = std::thread::hardware_concurrency();
        return c == 0 ? 1U : c;
      }();
      return n;
    }
  }

  /// Lets another thread run (a scheduling point in poll loops).
  static void yield(SourceLocation loc = SourceLocation::current()) noexcept {
    Hooks::at(SyncPoint::yield, loc);
    if constexpr (requires { Hooks::relax(loc); }) {
      Hooks::relax(loc);
    } else {
      std::this_thread::yield();
    }
  }

  /// itc::Lock events, only if the Hooks observe them (otherwise this member does not exist and
  /// Lock's hook compiles to nothing).
  static void on_lock(LockEvent event, const void* lock,
                      const SourceLocation& loc) noexcept requires requires {
    Hooks::on_lock(event, lock, loc);
  }
  { Hooks::on_lock(event, lock, loc); }

  /// Non-recursive mutex. Locking it twice from one thread, or unlocking it from a thread that
  /// does not hold it, is undefined: primitives never do (the analysis checks the first half).
  class ITC_CAPABILITY("mutex") Mutex {
   public:
    Mutex() = default;
    Mutex(const Mutex&) = delete;
    Mutex& operator=(const Mutex&) = delete;

    void lock(SourceLocation loc = SourceLocation::current()) ITC_ACQUIRE() {
      Hooks::at(SyncPoint::lock, loc);
      m_.lock();
      Hooks::done(SyncPoint::lock, loc);
    }
    void unlock(SourceLocation loc = SourceLocation::current()) ITC_RELEASE() {
      m_.unlock();
      Hooks::at(SyncPoint::unlock, loc);
    }
    std::mutex& native() noexcept { return m_; }

   private:
    std::mutex m_;
  };

  /// Condition variable bound to Mutex. Waits may return spuriously; callers loop.
  class CondVar {
   public:
    CondVar() = default;
    CondVar(const CondVar&) = delete;
    CondVar& operator=(const CondVar&) = delete;

    void wait(Mutex& m, SourceLocation loc = SourceLocation::current()) ITC_REQUIRES(m) {
      Hooks::at(SyncPoint::wait, loc);
      std::unique_lock<std::mutex> lk(m.native(), std::adopt_lock);
      cv_.wait(lk);
      lk.release();
      Hooks::done(SyncPoint::wait, loc);
    }
    /// Returns false if `deadline` passed (a timeout), true on a (possibly spurious) wake-up.
    bool wait_until(Mutex& m, typename Clock::time_point deadline,
                    SourceLocation loc = SourceLocation::current()) ITC_REQUIRES(m) {
      Hooks::at(SyncPoint::wait, loc);
      std::unique_lock<std::mutex> lk(m.native(), std::adopt_lock);
      const bool woken = cv_.wait_until(lk, deadline) == std::cv_status::no_timeout;
      lk.release();
      Hooks::done(SyncPoint::wait, loc);
      return woken;
    }
    void notify_one(SourceLocation loc = SourceLocation::current()) noexcept {
      Hooks::at(SyncPoint::notify, loc);
      cv_.notify_one();
    }
    void notify_all(SourceLocation loc = SourceLocation::current()) noexcept {
      Hooks::at(SyncPoint::notify, loc);
      cv_.notify_all();
    }

   private:
    std::condition_variable cv_;
  };

  /// std::atomic with the platform's calling convention (explicit order, source location).
  template <class T>
  class Atomic {
   public:
    constexpr Atomic() noexcept = default;
    constexpr explicit Atomic(T v) noexcept : a_(v) {}
    Atomic(const Atomic&) = delete;
    Atomic& operator=(const Atomic&) = delete;

    T load(std::memory_order mo = std::memory_order_seq_cst,
           SourceLocation loc = SourceLocation::current()) const noexcept {
      Hooks::at(SyncPoint::atomic_load, loc);
      return a_.load(mo);
    }
    void store(T v, std::memory_order mo = std::memory_order_seq_cst,
               SourceLocation loc = SourceLocation::current()) noexcept {
      Hooks::at(SyncPoint::atomic_store, loc);
      a_.store(v, mo);
    }
    T exchange(T v, std::memory_order mo = std::memory_order_seq_cst,
               SourceLocation loc = SourceLocation::current()) noexcept {
      Hooks::at(SyncPoint::atomic_rmw, loc);
      return a_.exchange(v, mo);
    }
    bool compare_exchange_strong(T& expected, T desired, std::memory_order mo = std::memory_order_seq_cst,
                                 SourceLocation loc = SourceLocation::current()) noexcept {
      Hooks::at(SyncPoint::atomic_rmw, loc);
      return a_.compare_exchange_strong(expected, desired, mo);
    }
    T fetch_add(T v, std::memory_order mo = std::memory_order_seq_cst,
                SourceLocation loc = SourceLocation::current()) noexcept {
      Hooks::at(SyncPoint::atomic_rmw, loc);
      return a_.fetch_add(v, mo);
    }
    T fetch_sub(T v, std::memory_order mo = std::memory_order_seq_cst,
                SourceLocation loc = SourceLocation::current()) noexcept {
      Hooks::at(SyncPoint::atomic_rmw, loc);
      return a_.fetch_sub(v, mo);
    }
    /// The underlying atomic, for the platform's own parking (no hook).
    const std::atomic<T>& native() const noexcept { return a_; }

   private:
    std::atomic<T> a_{};
  };

  /// Sleeps while `word` holds `expected`, until unpark_one/unpark_all(&word) picks this thread
  /// (true) or `deadline` passes (false; nullptr = no deadline). Returns true at once if the
  /// word already differs. The check and the sleep are atomic with respect to unpark, so a
  /// signaller that changes the word and then unparks is never missed. On this platform it
  /// never returns spuriously, but the concept allows it (a model checker injects them).
  template <class T>
  static bool park(const Atomic<T>& word, T expected, const typename Clock::time_point* deadline,
                   SourceLocation loc = SourceLocation::current()) {
    Hooks::at(SyncPoint::wait, loc);
    // relaxed: the bucket lock orders this load after any unpark that ran before it; the
    // caller re-reads the word with the ordering it needs once park() returns.
    const bool woken = detail::parking_lot::park(
        &word, [&] { return word.native().load(std::memory_order_relaxed) == expected; }, deadline);
    Hooks::done(SyncPoint::wait, loc);
    return woken;
  }

  /// Wakes the longest-parked thread on `word`, if any. Uses only the address: safe after the
  /// object holding `word` has been destroyed.
  template <class T>
  static void unpark_one(const Atomic<T>* word, SourceLocation loc = SourceLocation::current()) noexcept {
    Hooks::at(SyncPoint::notify, loc);
    detail::parking_lot::unpark_one(word);
  }
  /// Wakes every thread parked on `word`. Same address-only rule as unpark_one.
  template <class T>
  static void unpark_all(const Atomic<T>* word, SourceLocation loc = SourceLocation::current()) noexcept {
    Hooks::at(SyncPoint::notify, loc);
    detail::parking_lot::unpark_all(word);
  }

  /// Plain (non-atomic) shared data. Here it is the bare value; the accessors exist so that a
  /// checking platform can observe every access. Concurrent write()/read() without
  /// synchronisation is a data race exactly as it would be on a bare T.
  template <class T>
  class Var {
   public:
    template <class... Args>
    explicit Var(Args&&... args) : v_(std::forward<Args>(args)...) {}
    Var(const Var&) = delete;
    Var& operator=(const Var&) = delete;

    const T& read(SourceLocation loc = SourceLocation::current()) const noexcept {
      Hooks::at(SyncPoint::var_read, loc);
      return v_;
    }
    T& write(SourceLocation loc = SourceLocation::current()) noexcept {
      Hooks::at(SyncPoint::var_write, loc);
      return v_;
    }

   private:
    T v_;
  };
};

/// The default platform: real threads, no hooks, zero overhead.
using StdPlatform = BasicStdPlatform<NoHooks>;

}  // namespace itc
