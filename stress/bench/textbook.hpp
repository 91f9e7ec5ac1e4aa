// stress/bench/textbook.hpp — the std:: baselines itc is measured against, written the way
// CPython writes its primitives (one mutex, condition variables, notify under the lock).
// Shared by the benchmarks and the CPU-time check.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>

namespace itc_bench {

/// threading.Event as CPython writes it (Condition(Lock()) + flag), in std:: terms.
class CvEvent {
 public:
  void set() {
    std::lock_guard<std::mutex> lk(m_);
    flag_ = true;
    cv_.notify_all();
  }
  void clear() {
    std::lock_guard<std::mutex> lk(m_);
    flag_ = false;
  }
  void wait() {
    std::unique_lock<std::mutex> lk(m_);
    while (!flag_) cv_.wait(lk);
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool flag_ = false;
};

/// The textbook queue, written the way CPython's queue.Queue is: one mutex, not_empty/not_full
/// condition variables, notify_one under the lock on every put/get, task accounting with a
/// third condition variable. maxsize <= 0 is unbounded.
class TextbookQueue {
 public:
  explicit TextbookQueue(std::ptrdiff_t maxsize = 0)
      : max_(maxsize > 0 ? static_cast<std::size_t>(maxsize) : 0) {}
  void put(int v) {
    std::unique_lock<std::mutex> lk(m_);
    while (max_ != 0 && q_.size() >= max_) not_full_.wait(lk);
    q_.push_back(v);
    ++unfinished_;
    not_empty_.notify_one();
  }
  int get() {
    std::unique_lock<std::mutex> lk(m_);
    while (q_.empty()) not_empty_.wait(lk);
    const int v = q_.front();
    q_.pop_front();
    not_full_.notify_one();
    return v;
  }
  void task_done() {
    std::lock_guard<std::mutex> lk(m_);
    if (--unfinished_ == 0) all_done_.notify_all();
  }
  void join() {
    std::unique_lock<std::mutex> lk(m_);
    while (unfinished_ != 0) all_done_.wait(lk);
  }

 private:
  std::mutex m_;
  std::condition_variable not_empty_, not_full_, all_done_;
  std::deque<int> q_;
  std::size_t max_;
  std::size_t unfinished_ = 0;
};

}  // namespace itc_bench
