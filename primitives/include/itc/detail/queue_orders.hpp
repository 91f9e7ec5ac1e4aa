// itc/detail/queue_orders.hpp — the retrieval orders of itc's queues (FIFO, LIFO, priority).
//
// BasicQueue<T, P, Order> (itc/queue.hpp) keeps its items in an Order and touches them only
// under its locks; an Order is therefore plain single-threaded code. What it must guarantee is
// exception safety, because it is where items are moved: the contract of each member is below.
#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <functional>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

namespace itc {

// An Order holds the items. kBatchable says whether a getter may move every item to its own
// side at once with move_all_to(out) and keep the retrieval order (true only for FIFO).
// push(v) stores one; pop_with(make) builds the result with
// make(next_item) (which moves from it) and only then removes that item, so a throwing move
// leaves it queued. Results are returned by name from a single return statement (NRVO), so the
// item is moved exactly once on its way out. pop_with's return type is spelled out: clang does
// not apply NRVO in a function whose return type is deduced (`auto`), which would add a second
// move after the item was removed; see the test
// StrongGetKinds.H18_Cxx_GetFormsAreAllOrNothingForAnyFailingMove.

/// First in, first out (queue.Queue).
template <class T>
struct FifoOrder {
  static constexpr bool kBatchable = true;
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
  /// Moves every item to `out`, which is empty, keeping their order.
  void move_all_to(FifoOrder& out) { items.swap(out.items); }
};

/// Last in, first out (queue.LifoQueue).
template <class T>
struct LifoOrder {
  static constexpr bool kBatchable = false;
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
  static constexpr bool kBatchable = false;
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

}  // namespace itc
