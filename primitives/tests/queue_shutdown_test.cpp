// Checklist section I (Queue.shutdown(), new in 3.13) and the §3 scenario S17, as typed tests
// over Queue, LifoQueue and PriorityQueue (ShutdownKinds/Queue, /LifoQueue, /PriorityQueue).
//
// CPython's tests start threads that wait on an Event set after shutdown(), so they may or may
// not have blocked first. Where the checklist is about *blocked* callers, these tests first make
// sure the callers are blocked (Queue::stats() counters, updated under the queue's mutex).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include "itc/barrier.hpp"
#include "itc/errors.hpp"
#include "itc/event.hpp"
#include "itc/queue.hpp"
#include "test_support.hpp"

using namespace itc::test;

namespace {

// The kinds (FifoKind, LifoKind, PriorityKind) and await_*() are test_support.hpp's.
template <class Kind>
class ShutdownKinds : public ::testing::Test {};
TYPED_TEST_SUITE(ShutdownKinds, QueueKindTypes, KindNames);

/// Runs `f` and reports whether it threw ShutDown (true), returned normally (false); any other
/// exception is a test failure.
template <class F>
bool throws_shutdown(F&& f) {
  try {
    f();
    return false;
  } catch (const itc::ShutDown&) {
    return true;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "unexpected exception: " << e.what();
    return false;
  }
}

// CPython's _get / _put / _join / _get_task_done helpers: they record whether the outcome was
// the expected one (a normal return, or ShutDown when `shutdown` is true).
template <class Q>
void get_helper(Q& q, itc::Event& go, SharedList<bool>& results, bool shutdown) {
  go.wait();
  results.append(throws_shutdown([&] { (void)q.get(); }) == shutdown);
}
template <class Q>
void put_helper(Q& q, int msg, itc::Event& go, SharedList<bool>& results, bool shutdown) {
  go.wait();
  results.append(throws_shutdown([&] { q.put(msg); }) == shutdown);
}
template <class Q>
void join_helper(Q& q, SharedList<bool>& results) {
  results.append(!throws_shutdown([&] { q.join(); }));
}
template <class Q>
void get_task_done_helper(Q& q, itc::Event& go, SharedList<bool>& results) {
  go.wait();
  results.append(!throws_shutdown([&] {
    (void)q.get();
    q.task_done();
  }));
}

// CPython's _shutdown_get(immediate): a full Queue(2), then `getters` threads that get() only
// once shutdown(immediate) has happened. Returns the get_helper outcomes, sorted.
template <class Q>
std::vector<bool> shutdown_get(std::size_t getters, bool immediate) {
  Q q(2);
  q.put(1);
  q.put(2);
  itc::Event go;
  SharedList<bool> results;
  {
    Bunch bunch([&](std::size_t) { get_helper(q, go, results, immediate); }, getters);
    q.shutdown(immediate);
    go.set();
  }
  return sorted(results.snapshot());
}

TYPED_TEST(ShutdownKinds, I1_IsShutdownAndAllowedTransitions) {
  typename TypeParam::template Q<int> q;
  EXPECT_FALSE(q.is_shutdown());
  EXPECT_FALSE(q.stats().shut_down);
  q.shutdown();
  EXPECT_TRUE(q.is_shutdown());
  EXPECT_NO_THROW(q.shutdown(true));
  EXPECT_TRUE(q.is_shutdown());
  EXPECT_NO_THROW(q.shutdown(false));
  EXPECT_TRUE(q.is_shutdown());
  EXPECT_TRUE(q.stats().shut_down);
  typename TypeParam::template Q<int> q2;
  q2.shutdown(true);  // immediate first, then plain
  EXPECT_NO_THROW(q2.shutdown());
  EXPECT_TRUE(q2.is_shutdown());
}

TYPED_TEST(ShutdownKinds, I2_PutAfterShutdownThrowsEvenWithFreeSpace) {
  for (bool immediate : {false, true}) {
    typename TypeParam::template Q<std::shared_ptr<int>> q(3);
    q.put(std::make_shared<int>(1));
    q.shutdown(immediate);
    const std::size_t size = q.qsize();
    EXPECT_EQ(size, immediate ? 0u : 1u);
    EXPECT_TRUE(throws_shutdown([&] { q.put(std::make_shared<int>(2)); }));
    EXPECT_TRUE(throws_shutdown([&] { q.put_nowait(std::make_shared<int>(3)); }));
    EXPECT_TRUE(throws_shutdown([&] { q.put(std::make_shared<int>(4), 1s); }));
    EXPECT_TRUE(throws_shutdown([&] { q.put(std::make_shared<int>(5), 0s); }));
    auto item = std::make_shared<int>(6);
    EXPECT_TRUE(throws_shutdown([&] { (void)q.try_put(std::move(item)); }));
    ASSERT_NE(item, nullptr) << "try_put consumed the item although the queue is shut down";
    EXPECT_EQ(*item, 6);
    EXPECT_EQ(q.qsize(), size);
    EXPECT_EQ(q.stats().put_total, 1u);
  }
}

// _shutdown_all_methods_in_one_thread(False)
TYPED_TEST(ShutdownKinds, I3_GetDrainsRemainingItemsThenThrowsShutDown) {
  typename TypeParam::template Q<int> q(2);
  q.put(1);
  q.put_nowait(2);
  q.shutdown(false);
  EXPECT_TRUE(throws_shutdown([&] { q.put(3); }));
  EXPECT_TRUE(throws_shutdown([&] { q.put_nowait(4); }));
  std::vector<int> got{q.get()};
  q.task_done();
  got.push_back(q.get_nowait());
  q.task_done();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<int>{1, 2}));
  q.join();
  EXPECT_TRUE(throws_shutdown([&] { (void)q.get(); }));
  EXPECT_TRUE(throws_shutdown([&] { (void)q.get_nowait(); }));
  const auto start = Clock::now();
  EXPECT_TRUE(throws_shutdown([&] { (void)q.get(30s); }));  // ShutDown at once, not Empty
  EXPECT_LT(seconds_since(start), 10.0);
  EXPECT_TRUE(throws_shutdown([&] { (void)q.try_get(); }));
  // test_shutdown_nonempty: one item, shut down, one get succeeds, the next throws.
  typename TypeParam::template Q<int> q2;
  q2.put(7);
  q2.shutdown();
  EXPECT_EQ(q2.get(), 7);
  EXPECT_TRUE(throws_shutdown([&] { (void)q2.get(); }));
}

// _shutdown_all_methods_in_one_thread(True) and test_shutdown_immediate.
TYPED_TEST(ShutdownKinds, I4_ImmediateShutdownDrainsAndReleasesJoin) {
  typename TypeParam::template Q<int> q(2);
  q.put(1);
  q.put_nowait(2);
  EXPECT_EQ(q.unfinished_tasks(), 2u);
  q.shutdown(true);
  EXPECT_EQ(q.qsize(), 0u);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.unfinished_tasks(), 0u);
  EXPECT_TRUE(throws_shutdown([&] { q.put(3); }));
  EXPECT_TRUE(throws_shutdown([&] { q.put_nowait(4); }));
  EXPECT_TRUE(throws_shutdown([&] { (void)q.get(); }));
  EXPECT_TRUE(throws_shutdown([&] { (void)q.get_nowait(); }));
  EXPECT_TRUE(throws_shutdown([&] { (void)q.try_get(); }));
  EXPECT_THROW(q.task_done(), itc::TaskDoneTooManyTimes);
  const auto start = Clock::now();
  q.join();
  EXPECT_TRUE(q.join(0s));
  EXPECT_LT(seconds_since(start), 5.0);
}

TYPED_TEST(ShutdownKinds, I4_Cxx_ImmediateShutdownDestroysDrainedItems) {
  typename TypeParam::template Q<std::shared_ptr<int>> q;
  auto a = std::make_shared<int>(1);
  auto b = std::make_shared<int>(2);
  q.put(a);
  q.put(b);
  EXPECT_EQ(a.use_count(), 2);
  q.shutdown(true);
  EXPECT_EQ(a.use_count(), 1) << "the drained item is still held by the queue";
  EXPECT_EQ(b.use_count(), 1);
}

// test_shutdown_pending_get, with the getter known to be blocked; both shutdown modes and both
// blocking get forms.
TYPED_TEST(ShutdownKinds, I5_BlockedGetIsWokenByShutdownAndThrows) {
  using Q = typename TypeParam::template Q<int>;
  for (bool immediate : {false, true}) {
    for (bool timed : {false, true}) {
      Q q;
      std::atomic<int> outcome{0};  // 1 ShutDown, 2 returned, 3 other
      const auto start = Clock::now();
      std::thread getter([&] {
        try {
          (void)(timed ? q.get(30s) : q.get());
          outcome = 2;
        } catch (const itc::ShutDown&) {
          outcome = 1;
        } catch (...) {
          outcome = 3;
        }
      });
      ASSERT_TRUE(await_getters(q, 1));
      EXPECT_EQ(outcome.load(), 0);
      q.shutdown(immediate);
      getter.join();
      EXPECT_EQ(outcome.load(), 1) << "immediate=" << immediate << " timed=" << timed;
      EXPECT_LT(seconds_since(start), 25.0);  // woken, not timed out
      EXPECT_EQ(q.stats().getters_blocked, 0u);
    }
  }
}

// test_shutdown_put / test_shutdown_immediate_put, with the putters known to be blocked (see
// the caveat in I6: CPython's version may test the up-front check instead).
TYPED_TEST(ShutdownKinds, I6_BlockedPutIsWokenByShutdownAndThrows) {
  for (bool immediate : {false, true}) {
    typename TypeParam::template Q<int> q(2);
    q.put(1);
    q.put(2);
    SharedList<bool> results;
    {
      Bunch bunch(
          [&](std::size_t i) { results.append(throws_shutdown([&] { i == 0 ? q.put(3) : q.put(4, 30s); })); },
          2);
      ASSERT_TRUE(await_putters(q, 2));
      EXPECT_EQ(results.size(), 0u);
      q.shutdown(immediate);
    }
    EXPECT_EQ(results.snapshot(), (std::vector<bool>{true, true}));
    EXPECT_EQ(q.qsize(), immediate ? 0u : 2u);
    EXPECT_EQ(q.stats().put_total, 2u);
  }
}

// _shutdown_get(False): 2 items, 3 getters, non-immediate shutdown.
TYPED_TEST(ShutdownKinds, I7_NonImmediateShutdownTwoItemsThreeGetters) {
  // Two getters return an item (true), the third gets ShutDown (false).
  using Q = typename TypeParam::template Q<int>;
  EXPECT_EQ(shutdown_get<Q>(3, false), (std::vector<bool>{false, true, true}));
}

// The same with the getters already blocked on an empty queue when the items and the shutdown
// arrive: two items reach two getters, the third getter gets ShutDown.
TYPED_TEST(ShutdownKinds, I7_BlockedGettersShareTheLastItemsThenShutDown) {
  using Q = typename TypeParam::template Q<int>;
  Q q;
  SharedList<int> got;
  std::atomic<int> shutdowns{0};
  {
    Bunch bunch(
        [&](std::size_t) {
          try {
            got.append(q.get(30s));
          } catch (const itc::ShutDown&) {
            shutdowns.fetch_add(1);
          }
        },
        3);
    ASSERT_TRUE(await_getters(q, 3));
    q.put(1);
    q.put(2);
    q.shutdown(false);
  }
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(shutdowns.load(), 1);
}

// _shutdown_get(True): 2 items, 2 getters, immediate shutdown: both get ShutDown.
TYPED_TEST(ShutdownKinds, I8_ImmediateShutdownTwoItemsTwoGetters) {
  using Q = typename TypeParam::template Q<int>;
  EXPECT_EQ(shutdown_get<Q>(2, true), (std::vector<bool>{true, true}));
}

// _shutdown_join(True / False), with the joiners known to be blocked.
TYPED_TEST(ShutdownKinds, I9_JoinersAreReleasedWhenTheCountReachesZero) {
  using Q = typename TypeParam::template Q<int>;
  for (bool immediate : {true, false}) {
    Q q;
    q.put(1);
    itc::Event go;
    SharedList<bool> results;
    SharedList<bool> consumer;
    {
      Bunch joiners([&](std::size_t) { join_helper(q, results); }, 2);
      ASSERT_TRUE(await_joiners(q, 2));
      std::optional<Bunch> consumers;
      if (!immediate) consumers.emplace([&](std::size_t) { get_task_done_helper(q, go, consumer); }, 1);
      q.shutdown(immediate);
      go.set();
    }
    EXPECT_EQ(results.snapshot(), (std::vector<bool>{true, true})) << "immediate=" << immediate;
    if (!immediate) {
      EXPECT_EQ(consumer.snapshot(), std::vector<bool>{true});
    }
    EXPECT_EQ(q.unfinished_tasks(), 0u);
  }
}

// _shutdown_put_join(True / False).
TYPED_TEST(ShutdownKinds, I10_PutAndJoinAroundShutdown) {
  using Q = typename TypeParam::template Q<int>;
  for (bool immediate : {true, false}) {
    Q q(2);
    q.put(10);
    itc::Event go;
    SharedList<bool> results;
    {
      std::thread putter([&] { put_helper(q, 11, go, results, true); });
      std::thread joiner([&] { join_helper(q, results); });
      EXPECT_EQ(q.unfinished_tasks(), 1u);
      q.shutdown(immediate);
      go.set();
      if (immediate) {
        EXPECT_TRUE(throws_shutdown([&] { (void)q.get_nowait(); }));
      } else {
        EXPECT_EQ(q.get(), 10);
        q.task_done();
      }
      putter.join();
      joiner.join();
    }
    EXPECT_EQ(results.snapshot(), (std::vector<bool>{true, true})) << "immediate=" << immediate;
  }
}

// test_shutdown_get_task_done_join.
TYPED_TEST(ShutdownKinds, I11_NonImmediateShutdownLetsConsumersFinish) {
  using Q = typename TypeParam::template Q<int>;
  Q q(2);
  q.put(1);
  q.put(2);
  EXPECT_EQ(q.unfinished_tasks(), q.qsize());
  itc::Event go;
  SharedList<bool> results;
  {
    Bunch bunch(
        [&](std::size_t i) {
          if (i < 2) {
            get_task_done_helper(q, go, results);
          } else {
            join_helper(q, results);
          }
        },
        4);
    go.set();
    q.shutdown(false);
  }
  EXPECT_EQ(results.snapshot(), std::vector<bool>(4, true));
  EXPECT_EQ(q.unfinished_tasks(), 0u);
}

TYPED_TEST(ShutdownKinds, I12_ImmediateShutdownSubtractsOnlyDrainedItems) {
  using Q = typename TypeParam::template Q<int>;
  {  // An item fetched but not yet task_done() keeps join() blocked after the drain.
    Q q;
    q.put(1);
    q.put(2);
    q.put(3);
    (void)q.get();
    q.shutdown(true);
    EXPECT_EQ(q.qsize(), 0u);
    EXPECT_EQ(q.unfinished_tasks(), 1u);
    EXPECT_FALSE(q.join(50ms));
    std::atomic<bool> joined{false};
    std::thread joiner([&] {
      q.join();
      joined = true;
    });
    ASSERT_TRUE(await_joiners(q, 1));
    wait_threads_blocked(2);
    EXPECT_FALSE(joined.load());
    q.task_done();
    joiner.join();
    EXPECT_TRUE(joined.load());
    EXPECT_EQ(q.unfinished_tasks(), 0u);
  }
  {  // Never below zero: task_done() ran for items that are still queued.
    Q q;
    q.put(1);
    q.put(2);
    q.task_done();
    q.task_done();
    EXPECT_EQ(q.unfinished_tasks(), 0u);
    EXPECT_EQ(q.qsize(), 2u);
    q.shutdown(true);
    EXPECT_EQ(q.qsize(), 0u);
    EXPECT_EQ(q.unfinished_tasks(), 0u);
    EXPECT_THROW(q.task_done(), itc::ValueError);
    EXPECT_TRUE(q.join(0s));
  }
  {  // Partly: 3 outstanding, 2 queued -> 1 left.
    Q q;
    q.put(1);
    q.put(2);
    q.put(3);
    (void)q.get();
    EXPECT_EQ(q.unfinished_tasks(), 3u);
    q.shutdown(true);
    EXPECT_EQ(q.unfinished_tasks(), 1u);
  }
}

TYPED_TEST(ShutdownKinds, I13_ShutDownTakesPrecedenceOverFullEmptyAndTimeoutErrors) {
  using Q = typename TypeParam::template Q<int>;
  {  // full and shut down: ShutDown, not Full / false / ValueError
    Q q(1);
    q.put(1);
    q.shutdown(false);
    EXPECT_TRUE(throws_shutdown([&] { q.put_nowait(2); }));
    EXPECT_TRUE(throws_shutdown([&] { q.put(2, 0s); }));
    EXPECT_TRUE(throws_shutdown([&] { q.put(2, -1s); }));
    int x = 2;
    EXPECT_TRUE(throws_shutdown([&] { (void)q.try_put(std::move(x)); }));
  }
  {  // empty and shut down: ShutDown, not Empty / nullopt / ValueError
    Q q(1);
    q.shutdown(false);
    EXPECT_TRUE(throws_shutdown([&] { (void)q.get_nowait(); }));
    EXPECT_TRUE(throws_shutdown([&] { (void)q.get(0s); }));
    EXPECT_TRUE(throws_shutdown([&] { (void)q.get(-1s); }));
    EXPECT_TRUE(throws_shutdown([&] { (void)q.try_get(); }));
  }
  {  // non-empty and shut down (not immediate): the items still come out
    Q q(2);
    q.put(1);
    q.put(2);
    q.shutdown(false);
    EXPECT_THROW((void)q.get(-1s), itc::InvalidArgument);  // CPython: ValueError here
    EXPECT_EQ(q.qsize(), 2u);
    EXPECT_NO_THROW((void)q.get());
    EXPECT_NO_THROW((void)q.get_nowait());
    EXPECT_TRUE(throws_shutdown([&] { (void)q.get(); }));
  }
}

TYPED_TEST(ShutdownKinds, I14_JoinNeverThrowsShutDown) {
  using Q = typename TypeParam::template Q<int>;
  {
    Q q;
    q.shutdown();
    EXPECT_FALSE(throws_shutdown([&] { q.join(); }));
    q.shutdown(true);
    EXPECT_FALSE(throws_shutdown([&] { q.join(); }));
  }
  for (bool immediate : {false, true}) {
    Q q;
    q.put(1);
    (void)q.get();
    q.shutdown(immediate);
    bool timed_result = true;
    EXPECT_FALSE(throws_shutdown([&] { timed_result = q.join(10ms); }));
    EXPECT_FALSE(timed_result);
    SharedList<bool> results;
    std::thread joiner([&] { join_helper(q, results); });
    ASSERT_TRUE(await_joiners(q, 1));
    q.task_done();
    joiner.join();
    EXPECT_EQ(results.snapshot(), std::vector<bool>{true});
  }
}

// A woken putter re-checks shutdown before room; a woken getter re-checks for items before
// shutdown. Repeated so that the waiter often wakes after both changes were made.
TYPED_TEST(ShutdownKinds, I15_WokenWaitersRecheckTheState) {
  using Q = typename TypeParam::template Q<int>;
  for (int round = 0; round < 20; ++round) {
    Q q(1);
    q.put(1);
    std::atomic<int> outcome{0};  // 1 ShutDown, 2 stored
    std::thread putter([&] { outcome = throws_shutdown([&] { q.put(2); }) ? 1 : 2; });
    ASSERT_TRUE(await_putters(q, 1));
    q.shutdown(false);
    EXPECT_EQ(q.get(), 1);  // a slot opens too
    putter.join();
    ASSERT_EQ(outcome.load(), 1) << "round " << round << ": a putter woken by shutdown stored its item";
    EXPECT_EQ(q.qsize(), 0u);
  }
  for (int round = 0; round < 20; ++round) {
    Q q;
    std::atomic<int> got{0};
    std::thread getter([&] {
      try {
        got = q.get();
      } catch (const itc::ShutDown&) {
        got = -1;
      }
    });
    ASSERT_TRUE(await_getters(q, 1));
    q.put(5);
    q.shutdown(false);
    getter.join();
    ASSERT_EQ(got.load(), 5) << "round " << round << ": a getter threw ShutDown with an item queued";
  }
}

// _shutdown_all_methods_in_many_threads, scaled down for a 2-core machine: 8192 messages
// instead of 65536 (4 writers, 6 readers, 1 shutdown thread, + 2 joiners if immediate).
template <class Q>
void shutdown_all_methods_in_many_threads(bool immediate) {
  Q q;
  constexpr int kWriters = 4;
  constexpr int kReaders = 6;
  constexpr int kJoiners = 2;
  constexpr int kMsgs = 1024 * 8;
  constexpr int kMsgsPerWriter = kMsgs / kWriters;
  constexpr int kWhenShutdown = kMsgsPerWriter / 2;
  itc::Barrier barrier_start(kWriters + kReaders + (immediate ? kJoiners : 0), {},
                             std::chrono::nanoseconds(30s));
  itc::Event ev_exec_shutdown;
  std::atomic<bool> shutdown_claimed{false};
  SharedList<bool> res_puts;
  SharedList<bool> res_gets;
  SharedList<bool> res_shutdown;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&] {
      try {
        for (int i = 0; i < kWhenShutdown / 2; ++i) q.put(i);
        barrier_start.wait();
        for (int i = kWhenShutdown / 2; i < kMsgsPerWriter; ++i) {
          try {
            q.put(i);
          } catch (const itc::ShutDown&) {
            res_puts.append(false);
            break;
          }
          if (i == kWhenShutdown && !shutdown_claimed.exchange(true)) {  // only one triggers
            ev_exec_shutdown.set();
            res_puts.append(true);
          }
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << "writer: " << e.what();
      }
    });
  }
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&] {
      try {
        (void)q.get(30s);
        q.task_done();
        barrier_start.wait();
        for (;;) {
          try {
            (void)q.get_nowait();
            q.task_done();
          } catch (const itc::ShutDown&) {
            res_gets.append(true);
            break;
          } catch (const itc::Empty&) {
          }
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << "reader: " << e.what();
      }
    });
  }
  threads.emplace_back([&] {
    if (!ev_exec_shutdown.wait(60s)) {
      ADD_FAILURE() << "no writer triggered the shutdown";
    }
    q.shutdown(immediate);
    res_shutdown.append(q.qsize() == 0);
  });
  if (immediate) {
    for (int j = 0; j < kJoiners; ++j) {
      threads.emplace_back([&] {
        try {
          barrier_start.wait();
          q.join();
        } catch (const std::exception& e) {
          ADD_FAILURE() << "joiner: " << e.what();
        }
      });
    }
  }
  for (auto& t : threads) t.join();

  const auto puts = res_puts.snapshot();
  EXPECT_NE(std::find(puts.begin(), puts.end(), true), puts.end());
  const auto gets = res_gets.snapshot();
  EXPECT_EQ(std::count(gets.begin(), gets.end(), true), kReaders);
  if (immediate) {
    EXPECT_EQ(res_shutdown.snapshot(), std::vector<bool>{true});
  }
  EXPECT_TRUE(q.empty());
  // Stronger than CPython: every item was either fetched and task_done()'d, or drained.
  EXPECT_EQ(q.unfinished_tasks(), 0u);
  EXPECT_TRUE(q.join(0s));
}

TYPED_TEST(ShutdownKinds, I16_S17_ShutdownAllMethodsInManyThreads) {
  shutdown_all_methods_in_many_threads<typename TypeParam::template Q<int>>(false);
}

TYPED_TEST(ShutdownKinds, I16_S17_ImmediateShutdownAllMethodsInManyThreads) {
  shutdown_all_methods_in_many_threads<typename TypeParam::template Q<int>>(true);
}

TEST(QueueShutdown, I17_ShutDownIsItsOwnErrorDistinctFromEmptyAndFull) {
  static_assert(std::is_base_of_v<itc::Error, itc::ShutDown>);
  static_assert(!std::is_base_of_v<itc::Empty, itc::ShutDown>);
  static_assert(!std::is_base_of_v<itc::Full, itc::ShutDown>);
  static_assert(!std::is_base_of_v<itc::ShutDown, itc::Empty>);
  static_assert(!std::is_base_of_v<itc::ShutDown, itc::Full>);
  static_assert(!std::is_base_of_v<itc::ValueError, itc::ShutDown>);
  static_assert(!std::is_base_of_v<itc::RuntimeError, itc::ShutDown>);
  itc::Queue<int> q;
  q.shutdown();
  try {
    (void)q.get_nowait();
    ADD_FAILURE() << "no exception";
  } catch (const itc::Empty&) {
    ADD_FAILURE() << "ShutDown was caught as Empty";
  } catch (const itc::Full&) {
    ADD_FAILURE() << "ShutDown was caught as Full";
  } catch (const itc::ShutDown& e) {
    EXPECT_STREQ(e.what(), "queue.ShutDown");
  }
}

}  // namespace
