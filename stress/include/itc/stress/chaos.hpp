// itc/stress/chaos.hpp — the real-thread platform of the stress runner: seeded chaos at every
// synchronisation point, and a record of where each thread is blocked for the watchdog.
//
// ChaosPlatform is BasicStdPlatform<ChaosHooks>: the same primitives and scenarios as in
// production, with ChaosHooks::at() called before every lock, unlock, wait, notify, atomic
// access and plain-data access. When chaos is on, at() draws from the calling thread's seeded
// generator and sometimes yields or sleeps a few microseconds — that widens race windows, so a
// bug that needs an unlucky interleaving shows up in seconds instead of never. When chaos is
// off, at() only counts progress. The hooks are out of line on purpose: a call the optimiser
// cannot see through also keeps it from hoisting a polled plain variable out of its loop, so a
// scenario behaves as written. (StdPlatform, with NoHooks, costs nothing: that is the library.)
//
// Between at() and done() of a blocking operation (lock, wait) the thread's slot holds the
// operation's source location; the watchdog reads the slots to say which thread is blocked in
// which primitive, at which line.
#pragma once

#include <atomic>
#include <cstdint>

#include "itc/platform/std_platform.hpp"

namespace itc::stress {

struct ChaosHooks {
  static void at(SyncPoint point, const SourceLocation& loc) noexcept;
  static void done(SyncPoint point, const SourceLocation& loc) noexcept;
};

using ChaosPlatform = BasicStdPlatform<ChaosHooks>;

/// What the watchdog knows about one scenario thread.
struct ThreadSlot {
  enum State : int { idle, running, blocked, finished };
  std::atomic<int> state{idle};
  std::atomic<int> point{0};               // the SyncPoint it blocks in
  std::atomic<const char*> file{nullptr};  // where (string literals: safe to keep)
  std::atomic<const char*> function{nullptr};
  std::atomic<int> line{0};
  std::atomic<std::uint64_t> steps{0};  // state-changing sync points passed: progress
};

constexpr unsigned kMaxThreads = 64;

/// Per-run control shared by the runner and the hooks.
struct ChaosControl {
  std::atomic<bool> enabled{false};
  std::atomic<std::uint64_t> seed{0};
  ThreadSlot slots[kMaxThreads];
};

ChaosControl& chaos_control() noexcept;

/// Binds the calling thread to scenario thread `index` for this run (seeds its generator).
void attach_thread(unsigned index) noexcept;
/// Marks the calling thread finished and detaches it.
void detach_thread() noexcept;
/// Resets every slot before a run.
void reset_slots(unsigned threads) noexcept;

}  // namespace itc::stress
