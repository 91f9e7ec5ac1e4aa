// itc/models/relacy_platform.hpp — the Platform that runs itc primitives under Relacy.
//
// Relacy (Debian's relacy-dev) executes a test's threads as fibers under its own scheduler and
// explores their interleavings: random, context-bounded, or exhaustive. Every itc primitive
// compiles against RelacyPlatform unchanged, because this file models the same concept as
// StdPlatform (see itc/platform/std_platform.hpp):
//
//   Mutex      rl::mutex: lock/unlock are scheduling points; double lock and foreign unlock are
//              reported by Relacy
//   CondVar    rl::condition_variable. Relacy injects spurious wake-ups (random scheduler only),
//              which is exactly what primitives must survive. A timed wait may time out at any
//              point; when it does, the model clock jumps to the deadline (see ModelClock)
//   Atomic<T>  rl::atomic<T> with the std::memory_order mapped to Relacy's: Relacy simulates the
//              C++ memory model, so a relaxed store that "publishes" plain data is a data race
//   Var<T>     the value plus an rl::var<int> shadow that is read or written on every access, so
//              Relacy reports unsynchronised access to *any* T (a std::deque included)
//   ThreadId   1 + Relacy's thread index (0 = nobody)
//
// Every operation forwards its SourceLocation as an rl::debug_info, so a trace names the line
// inside the primitive ("queue.hpp:212 get") and not this adapter.
//
// Inside this file (and in scenarios compiled with it) `delete` and `memory_order_*` are
// Relacy macros: copy operations are suppressed by the non-copyable Relacy members instead of
// `= delete`, and orders are spelled std::memory_order::relaxed.
//
// Include order matters (DESIGN.md, toolchain facts): relacy.hpp #defines new, delete, malloc,
// free, assert and the memory_order_* names, so every standard header and every itc header is
// included before it. This header does that itself; include it before anything else that uses
// Relacy, and compile with -fno-sized-deallocation.
#pragma once

// Standard and itc headers first: relacy.hpp's macros must not see them.
#include <atomic>
#include <chrono>
#include <cstdint>
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

struct RelacyPlatform {
  using Clock = ModelClock;
  using ThreadId = unsigned;

  static constexpr bool is_model_checker = true;

  static ThreadId current_thread() noexcept { return rl::thread_index() + 1; }

  /// A failed scenario invariant: Relacy stops this execution and reports `assertion`.
  static void fail(const char* what, SourceLocation loc) {
    rl::ctx().fail_test(what, rl::test_result_user_assert_failed, to_rl(loc));
  }

  /// A scheduling point without synchronisation, for spin/poll loops (Relacy needs one there).
  static void yield(SourceLocation loc = SourceLocation::current()) { rl::yield(1, to_rl(loc)); }

  class Mutex {
   public:
    Mutex() = default;
    void lock(SourceLocation loc = SourceLocation::current()) { m_.lock(to_rl(loc)); }
    void unlock(SourceLocation loc = SourceLocation::current()) { m_.unlock(to_rl(loc)); }
    rl::mutex& native() noexcept { return m_; }

   private:
    rl::mutex m_;
  };

  class CondVar {
   public:
    CondVar() = default;
    void wait(Mutex& m, SourceLocation loc = SourceLocation::current()) { cv_.wait(m.native(), to_rl(loc)); }
    bool wait_until(Mutex& m, Clock::time_point deadline, SourceLocation loc = SourceLocation::current()) {
      if (Clock::now() >= deadline) return false;
      const bool woken = cv_.wait_for(m.native(), 0, to_rl(loc));
      if (!woken) Clock::advance_to(deadline);
      return woken;
    }
    void notify_one(SourceLocation loc = SourceLocation::current()) { cv_.notify_one(to_rl(loc)); }
    void notify_all(SourceLocation loc = SourceLocation::current()) { cv_.notify_all(to_rl(loc)); }

   private:
    rl::condition_variable cv_;
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

   private:
    mutable rl::atomic<T> a_;
  };

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
