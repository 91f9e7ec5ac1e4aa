// itc/detail/word_mutex.hpp — the internal mutex of primitives whose critical sections are a
// few instructions (Queue's two locks): one atomic word, a short spin, then a park.
//
// Why not P::Mutex (std::mutex on the real-thread platform): glibc's default mutex sleeps in
// the kernel the moment it finds the lock held, although the holder of a Queue lock leaves it
// within ~20–50 ns (a push, a swap of two buffers). With a producer and a consumer meeting on
// one lock, every such collision became a futex sleep and wake-up, and the lock/unlock calls
// themselves (out of line, with owner bookkeeping) were over half the profile of a Queue hand-off
// (stress/bench/README.md, queue/spsc). This lock is inline, spins briefly when the lock is held,
// and parks only after that.
//
// Contract: a non-recursive, non-timed mutex for internal use; a Clang capability, so
// detail::MutexGuard and ITC_GUARDED_BY work with it. lock() twice from one thread deadlocks;
// unlock() from a thread that does not hold it is undefined (primitives never do either). There
// is no condition variable for it: a primitive that waits under its lock uses P::Mutex.
//
// Algorithm: Drepper's mutex ("Futexes are tricky", mutex2) on P::park. The word is 0 free,
// 1 held, 2 held and maybe waited on. lock(): one compare-exchange 0 → 1. If that fails, poll
// the word for up to kSpinWhileHeld (a running holder frees it long before), try again, then
// exchange 2 in and park while the word is 2; every thread that has parked takes the word with
// that same exchange to 2, so the mark stays for the others. unlock(): exchange 0 in; if it was
// 2, wake one parked thread by the word's address.
//
// Memory ordering: lock() acquires (the successful compare-exchange or exchange), unlock()
// releases (the exchange): everything written before an unlock() is visible after the lock()
// that takes the word next.
//
// Destruction: unlock()'s exchange is the step that frees the lock; after it, unlock() uses only
// the word's address (P::unpark_one), so a thread that takes the lock and destroys the object at
// once is safe, as with every itc wake-up (detail/parking_lot.hpp).
//
// ThreadSanitizer sees the acquire/release atomics, so happens-before is exact; it does not know
// this word is a lock, so it names no internal mutex in a report and cannot see lock-order
// inversions between them (there are none: Queue takes out_mutex_ before mutex_, always).
//
// Under a model checker the spin is a single poll (detail/spin.hpp), so the interleavings are
// those of the compare-exchange, the exchange and the park; models/selfcheck checks them.
#pragma once

#include <chrono>
#include <cstdint>

#include "itc/detail/spin.hpp"
#include "itc/platform/source_location.hpp"
#include "itc/platform/thread_annotations.hpp"

namespace itc::detail {

template <class P>
class ITC_CAPABILITY("mutex") WordMutex {
 public:
  /// How long lock() polls a held word before it parks: far longer than a Queue critical
  /// section, far shorter than the ~20–35 µs a park and wake-up cost here. A holder still inside
  /// after that is not running (descheduled), and spinning on would only keep it off the CPU.
  static constexpr std::chrono::nanoseconds kSpinWhileHeld{std::chrono::microseconds(2)};

  WordMutex() = default;
  WordMutex(const WordMutex&) = delete;
  WordMutex& operator=(const WordMutex&) = delete;

  void lock(SourceLocation loc = SourceLocation::current()) ITC_ACQUIRE() {
    std::uint32_t expected = kFree;
    // acquire: pairs with unlock()'s release exchange.
    if (word_.compare_exchange_strong(expected, kHeld, std::memory_order_acquire, loc)) return;
    lock_contended(loc);
  }

  void unlock(SourceLocation loc = SourceLocation::current()) ITC_RELEASE() {
    // release: publishes the critical section to the next lock(). From here on, address only.
    if (word_.exchange(kFree, std::memory_order_release, loc) == kWaitedOn) P::unpark_one(&word_, loc);
  }

 private:
  static constexpr std::uint32_t kFree = 0;
  static constexpr std::uint32_t kHeld = 1;
  static constexpr std::uint32_t kWaitedOn = 2;

  // Out of line: keeps lock() a compare-exchange and a branch where it is inlined.
  [[gnu::noinline]] void lock_contended(SourceLocation loc) {
    // relaxed polls: only the exchange below takes the word, and it acquires.
    (void)spin_until<P>([&] { return word_.load(std::memory_order_relaxed, loc) == kFree; }, kSpinWhileHeld);
    std::uint32_t expected = kFree;
    if (word_.compare_exchange_strong(expected, kHeld, std::memory_order_acquire, loc)) return;
    // Mark the word and sleep while it stays marked. The exchange that finds it free takes it
    // (marked: other threads may still be parked).
    while (word_.exchange(kWaitedOn, std::memory_order_acquire, loc) != kFree) {
      (void)P::park(word_, kWaitedOn, nullptr, loc);
    }
  }

  typename P::template Atomic<std::uint32_t> word_{kFree};
};

/// The mutex a primitive uses for its short critical sections: the platform's ShortMutex if it
/// declares one (the real-thread platform: WordMutex), otherwise its Mutex (a model checker's
/// platform, where a lock should be one scheduling point, and platforms written before
/// ShortMutex existed).
template <class P>
struct ShortMutexOf {
  using type = typename P::Mutex;
};
template <class P>
requires requires {
  typename P::ShortMutex;
}
struct ShortMutexOf<P> {
  using type = typename P::ShortMutex;
};
template <class P>
using short_mutex_t = typename ShortMutexOf<P>::type;

}  // namespace itc::detail
