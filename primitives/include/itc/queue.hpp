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
//                               see python-semantics.md §4.12)
//   shutdown(immediate = false) further put()s throw ShutDown; blocked putters and (once empty)
//                               getters wake and throw ShutDown. immediate: also drop every
//                               queued item, subtract them from unfinished_tasks (never below 0)
//                               and wake join()ers if that reaches 0.
//
// Precedence, as in CPython: ShutDown before Full/Empty and before the timeout check.
//
// Exception safety (Python's FailingQueueTest): if storing an item throws, put() propagates it,
// the item is not counted, and the queue stays usable; if moving an item out throws, every get
// form (get, get_nowait, try_get) propagates it and the item stays queued. PriorityOrder: a
// throwing comparison leaves the heap unchanged (put and get); a move that throws while it
// shifts other elements gives the basic guarantee. Items are moved, never copied, so move-only
// T works.
//
// Memory ordering: everything a producer wrote before put(x) is visible to the consumer after
// get() returns x; everything written before task_done() is visible after join() returns.
//
// Waking: put() wakes one blocked getter and get() one blocked putter, and only when someone is
// blocked (waiter counts), so the uncontended path makes no system call beyond the mutex.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "itc/detail/deadline.hpp"
#include "itc/errors.hpp"
#include "itc/platform/lock_guard.hpp"
#include "itc/platform/std_platform.hpp"

namespace itc {

// An Order holds the items. push(v) stores one; pop_with(make) builds the result with
// make(next_item) (which moves from it) and only then removes that item, so a throwing move
// leaves it queued. Results are returned by name from a single return statement (NRVO), so the
// item is moved exactly once on its way out. pop_with's return type is spelled out: clang does
// not apply NRVO in a function whose return type is deduced (`auto`), which would add a second
// move after the item was removed; see the test
// StrongGetKinds.H18_Cxx_GetFormsAreAllOrNothingForAnyFailingMove.

/// First in, first out (queue.Queue).
template <class T>
struct FifoOrder {
  std::deque<T> items;
  void push(T&& v) { items.push_back(std::move(v)); }
  template <class Make>
  std::invoke_result_t<Make&, T&> pop_with(Make&& make) {
    auto out = make(items.front());  // may throw: the item stays
    items.pop_front();
    return out;
  }
  [[nodiscard]] std::size_t size() const { return items.size(); }
  void clear() { items.clear(); }
};

/// Last in, first out (queue.LifoQueue).
template <class T>
struct LifoOrder {
  std::vector<T> items;
  void push(T&& v) { items.push_back(std::move(v)); }
  template <class Make>
  std::invoke_result_t<Make&, T&> pop_with(Make&& make) {
    auto out = make(items.back());  // may throw: the item stays
    items.pop_back();
    return out;
  }
  [[nodiscard]] std::size_t size() const { return items.size(); }
  void clear() { items.clear(); }
};

/// Smallest first under Compare (queue.PriorityQueue, a heapq min-heap). Equal priorities come
/// out in no particular order.
///
/// The heap is maintained by hand rather than with std::push_heap/pop_heap, which interleave
/// comparisons with moves: a comparison that throws half-way would leave a moved-from element
/// in the heap and lose another (CPython's heapq has a similar flaw, python-semantics.md §4.11).
/// Here every comparison of an operation runs before its first move, so a throwing comparison
/// leaves the heap exactly as it was. A throwing move of the item being stored or taken also
/// leaves it unchanged; a move that throws later, while elements are shifted, gives the basic
/// guarantee only.
template <class T, class Compare = std::less<T>>
struct PriorityOrder {
  std::vector<T> items;
  Compare less{};

  void push(T&& v) {
    items.push_back(std::move(v));  // on failure nothing was added
    std::size_t hole = items.size() - 1;
    std::size_t target = hole;  // where the new item belongs: found with comparisons only
    try {
      while (target > 0) {
        const std::size_t parent = (target - 1) / 2;
        if (!less(items[hole], items[parent])) break;
        target = parent;
      }
    } catch (...) {
      items.pop_back();
      throw;
    }
    if (target == hole) return;
    T value = take_back_or_drop();
    while (hole != target) {
      const std::size_t parent = (hole - 1) / 2;
      items[hole] = std::move(items[parent]);
      hole = parent;
    }
    items[hole] = std::move(value);
  }

  template <class Make>
  std::invoke_result_t<Make&, T&> pop_with(Make&& make) {
    // Plan the sift-down of the last item from the root, with comparisons only.
    const std::size_t last = items.size() - 1;
    std::array<std::size_t, std::numeric_limits<std::size_t>::digits> path{};  // > heap depth
    std::size_t depth = 0;
    for (std::size_t hole = 0;;) {
      std::size_t child = 2 * hole + 1;
      if (child >= last) break;
      if (child + 1 < last && less(items[child + 1], items[child])) ++child;
      if (!less(items[child], items[last])) break;
      path[depth++] = child;
      hole = child;
    }
    auto out = make(items.front());  // may throw: nothing has changed yet
    std::size_t hole = 0;
    for (std::size_t i = 0; i < depth; ++i) {
      items[hole] = std::move(items[path[i]]);
      hole = path[i];
    }
    if (hole != last) items[hole] = std::move(items[last]);
    items.pop_back();
    return out;
  }

  [[nodiscard]] std::size_t size() const { return items.size(); }
  void clear() { items.clear(); }

 private:
  // Moves the just-pushed last item out; if that move throws, drops it and rethrows.
  T take_back_or_drop() {
    try {
      return T(std::move(items.back()));
    } catch (...) {
      items.pop_back();
      throw;
    }
  }
};

template <class T, class P = StdPlatform, class Order = FifoOrder<T>>
class BasicQueue {
 public:
  using value_type = T;
  using platform_type = P;
  using clock = typename P::Clock;

  explicit BasicQueue(std::ptrdiff_t maxsize = 0) : maxsize_(maxsize) {}
  BasicQueue(const BasicQueue&) = delete;
  BasicQueue& operator=(const BasicQueue&) = delete;

  void put(T item) {
    detail::MutexGuard guard(mutex_);
    if (shutdown_.read()) throw ShutDown();
    while (is_full()) {
      wait_for_room(nullptr);
    }
    store(std::move(item));
  }

  template <class Rep, class Period>
  void put(T item, std::chrono::duration<Rep, Period> timeout) {
    detail::MutexGuard guard(mutex_);
    if (shutdown_.read()) throw ShutDown();
    if (maxsize_.read() > 0) {
      if (detail::is_negative(timeout)) throw InvalidArgument("'timeout' must be a non-negative number");
      const auto deadline = detail::deadline_after<clock>(timeout);
      while (is_full()) {
        if (clock::now() >= deadline) throw Full();
        wait_for_room(&deadline);
      }
    }
    store(std::move(item));
  }

  void put_nowait(T item) {
    detail::MutexGuard guard(mutex_);
    if (shutdown_.read()) throw ShutDown();
    if (is_full()) throw Full();
    store(std::move(item));
  }

  /// Stores `item` if there is room now and returns true; otherwise returns false and leaves
  /// `item` as it was. Throws ShutDown after shutdown().
  bool try_put(T&& item) {
    detail::MutexGuard guard(mutex_);
    if (shutdown_.read()) throw ShutDown();
    if (is_full()) return false;
    store(std::move(item));
    return true;
  }

  T get() {
    detail::MutexGuard guard(mutex_);
    throw_if_drained();
    while (items_.read().size() == 0) {
      wait_for_item(nullptr);
      throw_if_drained();
    }
    return take();
  }

  template <class Rep, class Period>
  T get(std::chrono::duration<Rep, Period> timeout) {
    detail::MutexGuard guard(mutex_);
    throw_if_drained();
    if (detail::is_negative(timeout)) throw InvalidArgument("'timeout' must be a non-negative number");
    const auto deadline = detail::deadline_after<clock>(timeout);
    while (items_.read().size() == 0) {
      if (clock::now() >= deadline) throw Empty();
      wait_for_item(&deadline);
      throw_if_drained();
    }
    return take();
  }

  T get_nowait() {
    detail::MutexGuard guard(mutex_);
    throw_if_drained();
    if (items_.read().size() == 0) throw Empty();
    return take();
  }

  /// An item if one is queued now, else nullopt. Throws ShutDown on a shut-down, empty queue.
  std::optional<T> try_get() {
    detail::MutexGuard guard(mutex_);
    throw_if_drained();
    if (items_.read().size() == 0) return std::nullopt;
    return take_optional();
  }

  void task_done() {
    detail::MutexGuard guard(mutex_);
    std::size_t& unfinished = unfinished_.write();
    if (unfinished == 0) throw TaskDoneTooManyTimes();
    ++done_total_.write();
    if (--unfinished == 0 && joiners_.read() > 0) all_done_.notify_all();
  }

  void join() {
    detail::MutexGuard guard(mutex_);
    ++joiners_.write();
    while (unfinished_.read() > 0) all_done_.wait(mutex_);
    --joiners_.write();
  }

  /// Waits at most `timeout` for every task to be done; false on expiry.
  template <class Rep, class Period>
  bool join(std::chrono::duration<Rep, Period> timeout) {
    detail::MutexGuard guard(mutex_);
    const auto deadline = detail::deadline_after<clock>(timeout);
    ++joiners_.write();
    while (unfinished_.read() > 0) {
      if (clock::now() >= deadline || !all_done_.wait_until(mutex_, deadline)) break;
    }
    --joiners_.write();
    return unfinished_.read() == 0;
  }

  void shutdown(bool immediate = false) {
    detail::MutexGuard guard(mutex_);
    shutdown_.write() = true;
    if (immediate) {
      std::size_t& unfinished = unfinished_.write();
      const std::size_t drained = items_.read().size();
      items_.write().clear();
      unfinished -= std::min(unfinished, drained);
      all_done_.notify_all();
    }
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  [[nodiscard]] std::size_t qsize() {
    detail::MutexGuard guard(mutex_);
    return items_.read().size();
  }
  [[nodiscard]] bool empty() { return qsize() == 0; }
  [[nodiscard]] bool full() {
    detail::MutexGuard guard(mutex_);
    return is_full();
  }
  [[nodiscard]] std::size_t unfinished_tasks() {
    detail::MutexGuard guard(mutex_);
    return unfinished_.read();
  }
  [[nodiscard]] std::ptrdiff_t maxsize() {
    detail::MutexGuard guard(mutex_);
    return maxsize_.read();
  }
  /// Changes the capacity (Python: assigning q.maxsize). Blocked putters re-check at once.
  void set_maxsize(std::ptrdiff_t maxsize) {
    detail::MutexGuard guard(mutex_);
    maxsize_.write() = maxsize;
    not_full_.notify_all();
  }
  [[nodiscard]] bool is_shutdown() {
    detail::MutexGuard guard(mutex_);
    return shutdown_.read();
  }

  /// Counters for diagnostics (the stress watchdog prints them for a hung join()).
  struct Stats {
    std::size_t queued, unfinished, put_total, task_done_total, getters_blocked, putters_blocked,
        joiners_blocked;
    bool shut_down;
  };
  [[nodiscard]] Stats stats() {
    detail::MutexGuard guard(mutex_);
    return Stats{items_.read().size(), unfinished_.read(), put_total_.read(), done_total_.read(),
                 getters_.read(),      putters_.read(),    joiners_.read(),   shutdown_.read()};
  }

 private:
  bool is_full() const ITC_REQUIRES(mutex_) {
    const std::ptrdiff_t max = maxsize_.read();
    return max > 0 && items_.read().size() >= static_cast<std::size_t>(max);
  }

  void throw_if_drained() const ITC_REQUIRES(mutex_) {
    if (shutdown_.read() && items_.read().size() == 0) throw ShutDown();
  }

  void store(T&& item) ITC_REQUIRES(mutex_) {
    items_.write().push(std::move(item));  // may throw: nothing counted yet
    ++unfinished_.write();
    ++put_total_.write();
    if (getters_.read() > 0) not_empty_.notify_one();
  }

  T take() ITC_REQUIRES(mutex_) {
    T item = items_.write().pop_with([](T& v) { return T(std::move(v)); });  // may throw: stays queued
    if (putters_.read() > 0) not_full_.notify_one();
    return item;
  }

  // try_get's take(): the item is moved once, straight into the optional.
  std::optional<T> take_optional() ITC_REQUIRES(mutex_) {
    std::optional<T> item =
        items_.write().pop_with([](T& v) { return std::optional<T>(std::in_place, std::move(v)); });
    if (putters_.read() > 0) not_full_.notify_one();
    return item;
  }

  // One wait for room; throws ShutDown if the queue was shut down meanwhile.
  void wait_for_room(const typename clock::time_point* deadline) ITC_REQUIRES(mutex_) {
    ++putters_.write();
    if (deadline == nullptr) {
      not_full_.wait(mutex_);
    } else {
      not_full_.wait_until(mutex_, *deadline);
    }
    --putters_.write();
    if (shutdown_.read()) throw ShutDown();
  }

  void wait_for_item(const typename clock::time_point* deadline) ITC_REQUIRES(mutex_) {
    ++getters_.write();
    if (deadline == nullptr) {
      not_empty_.wait(mutex_);
    } else {
      not_empty_.wait_until(mutex_, *deadline);
    }
    --getters_.write();
  }

  typename P::Mutex mutex_;
  typename P::CondVar not_empty_;
  typename P::CondVar not_full_;
  typename P::CondVar all_done_;
  typename P::template Var<Order> items_ ITC_GUARDED_BY(mutex_);
  typename P::template Var<std::ptrdiff_t> maxsize_ ITC_GUARDED_BY(mutex_);
  typename P::template Var<std::size_t> unfinished_ ITC_GUARDED_BY(mutex_){0};
  typename P::template Var<std::size_t> put_total_ ITC_GUARDED_BY(mutex_){0};
  typename P::template Var<std::size_t> done_total_ ITC_GUARDED_BY(mutex_){0};
  typename P::template Var<std::size_t> getters_ ITC_GUARDED_BY(mutex_){0};
  typename P::template Var<std::size_t> putters_ ITC_GUARDED_BY(mutex_){0};
  typename P::template Var<std::size_t> joiners_ ITC_GUARDED_BY(mutex_){0};
  typename P::template Var<bool> shutdown_ ITC_GUARDED_BY(mutex_){false};
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
