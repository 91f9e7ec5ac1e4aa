// Regression tests for counters at their limits (issue: reference primitives that survive
// hostile input). Queue's task and take counters must be compared by difference, so that they
// may wrap around — on a 32-bit target std::size_t counters wrap after 2^32 items, and a plain
// `done >= put` then throws TaskDoneTooManyTimes with a task unfinished and join() never
// returns. Semaphore::release(n) must not overflow its value for any n.
#include <cstdint>
#include <limits>
#include <thread>

#include <gtest/gtest.h>

#include "itc/errors.hpp"
#include "itc/queue.hpp"
#include "itc/semaphore.hpp"
#include "test_support.hpp"

namespace {

using namespace itc::test;
using itc::detail::QueueCountersStartAt;

// Start points just below each counter's wrap-around: the put counter (2^64), the done
// counter (2^63: it shares its word with the joiner bit) and the take counter (2^62: it shares
// its word with two bits).
constexpr std::uint64_t kStarts[] = {~std::uint64_t{0} - 2, (std::uint64_t{1} << 63) - 2,
                                     (std::uint64_t{1} << 62) - 2, (std::uint64_t{1} << 32) - 2};

template <class Q>
void put_get_done_across_the_wrap(Q& q) {
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4; ++i) q.put(i);
    EXPECT_EQ(q.qsize(), 4u);
    EXPECT_EQ(q.unfinished_tasks(), 4u);
    EXPECT_TRUE(q.full());
    EXPECT_FALSE(q.try_put(9));
    for (int i = 0; i < 4; ++i) {
      (void)q.get();
      q.task_done();  // threw TaskDoneTooManyTimes once the counters wrapped
    }
    EXPECT_EQ(q.unfinished_tasks(), 0u);
    EXPECT_TRUE(q.empty());
    EXPECT_FALSE(q.full());
    EXPECT_TRUE(q.join(0s));
  }
  EXPECT_THROW(q.task_done(), itc::TaskDoneTooManyTimes);  // and the check still works
}

TEST(CounterLimits, QueueCountersMayWrapAround) {
  for (const std::uint64_t start : kStarts) {
    SCOPED_TRACE(start);
    itc::BasicQueue<int> fifo(4, QueueCountersStartAt{start});
    put_get_done_across_the_wrap(fifo);
    itc::BasicQueue<int, itc::StdPlatform, itc::LifoOrder<int>> lifo(4, QueueCountersStartAt{start});
    put_get_done_across_the_wrap(lifo);
  }
}

TEST(CounterLimits, JoinAcrossTheWrapReturns) {
  for (const std::uint64_t start : kStarts) {
    SCOPED_TRACE(start);
    itc::BasicQueue<int> q(0, QueueCountersStartAt{start});
    for (int i = 0; i < 5; ++i) q.put(i);
    std::thread consumer([&] {
      for (int i = 0; i < 5; ++i) {
        (void)q.get();
        q.task_done();
      }
    });
    EXPECT_TRUE(q.join(10s)) << "join() did not return: the wrapped counters lost a task";
    consumer.join();
  }
}

TEST(CounterLimits, ShutdownImmediateCreditsAcrossTheWrap) {
  for (const std::uint64_t start : kStarts) {
    SCOPED_TRACE(start);
    itc::BasicQueue<int> q(0, QueueCountersStartAt{start});
    for (int i = 0; i < 3; ++i) q.put(i);
    (void)q.get();
    q.shutdown(true);  // two dropped, one taken and not done
    EXPECT_EQ(q.unfinished_tasks(), 1u);
    q.task_done();
    EXPECT_EQ(q.unfinished_tasks(), 0u);
    EXPECT_TRUE(q.join(0s));
  }
}

TEST(CounterLimits, BoundedSemaphoreReleaseOfAHugeNRaisesAndKeepsTheValue) {
  // CPython: BoundedSemaphore(1).release(sys.maxsize) -> ValueError "Semaphore released too
  // many times". The old check computed value + n, which overflowed (UB) and let it pass.
  itc::BoundedSemaphore sem(1);
  EXPECT_THROW(sem.release(std::numeric_limits<std::ptrdiff_t>::max()), itc::SemaphoreReleasedTooManyTimes);
  EXPECT_EQ(sem.value(), 1);
  ASSERT_TRUE(sem.acquire(false));
  EXPECT_THROW(sem.release(std::numeric_limits<std::ptrdiff_t>::max()), itc::SemaphoreReleasedTooManyTimes);
  EXPECT_EQ(sem.value(), 0);
  sem.release();
  EXPECT_EQ(sem.value(), 1);
}

TEST(CounterLimits, SemaphoreValueUpToPtrdiffMaxThenOverflowError) {
  constexpr std::ptrdiff_t kMax = std::numeric_limits<std::ptrdiff_t>::max();
  itc::Semaphore sem(0);
  sem.release(kMax);
  EXPECT_EQ(sem.value(), kMax);
  EXPECT_THROW(sem.release(), itc::OverflowError);  // Python's int has no limit; C++'s has
  EXPECT_EQ(sem.value(), kMax);
  ASSERT_TRUE(sem.acquire(false));
  EXPECT_EQ(sem.value(), kMax - 1);
  itc::Semaphore five(5);
  EXPECT_THROW(five.release(kMax), itc::OverflowError);
  EXPECT_EQ(five.value(), 5);
  itc::Semaphore big(kMax);
  EXPECT_EQ(big.value(), kMax);
}

}  // namespace
