// detail::WordMutex — the internal lock of Queue's short critical sections (word_mutex.hpp):
// mutual exclusion and publication under contention, a parked locker is woken by unlock(), and
// a locker that waits long parks instead of spinning. The model checker checks the same lock
// in models/selfcheck (word_mutex_exclusion, destroy/word_mutex_unlock); the destroy-after-wake
// tests cover Queue over it on real threads.
#include <gtest/gtest.h>

#include <time.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "itc/detail/word_mutex.hpp"
#include "itc/platform/std_platform.hpp"
#include "itc/queue.hpp"

namespace {

using Mutex = itc::detail::WordMutex<itc::StdPlatform>;

std::chrono::nanoseconds thread_cpu_time() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

TEST(WordMutex, IsTheRealThreadQueuesLock) {
  static_assert(std::is_same_v<itc::detail::short_mutex_t<itc::StdPlatform>, Mutex>);
  struct PlatformWithoutShortMutex {
    using Mutex = int;
  };
  static_assert(std::is_same_v<itc::detail::short_mutex_t<PlatformWithoutShortMutex>, int>,
                "a platform without ShortMutex falls back to its Mutex");
}

// Four threads increment a plain counter and a second plain word under the lock; a lost
// increment, or a torn pair, means two threads were inside at once or a write was not published
// to the next holder. Under TSan a missing happens-before is a race report on the counter.
TEST(WordMutex, ExcludesAndPublishesUnderContention) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100000;
  Mutex mutex;
  long counter = 0;
  long mirror = 0;
  std::atomic<int> torn{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int n = 0; n < kPerThread; ++n) {
        mutex.lock();
        if (mirror != counter) torn.fetch_add(1, std::memory_order_relaxed);
        ++counter;
        mirror = counter;
        mutex.unlock();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, long{kThreads} * kPerThread);
  EXPECT_EQ(torn.load(), 0);
}

// A locker that finds the lock held for 200 ms returns once it is released, and spends only
// microseconds of CPU meanwhile: it spun ~2 µs and parked.
TEST(WordMutex, LongWaitParksAndUnlockWakesIt) {
  Mutex mutex;
  mutex.lock();
  std::atomic<bool> acquired{false};
  std::chrono::nanoseconds cpu_while_waiting{};
  std::thread locker([&] {
    const auto before = thread_cpu_time();
    mutex.lock();
    cpu_while_waiting = thread_cpu_time() - before;
    acquired.store(true);
    mutex.unlock();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(acquired.load()) << "lock() returned while the lock was held";
  mutex.unlock();
  locker.join();
  EXPECT_TRUE(acquired.load());
  // Generous for sanitizer builds and a loaded machine: a spinning waiter would burn ~200 ms.
  EXPECT_LT(cpu_while_waiting, std::chrono::milliseconds(20));
}

// Three threads parked on one lock are all let in, one per unlock (the mark stays on the word
// while others sleep).
TEST(WordMutex, EveryParkedLockerGetsIn) {
  Mutex mutex;
  mutex.lock();
  std::atomic<int> inside{0};
  std::vector<std::thread> lockers;
  for (int t = 0; t < 3; ++t) {
    lockers.emplace_back([&] {
      mutex.lock();
      inside.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the others park meanwhile
      mutex.unlock();
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  mutex.unlock();
  for (auto& t : lockers) t.join();
  EXPECT_EQ(inside.load(), 3);
}

}  // namespace
