// Checklist section G (threading.Barrier) and the §3 scenarios S14–S15.
//
// Hand-shakes use Barrier::n_waiting() (a snapshot taken under the barrier's mutex) instead of
// sleeps wherever a test needs "these threads are blocked in wait()".
#include "itc/barrier.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

#include "itc/errors.hpp"
#include "itc/platform/std_platform.hpp"
#include "test_support.hpp"

using namespace itc::test;

namespace {

constexpr std::size_t kN = 5;

/// Wraps a thread body so that an unexpected exception is a test failure, not std::terminate.
std::function<void(std::size_t)> guarded(std::function<void(std::size_t)> f) {
  return [f = std::move(f)](std::size_t i) {
    try {
      f(i);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "thread " << i << " threw: " << e.what();
    }
  };
}

/// CPython's BarrierTests fixture: Barrier(5, timeout=2.0), aborted in tearDown so that a failed
/// test cannot leave threads blocked.
class BarrierTest : public ::testing::Test {
 protected:
  itc::Barrier barrier{static_cast<std::ptrdiff_t>(kN), {}, std::chrono::nanoseconds(5s)};
  void TearDown() override { barrier.abort(); }

  void run_threads(const std::function<void(std::size_t)>& f) { Bunch bunch(guarded(f), kN); }

  /// Port of BarrierTests.multipass: the phase counters prove that nobody runs ahead.
  void multipass(std::atomic<std::size_t>& phase0, std::atomic<std::size_t>& phase1, std::size_t passes) {
    const std::size_t m = barrier.parties();
    EXPECT_EQ(m, kN);
    for (std::size_t i = 0; i < passes; ++i) {
      phase0.fetch_add(1);
      EXPECT_EQ(phase1.load(), i * m);
      barrier.wait();
      phase1.fetch_add(1);
      EXPECT_EQ(phase0.load(), (i + 1) * m);
      barrier.wait();
    }
    EXPECT_EQ(barrier.n_waiting(), 0u);
    EXPECT_FALSE(barrier.broken());
  }

  void expect_broken_wait(itc::Barrier& b) { EXPECT_THROW(b.wait(), itc::BrokenBarrierError); }
};

TEST(Barrier, G1_FewerThanOnePartyThrowsValueError) {
  for (std::ptrdiff_t parties : {0, -1, -100}) {
    try {
      itc::Barrier b(parties);
      ADD_FAILURE() << "Barrier(" << parties << ") did not throw";
    } catch (const itc::InvalidArgument& e) {
      EXPECT_STREQ(e.what(), "parties must be > 0");
    }
  }
  EXPECT_THROW(itc::Barrier(0), itc::ValueError);
}

TEST_F(BarrierTest, G2_PartiesPassInLockstep) {
  std::atomic<std::size_t> phase0{0};
  std::atomic<std::size_t> phase1{0};
  run_threads([&](std::size_t) { multipass(phase0, phase1, 1); });
  EXPECT_EQ(phase1.load(), kN);
}

TEST_F(BarrierTest, G3_S14_BarrierIsCyclicTenPasses) {
  std::atomic<std::size_t> phase0{0};
  std::atomic<std::size_t> phase1{0};
  run_threads([&](std::size_t) { multipass(phase0, phase1, 10); });
  EXPECT_EQ(phase1.load(), 10 * kN);
  EXPECT_EQ(barrier.n_waiting(), 0u);
  EXPECT_FALSE(barrier.broken());
}

TEST_F(BarrierTest, G4_S15_WaitReturnsDistinctIndices) {
  for (int round = 0; round < 3; ++round) {
    SharedList<std::size_t> results;
    run_threads([&](std::size_t) { results.append(barrier.wait()); });
    // Stronger than CPython's sum check.
    EXPECT_EQ(sorted(results.snapshot()), indices(kN)) << "round " << round;
  }
}

TEST(Barrier, G5_S15_ActionRunsOncePerTripBeforeAnyThreadReturns) {
  std::atomic<int> actions{0};
  SharedList<std::thread::id> action_threads;
  SharedList<std::thread::id> party_threads;
  itc::Barrier b(static_cast<std::ptrdiff_t>(kN), [&] {
    actions.fetch_add(1);
    action_threads.append(std::this_thread::get_id());
  });
  constexpr int kTrips = 4;
  Bunch bunch(guarded([&](std::size_t) {
                party_threads.append(std::this_thread::get_id());
                for (int trip = 0; trip < kTrips; ++trip) {
                  // Three trips per iteration; the third keeps the checks of one iteration apart from
                  // the next one's action.
                  b.wait(10s);
                  EXPECT_EQ(actions.load(), 3 * trip + 1);  // ran exactly once, before anyone returned
                  b.wait(10s);
                  EXPECT_EQ(actions.load(), 3 * trip + 2);
                  b.wait(10s);
                }
              }),
              kN);
  bunch.join();
  EXPECT_EQ(actions.load(), 3 * kTrips);
  const auto parties = party_threads.snapshot();
  for (const auto& id : action_threads.snapshot()) {
    EXPECT_NE(std::find(parties.begin(), parties.end(), id), parties.end())
        << "the action ran outside the participating threads";
  }
}

// Port of test_abort: the thread that gets index N/2 "fails" and aborts the barrier.
TEST_F(BarrierTest, G6_S15_AbortBreaksBarrierForCurrentAndLaterWaiters) {
  std::atomic<int> passed{0};
  std::atomic<int> broken{0};
  run_threads([&](std::size_t) {
    try {
      const std::size_t i = barrier.wait();
      if (i == kN / 2) {
        barrier.abort();
        return;
      }
      barrier.wait();
      passed.fetch_add(1);
    } catch (const itc::BrokenBarrierError&) {
      broken.fetch_add(1);
    }
  });
  EXPECT_EQ(passed.load(), 0);
  EXPECT_EQ(broken.load(), static_cast<int>(kN) - 1);
  EXPECT_TRUE(barrier.broken());
  expect_broken_wait(barrier);  // later callers too
}

// Port of test_reset.
TEST_F(BarrierTest, G7_S15_ResetReleasesWaitersWithErrorAndBarrierStaysUsable) {
  std::atomic<int> passed{0};
  std::atomic<int> broken{0};
  std::atomic<int> second_round{0};
  run_threads([&](std::size_t) {
    const std::size_t i = barrier.wait();
    if (i == kN / 2) {
      EXPECT_TRUE(eventually([&] { return barrier.n_waiting() >= kN - 1; }));
      barrier.reset();
      EXPECT_FALSE(barrier.broken());
    } else {
      try {
        barrier.wait();
        passed.fetch_add(1);
      } catch (const itc::BrokenBarrierError&) {
        broken.fetch_add(1);
      }
    }
    barrier.wait();  // all five pass the barrier again
    second_round.fetch_add(1);
  });
  EXPECT_EQ(passed.load(), 0);
  EXPECT_EQ(broken.load(), static_cast<int>(kN) - 1);
  EXPECT_EQ(second_round.load(), static_cast<int>(kN));
  EXPECT_FALSE(barrier.broken());
  EXPECT_EQ(barrier.n_waiting(), 0u);
}

// Port of test_abort_and_reset.
TEST_F(BarrierTest, G8_S15_BrokenBarrierCanBeResetOnceEveryoneLeft) {
  std::atomic<int> passed{0};
  std::atomic<int> broken{0};
  std::atomic<int> after_reset{0};
  itc::Barrier barrier2(static_cast<std::ptrdiff_t>(kN), {}, std::chrono::nanoseconds(10s));
  run_threads([&](std::size_t) {
    try {
      const std::size_t i = barrier.wait();
      if (i == kN / 2) throw std::logic_error("injected");
      barrier.wait();
      passed.fetch_add(1);
    } catch (const itc::BrokenBarrierError&) {
      broken.fetch_add(1);
    } catch (const std::logic_error&) {
      barrier.abort();
    }
    // Everyone has left `barrier` before the reset, and nobody re-enters before it.
    if (barrier2.wait() == kN / 2) barrier.reset();
    barrier2.wait();
    barrier.wait();
    after_reset.fetch_add(1);
  });
  EXPECT_EQ(passed.load(), 0);
  EXPECT_EQ(broken.load(), static_cast<int>(kN) - 1);
  EXPECT_EQ(after_reset.load(), static_cast<int>(kN));
}

// Port of test_timeout, made deterministic: instead of sleeping, the late thread arrives only
// once the barrier is broken, so the round can never complete.
TEST_F(BarrierTest, G9_S15_TimeoutBreaksBarrierForEveryone) {
  constexpr double kTimeout = 0.1;
  std::atomic<int> errors{0};
  SharedList<double> waited;
  run_threads([&](std::size_t) {
    const std::size_t i = barrier.wait();
    if (i == kN / 2) {
      EXPECT_TRUE(eventually([&] { return barrier.broken(); }));
      try {
        barrier.wait();
      } catch (const itc::BrokenBarrierError&) {
        errors.fetch_add(1);
      }
      return;
    }
    const auto start = Clock::now();
    try {
      barrier.wait(std::chrono::duration<double>(kTimeout));  // shorter than the 5 s default
    } catch (const itc::BrokenBarrierError&) {
      errors.fetch_add(1);
    }
    waited.append(seconds_since(start));
  });
  EXPECT_EQ(errors.load(), static_cast<int>(kN));
  EXPECT_TRUE(barrier.broken());
  // The thread whose timeout broke the barrier waited the full timeout; none waited near 5 s.
  const auto times = waited.snapshot();
  ASSERT_EQ(times.size(), kN - 1);
  EXPECT_GE(*std::max_element(times.begin(), times.end()), kTimeout);
  for (double t : times) EXPECT_LT(t, 20 * kTimeout + 2.0);
}

TEST(Barrier, G10_ConstructorTimeoutIsTheDefaultForWait) {
  itc::Barrier b(2, {}, std::chrono::nanoseconds(100ms));
  const auto start = Clock::now();
  EXPECT_THROW(b.wait(), itc::BrokenBarrierError);
  expect_timed_out_after(seconds_since(start), 100ms);  // CPython: assertGreaterEqual(dt, timeout)
  EXPECT_TRUE(b.broken());
}

TEST(Barrier, G11_ExplicitTimeoutOverridesConstructorDefault) {
  {  // shorter explicit timeout wins over a long default
    itc::Barrier b(2, {}, std::chrono::nanoseconds(30s));
    const auto start = Clock::now();
    EXPECT_THROW(b.wait(100ms), itc::BrokenBarrierError);
    ITC_EXPECT_TIMEOUT(seconds_since(start), 0.1);
  }
  {  // longer explicit timeout wins over a short default
    itc::Barrier b(2, {}, std::chrono::nanoseconds(50ms));
    std::atomic<int> result{-1};
    std::thread t([&] {
      try {
        result = static_cast<int>(b.wait(30s));
      } catch (const itc::BrokenBarrierError&) {
        result = -2;
      }
    });
    ASSERT_TRUE(eventually([&] { return b.n_waiting() == 1; }));
    std::this_thread::sleep_for(150ms);  // well past the 50 ms default
    EXPECT_EQ(b.wait(30s), 1u);
    t.join();
    EXPECT_EQ(result.load(), 0);
    EXPECT_FALSE(b.broken());
  }
}

TEST(Barrier, G12_SinglePartyNeverBlocks) {
  itc::Barrier b(1);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(b.wait(), 0u);
  EXPECT_EQ(b.wait(0s), 0u);   // completes the round itself: a zero timeout cannot break it
  EXPECT_EQ(b.wait(-1s), 0u);  // CPython: Barrier(1).wait(-1) == 0
  EXPECT_FALSE(b.broken());
}

TEST(Barrier, G13_NWaitingCountsBlockedThreadsAndBrokenReflectsState) {
  itc::Barrier b(3);
  EXPECT_EQ(b.n_waiting(), 0u);
  {
    Bunch bunch(guarded([&](std::size_t) { (void)b.wait(30s); }), 2);
    ASSERT_TRUE(eventually([&] { return b.n_waiting() >= 2; }));
    EXPECT_EQ(b.n_waiting(), 2u);
    EXPECT_FALSE(b.broken());
    b.wait(30s);
  }
  EXPECT_EQ(b.n_waiting(), 0u);
  b.abort();
  EXPECT_TRUE(b.broken());
  EXPECT_EQ(b.n_waiting(), 0u);
}

TEST(Barrier, G14_PartiesReturnsConstructorArgument) {
  EXPECT_EQ(itc::Barrier(1).parties(), 1u);
  EXPECT_EQ(itc::Barrier(7).parties(), 7u);
}

TEST(Barrier, G15_BrokenBarrierErrorIsARuntimeError) {
  static_assert(std::is_base_of_v<itc::RuntimeError, itc::BrokenBarrierError>);
  static_assert(std::is_base_of_v<itc::Error, itc::BrokenBarrierError>);
  static_assert(!std::is_base_of_v<itc::ValueError, itc::BrokenBarrierError>);
  itc::Barrier b(2);
  b.abort();
  try {
    b.wait();
    ADD_FAILURE() << "wait() on an aborted barrier returned";
  } catch (const itc::RuntimeError& e) {  // `except RuntimeError` catches it, as in test_abort
    EXPECT_NE(dynamic_cast<const itc::BrokenBarrierError*>(&e), nullptr);
    EXPECT_STREQ(e.what(), "threading.BrokenBarrierError");
  }
}

TEST(Barrier, G16_ThrowingActionPropagatesAndBreaksBarrier) {
  struct ActionFailed : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  itc::Barrier b(3, [] { throw ActionFailed("division by zero"); });
  std::atomic<int> action_errors{0};
  std::atomic<int> broken_errors{0};
  std::atomic<int> other{0};
  {
    Bunch bunch(
        [&](std::size_t) {
          try {
            b.wait(30s);
          } catch (const ActionFailed&) {
            action_errors.fetch_add(1);
          } catch (const itc::BrokenBarrierError&) {
            broken_errors.fetch_add(1);
          } catch (...) {
            other.fetch_add(1);
          }
        },
        3);
  }
  EXPECT_EQ(action_errors.load(), 1);
  EXPECT_EQ(broken_errors.load(), 2);
  EXPECT_EQ(other.load(), 0);
  EXPECT_TRUE(b.broken());
  EXPECT_EQ(b.n_waiting(), 0u);
}

TEST(Barrier, G17_WaitOnBrokenBarrierThrowsAtOnceUntilReset) {
  itc::Barrier b(2);
  b.abort();
  const auto start = Clock::now();
  EXPECT_THROW(b.wait(), itc::BrokenBarrierError);
  EXPECT_THROW(b.wait(30s), itc::BrokenBarrierError);
  EXPECT_THROW(b.wait(30s), itc::BrokenBarrierError);
  EXPECT_LT(seconds_since(start), 10.0);  // did not wait for any of the 30 s timeouts
  EXPECT_TRUE(b.broken());
  b.reset();
  EXPECT_FALSE(b.broken());
  std::atomic<int> index{-1};
  std::thread t([&] { index = static_cast<int>(b.wait(30s)); });
  const std::size_t mine = b.wait(30s);
  t.join();
  EXPECT_EQ(mine + static_cast<std::size_t>(index.load()), 1u);  // indices 0 and 1
}

// A thread that finishes round k and calls wait() again while its peers are still leaving round k
// must join round k+1. Many quick rounds with lockstep counters make the drain window likely; a
// barrier that does not keep rounds apart (CPython's draining state; in itc, the last arrival
// detaching the round's waiters and resetting the count) lets a fast thread complete round k+1
// on its own count.
TEST(Barrier, G18_ArrivalDuringDrainJoinsTheNextRound) {
  constexpr std::size_t kParties = 3;
  constexpr std::size_t kRounds = 1500;
  itc::Barrier b(static_cast<std::ptrdiff_t>(kParties));
  std::vector<std::atomic<std::size_t>> arrived(kRounds);
  std::atomic<std::size_t> violations{0};
  std::atomic<std::size_t> bad_indices{0};
  std::vector<std::atomic<std::size_t>> index_mask(kRounds);
  {
    Bunch bunch(guarded([&](std::size_t) {
                  for (std::size_t r = 0; r < kRounds; ++r) {
                    arrived[r].fetch_add(1);
                    const std::size_t idx = b.wait(10s);
                    if (idx >= kParties) bad_indices.fetch_add(1);
                    index_mask[r].fetch_or(std::size_t{1} << idx);
                    // Everyone released from round r must have arrived at round r.
                    if (arrived[r].load() != kParties) violations.fetch_add(1);
                  }
                }),
                kParties);
  }
  EXPECT_EQ(violations.load(), 0u);
  EXPECT_EQ(bad_indices.load(), 0u);
  std::size_t wrong_masks = 0;
  for (auto& m : index_mask) wrong_masks += (m.load() != (std::size_t{1} << kParties) - 1);
  EXPECT_EQ(wrong_masks, 0u) << "some round did not hand out exactly the indices 0..parties-1";
  EXPECT_EQ(b.n_waiting(), 0u);
  EXPECT_FALSE(b.broken());
}

TEST(Barrier, G19_NonPositiveTimeoutBreaksAtOnce) {
  for (auto timeout : {std::chrono::milliseconds(0), std::chrono::milliseconds(-1000)}) {
    itc::Barrier b(2);
    const auto start = Clock::now();
    EXPECT_THROW(b.wait(timeout), itc::BrokenBarrierError);
    EXPECT_LT(seconds_since(start), 2.0);
    EXPECT_TRUE(b.broken());
    EXPECT_EQ(b.n_waiting(), 0u);
  }
}

// C++ extras.

TEST(Barrier, Cxx_WritesBeforeWaitAreVisibleToAllPartiesAfterIt) {
  constexpr std::size_t n = 4;
  itc::Barrier b(static_cast<std::ptrdiff_t>(n));
  std::vector<int> slots(n, 0);  // plain ints: the barrier must publish them
  std::atomic<int> mismatches{0};
  Bunch bunch(guarded([&](std::size_t i) {
                for (int round = 1; round <= 50; ++round) {
                  slots[i] = round;
                  b.wait(30s);
                  for (std::size_t j = 0; j < n; ++j)
                    if (slots[j] != round) mismatches.fetch_add(1);
                  b.wait(30s);  // nobody writes the next round before everyone has read this one
                }
              }),
              n);
  bunch.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(Barrier, Cxx_HugeTimeoutDoesNotOverflow) {
  itc::Barrier b(2, {}, std::chrono::nanoseconds::max());
  std::thread t([&] { EXPECT_NO_THROW(b.wait(std::chrono::hours::max())); });
  ASSERT_TRUE(eventually([&] { return b.n_waiting() == 1; }));
  EXPECT_NO_THROW(b.wait());
  t.join();
  EXPECT_FALSE(b.broken());
}

/// Counts P::yield() calls on the platforms below, which have 2 CPUs whatever the machine has;
/// SlowYieldHooks' yield takes 1 ms, as when another process gets the CPU.
struct YieldCountingHooks {
  static unsigned cpu_count() noexcept { return 2; }
  static inline std::atomic<int> yields{0};
  static void at(itc::SyncPoint point, const itc::SourceLocation& /*loc*/) noexcept {
    if (point == itc::SyncPoint::yield) yields.fetch_add(1);
  }
  static void done(itc::SyncPoint /*point*/, const itc::SourceLocation& /*loc*/) noexcept {}
};
struct SlowYieldHooks : YieldCountingHooks {
  static inline std::atomic<int> yields_returned{0};
  static void relax(const itc::SourceLocation& /*loc*/) noexcept {
    std::this_thread::sleep_for(1ms);
    yields_returned.fetch_add(1);
  }
};

/// Runs one round of `b` with parties()-1 helper threads that each wait `wait_once()` and this
/// thread arriving last, well after the helpers' spins: each helper has blocked, yielded as
/// much as it will, and parked (or is still yielding) by then.
template <class B, class WaitOnce>
void round_with_late_arrival(B& b, WaitOnce wait_once) {
  const std::size_t helpers = b.parties() - 1;
  std::vector<std::thread> ts;
  for (std::size_t i = 0; i < helpers; ++i) ts.emplace_back([&] { EXPECT_NO_THROW(wait_once()); });
  ASSERT_TRUE(eventually([&] { return b.n_waiting() == helpers; }));
  std::this_thread::sleep_for(50ms);  // well past the spins and 16 yields of ~µs each
  EXPECT_NO_THROW(b.wait());
  for (auto& t : ts) t.join();
}

// While the parties fit on the CPUs, a waiter must not yield the CPU: Linux's EEVDF scheduler
// pushes a yielding thread a whole slice back behind any busy process, and a 2-party barrier
// whose waiters yielded took ~2 ms a round next to two `yes > /dev/null` (the textbook condvar
// barrier: 90 µs; see "Design" in barrier.hpp). The waiter here waits far longer than its spin,
// so it must park, with or without a timeout, and never call yield().
TEST(Barrier, Cxx_WaiterParksWithoutYieldingTheCpuWhileThePartiesFit) {
  itc::BasicBarrier<itc::BasicStdPlatform<YieldCountingHooks>> b(2);
  for (const bool timed : {false, true}) {
    YieldCountingHooks::yields = 0;
    round_with_late_arrival(b, [&] { return timed ? b.wait(30s) : b.wait(); });
    EXPECT_EQ(YieldCountingHooks::yields.load(), 0) << (timed ? "wait(30s)" : "wait()");
  }
}

// With more parties than CPUs, the parties still to arrive need the CPUs the waiters hold: a
// waiter yields before it parks (3 / 4 / 8 parties on 2 CPUs: 2.0 / 3.4 / 8.7 µs a round, against
// 34 / 44 / 82 µs when waiters only spin and park).
TEST(Barrier, Cxx_WaitersYieldWhenThereAreMorePartiesThanCpus) {
  const auto parties = static_cast<std::ptrdiff_t>(YieldCountingHooks::cpu_count() + 1);
  for (int attempt = 0; attempt < 3; ++attempt) {
    // A new barrier each time: its first round yields whatever the machine's load (a slow yield
    // only stops the yields of later rounds, and of the waiter that saw it).
    itc::BasicBarrier<itc::BasicStdPlatform<YieldCountingHooks>> b(parties);
    YieldCountingHooks::yields = 0;
    round_with_late_arrival(b, [&] { return b.wait(); });
    // Each of the parties-1 waiters yields at least once and at most 16 times, then parks.
    const int yields = YieldCountingHooks::yields.load();
    EXPECT_GE(yields, parties - 1) << "attempt " << attempt;
    EXPECT_LE(yields, 16 * (parties - 1)) << "attempt " << attempt;
  }
}

// A yield that keeps the waiter off the CPU for a slice means another process took the CPU:
// that waiter stops yielding and parks, and the next rounds park without yielding at all (with
// two `yes` running, 4-party rounds that yielded took 2.4 ms; see "Design").
TEST(Barrier, Cxx_ASlowYieldStopsTheYieldsOfTheNextRounds) {
  const auto parties = static_cast<std::ptrdiff_t>(YieldCountingHooks::cpu_count() + 1);
  itc::BasicBarrier<itc::BasicStdPlatform<SlowYieldHooks>> b(parties);
  SlowYieldHooks::yields = 0;
  SlowYieldHooks::yields_returned = 0;
  const std::size_t helpers = b.parties() - 1;
  std::vector<std::thread> ts;
  for (std::size_t i = 0; i < helpers; ++i) ts.emplace_back([&] { EXPECT_NO_THROW(b.wait()); });
  // Every waiter's first yield is slow: it yields exactly once, flags its node, and parks.
  // EXPECT, not ASSERT: the round must still complete, or the helpers never return.
  EXPECT_TRUE(
      eventually([&] { return SlowYieldHooks::yields_returned.load() == static_cast<int>(helpers); }));
  std::this_thread::sleep_for(20ms);  // the flag is stored right after the yield returns
  EXPECT_NO_THROW(b.wait());
  for (auto& t : ts) t.join();
  EXPECT_EQ(SlowYieldHooks::yields.load(), static_cast<int>(helpers));
  for (int round = 0; round < 3; ++round) {
    SlowYieldHooks::yields = 0;
    round_with_late_arrival(b, [&] { return b.wait(); });
    EXPECT_EQ(SlowYieldHooks::yields.load(), 0) << "round " << round << " after the slow yield";
  }
}

}  // namespace
