// itc/detail/parking_lot.hpp — park a thread on the address of an atomic word; wake by address.
//
// Why: a primitive's signalling call (Event::set, Semaphore::release, Lock::release, Queue::put,
// Queue::task_done) makes one atomic step that can let a waiter return, and the waiter may then
// destroy the object at once (`Event done; ...; done.wait(); }` — legal for POSIX semaphores
// and Python objects, and common). After that step the signaller may touch *nothing* of the
// object: no counter, no mutex, no condition variable inside it. So waiters do not sleep on
// state inside the object; they sleep here, in storage that lives as long as the program, keyed
// by the address of the word they wait on. A wake-up names only that address: if the object is
// gone, nobody is parked under its address any more and the wake finds nobody (or, if the memory
// was reused for another word that threads park on, wakes them spuriously — every caller of
// park() re-checks its condition, so that is harmless). This is the design of WebKit's
// ParkingLot, of folly's ParkingLot, and of a futex, without a system call when nobody sleeps.
//
// Contract:
//   park(addr, validate, deadline)   locks addr's bucket, calls validate(); if it returns false,
//                                    returns true at once. Otherwise sleeps until an unpark of
//                                    addr picks this thread (returns true) or `deadline` passes
//                                    (returns false). Never returns spuriously. A signaller that
//                                    changes the word before it calls unpark cannot be missed:
//                                    validate() runs under the same bucket lock as the unpark.
//   unpark_one(addr) / unpark_all(addr)
//                                    wake the longest-parked thread / every thread parked on
//                                    addr, if any. Reads nothing at addr.
//
// Memory ordering: the bucket mutex orders validate() after any unpark that ran before it, so a
// word change made before an unpark is visible to a later validate(). Callers still publish
// their data through the word itself (a release store / RMW read with acquire by the waiter).
//
// Costs: unpark with nobody parked in the bucket is a lock, a look at an empty list and an
// unlock — no system call. Callers avoid even that with a "someone may be parked" bit in their
// word. Each parked thread's node (with its own condition variable) is on its stack.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace itc::detail::parking_lot {

struct Waiter {
  explicit Waiter(const void* a) noexcept : addr(a) {}
  const void* addr;
  std::condition_variable cv;
  bool unparked = false;
  Waiter* prev = nullptr;
  Waiter* next = nullptr;
};

// One bucket per cache line (two, for the spatial prefetcher), so that unrelated words do not
// share a lock's line.
struct alignas(128) Bucket {
  std::mutex mutex;
  Waiter* head = nullptr;  // FIFO: the longest-parked thread first
  Waiter* tail = nullptr;

  void link(Waiter* w) noexcept {
    w->prev = tail;
    w->next = nullptr;
    (tail != nullptr ? tail->next : head) = w;
    tail = w;
  }
  void unlink(Waiter* w) noexcept {
    (w->prev != nullptr ? w->prev->next : head) = w->next;
    (w->next != nullptr ? w->next->prev : tail) = w->prev;
    w->prev = w->next = nullptr;
  }
};

inline constexpr std::size_t kBuckets = 256;

inline Bucket& bucket_for(const void* addr) noexcept {
  // Constant-initialised (std::mutex has a constexpr constructor and a trivial destructor in
  // the standard libraries itc supports), so it exists before and after every static object
  // that might park or unpark in its constructor or destructor.
  static Bucket buckets[kBuckets];
  // Fibonacci hashing of the address; the low bits of an aligned word's address carry nothing.
  const auto bits = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(addr) >> 3);
  return buckets[(bits * 0x9E3779B97F4A7C15ULL) >> 56];
}
static_assert(kBuckets == 256, "bucket_for() keeps the top 8 bits of the hash");

template <class Validate, class Clock, class Duration>
bool park(const void* addr, Validate&& validate, const std::chrono::time_point<Clock, Duration>* deadline) {
  Bucket& b = bucket_for(addr);
  Waiter me(addr);
  std::unique_lock<std::mutex> lock(b.mutex);
  if (!validate()) return true;
  b.link(&me);
  while (!me.unparked) {
    if (deadline == nullptr) {
      me.cv.wait(lock);
    } else if (me.cv.wait_until(lock, *deadline) == std::cv_status::timeout && !me.unparked) {
      b.unlink(&me);
      return false;
    }
  }
  return true;
}

/// Wakes up to `count` threads parked on `addr` (oldest first). Returns how many it woke.
// Out of line and cold on purpose: callers reach it only when their word says someone may be
// parked. Inlined, the compiler hoisted the bucket hash out of the benchmarks' acquire/release
// loops and spilled the loop counter to the lock's own cache line (+1.2 ns per Lock pair).
[[gnu::noinline, gnu::cold]] inline std::size_t unpark(const void* addr, std::size_t count) noexcept {
  Bucket& b = bucket_for(addr);
  std::size_t woken = 0;
  std::lock_guard<std::mutex> lock(b.mutex);
  for (Waiter* w = b.head; w != nullptr && woken < count;) {
    Waiter* next = w->next;
    if (w->addr == addr) {
      b.unlink(w);
      w->unparked = true;
      // Under the bucket lock: the node is on the parked thread's stack, and that thread can
      // only return (and free it) once it has the lock again.
      w->cv.notify_one();
      ++woken;
    }
    w = next;
  }
  return woken;
}

inline void unpark_one(const void* addr) noexcept {
  (void)unpark(addr, 1);
}
inline void unpark_all(const void* addr) noexcept {
  (void)unpark(addr, SIZE_MAX);
}

}  // namespace itc::detail::parking_lot
