// itc/stress/chaos.hpp — the real-thread platform of the stress runner: seeded chaos at every
// synchronisation point, and a record of where each thread is blocked for the watchdog.
//
// ChaosPlatform is BasicStdPlatform<ChaosHooks>: the same primitives and scenarios as in
// production, with ChaosHooks::at() called before every lock, unlock, wait, notify, atomic
// access and plain-data access. When chaos is on, at() draws from the calling thread's seeded
// generator and sometimes spins (about 1 in 8 points, 0.25-4 µs) or sleeps (1 in 256, 1-32 µs)
// — that widens race windows, so a bug that needs an unlucky interleaving shows up in seconds
// instead of never. Delays are spins and sleeps, never sched_yield: their cost does not grow
// when other processes compete for the CPUs (a yield did: see relax()). When chaos is off, at()
// only counts progress. The hooks are out of line on purpose: a call the optimiser
// cannot see through also keeps it from hoisting a polled plain variable out of its loop, so a
// scenario behaves as written. (StdPlatform, with NoHooks, costs nothing: that is the library.)
//
// Between at() and done() of a blocking operation (lock, wait) the thread's slot holds the
// operation's source location; the watchdog reads the slots to say which thread is blocked in
// which primitive, at which line. The slot also counts every sync point the thread passes and
// holds its kernel thread id and CPU clock, so that the watchdog can tell a thread that is stuck
// (blocked, or polling without anything changing) from one that is runnable but not given a
// CPU by a busy machine (stress_check.hpp, run_once).
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "itc/platform/std_platform.hpp"

namespace itc::stress {

struct ChaosHooks {
  static void at(SyncPoint point, const SourceLocation& loc) noexcept;
  static void done(SyncPoint point, const SourceLocation& loc) noexcept;
  /// P::yield() in a poll loop: spins about a microsecond for the first polls of a loop, then
  /// sleeps ~20 µs per poll. Never sched_yield: see std_platform.hpp (EEVDF pushes a yielding
  /// thread's deadline back, so on a machine with other busy processes every yield cost
  /// milliseconds and a correct scenario's 100 runs took 120 s instead of 0.2 s).
  static void relax(const SourceLocation& loc) noexcept;
  /// itc::Lock events (itc/platform/lock_events.hpp): the calling thread's slot records which
  /// lock it waits for and which it holds, with the line that acquired each, so that the
  /// watchdog names the owner of the lock a hung thread waits for (lock_owner()).
  static void on_lock(LockEvent event, const void* lock, const SourceLocation& loc) noexcept;
};

using ChaosPlatform = BasicStdPlatform<ChaosHooks>;

/// An itc::Lock a thread holds, and the line that acquired it. `lock` is written last (release)
/// by the acquiring thread and cleared by whichever thread releases the lock.
struct HeldLock {
  std::atomic<const void*> lock{nullptr};
  std::atomic<const char*> file{nullptr};
  std::atomic<const char*> function{nullptr};
  std::atomic<int> line{0};
  // Only when `file` is the standard library's header (std::lock_guard called lock()): the
  // acquiring thread's innermost return addresses, which the watchdog symbolizes (inlined
  // frames expanded) to find the user's line. Taken only then, so a direct acquire() costs no
  // backtrace.
  static constexpr int kFrames = 10;
  std::atomic<void*> frames[kFrames] = {};
  std::atomic<int> frame_count{0};
};
constexpr unsigned kMaxHeldLocks = 8;  // beyond that, a lock's owner is not recorded

/// What the watchdog knows about one scenario thread.
struct ThreadSlot {
  enum State : int { idle, running, blocked, polling, finished };
  std::atomic<int> state{idle};
  std::atomic<int> point{0};               // the SyncPoint it blocks in
  std::atomic<const char*> file{nullptr};  // where (string literals: safe to keep)
  std::atomic<const char*> function{nullptr};
  std::atomic<int> line{0};
  std::atomic<std::uint64_t> steps{0};             // state-changing sync points passed: progress
  std::atomic<std::uint64_t> activity{0};          // every sync point passed, polls included
  std::atomic<int> tid{0};                         // the kernel's thread id (/proc/self/task/<tid>)
  std::atomic<int> cpu_clock{-1};                  // the thread's CPU-time clock (clockid_t), -1: none
  std::atomic<const void*> waiting_lock{nullptr};  // the itc::Lock it is acquiring, if any
  HeldLock held[kMaxHeldLocks];                    // the itc::Locks it holds
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

/// Who holds `lock` among the first `threads` scenario threads: true and the thread's index and
/// acquisition site, or false if no scenario thread holds it (never acquired by one, released,
/// or beyond kMaxHeldLocks). A snapshot, for the watchdog's diagnosis of a hung run.
struct LockOwner {
  unsigned thread = 0;
  const char* file = nullptr;
  const char* function = nullptr;
  int line = 0;
  std::vector<void*> frames;  // see HeldLock::frames (empty unless the site is in <mutex>)
};
bool lock_owner(const void* lock, unsigned threads, LockOwner& owner) noexcept;

}  // namespace itc::stress
