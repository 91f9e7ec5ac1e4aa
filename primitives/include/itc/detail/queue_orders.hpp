// itc/detail/queue_orders.hpp — the retrieval orders of itc's queues (FIFO, LIFO, priority).
//
// BasicQueue<T, P, Order> (itc/queue.hpp) keeps its items in an Order and touches them only
// under its locks; an Order is therefore plain single-threaded code. What it must guarantee is
// exception safety, because it is where items are moved.
//
// Exception safety, the same for every Order and every T (whose destructor must not throw):
//   push(v)         strong. If it throws (T's move constructor, a comparison, an allocation),
//                   the Order holds exactly the items it held before: none added, none lost,
//                   none left moved-from. `v` is then untouched unless T's own move constructor
//                   was what threw. BasicQueue counts an item only after push() returns, so its
//                   counters stay exact as well.
//   pop_with(make)  strong. If make (which moves the item out) or a comparison throws, the Order
//                   is exactly as before and that item is still the next one. Once make has
//                   returned, nothing else can throw.
//   size(), clear(), move_all_to() do not throw.
// Items are never copied (T may be move-only). Each item is moved once on the way in (by push)
// and once on the way out (by make); the only other moves an Order makes are of T whose move
// constructor (and, for PriorityOrder, move assignment) is noexcept, when its std::vector grows
// or its heap is reordered.
//
// Why the storage depends on T: a move of T that may throw is never made on an item that is
// already stored, because it cannot be undone. std::vector relocates its elements when it
// grows; for a move-only T whose move constructor may throw it moves them, and if one move
// throws, the elements already moved stay moved-from (a copyable T would be copied instead,
// which the "never copied" rule forbids). A heap shifts elements by move assignment; a shift
// that throws half-way leaves a moved-from slot in the heap, and putting things back needs more
// moves that may throw as well. So LifoOrder keeps such a T in a std::deque, which never
// relocates, and PriorityOrder keeps each such item in its own heap node and orders pointers.
#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
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
///
/// Storage: std::vector when T's move constructor is noexcept (growth then relocates by
/// non-throwing moves), else std::deque, which never relocates its elements: push_back and
/// pop_back of one element at an end are all-or-nothing for any T. Both are O(1) (amortised).
template <class T>
struct LifoOrder {
  static constexpr bool kBatchable = false;
  std::conditional_t<std::is_nothrow_move_constructible_v<T>, std::vector<T>, std::deque<T>> items;
  void push(T&& v) { items.push_back(std::move(v)); }  // no effect if it throws (see above)
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
/// out in no particular order. push and pop_with are O(log n) comparisons.
///
/// Storage: a binary heap in a std::vector of slots. A slot is the item itself when T's move
/// constructor and move assignment are both noexcept; otherwise it is a std::unique_ptr<T> to
/// the item, which then stays where push() put it (one allocation per item) while the heap
/// reorders pointers. Either way every move of a slot is noexcept, so reordering the heap cannot
/// throw, and the only moves of T that may throw are the one into the heap (push) and the one
/// out of it (pop_with's make), each made when nothing else has changed yet.
///
/// The heap is maintained by hand rather than with std::push_heap/pop_heap, which interleave
/// comparisons with moves: a comparison that throws half-way would leave a moved-from element
/// in the heap and lose another (CPython's heapq has a similar flaw: a comparison that raises
/// leaves the new item in the list). Here every comparison of an operation runs before its
/// first move, so a throwing comparison leaves the heap exactly as it was.
template <class T, class Compare = std::less<T>>
struct PriorityOrder {
  static constexpr bool kBatchable = false;
  Compare less{};

  void push(T&& v) {
    // Where the new item belongs, with comparisons only: its hole is the slot after the last.
    std::size_t target = heap_.size();
    while (target > 0) {
      const std::size_t parent = (target - 1) / 2;
      if (!less(v, item(heap_[parent]))) break;
      target = parent;
    }
    append(std::move(v));  // may throw: nothing has changed
    // Shift the parents on the way down by one level (noexcept moves of slots).
    std::size_t hole = heap_.size() - 1;
    if (hole == target) return;
    Slot value = std::move(heap_[hole]);
    while (hole != target) {
      const std::size_t parent = (hole - 1) / 2;
      heap_[hole] = std::move(heap_[parent]);
      hole = parent;
    }
    heap_[hole] = std::move(value);
  }

  template <class Make>
  std::invoke_result_t<Make&, T&> pop_with(Make&& make) {
    // Plan the sift-down of the last item from the root, with comparisons only.
    const std::size_t last = heap_.size() - 1;
    std::array<std::size_t, std::numeric_limits<std::size_t>::digits> path{};  // > heap depth
    std::size_t depth = 0;
    for (std::size_t hole = 0;;) {
      std::size_t child = 2 * hole + 1;
      if (child >= last) break;
      if (child + 1 < last && less(item(heap_[child + 1]), item(heap_[child]))) ++child;
      if (!less(item(heap_[child]), item(heap_[last]))) break;
      path[depth++] = child;
      hole = child;
    }
    auto out = make(item(heap_.front()));  // may throw: nothing has changed yet
    // From here on nothing throws: noexcept moves of slots, and a pop_back.
    std::size_t hole = 0;
    for (std::size_t i = 0; i < depth; ++i) {
      heap_[hole] = std::move(heap_[path[i]]);
      hole = path[i];
    }
    if (hole != last) heap_[hole] = std::move(heap_[last]);
    heap_.pop_back();
    return out;
  }

  [[nodiscard]] std::size_t size() const { return heap_.size(); }
  void clear() { heap_.clear(); }

 private:
  // The item is the slot when moving it cannot throw; else the slot owns it through a pointer.
  static constexpr bool kInPlace =
      std::is_nothrow_move_constructible_v<T> && std::is_nothrow_move_assignable_v<T>;
  using Slot = std::conditional_t<kInPlace, T, std::unique_ptr<T>>;
  static_assert(std::is_nothrow_move_constructible_v<Slot> && std::is_nothrow_move_assignable_v<Slot>,
                "the heap is reordered by moves of slots that must not throw");

  static T& item(Slot& s) noexcept {
    if constexpr (kInPlace) {
      return s;
    } else {
      return *s;
    }
  }

  // Stores v in a new last slot, or throws and leaves the heap as it was.
  void append(T&& v) {
    if constexpr (kInPlace) {
      heap_.push_back(std::move(v));  // T's move is noexcept: only the allocation can throw
    } else {
      // The slot first (growth moves pointers; if the allocation throws, v is untouched), then
      // the item's node: if allocating it or moving v into it throws, the empty slot goes.
      heap_.emplace_back();
      try {
        heap_.back() = std::make_unique<T>(std::move(v));
      } catch (...) {
        heap_.pop_back();
        throw;
      }
    }
  }

  std::vector<Slot> heap_;
};

}  // namespace itc
