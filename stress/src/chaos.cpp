// Chaos hooks: seeded scheduling noise and the blocked-thread record (see chaos.hpp).
#include "itc/stress/chaos.hpp"

#include "itc/detail/spin.hpp"

#include <execinfo.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

namespace itc::stress {
namespace {

struct ThreadState {
  ThreadSlot* slot = nullptr;
  std::uint64_t rng = 0;
  unsigned polls = 0;  // consecutive relax() calls with no state change between them
};
thread_local ThreadState tls;

// splitmix64: a good 64-bit generator from any seed, one multiply-xorshift per draw.
std::uint64_t next(std::uint64_t& s) noexcept {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A source file of the standard library (<mutex>'s std::lock_guard calling Lock::lock()).
bool in_standard_library(const char* file) noexcept {
  return file != nullptr &&
         (std::strncmp(file, "/usr/include/", 13) == 0 || std::strstr(file, "/include/c++/") != nullptr);
}

bool may_block(SyncPoint p) noexcept {
  return p == SyncPoint::lock || p == SyncPoint::wait;
}

// Progress means changing shared state. A thread that only polls (atomic loads, plain reads,
// yields) while another is stuck is not progress: the watchdog must still call that a hang.
bool changes_state(SyncPoint p) noexcept {
  switch (p) {
    case SyncPoint::lock:
    case SyncPoint::unlock:
    case SyncPoint::notify:
    case SyncPoint::atomic_store:
    case SyncPoint::atomic_rmw:
    case SyncPoint::var_write:
      return true;
    default:
      return false;
  }
}

/// Busy-waits about `ns` nanoseconds (a delay that keeps the CPU: its length does not depend on
/// the scheduler, unlike a yield or a sleep on a busy machine).
void spin_for(std::int64_t ns) noexcept {
  using Clock = std::chrono::steady_clock;
  const auto until = Clock::now() + std::chrono::nanoseconds(ns);
  do {
    itc::detail::cpu_relax();
  } while (Clock::now() < until);
}

}  // namespace

ChaosControl& chaos_control() noexcept {
  static ChaosControl control;
  return control;
}

void attach_thread(unsigned index) noexcept {
  ChaosControl& c = chaos_control();
  tls.slot = &c.slots[index % kMaxThreads];
  tls.rng = c.seed.load(std::memory_order_relaxed) * 0x100000001B3ULL + index + 1;
  tls.polls = 0;
  tls.slot->tid.store(static_cast<int>(::syscall(SYS_gettid)), std::memory_order_relaxed);
  clockid_t cpu = 0;
  tls.slot->cpu_clock.store(pthread_getcpuclockid(pthread_self(), &cpu) == 0 ? static_cast<int>(cpu) : -1,
                            std::memory_order_relaxed);
  // Sleeps of a few microseconds mean a few microseconds, not the default 50 µs timer slack.
  (void)::prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
  tls.slot->state.store(ThreadSlot::running, std::memory_order_release);
}

void detach_thread() noexcept {
  if (tls.slot != nullptr) tls.slot->state.store(ThreadSlot::finished, std::memory_order_release);
  tls.slot = nullptr;
}

void reset_slots(unsigned threads) noexcept {
  ChaosControl& c = chaos_control();
  for (unsigned i = 0; i < threads && i < kMaxThreads; ++i) {
    ThreadSlot& s = c.slots[i];
    s.state.store(ThreadSlot::idle);
    s.point.store(0);
    s.file.store(nullptr);
    s.function.store(nullptr);
    s.line.store(0);
    s.steps.store(0);
    s.activity.store(0);
    s.tid.store(0);
    s.cpu_clock.store(-1);
    s.waiting_lock.store(nullptr);
    for (HeldLock& h : s.held) h.lock.store(nullptr);
  }
}

void ChaosHooks::on_lock(LockEvent event, const void* lock, const SourceLocation& loc) noexcept {
  ThreadSlot* slot = tls.slot;
  ChaosControl& c = chaos_control();
  switch (event) {
    case LockEvent::attempt:
      if (slot != nullptr) slot->waiting_lock.store(lock, std::memory_order_relaxed);
      break;
    case LockEvent::gave_up:
      if (slot != nullptr) slot->waiting_lock.store(nullptr, std::memory_order_relaxed);
      break;
    case LockEvent::acquired:
      if (slot == nullptr) break;
      slot->waiting_lock.store(nullptr, std::memory_order_relaxed);
      for (HeldLock& h : slot->held) {
        if (h.lock.load(std::memory_order_relaxed) != nullptr) continue;
        h.file.store(loc.file, std::memory_order_relaxed);
        h.function.store(loc.function, std::memory_order_relaxed);
        h.line.store(loc.line, std::memory_order_relaxed);
        int count = 0;
        if (in_standard_library(loc.file)) {
          void* frames[HeldLock::kFrames];
          count = backtrace(frames, HeldLock::kFrames);
          for (int f = 0; f < count; ++f) h.frames[f].store(frames[f], std::memory_order_relaxed);
        }
        h.frame_count.store(count, std::memory_order_relaxed);
        // release: the watchdog that sees the lock sees its site.
        h.lock.store(lock, std::memory_order_release);
        break;
      }
      break;
    case LockEvent::released: {
      // Usually the releasing thread holds it; a Python Lock may be released by another thread,
      // so every slot is searched then. Compare-exchange: two slots never clear each other's.
      auto clear_in = [lock](ThreadSlot& s) {
        for (HeldLock& h : s.held) {
          const void* expected = lock;
          if (h.lock.load(std::memory_order_relaxed) == lock &&
              h.lock.compare_exchange_strong(expected, nullptr, std::memory_order_relaxed))
            return true;
        }
        return false;
      };
      if (slot != nullptr && clear_in(*slot)) break;
      for (ThreadSlot& s : c.slots)
        if (clear_in(s)) break;
      break;
    }
  }
}

bool lock_owner(const void* lock, unsigned threads, LockOwner& owner) noexcept {
  ChaosControl& c = chaos_control();
  for (unsigned t = 0; t < threads && t < kMaxThreads; ++t)
    for (const HeldLock& h : c.slots[t].held)
      if (h.lock.load(std::memory_order_acquire) == lock) {
        owner = LockOwner{t,
                          h.file.load(std::memory_order_relaxed),
                          h.function.load(std::memory_order_relaxed),
                          h.line.load(std::memory_order_relaxed),
                          {}};
        const int count = h.frame_count.load(std::memory_order_relaxed);
        for (int f = 0; f < count && f < HeldLock::kFrames; ++f)
          owner.frames.push_back(h.frames[f].load(std::memory_order_relaxed));
        return true;
      }
  return false;
}

void ChaosHooks::at(SyncPoint point, const SourceLocation& loc) noexcept {
  ThreadSlot* slot = tls.slot;
  if (slot == nullptr) return;  // not a scenario thread (the runner itself)
  slot->activity.fetch_add(1, std::memory_order_relaxed);
  if (changes_state(point)) {
    slot->steps.fetch_add(1, std::memory_order_relaxed);
    tls.polls = 0;
    if (slot->state.load(std::memory_order_relaxed) == ThreadSlot::polling)
      slot->state.store(ThreadSlot::running, std::memory_order_release);
  }
  if (may_block(point)) {
    slot->point.store(static_cast<int>(point), std::memory_order_relaxed);
    slot->file.store(loc.file, std::memory_order_relaxed);
    slot->function.store(loc.function, std::memory_order_relaxed);
    slot->line.store(loc.line, std::memory_order_relaxed);
    slot->state.store(ThreadSlot::blocked, std::memory_order_release);
  }
  if (!chaos_control().enabled.load(std::memory_order_relaxed)) return;
  const std::uint64_t r = next(tls.rng);
  // About 1 in 256 points sleeps 1-32 us (the CPU goes to another thread: the reordering a
  // preemption gives) and 1 in 8 spins 0.25-4 us (this thread falls behind the others running
  // beside it). Enough to reorder threads often on a 2-core machine, little enough that a
  // correct scenario still runs a round in milliseconds, busy machine or not.
  if ((r & 255) == 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(1 + ((r >> 8) & 31)));
  } else if ((r & 7) == 0) {
    spin_for(250 + static_cast<std::int64_t>((r >> 8) & 4095) * 15 / 16);
  }
}

void ChaosHooks::relax(const SourceLocation& loc) noexcept {
  ThreadSlot* slot = tls.slot;
  if (slot == nullptr) {  // not a scenario thread
    std::this_thread::yield();
    return;
  }
  if (tls.polls++ == 0) {
    slot->file.store(loc.file, std::memory_order_relaxed);
    slot->function.store(loc.function, std::memory_order_relaxed);
    slot->line.store(loc.line, std::memory_order_relaxed);
    slot->state.store(ThreadSlot::polling, std::memory_order_release);
  }
  // The first polls of a loop spin (the awaited thread usually runs on another core and is
  // about to write); a longer wait sleeps, which hands the CPU to whoever needs it — the awaited
  // thread, if it shares this core — without the deadline penalty of sched_yield.
  if (tls.polls <= 16) {
    spin_for(1000);
  } else {
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
}

void ChaosHooks::done(SyncPoint /*point*/, const SourceLocation& /*loc*/) noexcept {
  ThreadSlot* slot = tls.slot;
  if (slot == nullptr) return;
  slot->steps.fetch_add(1, std::memory_order_relaxed);
  slot->state.store(ThreadSlot::running, std::memory_order_release);
}

}  // namespace itc::stress
