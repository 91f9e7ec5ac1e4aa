// Checklist section J (queue.SimpleQueue) and the §3 scenarios S18–S21.
//
// S18–S20 are CPython's test_many_threads{,_nonblock,_timeout} scaled for a 2-core machine:
// 8 feeders + 8 consumers and 2000 items instead of 50 + 50 and 10,000.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "itc/errors.hpp"
#include "itc/queue.hpp"
#include "test_support.hpp"

using namespace itc::test;

namespace {

TEST(SimpleQueue, J1_UnboundedFifoWithEveryPutAndGetForm) {
  itc::SimpleQueue<int> q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.qsize(), 0u);
  q.put(1);
  EXPECT_EQ(q.qsize(), 1u);
  q.put(2);
  EXPECT_EQ(q.qsize(), 2u);
  q.put_nowait(3);
  EXPECT_EQ(q.qsize(), 3u);
  q.put(4);
  EXPECT_EQ(q.qsize(), 4u);
  EXPECT_FALSE(q.empty());
  EXPECT_EQ(q.get(), 1);
  EXPECT_EQ(q.qsize(), 3u);
  EXPECT_EQ(q.get_nowait(), 2);
  EXPECT_EQ(q.qsize(), 2u);
  EXPECT_EQ(q.try_get(), std::optional<int>(3));  // Python: get(block=False)
  EXPECT_EQ(q.qsize(), 1u);
  EXPECT_EQ(q.get(100ms), 4);
  EXPECT_EQ(q.qsize(), 0u);
  EXPECT_TRUE(q.empty());
}

TEST(SimpleQueue, J1_PutNeverBlocks) {
  itc::SimpleQueue<int> q;
  const auto start = Clock::now();
  for (int i = 0; i < 100000; ++i) (i % 2 ? q.put(i) : q.put_nowait(i));
  EXPECT_EQ(q.qsize(), 100000u);
  EXPECT_LT(seconds_since(start), 10.0);
  for (int i = 0; i < 100000; ++i) ASSERT_EQ(q.get_nowait(), i);
}

TEST(SimpleQueue, J1_GetBlocksUntilPut) {
  itc::SimpleQueue<int> q;
  for (bool timed : {false, true}) {
    std::atomic<int> got{-1};
    std::thread getter([&] { got = timed ? q.get(30s) : q.get(); });
    wait_threads_blocked(1);
    EXPECT_EQ(got.load(), -1) << "get() returned from an empty queue";
    q.put(7);
    getter.join();
    EXPECT_EQ(got.load(), 7);
  }
}

TEST(SimpleQueue, J2_GetOnEmptyQueueThrowsEmpty) {
  itc::SimpleQueue<int> q;
  try {
    (void)q.get_nowait();
    ADD_FAILURE() << "get_nowait on an empty queue did not throw";
  } catch (const itc::Empty& e) {
    EXPECT_STREQ(e.what(), "queue.Empty");
  }
  EXPECT_THROW((void)q.get(1ms), itc::Empty);
  const auto start = Clock::now();
  EXPECT_THROW((void)q.get(100ms), itc::Empty);
  ITC_EXPECT_TIMEOUT(seconds_since(start), 0.1);
  EXPECT_EQ(q.try_get(), std::nullopt);
}

TEST(SimpleQueue, J3_NegativeTimeoutThrowsValueErrorEvenWithAnItem) {
  itc::SimpleQueue<int> q;
  q.put(1);
  try {
    (void)q.get(-1s);
    ADD_FAILURE() << "get(-1s) did not throw";
  } catch (const itc::InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "'timeout' must be a non-negative number");
  }
  EXPECT_THROW((void)q.get(std::chrono::duration<double>(-1e-9)), itc::ValueError);
  EXPECT_EQ(q.qsize(), 1u);  // the item stays
  EXPECT_EQ(q.get(), 1);
  itc::SimpleQueue<int> empty;
  EXPECT_THROW((void)empty.get(-1s), itc::InvalidArgument);  // not Empty
}

// test_order: one producer thread, one consumer, 100 ints, exact FIFO order.
TEST(SimpleQueue, J4_S21_OneProducerOneConsumerSeeFifoOrder) {
  itc::SimpleQueue<int> q;
  std::vector<int> inputs(100);
  std::iota(inputs.begin(), inputs.end(), 0);
  std::thread producer([&] {
    for (int v : inputs) q.put(v);
  });
  std::vector<int> results;
  for (std::size_t i = 0; i < inputs.size(); ++i) results.push_back(q.get(30s));
  producer.join();
  EXPECT_EQ(results, inputs);
  EXPECT_TRUE(q.empty());
}

// ---- S18–S20 ----------------------------------------------------------------------------------

using Item = std::optional<int>;  // std::nullopt is the sentinel (CPython: None)
using SQ = itc::SimpleQueue<Item>;

/// CPython's feed(): takes inputs from a shared sequence, and sleeps up to 1 ms half the time.
/// Each feeder has its own generator (seeded from 42): Python shares one under the GIL.
void feed(SQ& q, const std::vector<int>& inputs, std::atomic<std::size_t>& next, unsigned seed) {
  std::mt19937 rnd(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (;;) {
    const std::size_t i = next.fetch_add(1);
    if (i >= inputs.size()) {
      q.put(std::nullopt);
      return;
    }
    q.put(inputs[i]);
    if (uniform(rnd) > 0.5) std::this_thread::sleep_for(std::chrono::duration<double>(uniform(rnd) * 1e-3));
  }
}

void consume(SQ& q, SharedList<int>& results) {
  for (;;) {
    const Item val = q.get();
    if (!val) return;
    results.append(*val);
  }
}

/// consume() with a get that may throw Empty: `try_get_once` is retried, after `backoff`, until it
/// returns an item.
template <class GetOnce>
void consume_retrying(SQ& q, SharedList<int>& results, GetOnce try_get_once,
                      std::chrono::microseconds backoff) {
  for (;;) {
    Item val;
    for (;;) {
      try {
        val = try_get_once(q);
        break;
      } catch (const itc::Empty&) {
        if (backoff.count() > 0) std::this_thread::sleep_for(backoff);
      }
    }
    if (!val) return;
    results.append(*val);
  }
}

void consume_nonblock(SQ& q, SharedList<int>& results) {
  consume_retrying(
      q, results, [](SQ& sq) { return sq.get_nowait(); }, std::chrono::microseconds(10));
}

void consume_timeout(SQ& q, SharedList<int>& results) {
  consume_retrying(
      q, results, [](SQ& sq) { return sq.get(std::chrono::microseconds(10)); }, std::chrono::microseconds(0));
}

/// CPython's run_threads(): n feeders and n consumers; every input is consumed exactly once.
void run_many_threads(std::size_t n_threads, std::size_t n_items,
                      const std::function<void(SQ&, SharedList<int>&)>& consume_func) {
  SQ q;
  std::vector<int> inputs(n_items);
  std::iota(inputs.begin(), inputs.end(), 0);
  std::atomic<std::size_t> next{0};
  SharedList<int> results;
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < n_threads; ++i)
    threads.emplace_back([&, i] { feed(q, inputs, next, 42u + static_cast<unsigned>(i)); });
  for (std::size_t i = 0; i < n_threads; ++i) threads.emplace_back([&] { consume_func(q, results); });
  for (auto& t : threads) t.join();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.qsize(), 0u);
  auto got = results.snapshot();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, inputs);
}

TEST(SimpleQueue, J5_S18_ManyThreadsBlockingGet) {
  run_many_threads(8, 2000, consume);
}

TEST(SimpleQueue, J5_S19_ManyThreadsNonBlockingGet) {
  run_many_threads(8, 2000, consume_nonblock);
}

TEST(SimpleQueue, J5_S20_ManyThreadsTimedGet) {
  run_many_threads(8, 2000, consume_timeout);
}

// test_references: once get() has returned an item, the queue holds no reference to it.
TEST(SimpleQueue, J6_QueueKeepsNoReferenceToAFetchedItem) {
  itc::SimpleQueue<std::shared_ptr<int>> q;
  std::vector<std::weak_ptr<int>> refs;
  for (int i = 0; i < 20; ++i) {
    auto p = std::make_shared<int>(i);
    refs.push_back(p);
    q.put(std::move(p));
  }
  for (int i = 0; i < 20; ++i) {
    std::shared_ptr<int> p = i % 2 ? q.get() : *q.try_get();
    EXPECT_EQ(*p, i);
    EXPECT_EQ(p.use_count(), 1) << "the queue kept a copy of item " << i;
    p.reset();
    EXPECT_TRUE(refs[static_cast<std::size_t>(i)].expired());
  }
}

TEST(SimpleQueue, J6_Cxx_MoveOnlyItemsThroughEveryForm) {
  itc::SimpleQueue<std::unique_ptr<int>> q;
  q.put(std::make_unique<int>(1));
  q.put_nowait(std::make_unique<int>(2));
  q.put(std::make_unique<int>(3));
  q.put(std::make_unique<int>(4));
  EXPECT_EQ(*q.get(), 1);
  EXPECT_EQ(*q.get_nowait(), 2);
  EXPECT_EQ(*q.get(1s), 3);
  auto last = q.try_get();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(**last, 4);
  EXPECT_EQ(q.try_get(), std::nullopt);
}

template <class Q>
concept HasTaskDone = requires(Q& q) {
  q.task_done();
};
template <class Q>
concept HasJoin = requires(Q& q) {
  q.join();
};
template <class Q>
concept HasUnfinishedTasks = requires(Q& q) {
  q.unfinished_tasks();
};
template <class Q>
concept HasMaxsize = requires(Q& q) {
  q.maxsize();
}
|| requires(Q& q) {
  q.set_maxsize(1);
};
template <class Q>
concept HasFull = requires(Q& q) {
  q.full();
};
template <class Q>
concept HasShutdown = requires(Q& q) {
  q.shutdown();
}
|| requires(Q& q) {
  q.is_shutdown();
};
template <class Q>
concept IsBoundable = std::is_constructible_v<Q, std::ptrdiff_t>;

TEST(SimpleQueue, J7_NoTaskTrackingCapacityOrShutdown) {
  using SQI = itc::SimpleQueue<int>;
  static_assert(!HasTaskDone<SQI> && !HasJoin<SQI> && !HasUnfinishedTasks<SQI>);
  static_assert(!HasMaxsize<SQI> && !HasFull<SQI> && !IsBoundable<SQI>);
  static_assert(!HasShutdown<SQI>);
  // The concepts do detect the API where it exists.
  using QI = itc::Queue<int>;
  static_assert(HasTaskDone<QI> && HasJoin<QI> && HasUnfinishedTasks<QI>);
  static_assert(HasMaxsize<QI> && HasFull<QI> && IsBoundable<QI> && HasShutdown<QI>);
  SUCCEED();
}

TEST(SimpleQueue, J8_ZeroTimeoutIsAnImmediateEmpty) {
  itc::SimpleQueue<int> q;
  const auto start = Clock::now();
  EXPECT_THROW((void)q.get(0s), itc::Empty);
  EXPECT_LT(seconds_since(start), 2.0);
  q.put(3);
  EXPECT_EQ(q.get(0s), 3);
}

TEST(SimpleQueue, Cxx_PutGetPublishesWrites) {
  itc::SimpleQueue<int> q;
  std::vector<int> payload;  // plain data, published by put()/get()
  std::thread producer([&] {
    payload.assign(1000, 9);
    q.put(1);
  });
  EXPECT_EQ(q.get(30s), 1);
  EXPECT_EQ(payload, std::vector<int>(1000, 9));
  producer.join();
}

}  // namespace
