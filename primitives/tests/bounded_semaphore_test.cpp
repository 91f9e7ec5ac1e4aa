// itc::BoundedSemaphore against the Python-semantics checklist, section E (threading.BoundedSemaphore) and
// scenarios S12 (concurrency limiting) and S13 (cross-thread release, limits 1..9).
//
// E1 ("every Semaphore item except D12 also applies") is covered in semaphore_test.cpp, whose D
// tests are typed tests also instantiated for BoundedSemaphore (SemaphoreLike/BoundedSemaphore.*).
// Not tested: E8, the repr "value=2/3" (section 4.8; value() is the C++ analogue and is used
// throughout).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "itc/lock.hpp"
#include "itc/semaphore.hpp"
#include "test_support.hpp"

using namespace itc::test;

namespace {

const char* const kTooMany = "Semaphore released too many times";

}  // namespace

TEST(BoundedSemaphore, E2_ReleaseAboveTheInitialValueThrows) {
  // BoundedSemaphoreTests.test_release_unacquired.
  static_assert(std::is_base_of_v<itc::ValueError, itc::SemaphoreReleasedTooManyTimes>);
  itc::BoundedSemaphore sem;
  expect_python_error<itc::SemaphoreReleasedTooManyTimes, itc::ValueError>([&] { sem.release(); }, kTooMany);
  EXPECT_EQ(sem.value(), 1);
  sem.acquire();
  sem.release();
  expect_python_error<itc::SemaphoreReleasedTooManyTimes, itc::ValueError>([&] { sem.release(); }, kTooMany);
  expect_python_error<itc::SemaphoreReleasedTooManyTimes, itc::ValueError>([&] { sem.unlock(); }, kTooMany);
  EXPECT_EQ(sem.value(), 1);
  EXPECT_TRUE(sem.acquire(false));
  EXPECT_FALSE(sem.acquire(false));
}

TEST(BoundedSemaphore, E3_ReleaseNIsCheckedAsAWhole) {
  // probe: BoundedSemaphore(2), one acquire, release(2) -> ValueError, value stays 1.
  itc::BoundedSemaphore sem(2);
  sem.acquire();
  expect_python_error<itc::SemaphoreReleasedTooManyTimes, itc::ValueError>([&] { sem.release(2); }, kTooMany);
  EXPECT_EQ(sem.value(), 1) << "a rejected release(n) released part of n";
  sem.release(1);
  EXPECT_EQ(sem.value(), 2);
  sem.acquire();
  sem.acquire();
  sem.release(2);
  EXPECT_EQ(sem.value(), 2);
}

TEST(BoundedSemaphore, E3_ConcurrentReleasesNeverOvershootTheBound) {
  // The bound is checked atomically against concurrent releases: 6 permits out, 8 threads each
  // try release(2) -> exactly 3 succeed, 5 throw, and the value ends at exactly 6.
  for (int round = 0; round < 20; ++round) {
    itc::BoundedSemaphore sem(6);
    for (int i = 0; i < 6; ++i) sem.acquire();
    std::atomic<int> ok{0};
    std::atomic<int> too_many{0};
    {
      Bunch bunch(
          [&](std::size_t) {
            try {
              sem.release(2);
              ok.fetch_add(1);
            } catch (const itc::SemaphoreReleasedTooManyTimes&) {
              too_many.fetch_add(1);
            }
          },
          8);
    }
    ASSERT_EQ(ok.load(), 3) << "round " << round;
    ASSERT_EQ(too_many.load(), 5);
    ASSERT_EQ(sem.value(), 6);
  }
}

TEST(BoundedSemaphore, E4_ReleaseNLessThanOneThrows) {
  itc::BoundedSemaphore sem(2);
  const std::string msg = "n must be one or more";
  expect_python_error<itc::InvalidArgument, itc::ValueError>([&] { sem.release(0); }, msg);
  expect_python_error<itc::InvalidArgument, itc::ValueError>([&] { sem.release(-1); }, msg);
  // n is checked before the bound (threading.py L572): a full semaphore still says "n must be".
  EXPECT_EQ(sem.value(), 2);
  sem.acquire();
  sem.acquire();
  expect_python_error<itc::InvalidArgument, itc::ValueError>([&] { sem.release(0); }, msg);
  EXPECT_EQ(sem.value(), 0);
}

TEST(BoundedSemaphore, E5_S13_CrossThreadAcquireAndReleaseForLimits1To9) {
  // ThreadTests.test_BoundedSemaphore_limit: `limit` threads acquire, `limit` other threads
  // release, then one more release() -> ValueError. 45 thread pairs in total.
  for (std::ptrdiff_t limit = 1; limit < 10; ++limit) {
    itc::BoundedSemaphore bs(limit);
    std::vector<std::thread> threads;
    for (std::ptrdiff_t i = 0; i < limit; ++i) threads.emplace_back([&] { bs.acquire(); });
    for (auto& t : threads) t.join();
    EXPECT_EQ(bs.value(), 0);
    threads.clear();
    for (std::ptrdiff_t i = 0; i < limit; ++i) threads.emplace_back([&] { bs.release(); });
    for (auto& t : threads) t.join();
    EXPECT_EQ(bs.value(), limit);
    EXPECT_THROW(bs.release(), itc::ValueError) << "limit " << limit;
    EXPECT_EQ(bs.value(), limit);
  }
}

TEST(BoundedSemaphore, E6_ZeroIsValidNegativeIsNot) {
  itc::BoundedSemaphore zero(0);
  EXPECT_EQ(zero.value(), 0);
  EXPECT_FALSE(zero.acquire(false));
  EXPECT_FALSE(zero.acquire(1ms));
  expect_python_error<itc::SemaphoreReleasedTooManyTimes, itc::ValueError>([&] { zero.release(); }, kTooMany);
  EXPECT_EQ(zero.value(), 0);
  expect_python_error<itc::InvalidArgument, itc::ValueError>([] { itc::BoundedSemaphore bad(-1); },
                                                             "semaphore initial value must be >= 0");
}

TEST(BoundedSemaphore, E7_S12_LimitsConcurrencyToItsValue) {
  // ThreadTests.test_various_ops: 10 threads behind BoundedSemaphore(3), a running count kept
  // under an RLock; each sleeps up to 0.1 ms inside. Never more than 3 inside; 0 at the end.
  itc::BoundedSemaphore sema(3);
  itc::RLock mutex;
  int running = 0;  // guarded by mutex
  int max_running = 0;
  std::atomic<int> violations{0};
  for (int round = 0; round < 5; ++round) {
    Bunch bunch(
        [&](std::size_t i) {
          std::minstd_rand rng(static_cast<unsigned>(i * 7919 + static_cast<std::size_t>(round)));
          std::uniform_int_distribution<int> micros(0, 100);
          for (int k = 0; k < 20; ++k) {
            std::lock_guard<itc::BoundedSemaphore> slot(sema);
            {
              std::lock_guard<itc::RLock> g(mutex);
              ++running;
              if (running > max_running) max_running = running;
              if (running > 3) violations.fetch_add(1);
            }
            std::this_thread::sleep_for(std::chrono::microseconds(micros(rng)));
            {
              std::lock_guard<itc::RLock> g(mutex);
              --running;
            }
          }
        },
        10);
  }
  EXPECT_EQ(violations.load(), 0);
  EXPECT_LE(max_running, 3);
  EXPECT_EQ(running, 0);
  EXPECT_EQ(sema.value(), 3);
}
