// stress/bench/queue_bench.cpp — queue throughput: itc::Queue and itc::SimpleQueue against a
// textbook std::deque + std::mutex + std::condition_variable queue, moodycamel's
// BlockingConcurrentQueue and tbb::concurrent_bounded_queue (each only if found at configure
// time). The Python equivalents are in pybench.py under the same names.
//
// Groups (items are ints; one iteration moves kItems items and is timed from the start gate to
// the last join, threads created outside the timed region):
//   queue/spsc/*         1 producer, 1 consumer, unbounded
//   queue/spsc_b1024/*   same, maxsize 1024
//   queue/mpmc/*         2 producers, 2 consumers, unbounded
//   queue/mpmc_b1024/*   same, maxsize 1024
//   queue/mpmc4/*        4 producers, 4 consumers, unbounded: oversubscribed on a 2-core machine
//                        (8 threads), where a spin that waits for a descheduled peer costs most
//   queue/st/*           one thread, put() then get() (the uncontended floor of one hand-off)
// The *_td variants add Python's task accounting: the consumer calls task_done() after each
// get(), the producer calls join() after its last put() (and the timing includes that join).
#include <benchmark/benchmark.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "itc/queue.hpp"
#include "textbook.hpp"

#if ITC_BENCH_HAVE_MOODYCAMEL
#include <blockingconcurrentqueue.h>
#endif
#if ITC_BENCH_HAVE_TBB
#include <tbb/concurrent_queue.h>
#endif

namespace {

using itc_bench::run_timed;

constexpr long kItems = 100'000;  // per iteration; divisible by 1, 2 and 4

// Every implementation: Impl(maxsize); producer()/consumer() return a per-thread handle with
// put(int)/get(); task_done()/join() where the implementation has them.
template <class Q>
struct RefHandle {
  Q* q;
  void put(int v) { q->put(v); }
  int get() { return q->get(); }
};

/// The textbook queue (textbook.hpp) with the handles the benchmark driver expects.
class TextbookQueue : public itc_bench::TextbookQueue {
 public:
  using itc_bench::TextbookQueue::TextbookQueue;
  RefHandle<TextbookQueue> producer() { return {this}; }
  RefHandle<TextbookQueue> consumer() { return {this}; }
};

class ItcQueue {
 public:
  explicit ItcQueue(std::ptrdiff_t maxsize) : q_(maxsize) {}
  void put(int v) { q_.put(v); }
  int get() { return q_.get(); }
  void task_done() { q_.task_done(); }
  void join() { q_.join(); }
  RefHandle<ItcQueue> producer() { return {this}; }
  RefHandle<ItcQueue> consumer() { return {this}; }

 private:
  itc::Queue<int> q_;
};

class ItcSimpleQueue {
 public:
  explicit ItcSimpleQueue(std::ptrdiff_t /*unbounded*/) {}
  void put(int v) { q_.put(v); }
  int get() { return q_.get(); }
  RefHandle<ItcSimpleQueue> producer() { return {this}; }
  RefHandle<ItcSimpleQueue> consumer() { return {this}; }

 private:
  itc::SimpleQueue<int> q_;
};

#if ITC_BENCH_HAVE_MOODYCAMEL
/// moodycamel::BlockingConcurrentQueue without tokens (enqueue / wait_dequeue). Unbounded only.
class Moody {
 public:
  explicit Moody(std::ptrdiff_t /*unbounded*/) {}
  void put(int v) { q_.enqueue(v); }
  int get() {
    int v = 0;
    q_.wait_dequeue(v);
    return v;
  }
  RefHandle<Moody> producer() { return {this}; }
  RefHandle<Moody> consumer() { return {this}; }

 private:
  moodycamel::BlockingConcurrentQueue<int> q_;
};

/// The same with a ProducerToken / ConsumerToken per thread (moodycamel's fast path).
class MoodyTok {
 public:
  explicit MoodyTok(std::ptrdiff_t /*unbounded*/) {}
  struct Producer {
    moodycamel::BlockingConcurrentQueue<int>* q;
    moodycamel::ProducerToken tok;
    void put(int v) { q->enqueue(tok, v); }
  };
  struct Consumer {
    moodycamel::BlockingConcurrentQueue<int>* q;
    moodycamel::ConsumerToken tok;
    int get() {
      int v = 0;
      q->wait_dequeue(tok, v);
      return v;
    }
  };
  Producer producer() { return Producer{&q_, moodycamel::ProducerToken(q_)}; }
  Consumer consumer() { return Consumer{&q_, moodycamel::ConsumerToken(q_)}; }

 private:
  moodycamel::BlockingConcurrentQueue<int> q_;
};
#endif

#if ITC_BENCH_HAVE_TBB
/// tbb::concurrent_bounded_queue push/pop; set_capacity(maxsize) when bounded.
class Tbb {
 public:
  explicit Tbb(std::ptrdiff_t maxsize) {
    if (maxsize > 0) q_.set_capacity(maxsize);
  }
  void put(int v) { q_.push(v); }
  int get() {
    int v = 0;
    q_.pop(v);
    return v;
  }
  RefHandle<Tbb> producer() { return {this}; }
  RefHandle<Tbb> consumer() { return {this}; }

 private:
  tbb::concurrent_bounded_queue<int> q_;
};
#endif

template <class Impl>
concept HasTaskAccounting = requires(Impl& q) {
  q.task_done();
  q.join();
};

template <class Impl>
void maybe_task_done(Impl& impl, bool accounting) {
  if constexpr (HasTaskAccounting<Impl>) {
    if (accounting) impl.task_done();
  }
}

template <class Impl>
void maybe_join(Impl& impl, bool accounting) {
  if constexpr (HasTaskAccounting<Impl>) {
    if (accounting) impl.join();
  }
}

/// `producers` threads put kItems ints in total, `consumers` threads get them; checks the sum.
template <class Impl>
void bm_handoff(benchmark::State& state, int producers, int consumers, std::ptrdiff_t maxsize,
                bool accounting) {
  const long long expected = static_cast<long long>(kItems) * (kItems - 1) / 2;
  for (auto _ : state) {
    Impl impl(maxsize);
    std::atomic<long long> sum{0};
    std::vector<std::function<void()>> work;
    for (int p = 0; p < producers; ++p) {
      work.emplace_back([&impl, accounting, p, producers] {
        auto h = impl.producer();
        for (long i = p; i < kItems; i += producers) h.put(static_cast<int>(i));
        maybe_join(impl, accounting);
      });
    }
    for (int c = 0; c < consumers; ++c) {
      work.emplace_back([&impl, &sum, accounting, consumers] {
        auto h = impl.consumer();
        long long s = 0;
        for (long i = 0; i < kItems / consumers; ++i) {
          s += h.get();
          maybe_task_done(impl, accounting);
        }
        sum.fetch_add(s);
      });
    }
    state.SetIterationTime(run_timed(work));
    if (sum.load() != expected) {
      itc_bench::fail(state, "checksum mismatch: items lost or duplicated");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kItems);
}

/// One thread: put(i) then get() (then task_done()), the cost of a hand-off without contention.
template <class Impl>
void bm_single_thread(benchmark::State& state, bool accounting) {
  Impl impl(0);
  auto p = impl.producer();
  auto c = impl.consumer();
  long long sum = 0;
  int i = 0;
  for (auto _ : state) {
    p.put(i++);
    sum += c.get();
    maybe_task_done(impl, accounting);
  }
  maybe_join(impl, accounting);
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}

struct Shape {
  const char* group;
  int producers, consumers;
  std::ptrdiff_t maxsize;
};

template <class Impl>
void add_handoff(const Shape& s, const std::string& impl, bool accounting = false) {
  const std::string name = std::string("queue/") + s.group + "/" + impl;
  benchmark::RegisterBenchmark(name.c_str(), bm_handoff<Impl>, s.producers, s.consumers, s.maxsize,
                               accounting)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

template <class Impl>
void add_single_thread(const std::string& impl, bool accounting = false) {
  const std::string name = "queue/st/" + impl;
  benchmark::RegisterBenchmark(name.c_str(), bm_single_thread<Impl>, accounting);
}

int register_all() {
  const Shape unbounded[] = {{"spsc", 1, 1, 0}, {"mpmc", 2, 2, 0}};
  const Shape bounded[] = {{"spsc_b1024", 1, 1, 1024}, {"mpmc_b1024", 2, 2, 1024}};
  for (const Shape& s : unbounded) {
    add_handoff<ItcQueue>(s, "itc_queue");
    add_handoff<ItcQueue>(s, "itc_queue_td", true);
    add_handoff<ItcSimpleQueue>(s, "itc_simplequeue");
    add_handoff<TextbookQueue>(s, "std");
    add_handoff<TextbookQueue>(s, "std_td", true);
#if ITC_BENCH_HAVE_MOODYCAMEL
    add_handoff<Moody>(s, "moody");
    add_handoff<MoodyTok>(s, "moody_tok");
#endif
#if ITC_BENCH_HAVE_TBB
    add_handoff<Tbb>(s, "tbb");
#endif
  }
  // Oversubscribed: the Queue against the textbook queue and the two concurrent queues only
  // (the task_done and SimpleQueue variants say nothing new here).
  const Shape oversubscribed{"mpmc4", 4, 4, 0};
  add_handoff<ItcQueue>(oversubscribed, "itc_queue");
  add_handoff<TextbookQueue>(oversubscribed, "std");
#if ITC_BENCH_HAVE_MOODYCAMEL
  add_handoff<Moody>(oversubscribed, "moody");
#endif
#if ITC_BENCH_HAVE_TBB
  add_handoff<Tbb>(oversubscribed, "tbb");
#endif
  for (const Shape& s : bounded) {
    add_handoff<ItcQueue>(s, "itc_queue");
    add_handoff<ItcQueue>(s, "itc_queue_td", true);
    add_handoff<TextbookQueue>(s, "std");
#if ITC_BENCH_HAVE_TBB
    add_handoff<Tbb>(s, "tbb");
#endif
  }
  add_single_thread<ItcQueue>("itc_queue");
  add_single_thread<ItcQueue>("itc_queue_td", true);
  add_single_thread<ItcSimpleQueue>("itc_simplequeue");
  add_single_thread<TextbookQueue>("std");
  add_single_thread<TextbookQueue>("std_td", true);
#if ITC_BENCH_HAVE_MOODYCAMEL
  add_single_thread<Moody>("moody");
  add_single_thread<MoodyTok>("moody_tok");
#endif
#if ITC_BENCH_HAVE_TBB
  add_single_thread<Tbb>("tbb");
#endif
  return 0;
}

[[maybe_unused]] const int registered = register_all();

}  // namespace
