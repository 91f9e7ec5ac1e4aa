// itc/queue.hpp — queue.Queue, queue.LifoQueue, queue.PriorityQueue (with 3.13's shutdown()).
//
// A multi-producer, multi-consumer queue with optional capacity and task accounting. One class,
// BasicQueue<T, P, Order>, with the retrieval order as a policy: FifoOrder (Queue), LifoOrder
// (LifoQueue), PriorityOrder<Compare> (PriorityQueue: smallest first under Compare, like heapq).
//
//   BasicQueue(maxsize = 0)     maxsize <= 0 means unbounded
//   put(item)                   block while full; ShutDown after shutdown()
//   put(item, timeout)          wait at most `timeout` for room, else Full. Zero = try once.
//                               Negative on a bounded queue -> InvalidArgument
//                               "'timeout' must be a non-negative number" (Python's rule, which
//                               ignores the timeout on an unbounded queue)
//   put_nowait(item)            Full if there is no room now
//   try_put(std::move(item))    C++ extra: false if full, and `item` is left untouched
//   get() / get(timeout) / get_nowait()
//                               mirror put: block / Empty after timeout / Empty now. A negative
//                               timeout is InvalidArgument even if an item is available. After
//                               shutdown(), get() still drains what is left and throws ShutDown
//                               only once the queue is empty.
//   try_get() -> std::optional  C++ extra: nullopt instead of Empty
//   task_done()                 mark one fetched item processed; TaskDoneTooManyTimes if more
//                               task_done() than put() (the count stays 0)
//   join() / join(timeout)      block until every put() item has had its task_done(); join never
//                               throws ShutDown. The timed form returns false on expiry (C++ extra)
//   qsize(), empty(), full(), unfinished_tasks(), maxsize(), set_maxsize(n), is_shutdown()
//                               snapshots; set_maxsize wakes blocked putters (Python does not,
//                               see the Python-semantics checklist §4.12)
//   shutdown(immediate = false) further put()s throw ShutDown; blocked putters and (once empty)
//                               getters wake and throw ShutDown. immediate: also drop every
//                               queued item, subtract them from unfinished_tasks (never below 0)
//                               and wake join()ers if that reaches 0.
//
// Precedence, as in CPython: ShutDown before Full/Empty and before the timeout check.
//
// Exception safety (Python's FailingQueueTest), strong for every kind and any T: if storing an
// item throws (T's move constructor, a PriorityQueue comparison, an allocation), put()
// propagates it, the item is not counted and the queue is exactly as before; if taking one
// throws (the move out, a comparison), every get form (get, get_nowait, try_get) propagates it
// and the queue is exactly as before, that item still the next. So no throw leaves a moved-from
// item queued or loses one, and qsize/full/unfinished_tasks stay exact. Items are moved, never
// copied, so move-only T works. How (detail/queue_orders.hpp): a move of T that may throw is
// never made on a stored item; for such a T, LifoQueue keeps its items in a std::deque and
// PriorityQueue each item in a heap node of its own (one allocation per item).
//
// Memory ordering: everything a producer wrote before put(x) is visible to the consumer after
// get() returns x; everything written before task_done() is visible after join() returns.
//
// Waking: put() wakes one parked getter and get() one parked putter, and only when someone is
// parked, so a hand-off between running threads makes no system call; and put() wakes only as
// many getters as are parked and not already woken, so a producer that keeps running while the
// getter it woke waits for a CPU pays for one wake-up, not one per item. A getter that finds the
// queue empty (a putter that finds it full) first polls for a few microseconds without holding
// any lock (detail/spin.hpp), then parks; a long wait therefore costs only those microseconds of
// CPU. Nobody sleeps on a condition variable inside the queue: getters park on the address of
// a wake-up counter, putters on the take counter, joiners on the task counter (P::park).
//
// Destruction: a thread may destroy the queue as soon as its own call returns — join() and
// then destroy, or the last get() and then destroy, or a put() that waited for room and then
// destroy — while the thread that let it return is still inside its own call. Each signalling
// call's last touch of the queue is the step that lets the waiter return (task_done()'s
// compare-exchange, get()'s count of the take after its locks are released, put()'s and
// shutdown()'s unlock of `mutex_`, which every woken thread takes before it returns); after it,
// only the addresses of the words parked on are used. Destroying the queue while another
// thread is still blocked in it, or may still call it, stays undefined.
//
// Implementation: two locks. Putters store under `mutex_` into `in_`; getters take from `out_`
// under `out_mutex_`, and when `out_` is empty a getter moves all of `in_` over at once (FIFO
// only: a swap, O(1)). Producer and consumer then meet on a lock once per batch instead of once
// per item, and their hot fields sit on separate cache lines: 1P/1C throughput is ~2.4x the
// one-mutex textbook queue on the 2-core benchmark machine (stress/bench/README.md). LIFO and
// priority queues need every item in one structure, so their getters take items from `in_`
// under `mutex_` (they keep the textbook's one-lock cost). Every path is model-checked and
// stress-tested by models/selfcheck (several producers and consumers, maxsize 1, shutdown).
//
// Task accounting takes no lock either: unfinished_tasks() = put_total_ - done, two counters
// that only grow, one per side; task_done() is a compare-exchange that never lets the count go
// below 0. The counters are 64-bit on every target and compared by their difference, so they
// may wrap around.
//
// A FIFO getter that finds the getters' side empty and exactly one item queued takes it under
// mutex_ alone (take_lone_item): put()+get() from one thread, or a consumer that keeps up with
// its producer, costs one lock per side like the textbook queue. Figures: stress/bench/README.md.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "itc/detail/deadline.hpp"
#include "itc/detail/queue_orders.hpp"
#include "itc/detail/spin.hpp"
#include "itc/errors.hpp"
#include "itc/platform/lock_guard.hpp"
#include "itc/platform/std_platform.hpp"

namespace itc {

namespace detail {
/// Testing only: a BasicQueue constructed with this starts every internal counter at `value`
/// instead of 0, so that a test can drive the counters across their wrap-around points.
struct QueueCountersStartAt {
  std::uint64_t value;
};
}  // namespace detail

template <class T, class P = StdPlatform, class Order = FifoOrder<T>>
class BasicQueue {
  // Two adjacent lines: Intel's spatial prefetcher fetches them in pairs.
  static constexpr std::size_t kCacheLine = 128;

 public:
  using value_type = T;
  using platform_type = P;
  using clock = typename P::Clock;

  explicit BasicQueue(std::ptrdiff_t maxsize = 0) : maxsize_(maxsize) {}
  BasicQueue(std::ptrdiff_t maxsize, detail::QueueCountersStartAt start)
      : done_total_(start.value << kDoneShift),
        put_total_seen_(start.value),
        taken_(start.value << kTakenShift),
        put_total_(start.value),
        put_total_when_in_emptied_(start.value),
        taken_seen_(start.value),
        maxsize_(maxsize) {}
  BasicQueue(const BasicQueue&) = delete;
  BasicQueue& operator=(const BasicQueue&) = delete;

  void put(T item) {
    bool wake_getter = false;
    {
      detail::MutexGuard guard(mutex_);
      if (shutdown_.read()) throw ShutDown();
      wait_for_room(nullptr);
      wake_getter = store(std::move(item));
    }
    if (wake_getter) P::unpark_one(&get_wake_);  // the queue may be gone: address only
  }

  template <class Rep, class Period>
  void put(T item, std::chrono::duration<Rep, Period> timeout) {
    bool wake_getter = false;
    {
      detail::MutexGuard guard(mutex_);
      if (shutdown_.read()) throw ShutDown();
      if (maxsize_.read() > 0) {
        if (detail::is_negative(timeout)) throw InvalidArgument("'timeout' must be a non-negative number");
        const auto deadline = detail::deadline_after<clock>(timeout);
        wait_for_room(&deadline);
      }
      wake_getter = store(std::move(item));
    }
    if (wake_getter) P::unpark_one(&get_wake_);
  }

  void put_nowait(T item) {
    if (!try_put(std::move(item))) throw Full();
  }

  /// Stores `item` if there is room now and returns true; otherwise returns false and leaves
  /// `item` as it was. Throws ShutDown after shutdown().
  bool try_put(T&& item) {
    bool wake_getter = false;
    {
      detail::MutexGuard guard(mutex_);
      if (shutdown_.read()) throw ShutDown();
      if (is_full()) return false;
      wake_getter = store(std::move(item));
    }
    if (wake_getter) P::unpark_one(&get_wake_);
    return true;
  }

  T get() {
    // The item is taken under the getters' lock and counted in taken_ only after that lock is
    // released: counting it may let a parked putter finish and destroy the queue, so it is the
    // last touch of the queue (see count_taken). One named result and one return statement, so
    // the item moves once: with a second `return` in this function (even in a discarded
    // `if constexpr` branch) clang does not elide `out`, and a throwing move could lose the item.
    bool counted = false;
    T out = [&]() -> T {
      if constexpr (kLoneItemPath) {
        if (std::optional<T> lone = take_lone_item()) {
          counted = true;
          return std::move(*lone);  // noexcept move: see take_lone_item
        }
      }
      detail::MutexGuard guard(out_mutex_);
      wait_for_item(nullptr);
      return pop_next([](T& v) { return T(std::move(v)); });
    }();
    if (!counted) count_taken();
    return out;
  }

  template <class Rep, class Period>
  T get(std::chrono::duration<Rep, Period> timeout) {
    T out = [&] {
      detail::MutexGuard guard(out_mutex_);
      (void)item_available();  // ShutDown on a shut-down, empty queue comes before InvalidArgument
      if (detail::is_negative(timeout)) throw InvalidArgument("'timeout' must be a non-negative number");
      const auto deadline = detail::deadline_after<clock>(timeout);
      wait_for_item(&deadline);
      return pop_next([](T& v) { return T(std::move(v)); });
    }();
    count_taken();
    return out;
  }

  T get_nowait() {
    bool counted = false;  // one return statement: see get()
    T out = [&]() -> T {
      if constexpr (kLoneItemPath) {
        if (std::optional<T> lone = take_lone_item()) {
          counted = true;
          return std::move(*lone);
        }
      }
      detail::MutexGuard guard(out_mutex_);
      if (!item_available()) throw Empty();
      return pop_next([](T& v) { return T(std::move(v)); });
    }();
    if (!counted) count_taken();
    return out;
  }

  /// An item if one is queued now, else nullopt. Throws ShutDown on a shut-down, empty queue.
  std::optional<T> try_get() {
    // The item is moved once, straight into the optional; one return statement (see get()).
    bool counted = false;
    std::optional<T> out = [&]() -> std::optional<T> {
      if constexpr (kLoneItemPath) {
        if (std::optional<T> lone = take_lone_item()) {
          counted = true;
          return lone;
        }
      }
      detail::MutexGuard guard(out_mutex_);
      if (!item_available()) return std::optional<T>();
      return pop_next([](T& v) { return std::optional<T>(std::in_place, std::move(v)); });
    }();
    if (out && !counted) count_taken();
    return out;
  }

  void task_done() {
    // No lock: unfinished = put_total_ - done, two counters that only grow, each written by one
    // side (done lives in done_total_ above its joiner bit). One compare-exchange on the
    // getters' line, and a read of the putters' put_total_ only when the cached copy (a lower
    // bound) no longer proves done < put. Counters are compared by their difference, so they
    // may wrap (detail::QueueCountersStartAt tests that).
    //
    // acquire (and the CAS's on failure): whoever counted the `done` task_done()s got their
    // items, so those items' put()s happen-before this thread, and the put_total_ read below
    // sees at least them. With a relaxed load it could see an older put_total_ and throw
    // TaskDoneTooManyTimes while a task was still unfinished (the model checker found that, in
    // models/selfcheck queue_task_done_join). The cached copy needs no ordering: a value it
    // holds was put_total_ once, and put_total_ only grows, so it can only prove done < put.
    std::uint64_t d = done_total_.load(std::memory_order_acquire);
    std::uint64_t next = 0;
    std::uint64_t put = put_total_seen_.load(std::memory_order_relaxed);
    do {
      if (!proves_unfinished(put, d)) {
        put = put_total_.load(std::memory_order_acquire);
        put_total_seen_.store(put, std::memory_order_relaxed);
        if (!proves_unfinished(put, d)) throw TaskDoneTooManyTimes();  // unfinished was 0 then
      }
      next = d + (std::uint64_t{1} << kDoneShift);
      // The last unfinished task (as far as `put` shows) clears the joiner bit: its joiners are
      // woken below. A put() racing this makes the wake-up early, never lost: a woken joiner
      // re-checks and parks again.
      if (unfinished(put, next) == 0) next &= ~kJoinerParked;
      // acq_rel: as a read-modify-write it continues the release sequence that join()'s load
      // acquires, so every task_done()'s writes are visible after join().
    } while (!done_total_.compare_exchange_strong(d, next, std::memory_order_acq_rel));
    // join() may have returned and the queue may be gone: address only.
    if ((d & kJoinerParked) != 0 && (next & kJoinerParked) == 0) P::unpark_all(&done_total_);
  }

  void join() { (void)join_until(nullptr, SourceLocation::current()); }

  /// Waits at most `timeout` for every task to be done; false on expiry.
  template <class Rep, class Period>
  bool join(std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = detail::deadline_after<clock>(timeout);
    return join_until(&deadline, SourceLocation::current());
  }

  void shutdown(bool immediate = false) {
    bool wake_joiners = false;
    out_mutex_.lock();
    mutex_.lock();
    shutdown_.write() = true;
    // Getters and putters park on get_wake_ and taken_: change both, so that a thread between
    // its last check and its park does not sleep through the shutdown.
    get_wake_.fetch_add(1, std::memory_order_relaxed);
    kick_putters();
    if (immediate) {
      const std::uint64_t drained = queued();
      in_.write().clear();
      out_.write().clear();
      out_has_items_.store(false, std::memory_order_relaxed);
      put_total_when_in_emptied_.store(put_total_.load(std::memory_order_relaxed), std::memory_order_relaxed);
      taken_.fetch_add(drained << kTakenShift, std::memory_order_relaxed);
      // Dropped items count as done, never beyond what is unfinished: one CAS, so a concurrent
      // task_done() cannot take the count below 0.
      const std::uint64_t put = put_total_.load(std::memory_order_relaxed);  // stable: mutex_ held
      std::uint64_t d = done_total_.load(std::memory_order_relaxed);
      std::uint64_t credit = 0;
      std::uint64_t next = 0;
      do {
        credit = std::min(unfinished(put, d), drained);
        next = d + (credit << kDoneShift);
        if (unfinished(put, next) == 0) next &= ~kJoinerParked;
      } while (!done_total_.compare_exchange_strong(d, next, std::memory_order_acq_rel));
      dropped_total_.write() += credit;
      wake_joiners = (d & kJoinerParked) != 0 && (next & kJoinerParked) == 0;
    }
    // mutex_ last: every thread this call lets return (a getter or putter that sees the
    // shutdown, a join() that sees the dropped tasks) takes mutex_ before it returns, so none
    // can destroy the queue before both unlocks are done. From here on: addresses only.
    out_mutex_.unlock();
    mutex_.unlock();
    P::unpark_all(&get_wake_);
    P::unpark_all(&taken_);
    if (wake_joiners) P::unpark_all(&done_total_);
  }

  [[nodiscard]] std::size_t qsize() {
    detail::MutexGuard out_guard(out_mutex_);
    detail::MutexGuard guard(mutex_);
    return queued();
  }
  [[nodiscard]] bool empty() { return qsize() == 0; }
  [[nodiscard]] bool full() {
    detail::MutexGuard guard(mutex_);
    return is_full();
  }
  [[nodiscard]] std::size_t unfinished_tasks() const { return static_cast<std::size_t>(unfinished()); }
  [[nodiscard]] std::ptrdiff_t maxsize() {
    detail::MutexGuard guard(mutex_);
    return maxsize_.read();
  }
  /// Changes the capacity (Python: assigning q.maxsize). Blocked putters re-check at once.
  void set_maxsize(std::ptrdiff_t maxsize) {
    {
      detail::MutexGuard guard(mutex_);
      maxsize_.write() = maxsize;
      kick_putters();
    }
    P::unpark_all(&taken_);
  }
  [[nodiscard]] bool is_shutdown() {
    detail::MutexGuard guard(mutex_);
    return shutdown_.read();
  }

  /// Counters for diagnostics (the stress watchdog prints them for a hung join()). A getter or
  /// putter counts as blocked once it has stopped spinning and is about to park.
  struct Stats {
    std::size_t queued, unfinished, put_total, task_done_total, getters_blocked, putters_blocked,
        joiners_blocked;
    bool shut_down;
  };
  [[nodiscard]] Stats stats() {
    detail::MutexGuard out_guard(out_mutex_);
    detail::MutexGuard guard(mutex_);
    const std::uint64_t d = done_total_.load(std::memory_order_acquire);
    const std::uint64_t put = put_total_.load(std::memory_order_acquire);
    return Stats{queued(),
                 static_cast<std::size_t>(unfinished(put, d)),
                 static_cast<std::size_t>(put),
                 static_cast<std::size_t>((d >> kDoneShift) - dropped_total_.read()),
                 getters_parked_.read(),
                 putters_.read(),
                 joiners_.load(std::memory_order_relaxed),
                 shutdown_.read()};
  }

 private:
  // done_total_ = task_done()s (and items dropped by shutdown(immediate)) << 1 | joiner bit.
  // taken_      = items taken (or dropped) << 2 | kick bit << 1 | putter bit.
  // The flag bits live in the counters themselves because the counter's read-modify-write is
  // the step that can let the waiting side return: the signaller learns from that same step
  // whether anybody must be woken, and then touches nothing of the queue.
  static constexpr unsigned kDoneShift = 1;
  static constexpr std::uint64_t kJoinerParked = 1;  // a join() may be parked on done_total_
  static constexpr unsigned kTakenShift = 2;
  static constexpr std::uint64_t kPutterParked = 1;  // a put() may be parked on taken_
  static constexpr std::uint64_t kKick = 2;          // toggled to wake putters without a take
  static constexpr std::uint64_t kDoneMask = ~std::uint64_t{0} >> kDoneShift;
  static constexpr std::uint64_t kTakenMask = ~std::uint64_t{0} >> kTakenShift;

  // Counters wrap; their differences are exact as long as the true difference fits the masked
  // width (it is at most the number of items in the queue or in flight).
  static std::uint64_t unfinished(std::uint64_t put, std::uint64_t done_word) {
    return (put - (done_word >> kDoneShift)) & kDoneMask;
  }
  // Whether `put` (a lower bound of put_total_) shows that done < put. The difference is read
  // as signed: a stale cache below done gives a "negative" difference, not a huge one.
  static bool proves_unfinished(std::uint64_t put, std::uint64_t done_word) {
    const std::uint64_t diff = unfinished(put, done_word);
    return diff != 0 && diff < (kDoneMask >> 1);
  }
  std::uint64_t unfinished() const {
    // done_total_ first: done never exceeds put_total_, so a later put_total_ is >= it.
    const std::uint64_t d = done_total_.load(std::memory_order_seq_cst);
    return unfinished(put_total_.load(std::memory_order_seq_cst), d);
  }

  // `loc` is join()'s own line, so that a checker that reports where a thread is parked names
  // join(), the call the user made.
  bool join_until(const typename clock::time_point* deadline, SourceLocation loc) {
    std::uint64_t d = done_total_.load(std::memory_order_acquire);
    bool done = false;
    for (;;) {
      // seq_cst, with the joiner bit's seq_cst CAS below: a put() that this read misses is
      // ordered after the bit was set, so its task_done() sees the bit.
      if (unfinished(put_total_.load(std::memory_order_seq_cst), d) == 0) {
        done = true;
        break;
      }
      if ((d & kJoinerParked) == 0) {
        if (!done_total_.compare_exchange_strong(d, d | kJoinerParked, std::memory_order_seq_cst)) continue;
        d |= kJoinerParked;
        continue;  // re-check with the bit set
      }
      joiners_.fetch_add(1, std::memory_order_relaxed);  // for stats() only
      const bool woken = P::park(done_total_, d, deadline, loc);
      joiners_.fetch_sub(1, std::memory_order_relaxed);
      d = done_total_.load(std::memory_order_acquire);
      if (!woken) {
        done = unfinished(put_total_.load(std::memory_order_seq_cst), d) == 0;
        break;
      }
    }
    // A shutdown(immediate) that dropped the last tasks may still be finishing (it holds
    // mutex_ until its last touch of the queue): wait it out, so that the caller may destroy
    // the queue as soon as join() returns.
    if (done) detail::MutexGuard wait_out(mutex_);
    return done;
  }

  // Full means: items ever stored (put_total_) minus items ever taken or dropped by
  // shutdown(immediate) (taken_) reaches maxsize. Only putters add, under mutex_. A take that
  // has not yet counted itself makes the difference an over-estimate for a moment, never an
  // under-estimate, so maxsize is never exceeded.
  //
  // taken_ is the getters' hot cache line, so putters read it only when their cached copy (a
  // lower bound: taken_ never decreases) says the queue is full.
  bool is_full() ITC_REQUIRES(mutex_) {
    const std::ptrdiff_t max = maxsize_.read();
    if (max <= 0) return false;
    // Takes counted under mutex_ by take_lone_item() (taken_under_lock_) are exact here.
    const std::uint64_t stored = put_total_.load(std::memory_order_relaxed) - taken_under_lock_.read();
    if (((stored - taken_seen_.read()) & kTakenMask) < static_cast<std::uint64_t>(max)) return false;
    // seq_cst: the putter's half of the Dekker pair with count_taken() (putter bit / taken_).
    taken_seen_.write() = taken_.load(std::memory_order_seq_cst) >> kTakenShift;
    return ((stored - taken_seen_.read()) & kTakenMask) >= static_cast<std::uint64_t>(max);
  }

  std::size_t queued() const ITC_REQUIRES(out_mutex_, mutex_) {
    return in_.read().size() + out_.read().size();
  }

  // Whether pop_next() has an item to take: moves a batch from in_ to out_ if out_ is empty and
  // the order allows it. Throws ShutDown on a shut-down queue with nothing left.
  bool item_available() ITC_REQUIRES(out_mutex_) {
    if (out_.read().size() > 0) return true;
    detail::MutexGuard guard(mutex_);
    Order& in = in_.write();
    if (in.size() > 0) {
      // FIFO: everything in in_ is younger than anything taken so far, and out_ is empty, so
      // the whole batch can move to the consumers' side at once (a swap, O(1)).
      if constexpr (Order::kBatchable) {
        in.move_all_to(out_.write());
        out_has_items_.store(true, std::memory_order_relaxed);
        note_in_emptied();
      }
      return true;
    }
    if (shutdown_.read()) throw ShutDown();
    return false;
  }

  // Returns with an item available to pop_next() (out_mutex_ held from the check that found
  // it, so no other getter can take it first). Spins once, then parks. Throws Empty when
  // `deadline` passes and ShutDown on a shut-down, empty queue.
  void wait_for_item(const typename clock::time_point* deadline) ITC_REQUIRES(out_mutex_) {
    if (!item_available()) wait_for_item_slow(deadline);
  }

  // The waiting loop of wait_for_item(), entered after a check found no item. Out of line, like
  // wait_for_room_slow(): inlined, its spin and park code took registers and stack from every
  // get(), which a get that finds its item never needed.
  [[gnu::noinline]] void wait_for_item_slow(const typename clock::time_point* deadline)
      ITC_REQUIRES(out_mutex_) {
    bool spun = false;
    do {
      if (deadline != nullptr && clock::now() >= *deadline) throw Empty();
      if (!spun) {
        // Poll without any lock for a put, which is far cheaper than parking when a producer
        // is running on the other core.
        spun = true;
        const std::uint64_t seen = put_total_.load(std::memory_order_acquire);
        out_mutex_.unlock();
        detail::spin_until<P>([&] { return put_total_.load(std::memory_order_acquire) != seen; },
                              detail::spin_budget<P>(deadline));
        out_mutex_.lock();
        continue;
      }
      // Decide under mutex_, where every put() stores: either a put stored before this check
      // (and we see its item) or it comes after it and sees this getter counted as parked, and
      // then, unless as many wakes as parked getters are already on their way, bumps get_wake_
      // and unparks one. park() sleeps only while get_wake_ is still the value read here, so
      // neither that put() nor a shutdown() is missed.
      std::uint32_t wake_seen = 0;
      const bool must_wait = [&] {
        detail::MutexGuard guard(mutex_);
        if (in_.read().size() != 0 || shutdown_.read()) return false;
        wake_seen = get_wake_.load(std::memory_order_relaxed);
        ++getters_parked_.write();
        return true;
      }();
      if (must_wait) {
        out_mutex_.unlock();
        (void)P::park(get_wake_, wake_seen, deadline);
        out_mutex_.lock();
        end_getter_wait();
      }
    } while (!item_available());
  }

  // Waits until there is room (spins once, then parks). Throws Full when `deadline` passes and
  // ShutDown if the queue is shut down meanwhile.
  void wait_for_room(const typename clock::time_point* deadline) ITC_REQUIRES(mutex_) {
    if (is_full()) wait_for_room_slow(deadline);
  }

  // The waiting loop of wait_for_room(), entered after is_full() said full. Out of line: when
  // it was inlined into put(), every put() paid for its set-up (the parking-lot bucket hash of
  // taken_ was hoisted out of the loop, six callee-saved registers and a 184-byte frame), about
  // 15 instructions of an uncontended put() that never waits (objdump of the bench binary).
  [[gnu::noinline]] void wait_for_room_slow(const typename clock::time_point* deadline) ITC_REQUIRES(mutex_) {
    bool spun = false;
    do {
      if (deadline != nullptr && clock::now() >= *deadline) throw Full();
      if (!spun) {
        // Poll without the lock until a batch of slots is free (1/16 of maxsize, 1..64) or the
        // spin budget ends: resuming at the first free slot would put one item per round trip
        // of the getters' cache line (measured: 0.65x the textbook queue at maxsize 1024). The
        // polls are spaced by one `pause` per slot awaited, since every poll takes that line
        // away from the getters (polling at every pause: 11 M items/s at maxsize 1024; every
        // 64: 30 M/s).
        spun = true;
        const std::uint64_t seen = taken_seen_.read();
        const auto batch =
            static_cast<std::uint64_t>(std::clamp<std::ptrdiff_t>(maxsize_.read() / 16, 1, 64));
        mutex_.unlock();
        detail::spin_until<P>(
            [&] {
              return (((taken_.load(std::memory_order_acquire) >> kTakenShift) - seen) & kTakenMask) >= batch;
            },
            detail::spin_budget<P>(deadline), static_cast<int>(batch));
        mutex_.lock();
      } else {
        // Register (the putter bit in taken_, set by the first parked putter), then re-check
        // (seq_cst, in is_full): count_taken() adds to taken_ and learns from that same step
        // whether the bit is set, so either we see its room or it wakes us. park() sleeps only
        // while taken_ is unchanged, so a take, a shutdown() or a set_maxsize() is not missed.
        if (putters_.write()++ == 0) taken_.fetch_add(kPutterParked, std::memory_order_seq_cst);
        const std::uint64_t word = taken_.load(std::memory_order_seq_cst);
        if (is_full()) {
          mutex_.unlock();
          (void)P::park(taken_, word, deadline);
          mutex_.lock();
        }
        if (--putters_.write() == 0) taken_.fetch_sub(kPutterParked, std::memory_order_relaxed);
      }
      if (shutdown_.read()) throw ShutDown();
    } while (is_full());
  }

  // Stores the item; returns whether a parked getter must be woken (after mutex_ is released).
  bool store(T&& item) ITC_REQUIRES(mutex_) {
    in_.write().push(std::move(item));  // may throw: nothing counted yet
    // release: a getter spinning on put_total_ then finds the item under mutex_ anyway; the
    // counter itself only tells it when to look.
    put_total_.store(put_total_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    // Wake a getter only if fewer wakes are on their way than getters are parked. Without that
    // check, a producer running while the getter it woke waits for a CPU (the normal case on a
    // loaded machine) paid a wake-up on every put until that getter ran: 36 vs 31 ns per item
    // against the textbook queue, whose condition variable counts signalled waiters the same way.
    if (getters_parked_.read() <= getter_wakes_pending_.read()) return false;
    ++getter_wakes_pending_.write();
    get_wake_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  // A getter that decided to park is back (woken, timed out, or its park found get_wake_
  // already changed): one parked getter less, and one pending wake less if there is one. The
  // wake it absorbs may have been meant for another getter; that one was then already unparked
  // (it will re-check) or had not linked itself yet (its park returns at once). Either way
  // "parked minus pending" stays at least the number of getters actually asleep, which is what
  // store() needs: it never skips a wake a sleeping getter is owed. 0 <= pending <= parked.
  void end_getter_wait() {
    detail::MutexGuard guard(mutex_);
    --getters_parked_.write();
    if (getter_wakes_pending_.read() != 0) --getter_wakes_pending_.write();
  }

  // Counts one taken item, after every lock of the get is released: this may let a parked
  // putter store, return and destroy the queue, so afterwards only the address is used.
  void count_taken() {
    // seq_cst: the taker's half of the Dekker pair with a parking putter (see wait_for_room).
    const std::uint64_t before = taken_.fetch_add(std::uint64_t{1} << kTakenShift, std::memory_order_seq_cst);
    if ((before & kPutterParked) != 0) P::unpark_one(&taken_);
  }

  // The lone-item path of a FIFO queue's get()/get_nowait()/try_get(): with nothing on the
  // getters' side (out_ empty) and exactly one item in in_, the item is taken under mutex_
  // alone, without out_mutex_ and without a refill: one lock instead of two. That is the whole cost of a
  // hand-off when a consumer keeps up with its producer, and of put()+get() from one thread (was 0.62x the
  // one-mutex textbook queue with both locks and a counted take). With more than one item
  // waiting, the usual path moves them all over in one batch, which is what makes 1P/1C fast.
  //
  // Why FIFO order holds without out_mutex_: out_ gains items only in a refill, which holds
  // mutex_ (and out_mutex_) and sets out_has_items_; it is cleared by the pop that empties
  // out_. Under mutex_, no refill can run, so reading false means the latest refill's items
  // have all been taken: the item in in_ is the oldest. The two relaxed reads before locking
  // are only a guess (a wrong one costs a lock round trip, then the usual path).
  //
  // The take is counted under mutex_ in taken_under_lock_ on an unbounded queue (no putter
  // ever waits for room there, so nobody must be woken, and the seq_cst add of count_taken()
  // was a fifth of the cost); a bounded queue counts it in taken_ after unlocking, like
  // every other take, so parked and spinning putters see it. is_full() reads both. Only for
  // a T whose move cannot throw: the item leaves the Order inside an optional and is moved
  // once more to the caller, which must not be able to lose it.
  std::optional<T> take_lone_item() {
    // The guess, without a lock. Not under a model checker: it only decides whether to try,
    // and each atomic read is one more scheduling point for the checker to explore.
    if constexpr (!P::is_model_checker) {
      if (out_has_items_.load(std::memory_order_relaxed)) return std::nullopt;
      if (put_total_.load(std::memory_order_relaxed) -
              put_total_when_in_emptied_.load(std::memory_order_relaxed) !=
          1)
        return std::nullopt;
    }
    bool count_after_unlock = false;
    std::optional<T> item = [&] {
      detail::MutexGuard guard(mutex_);
      Order& in = in_.write();
      if (out_has_items_.load(std::memory_order_relaxed) || in.size() != 1) return std::optional<T>();
      std::optional<T> taken =
          in.pop_with([](T& v) { return std::optional<T>(std::in_place, std::move(v)); });
      note_in_emptied();
      if (maxsize_.read() > 0) {
        count_after_unlock = true;
      } else {
        ++taken_under_lock_.write();
      }
      return taken;
    }();
    if (count_after_unlock) count_taken();  // the last touch of the queue (see count_taken)
    return item;
  }
  // A FIFO take emptied in_ under mutex_ (a refill or a lone take): record put_total_ for the
  // lone-item guess (in_ now holds put_total_ minus this many items), and hand the same value
  // to task_done()'s cached put_total_. task_done() normally follows the get() of its item, so
  // the cache then proves done < put without reading the putters' line: when consumers keep up,
  // that read was a cache-line transfer per task_done() (2P/2C with task_done ran at 0.67x the
  // speed without). Any value put_total_ once had is a valid cache: it only grows, so a cache
  // that a slower getter sets back only proves less.
  void note_in_emptied() ITC_REQUIRES(mutex_) {
    const std::uint64_t put_total = put_total_.load(std::memory_order_relaxed);
    put_total_when_in_emptied_.store(put_total, std::memory_order_relaxed);
    put_total_seen_.store(put_total, std::memory_order_relaxed);
  }

  // FIFO only: a LIFO or priority getter that found an item under mutex_ releases mutex_
  // before it takes it under mutex_ again (holding out_mutex_, which only excludes getters on
  // the usual path), so a lone taker could take that item in between.
  static constexpr bool kLoneItemPath = Order::kBatchable && std::is_nothrow_move_constructible_v<T>;

  // Changes taken_ without counting a take (toggles kKick), so parked putters re-check.
  void kick_putters() ITC_REQUIRES(mutex_) {
    std::uint64_t t = taken_.load(std::memory_order_relaxed);
    while (!taken_.compare_exchange_strong(t, t ^ kKick, std::memory_order_seq_cst)) {
    }
  }

  template <class Make>
  std::invoke_result_t<Make&, T&> pop_next(Make&& make) ITC_REQUIRES(out_mutex_) {
    if constexpr (Order::kBatchable) {
      // The mirror is updated after the pop, on the way out (also when make threw: then the
      // item is still there and the mirror stays true). A guard rather than a named result,
      // because a named result here is not elided (another return statement returns a
      // prvalue) and a second move could lose the item.
      struct UpdateMirror {
        BasicQueue& q;
        ~UpdateMirror() ITC_NO_THREAD_SAFETY_ANALYSIS {
          if (q.out_.read().size() == 0) q.out_has_items_.store(false, std::memory_order_relaxed);
        }
      } update_mirror{*this};
      return out_.write().pop_with(make);
    } else {
      detail::MutexGuard guard(mutex_);
      return in_.write().pop_with(make);
    }
  }

  // Two locks, taken in this order when both are needed: out_mutex_ (getters' side: out_)
  // before mutex_ (everything else). A FIFO queue's getters take a whole batch from in_ at once
  // and then serve themselves from out_ under out_mutex_ alone, so a producer and a consumer
  // rarely touch the same lock or cache line; LIFO and priority queues take every item from
  // in_ under mutex_ (out_ stays empty). Nobody sleeps on a condition variable inside the
  // queue: waiters park on the addresses of get_wake_, taken_ and done_total_ (P::park), so
  // that a signaller never touches the queue after the step that lets a waiter return.
  //
  // The members are grouped by who writes them on every operation, each group on its own
  // cache lines: with getters' and putters' counters on one line, every put() and get()
  // invalidated the other side's copy, which made the two-lock queue slower than one lock.

  // Getters' side: written by every get() and task_done() (task accounting is the getters'
  // side too).
  alignas(kCacheLine) typename P::Mutex out_mutex_;
  typename P::template Var<Order> out_ ITC_GUARDED_BY(out_mutex_);
  typename P::template Atomic<std::uint64_t> done_total_{0};      // done << 1 | joiner bit
  typename P::template Atomic<std::uint64_t> put_total_seen_{0};  // task_done()'s cached put_total_
  typename P::template Atomic<std::uint64_t> taken_{0};           // taken << 2 | kick | putter bit
  typename P::template Atomic<bool> out_has_items_{false};        // out_ is not empty (take_lone_item)

  // Putters' side: written by every put().
  alignas(kCacheLine) typename P::Mutex mutex_;
  typename P::template Var<Order> in_ ITC_GUARDED_BY(mutex_);
  typename P::template Atomic<std::uint64_t> put_total_{0};  // read by spinning getters
  typename P::template Atomic<std::uint32_t> get_wake_{0};   // parked getters sleep on it
  // put_total_ when in_ was last emptied (FIFO): in_ holds put_total_ minus this many items.
  typename P::template Atomic<std::uint64_t> put_total_when_in_emptied_{0};
  typename P::template Var<std::uint64_t> taken_under_lock_ ITC_GUARDED_BY(mutex_){0};  // see take_lone_item
  typename P::template Var<std::uint64_t> taken_seen_ ITC_GUARDED_BY(mutex_){0};        // see is_full()
  typename P::template Var<std::uint64_t> dropped_total_ ITC_GUARDED_BY(mutex_){0};     // for stats()
  typename P::template Var<std::size_t> putters_ ITC_GUARDED_BY(mutex_){0};             // parked putters
  // Getters that decided (under mutex_) to park and are not back yet, and wakes store() has
  // issued to them that no returning getter has absorbed yet (see store(), end_getter_wait()).
  typename P::template Var<std::uint32_t> getters_parked_ ITC_GUARDED_BY(mutex_){0};
  typename P::template Var<std::uint32_t> getter_wakes_pending_ ITC_GUARDED_BY(mutex_){0};
  typename P::template Var<std::ptrdiff_t> maxsize_ ITC_GUARDED_BY(mutex_);
  typename P::template Var<bool> shutdown_ ITC_GUARDED_BY(mutex_){false};

  typename P::template Atomic<std::size_t> joiners_{0};  // for stats() only
};

template <class T>
using Queue = BasicQueue<T, StdPlatform, FifoOrder<T>>;
template <class T>
using LifoQueue = BasicQueue<T, StdPlatform, LifoOrder<T>>;
template <class T, class Compare = std::less<T>>
using PriorityQueue = BasicQueue<T, StdPlatform, PriorityOrder<T, Compare>>;

/// queue.SimpleQueue: an unbounded FIFO without task accounting, capacity or shutdown. put()
/// never blocks. get(timeout) with a negative timeout throws InvalidArgument even when an item
/// is available; zero tries once.
template <class T, class P = StdPlatform>
class BasicSimpleQueue {
 public:
  using value_type = T;
  using platform_type = P;
  using clock = typename P::Clock;

  BasicSimpleQueue() = default;
  BasicSimpleQueue(const BasicSimpleQueue&) = delete;
  BasicSimpleQueue& operator=(const BasicSimpleQueue&) = delete;

  void put(T item) {
    detail::MutexGuard guard(mutex_);
    items_.write().push_back(std::move(item));
    if (getters_.read() > 0) not_empty_.notify_one();
  }
  void put_nowait(T item) { put(std::move(item)); }

  T get() {
    detail::MutexGuard guard(mutex_);
    while (items_.read().empty()) {
      ++getters_.write();
      not_empty_.wait(mutex_);
      --getters_.write();
    }
    return take();
  }

  template <class Rep, class Period>
  T get(std::chrono::duration<Rep, Period> timeout) {
    detail::reject_nan(timeout);  // CPython: ValueError "Invalid value NaN (not a number)"
    if (detail::is_negative(timeout)) throw InvalidArgument("'timeout' must be a non-negative number");
    detail::MutexGuard guard(mutex_);
    const auto deadline = detail::deadline_after<clock>(timeout);
    while (items_.read().empty()) {
      if (clock::now() >= deadline) throw Empty();
      ++getters_.write();
      not_empty_.wait_until(mutex_, deadline);
      --getters_.write();
    }
    return take();
  }

  T get_nowait() {
    detail::MutexGuard guard(mutex_);
    if (items_.read().empty()) throw Empty();
    return take();
  }

  std::optional<T> try_get() {
    detail::MutexGuard guard(mutex_);
    if (items_.read().empty()) return std::nullopt;
    return std::optional<T>(take());
  }

  [[nodiscard]] std::size_t qsize() {
    detail::MutexGuard guard(mutex_);
    return items_.read().size();
  }
  [[nodiscard]] bool empty() { return qsize() == 0; }

 private:
  T take() ITC_REQUIRES(mutex_) {
    std::deque<T>& items = items_.write();
    T v = std::move(items.front());
    items.pop_front();
    return v;
  }

  typename P::Mutex mutex_;
  typename P::CondVar not_empty_;
  typename P::template Var<std::deque<T>> items_ ITC_GUARDED_BY(mutex_);
  typename P::template Var<std::size_t> getters_ ITC_GUARDED_BY(mutex_){0};
};

template <class T>
using SimpleQueue = BasicSimpleQueue<T>;

}  // namespace itc
