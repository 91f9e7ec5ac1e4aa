// Checklist section F (threading.Event) and the §3 scenarios S3–S5.
//
// Where a test needs "these threads are now blocked in wait()", it uses CountedEvent: the same
// BasicEvent template on the std platform, with a hook that records every thread that enters a
// condition-variable wait. The hook runs with the event's mutex held, so once a thread is
// recorded, a later set() (which takes that mutex) is guaranteed to find it waiting.
#include "itc/event.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "itc/errors.hpp"
#include "test_support.hpp"

using namespace itc::test;

namespace {

/// Records the distinct threads that have entered a condition-variable wait.
struct EventWaitHooks {
  static inline std::mutex m;
  static inline std::set<std::thread::id> waiting;

  static void at(itc::SyncPoint point, const itc::SourceLocation& /*loc*/) noexcept {
    if (point != itc::SyncPoint::wait) return;
    std::lock_guard<std::mutex> g(m);
    waiting.insert(std::this_thread::get_id());
  }
  static void done(itc::SyncPoint /*point*/, const itc::SourceLocation& /*loc*/) noexcept {}
  static void reset() {
    std::lock_guard<std::mutex> g(m);
    waiting.clear();
  }
  static std::size_t count() {
    std::lock_guard<std::mutex> g(m);
    return waiting.size();
  }
};

using CountedEvent = itc::BasicEvent<itc::BasicStdPlatform<EventWaitHooks>>;

/// Waits (bounded) until `n` distinct threads have blocked in a CountedEvent.
void await_blocked_waiters(std::size_t n) {
  ASSERT_TRUE(eventually([n] { return EventWaitHooks::count() >= n; }))
      << "only " << EventWaitHooks::count() << " of " << n << " threads blocked";
}

constexpr std::size_t kN = 5;

// CPython EventTests._check_notify: N threads each wait() twice; nobody passes before set().
template <class E>
void check_notify(E& evt) {
  SharedList<bool> results1;
  SharedList<bool> results2;
  {
    Bunch bunch(
        [&](std::size_t) {
          results1.append(evt.wait(10s));
          results2.append(evt.wait(10s));
        },
        kN);
    wait_threads_blocked(kN);
    EXPECT_EQ(results1.size(), 0u);
    evt.set();
  }
  EXPECT_EQ(results1.snapshot(), std::vector<bool>(kN, true));
  EXPECT_EQ(results2.snapshot(), std::vector<bool>(kN, true));
}

TEST(Event, F1_FlagStartsFalseAndSetClearAreIdempotent) {
  itc::Event evt;
  EXPECT_FALSE(evt.is_set());
  evt.set();
  EXPECT_TRUE(evt.is_set());
  evt.set();
  EXPECT_TRUE(evt.is_set());
  evt.clear();
  EXPECT_FALSE(evt.is_set());
  evt.clear();
  EXPECT_FALSE(evt.is_set());
  static_assert(std::is_void_v<decltype(evt.set())>, "set() returns nothing, like Python's None");
  static_assert(std::is_void_v<decltype(evt.clear())>, "clear() returns nothing");
}

TEST(Event, F2_WaitBlocksUntilSetThenEveryWaiterReturnsTrue) {
  EventWaitHooks::reset();
  CountedEvent evt;
  SharedList<bool> results;
  {
    Bunch bunch([&](std::size_t) { results.append(evt.wait()); }, kN);
    await_blocked_waiters(kN);
    EXPECT_EQ(results.size(), 0u) << "wait() returned before set()";
    evt.set();
  }
  EXPECT_EQ(results.snapshot(), std::vector<bool>(kN, true));
  // A later wait() on a set event returns true at once.
  EXPECT_TRUE(evt.wait());
  EXPECT_TRUE(evt.wait(0s));
}

TEST(Event, F2_TimedWaitReturnsTrueWhenSetDuringTheWait) {
  EventWaitHooks::reset();
  CountedEvent evt;
  SharedList<bool> results;
  {
    Bunch bunch([&](std::size_t) { results.append(evt.wait(30s)); }, kN);
    await_blocked_waiters(kN);
    EXPECT_EQ(results.size(), 0u);
    evt.set();
  }
  EXPECT_EQ(results.snapshot(), std::vector<bool>(kN, true));
}

TEST(Event, F3_WaitOnUnsetEventReturnsFalseAfterTimeout) {
  itc::Event evt;
  auto start = Clock::now();
  EXPECT_FALSE(evt.wait(0s));
  EXPECT_LT(seconds_since(start), 2.0);  // wait(0) never blocks (generous bound)
  start = Clock::now();
  EXPECT_FALSE(evt.wait(200ms));
  ITC_EXPECT_TIMEOUT(seconds_since(start), 0.2);
}

TEST(Event, F4_WaitOnSetEventReturnsTrueImmediately) {
  itc::Event evt;
  evt.set();
  const auto start = Clock::now();
  EXPECT_TRUE(evt.wait(0s));
  EXPECT_TRUE(evt.wait(0.0s));
  EXPECT_TRUE(evt.wait(30s));
  EXPECT_TRUE(evt.wait());
  EXPECT_LT(seconds_since(start), 5.0);  // far below the 30 s a blocking wait would take
}

// CPython test_set_and_clear (gh-57711), made deterministic: set(); clear() happens only once
// every waiter is known to be blocked. Half the waiters use wait(), half wait(timeout). If the
// waiters do not all return within 10 s the test fails, and a final set() releases them.
TEST(Event, F5_S4_SetThenClearStillWakesAllWaiters) {
  EventWaitHooks::reset();
  CountedEvent evt;
  SharedList<bool> timed;
  SharedList<bool> untimed;
  std::vector<bool> timed_results;
  std::vector<bool> untimed_results;
  {
    Bunch bunch(
        [&](std::size_t i) {
          if (i % 2 == 0) {
            timed.append(evt.wait(60s));
          } else {
            untimed.append(evt.wait());
          }
        },
        kN);
    await_blocked_waiters(kN);
    evt.set();
    evt.clear();
    EXPECT_TRUE(eventually([&] { return timed.size() + untimed.size() == kN; }))
        << "waiters still blocked after set(); clear()";
    timed_results = timed.snapshot();
    untimed_results = untimed.snapshot();
    evt.set();  // release any waiter a broken event left blocked
  }
  EXPECT_EQ(timed_results, std::vector<bool>(3, true));
  EXPECT_EQ(untimed_results, std::vector<bool>(2, true));
}

TEST(Event, F5_SetClearRepeatedManyTimesWakesEachRound) {
  // Each round: one waiter blocks, set(); clear() back to back, the waiter must report true.
  CountedEvent evt;
  for (int round = 0; round < 50; ++round) {
    EventWaitHooks::reset();
    std::atomic<int> result{-1};
    std::thread t([&] { result = evt.wait(60s) ? 1 : 0; });
    await_blocked_waiters(1);
    evt.set();
    evt.clear();
    const bool returned = eventually([&] { return result.load() != -1; });
    const int r = result.load();
    evt.set();  // release the waiter if it is still blocked
    t.join();
    evt.clear();
    ASSERT_TRUE(returned) << "round " << round << ": the waiter missed set(); clear()";
    ASSERT_EQ(r, 1) << "round " << round;
  }
}

TEST(Event, F6_NegativeTimeoutDoesNotBlockAndIsNotAnError) {
  itc::Event evt;
  const auto start = Clock::now();
  EXPECT_FALSE(evt.wait(-1s));
  EXPECT_FALSE(evt.wait(-1ms));
  EXPECT_FALSE(evt.wait(std::chrono::duration<double>(-0.5)));
  EXPECT_LT(seconds_since(start), 2.0);
  evt.set();
  EXPECT_TRUE(evt.wait(-1s));
}

TEST(Event, F7_ClearMakesLaterWaitsBlockAgain) {
  EventWaitHooks::reset();
  CountedEvent evt;
  evt.set();
  EXPECT_TRUE(evt.wait(0s));
  evt.clear();
  EXPECT_FALSE(evt.wait(0s));
  const auto start = Clock::now();
  EXPECT_FALSE(evt.wait(50ms));
  ITC_EXPECT_TIMEOUT(seconds_since(start), 0.05);
  // And a blocked waiter after clear() really waits for the next set().
  std::atomic<bool> returned{false};
  std::thread t([&] {
    EXPECT_TRUE(evt.wait(30s));
    returned = true;
  });
  await_blocked_waiters(1);
  EXPECT_FALSE(returned.load());
  evt.set();
  t.join();
  EXPECT_TRUE(returned.load());
}

TEST(Event, F8_OneSetWakesAllBlockedWaiters) {
  EventWaitHooks::reset();
  CountedEvent evt;
  constexpr std::size_t n = 8;
  SharedList<bool> results;
  const auto start = Clock::now();
  {
    Bunch bunch([&](std::size_t) { results.append(evt.wait(30s)); }, n);
    await_blocked_waiters(n);
    evt.set();  // a single call; with notify_one only one waiter would return before 30 s
  }
  EXPECT_EQ(results.snapshot(), std::vector<bool>(n, true));
  EXPECT_LT(seconds_since(start), 25.0);
}

// CPython EventTests.test_notify: _check_notify, then set(); clear(), then _check_notify again.
TEST(Event, S3_NotifyScenarioRunsTwiceWithClearBetween) {
  itc::Event evt;
  check_notify(evt);
  evt.set();
  evt.clear();
  check_notify(evt);
}

// CPython EventTests.test_timeout: 5 threads, wait(0) and a timed wait, unset then set.
TEST(Event, S5_TimeoutScenarioFiveThreads) {
  itc::Event evt;
  constexpr double kTimeout = 0.3;
  struct Timed {
    bool result;
    double seconds;
  };
  auto run = [&](SharedList<bool>& r1, SharedList<Timed>& r2) {
    Bunch bunch(
        [&](std::size_t) {
          r1.append(evt.wait(0s));
          const auto t1 = Clock::now();
          const bool r = evt.wait(std::chrono::duration<double>(kTimeout));
          r2.append(Timed{r, seconds_since(t1)});
        },
        kN);
  };
  {
    SharedList<bool> r1;
    SharedList<Timed> r2;
    run(r1, r2);
    EXPECT_EQ(r1.snapshot(), std::vector<bool>(kN, false));
    ASSERT_EQ(r2.size(), kN);
    for (const Timed& t : r2.snapshot()) {
      EXPECT_FALSE(t.result);
      ITC_EXPECT_TIMEOUT(t.seconds, kTimeout);
    }
  }
  evt.set();
  {
    SharedList<bool> r1;
    SharedList<Timed> r2;
    run(r1, r2);
    EXPECT_EQ(r1.snapshot(), std::vector<bool>(kN, true));
    ASSERT_EQ(r2.size(), kN);
    for (const Timed& t : r2.snapshot()) EXPECT_TRUE(t.result);  // timing: F4
  }
}

// C++ extras.

TEST(Event, Cxx_HugeTimeoutDoesNotOverflow) {
  EventWaitHooks::reset();
  CountedEvent evt;
  std::atomic<int> result{-1};
  std::thread t([&] { result = evt.wait(std::chrono::hours::max()) ? 1 : 0; });
  await_blocked_waiters(1);
  EXPECT_EQ(result.load(), -1) << "a wait with an enormous timeout returned at once";
  evt.set();
  t.join();
  EXPECT_EQ(result.load(), 1);
}

TEST(Event, Cxx_WritesBeforeSetAreVisibleAfterWait) {
  itc::Event evt;
  std::vector<int> data;  // deliberately unsynchronised: the event must publish it
  std::thread producer([&] {
    data.assign(1000, 7);
    evt.set();
  });
  ASSERT_TRUE(evt.wait(30s));
  EXPECT_EQ(data, std::vector<int>(1000, 7));
  producer.join();
  // is_set() returning true publishes too.
  itc::Event evt2;
  int value = 0;
  std::thread producer2([&] {
    value = 42;
    evt2.set();
  });
  while (!evt2.is_set()) std::this_thread::yield();
  EXPECT_EQ(value, 42);
  producer2.join();
}

}  // namespace
