// mylib/bounded_buffer.hpp — "your own class": a bounded buffer a team wrote on top of itc.
//
// To be checkable, the class is a template over the platform (default itc::StdPlatform, so
// production code writes BoundedBuffer<int>) and uses only itc primitives over P, P::Var for
// plain shared data and P::Atomic for atomics. The checkers then run it unchanged under the
// model checker, on real threads with chaos, and under ThreadSanitizer.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

#include "itc/condition.hpp"
#include "itc/lock.hpp"

namespace mylib {

template <class T, class P = itc::StdPlatform>
class BoundedBuffer {
 public:
  explicit BoundedBuffer(std::size_t capacity) : capacity_(capacity) {}
  // Production code as it is written: the model build reads this header before Relacy's
  // `delete` macro exists, so `= delete` compiles under every checker.
  BoundedBuffer(const BoundedBuffer&) = delete;
  BoundedBuffer& operator=(const BoundedBuffer&) = delete;

  /// Blocks while the buffer is full.
  void put(T item) {
    std::lock_guard<itc::BasicLock<P>> hold(lock_);
    not_full_.wait_for([&] { return items_.read().size() < capacity_; });
    items_.write().push_back(std::move(item));
    not_empty_.notify();
  }

  /// Blocks while the buffer is empty.
  T take() {
    std::lock_guard<itc::BasicLock<P>> hold(lock_);
    not_empty_.wait_for([&] { return !items_.read().empty(); });
    return pop_locked();
  }

  /// An item if there is one now.
  std::optional<T> try_take() {
    std::lock_guard<itc::BasicLock<P>> hold(lock_);
    if (items_.read().empty()) return std::nullopt;
    return pop_locked();
  }

 protected:
  T pop_locked() {
    std::deque<T>& items = items_.write();
    T item = std::move(items.front());
    items.pop_front();
    not_full_.notify();
    return item;
  }

  const std::size_t capacity_;
  itc::BasicLock<P> lock_;
  itc::BasicCondition<P> not_full_{lock_};
  itc::BasicCondition<P> not_empty_{lock_};
  typename P::template Var<std::deque<T>> items_;
};

/// The first version the team shipped: try_take() peeks at the buffer before taking the lock,
/// "to avoid locking when it is empty". That read races with put().
template <class T, class P = itc::StdPlatform>
class BoundedBufferPeekingTryTake : public BoundedBuffer<T, P> {
 public:
  using BoundedBuffer<T, P>::BoundedBuffer;
  std::optional<T> try_take() {
    if (this->items_.read().empty()) return std::nullopt;  // DEFECT: unlocked read of the deque
    return BoundedBuffer<T, P>::try_take();
  }
};

}  // namespace mylib
