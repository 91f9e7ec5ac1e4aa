// itc/platform/tsan_annotations.hpp — telling ThreadSanitizer the truth about itc::Lock.
//
// itc::Lock is built on an atomic word, not on pthread_mutex. ThreadSanitizer sees its
// happens-before edges directly (the acquire/release atomics on the word), but not that it is a
// *lock*, so on its own it would never report a lock-order inversion (a potential deadlock)
// between itc locks. These functions tell it, in TSan builds only (-fsanitize=thread); they
// compile to nothing otherwise, including under the Relacy model checker.
//
// Why not TSan's mutex annotations (__tsan_mutex_pre_lock ... post_unlock) held for the whole
// critical section, as for a std::mutex? Because TSan models a mutex as *owned by a thread*,
// and Python's Lock is not: any thread may release it (threading.Lock is a binary semaphore),
// and a Lock may be destroyed while held. TSan's deadlock detector keeps each thread's held
// locks in that thread's own storage, and only that thread can remove them. A release by
// another thread, or a destroy while held, therefore leaves the lock "held" by the acquirer for
// ever: its next acquire is a "double lock", later races are misreported, a reused address
// inherits the held state, and after 64 such locks TSan's own CHECK (deadlock_detector.h:67)
// fails. Re-creating the mutex on a foreign release (what itc did before) also drops the
// release's happens-before edge, and TSan then reports races on correctly protected data.
//
// What itc does instead:
//   * Happens-before comes from the Lock's own atomics, which TSan already understands; no
//     mutex annotation brackets them (a bracket would make TSan ignore them).
//   * Lock order: each thread keeps its own list of the itc locks it holds. When it is about to
//     block on lock M while holding L1..Ln, it shows TSan the order *instantaneously*: lock
//     L1..Ln, lock M, then unlock them all again, in one call, with TSan's synchronisation
//     tracking switched off (AnnotateIgnoreSyncBegin/End), so the replay adds no
//     happens-before edge. TSan's deadlock detector records the edges Li -> M exactly as if
//     the locks had been held throughout, and reports a cycle (the lock-order-inversion of
//     lock/abba) with both stacks — at the attempt, as it does for pthread_mutex_lock, so even
//     the run that deadlocks reports it. Because TSan never sees an itc lock held beyond that
//     instant, a release by another thread, a destroy while held, and thread-id reuse cannot
//     confuse it. A non-blocking acquire(false) adds no edge (TSan's rule for try-locks).
//   * A foreign release or a destroy while held makes the acquirer's list entry stale: the lock
//     bumps an epoch kept outside the object (a table indexed by address hash, so that a
//     destroyed lock is never read), and entries whose epoch changed are dropped. A hash
//     collision can only drop an entry early (a missed edge, never a false report).
//
// Residual window: two threads replaying the same lock at the same instant (possible only
// right after a release by another thread, or a destroy while held) can make TSan see it
// locked twice for that instant.
//
// Cost: TSan builds only — a thread-local vector and a table look-up per acquire and release.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define ITC_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ITC_TSAN 1
#endif
#endif

#ifdef ITC_TSAN
#include <sanitizer/tsan_interface.h>

// TSan's dynamic-annotation entry points (in every TSan runtime, declared by no header).
extern "C" void AnnotateIgnoreSyncBegin(const char* file, int line);
extern "C" void AnnotateIgnoreSyncEnd(const char* file, int line);

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>
#endif

namespace itc::detail::tsan {

#ifdef ITC_TSAN

inline std::atomic<std::uint64_t>& epoch_of(const void* lock) noexcept {
  static std::atomic<std::uint64_t> epochs[4096];
  const auto bits = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(lock) >> 3);
  return epochs[(bits * 0x9E3779B97F4A7C15ULL) >> 52];
}

struct Held {
  const void* lock;
  std::uint64_t epoch;
};

inline std::vector<Held>& held_by_this_thread() {
  thread_local std::vector<Held> held;
  return held;
}

inline bool is_current(const Held& h) noexcept {
  return epoch_of(h.lock).load(std::memory_order_acquire) == h.epoch;
}

/// The calling thread is about to block on `lock` (a blocking or timed acquire): show TSan the
/// order against every lock it holds, so that an inversion is reported even by the run that
/// then deadlocks (TSan does the same at pthread_mutex_lock's entry). The replay ignores
/// synchronisation: it must add no happens-before edge, since this thread does not hold
/// `lock` yet and may never get it.
inline void lock_attempt(const void* lock) {
  std::vector<Held>& held = held_by_this_thread();
  std::erase_if(held, [&](const Held& h) { return h.lock == lock || !is_current(h); });
  if (held.empty()) return;
  AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
  for (const Held& h : held) {
    __tsan_mutex_pre_lock(const_cast<void*>(h.lock), __tsan_mutex_try_lock);
    __tsan_mutex_post_lock(const_cast<void*>(h.lock), __tsan_mutex_try_lock, 0);
  }
  __tsan_mutex_pre_lock(const_cast<void*>(lock), 0);
  __tsan_mutex_post_lock(const_cast<void*>(lock), 0, 0);
  (void)__tsan_mutex_pre_unlock(const_cast<void*>(lock), 0);
  __tsan_mutex_post_unlock(const_cast<void*>(lock), 0);
  for (auto it = held.rbegin(); it != held.rend(); ++it) {
    (void)__tsan_mutex_pre_unlock(const_cast<void*>(it->lock), 0);
    __tsan_mutex_post_unlock(const_cast<void*>(it->lock), 0);
  }
  AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
}

/// The calling thread has acquired `lock`: remember it as held.
inline void lock_acquired(const void* lock) {
  std::vector<Held>& held = held_by_this_thread();
  std::erase_if(held, [&](const Held& h) { return h.lock == lock || !is_current(h); });
  held.push_back(Held{lock, epoch_of(lock).load(std::memory_order_acquire)});
}

/// `lock` is being released by the thread that acquired it.
inline void released_by_owner(const void* lock) {
  std::vector<Held>& held = held_by_this_thread();
  std::erase_if(held, [&](const Held& h) { return h.lock == lock; });
}

/// `lock` is released by another thread, or destroyed while held: whoever acquired it no
/// longer holds it. Call before the releasing atomic step (the lock may be gone after it).
inline void forget_holder(const void* lock) noexcept {
  epoch_of(lock).fetch_add(1, std::memory_order_release);
}

/// The lock at this address was created: TSan learns that it is a mutex (for its reports).
inline void created(const void* lock) noexcept {
  __tsan_mutex_create(const_cast<void*>(lock), __tsan_mutex_not_static);
}
/// The lock at this address is destroyed (TSan never sees an itc lock held, so never
/// "destroy of a locked mutex").
inline void destroyed(const void* lock) noexcept {
  __tsan_mutex_destroy(const_cast<void*>(lock), __tsan_mutex_not_static);
}

#else
inline void lock_attempt(const void*) noexcept {}
inline void lock_acquired(const void*) noexcept {}
inline void released_by_owner(const void*) noexcept {}
inline void forget_holder(const void*) noexcept {}
inline void created(const void*) noexcept {}
inline void destroyed(const void*) noexcept {}
#endif

}  // namespace itc::detail::tsan
