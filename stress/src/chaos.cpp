// Chaos hooks: seeded scheduling noise and the blocked-thread record (see chaos.hpp).
#include "itc/stress/chaos.hpp"

#include <chrono>
#include <thread>

namespace itc::stress {
namespace {

struct ThreadState {
  ThreadSlot* slot = nullptr;
  std::uint64_t rng = 0;
};
thread_local ThreadState tls;

// splitmix64: a good 64-bit generator from any seed, one multiply-xorshift per draw.
std::uint64_t next(std::uint64_t& s) noexcept {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
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

}  // namespace

ChaosControl& chaos_control() noexcept {
  static ChaosControl control;
  return control;
}

void attach_thread(unsigned index) noexcept {
  ChaosControl& c = chaos_control();
  tls.slot = &c.slots[index % kMaxThreads];
  tls.rng = c.seed.load(std::memory_order_relaxed) * 0x100000001B3ULL + index + 1;
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
  }
}

void ChaosHooks::at(SyncPoint point, const SourceLocation& loc) noexcept {
  ThreadSlot* slot = tls.slot;
  if (slot == nullptr) return;  // not a scenario thread (the runner itself)
  if (changes_state(point)) slot->steps.fetch_add(1, std::memory_order_relaxed);
  if (may_block(point)) {
    slot->point.store(static_cast<int>(point), std::memory_order_relaxed);
    slot->file.store(loc.file, std::memory_order_relaxed);
    slot->function.store(loc.function, std::memory_order_relaxed);
    slot->line.store(loc.line, std::memory_order_relaxed);
    slot->state.store(ThreadSlot::blocked, std::memory_order_release);
  }
  if (!chaos_control().enabled.load(std::memory_order_relaxed)) return;
  const std::uint64_t r = next(tls.rng);
  // About 1 in 8 points yields and 1 in 256 sleeps 1-32 us: enough to reorder threads often on
  // a 2-core machine, little enough that a correct scenario still runs a round in milliseconds.
  if ((r & 255) == 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(1 + ((r >> 8) & 31)));
  } else if ((r & 7) == 0) {
    std::this_thread::yield();
  }
}

void ChaosHooks::done(SyncPoint /*point*/, const SourceLocation& /*loc*/) noexcept {
  ThreadSlot* slot = tls.slot;
  if (slot == nullptr) return;
  slot->steps.fetch_add(1, std::memory_order_relaxed);
  slot->state.store(ThreadSlot::running, std::memory_order_release);
}

}  // namespace itc::stress
