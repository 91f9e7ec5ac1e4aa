// itc::RLock against the Python-semantics checklist, section B (threading.RLock), and B11: a Condition with
// its default lock behaves like an RLock (CPython's ConditionAsRLockTests).
//
// Ported from CPython 3.13's Lib/test/lock_tests.py (RLockTests and the inherited
// BaseLockTests). Test names carry the checklist id. Timing: exact lower bounds, generous upper
// bounds (ITC_EXPECT_TIMEOUT); sleeps only make "has not finished yet" checks meaningful.
//
// Not tested (the checklist's section 4): B13 repr / _at_fork_reinit (4.8); the
// OverflowError half of B8 (4.6: itc saturates huge timeouts, checked below). B12 (RLock.locked,
// Python 3.14) is tested because itc provides it.
#include "itc/lock.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>

#include "itc/condition.hpp"
#include "test_support.hpp"

using namespace itc::test;

namespace {

// Keeps `lock` held by a helper thread until done() (CPython's Bunch(wait_before_exit=True)).
template <class L>
class HeldElsewhere {
 public:
  explicit HeldElsewhere(L& lock, int depth = 1) : lock_(lock) {
    thread_ = std::thread([this, depth] {
      for (int i = 0; i < depth; ++i) lock_.acquire();
      held_ = true;
      while (!finish_) std::this_thread::sleep_for(1ms);
      owner_still_owns_ = lock_.is_owned();
      for (int i = 0; i < depth; ++i) lock_.release();
    });
    while (!held_) std::this_thread::yield();
  }
  ~HeldElsewhere() { done(); }
  HeldElsewhere(const HeldElsewhere&) = delete;
  HeldElsewhere& operator=(const HeldElsewhere&) = delete;
  /// Releases (every level) in the helper thread and joins it; returns whether the helper still
  /// owned the lock just before.
  bool done() {
    finish_ = true;
    if (thread_.joinable()) thread_.join();
    return owner_still_owns_;
  }

 private:
  L& lock_;
  std::thread thread_;
  std::atomic<bool> held_{false};
  std::atomic<bool> finish_{false};
  std::atomic<bool> owner_still_owns_{false};
};

}  // namespace

// ── B: threading.RLock ──────────────────────────────────────────────────────────────────────

TEST(RLock, B1_OwnerReacquiresAndMustReleaseAsOften) {
  // RLockTests.test_reacquire, with a second thread checking the lock is held until the end.
  itc::RLock lock;
  lock.acquire();
  lock.acquire();
  lock.release();
  EXPECT_FALSE(free_for_another_thread(lock));
  lock.acquire();
  lock.release();
  EXPECT_FALSE(free_for_another_thread(lock));
  lock.release();
  EXPECT_TRUE(free_for_another_thread(lock));
  EXPECT_FALSE(lock.locked());
}

TEST(RLock, B2_ReleaseWhenNotHeldThrows) {
  // test_release_unacquired.
  itc::RLock lock;
  const std::string msg = "cannot release un-acquired lock";
  expect_python_error<itc::UnacquiredLockRelease, itc::RuntimeError>([&] { lock.release(); }, msg);
  lock.acquire();
  lock.acquire();
  lock.release();
  lock.acquire();
  lock.release();
  lock.release();
  expect_python_error<itc::UnacquiredLockRelease, itc::RuntimeError>([&] { lock.release(); }, msg);
  expect_python_error<itc::UnacquiredLockRelease, itc::RuntimeError>([&] { lock.unlock(); }, msg);
  EXPECT_FALSE(lock.locked());
  EXPECT_TRUE(free_for_another_thread(lock));
}

TEST(RLock, B3_NonOwnerReleaseThrowsAndOwnerKeepsTheLock) {
  // RLockTests.test_different_thread.
  itc::RLock lock;
  HeldElsewhere<itc::RLock> holder(lock);
  expect_python_error<itc::UnacquiredLockRelease, itc::RuntimeError>([&] { lock.release(); },
                                                                     "cannot release un-acquired lock");
  EXPECT_TRUE(lock.locked());
  EXPECT_FALSE(lock.acquire(false));
  EXPECT_TRUE(holder.done()) << "the owner lost the lock to a failed foreign release";
  EXPECT_FALSE(lock.locked());
  EXPECT_TRUE(lock.acquire(false));
  lock.release();
}

TEST(RLock, B4_RecursionCountIsPerOwner) {
  // test_recursion_count.
  itc::RLock lock;
  EXPECT_EQ(lock.recursion_count(), 0u);
  lock.acquire();
  EXPECT_EQ(lock.recursion_count(), 1u);
  lock.acquire();
  lock.acquire();
  EXPECT_EQ(lock.recursion_count(), 3u);
  lock.release();
  EXPECT_EQ(lock.recursion_count(), 2u);
  lock.release();
  lock.release();
  EXPECT_EQ(lock.recursion_count(), 0u);

  // A non-owner sees 0 while another thread holds the lock at depth 1 (and 2).
  for (int depth : {1, 2}) {
    HeldElsewhere<itc::RLock> holder(lock, depth);
    EXPECT_EQ(lock.recursion_count(), 0u);
    EXPECT_TRUE(holder.done());
  }
  EXPECT_EQ(lock.recursion_count(), 0u);
}

TEST(RLock, B5_IsOwnedOnlyInTheOwnerUntilTheFinalRelease) {
  // test__is_owned.
  itc::RLock lock;
  EXPECT_FALSE(lock.is_owned());
  lock.acquire();
  EXPECT_TRUE(lock.is_owned());
  lock.acquire();
  bool other_sees_owned = true;
  std::thread([&] { other_sees_owned = lock.is_owned(); }).join();
  EXPECT_FALSE(other_sees_owned);
  EXPECT_TRUE(lock.is_owned());
  lock.release();
  EXPECT_TRUE(lock.is_owned());
  lock.release();
  EXPECT_FALSE(lock.is_owned());
}

TEST(RLock, B6_FullReleaseForConditionChecksOwnership) {
  // test_release_save_unacquired: the "release every level" primitive behind Condition.wait()
  // must reject a caller that does not own the lock, and leave the lock unchanged.
  itc::RLock lock;
  const std::string msg = "cannot release un-acquired lock";
  expect_python_error<itc::UnacquiredLockRelease, itc::RuntimeError>([&] { lock.release_save(); }, msg);
  lock.acquire();
  lock.acquire();
  lock.release();
  lock.release();
  expect_python_error<itc::UnacquiredLockRelease, itc::RuntimeError>([&] { lock.release_save(); }, msg);
  {
    HeldElsewhere<itc::RLock> holder(lock, 2);
    expect_python_error<itc::UnacquiredLockRelease, itc::RuntimeError>([&] { lock.release_save(); }, msg);
    EXPECT_TRUE(holder.done());
  }
  // And the happy path: release_save() returns the depth, frees the lock for other threads, and
  // acquire_restore() brings the depth back.
  lock.acquire();
  lock.acquire();
  lock.acquire();
  const std::size_t depth = lock.release_save();
  EXPECT_EQ(depth, 3u);
  EXPECT_FALSE(lock.is_owned());
  EXPECT_FALSE(lock.locked());
  EXPECT_TRUE(free_for_another_thread(lock));
  lock.acquire_restore(depth);
  EXPECT_EQ(lock.recursion_count(), 3u);
  EXPECT_FALSE(free_for_another_thread(lock));
  for (int i = 0; i < 3; ++i) lock.release();
  EXPECT_FALSE(lock.locked());
}

TEST(RLock, B7_NonBlockingAcquireNestsForOwnerAndFailsForOthers) {
  itc::RLock lock;
  EXPECT_TRUE(lock.acquire(false));
  EXPECT_TRUE(lock.acquire(false));  // probe: the owner gets True, depth + 1
  EXPECT_TRUE(lock.try_lock());
  EXPECT_EQ(lock.recursion_count(), 3u);
  bool other = true;
  std::thread([&] { other = lock.acquire(false); }).join();
  EXPECT_FALSE(other);
  for (int i = 0; i < 3; ++i) lock.release();
  EXPECT_FALSE(lock.locked());
}

TEST(RLock, B8_TimeoutRulesMatchLock) {
  itc::RLock lock;
  expect_python_error<itc::InvalidArgument, itc::ValueError>(
      [&] { lock.acquire(false, 1s); }, "can't specify a timeout for a non-blocking call");
  expect_python_error<itc::InvalidArgument, itc::ValueError>(
      [&] { lock.acquire(-2s); }, "timeout value must be a non-negative number");  // probe
  EXPECT_FALSE(lock.locked());
  // Validation applies to the owner too, and does not change its depth.
  lock.acquire();
  expect_python_error<itc::InvalidArgument, itc::ValueError>([&] { lock.acquire(-1ms); },
                                                             "timeout value must be a non-negative number");
  EXPECT_EQ(lock.recursion_count(), 1u);
  // The owner's timed and zero-timeout acquires nest at once.
  EXPECT_TRUE(lock.acquire(0s));
  EXPECT_TRUE(lock.acquire(10s));
  EXPECT_TRUE(lock.try_lock_for(-1s));
  EXPECT_EQ(lock.recursion_count(), 4u);
  // Contended: false after about the timeout.
  constexpr auto kTimeout = 150ms;
  double dt = 0;
  bool result = true;
  std::thread([&] { dt = time_it([&] { result = lock.acquire(kTimeout); }); }).join();
  EXPECT_FALSE(result);
  expect_timed_out_after(dt, kTimeout);
  bool zero = true;
  std::thread([&] {
    zero = lock.acquire(0s);
    EXPECT_FALSE(lock.try_lock_for(20ms));
  }).join();
  EXPECT_FALSE(zero);
  for (int i = 0; i < 4; ++i) lock.release();
  // Free: a huge timeout saturates (section 4.6) and succeeds at once.
  EXPECT_TRUE(lock.acquire(std::chrono::duration<double>(1e100)));
  lock.release();
  EXPECT_FALSE(lock.locked());
}

TEST(RLock, B9_S1_ContendedAcquireWaitsForTheFinalRelease) {
  itc::RLock lock;
  lock.acquire();
  lock.acquire();
  constexpr std::size_t N = 5;
  Bunch bunch(
      [&](std::size_t i) {
        ASSERT_TRUE(acquire_blocking_or_timed(lock, i));
        lock.acquire();  // nest once in the contender too
        lock.release();
        lock.release();
      },
      N);
  wait_threads_blocked(static_cast<int>(N));
  EXPECT_EQ(bunch.finished(), 0u);
  lock.release();  // depth 1: still held
  wait_threads_blocked(2);
  EXPECT_EQ(bunch.finished(), 0u) << "a contender got in before the final release";
  lock.release();
  bunch.join();
  EXPECT_EQ(bunch.finished(), N);
  EXPECT_FALSE(lock.locked());
}

TEST(RLock, B10_RaiiGuardsNestAndReleaseOnException) {
  struct TypeError : std::exception {};
  itc::RLock lock;
  {
    std::lock_guard<itc::RLock> outer(lock);
    std::unique_lock<itc::RLock> inner(lock);  // reentrant: does not block
    EXPECT_EQ(lock.recursion_count(), 2u);
    inner.unlock();
    EXPECT_EQ(lock.recursion_count(), 1u);
    EXPECT_TRUE(inner.try_lock());
    std::scoped_lock third(lock);
    EXPECT_EQ(lock.recursion_count(), 3u);
  }
  EXPECT_FALSE(lock.locked());
  EXPECT_THROW(
      {
        std::lock_guard<itc::RLock> a(lock);
        std::lock_guard<itc::RLock> b(lock);
        throw TypeError();
      },
      TypeError);
  EXPECT_FALSE(lock.locked());
  EXPECT_EQ(lock.recursion_count(), 0u);
  EXPECT_TRUE(free_for_another_thread(lock));
  // Timed unique_lock from a non-owner.
  lock.acquire();
  std::thread([&] {
    std::unique_lock<itc::RLock> timed(lock, 20ms);
    EXPECT_FALSE(timed.owns_lock());
  }).join();
  lock.release();
}

TEST(RLock, B12_LockedIsSeenByEveryThread) {
  // Python 3.14's RLockTests.test_locked / test_locked_with_2threads.
  itc::RLock lock;
  EXPECT_FALSE(lock.locked());
  lock.acquire();
  lock.acquire();
  EXPECT_TRUE(lock.locked());
  bool seen_by_other = false;
  std::thread([&] { seen_by_other = lock.locked(); }).join();
  EXPECT_TRUE(seen_by_other);
  lock.release();
  EXPECT_TRUE(lock.locked());
  lock.release();
  EXPECT_FALSE(lock.locked());
  {
    HeldElsewhere<itc::RLock> holder(lock);
    EXPECT_TRUE(lock.locked());
    EXPECT_TRUE(holder.done());
  }
  EXPECT_FALSE(lock.locked());
}

TEST(RLock, A14_A15_DestroyWhileHeldAndManyShortLivedThreads) {
  // The BaseLockTests items RLockTests inherits: A14 (test_acquire_destroy), A15 (test_thread_leak).
  auto owned = std::make_unique<itc::RLock>();
  owned->acquire();
  owned->acquire();
  owned.reset();
  itc::RLock lock;
  {
    Bunch bunch([&](std::size_t) { std::lock_guard<itc::RLock> g(lock); }, 15);
  }
  EXPECT_FALSE(lock.locked());
}

// ── B11: Condition() with its default lock is usable exactly like an RLock ─────────────────

TEST(RLock, B11_ConditionDefaultLockReentrancyAndRelease) {
  // B1, B2, B7 against itc::Condition (ConditionAsRLockTests).
  itc::Condition cond;
  cond.acquire();
  cond.acquire();
  cond.release();
  EXPECT_FALSE(free_for_another_thread(cond));
  cond.release();
  EXPECT_TRUE(free_for_another_thread(cond));
  expect_python_error<itc::UnacquiredLockRelease, itc::RuntimeError>([&] { cond.release(); },
                                                                     "cannot release un-acquired lock");
  EXPECT_TRUE(cond.acquire(false));
  EXPECT_TRUE(cond.acquire(false));
  bool other = true;
  std::thread([&] { other = cond.acquire(false); }).join();
  EXPECT_FALSE(other);
  cond.release();
  cond.release();
  EXPECT_TRUE(free_for_another_thread(cond));
}

TEST(RLock, B11_ConditionDefaultLockOwnership) {
  // B3 and B5 against itc::Condition.
  itc::Condition cond;
  EXPECT_FALSE(cond.is_owned());
  {
    HeldElsewhere<itc::Condition> holder(cond);
    EXPECT_FALSE(cond.is_owned());
    expect_python_error<itc::UnacquiredLockRelease, itc::RuntimeError>([&] { cond.release(); },
                                                                       "cannot release un-acquired lock");
    EXPECT_FALSE(cond.acquire(false));
    EXPECT_TRUE(holder.done()) << "the owner lost the lock to a failed foreign release";
  }
  cond.acquire();
  cond.acquire();
  EXPECT_TRUE(cond.is_owned());
  bool other_sees_owned = true;
  std::thread([&] { other_sees_owned = cond.is_owned(); }).join();
  EXPECT_FALSE(other_sees_owned);
  cond.release();
  EXPECT_TRUE(cond.is_owned());
  cond.release();
  EXPECT_FALSE(cond.is_owned());
}

TEST(RLock, B11_ConditionDefaultLockTimeouts) {
  // B8 against itc::Condition: same argument rules and time-outs as the lock.
  itc::Condition cond;
  expect_python_error<itc::InvalidArgument, itc::ValueError>(
      [&] { cond.acquire(false, 1s); }, "can't specify a timeout for a non-blocking call");
  expect_python_error<itc::InvalidArgument, itc::ValueError>([&] { cond.acquire(-2s); },
                                                             "timeout value must be a non-negative number");
  EXPECT_FALSE(cond.is_owned());
  EXPECT_TRUE(cond.acquire(10s));
  EXPECT_TRUE(cond.acquire(0s));
  EXPECT_TRUE(cond.try_lock_for(-1s));
  constexpr auto kTimeout = 150ms;
  double dt = 0;
  bool result = true;
  std::thread([&] {
    dt = time_it([&] { result = cond.acquire(kTimeout); });
    EXPECT_FALSE(cond.acquire(0s));
    EXPECT_FALSE(cond.try_lock_until(Clock::now() + 10ms));
  }).join();
  EXPECT_FALSE(result);
  expect_timed_out_after(dt, kTimeout);
  for (int i = 0; i < 3; ++i) cond.release();
  EXPECT_TRUE(cond.acquire(std::chrono::duration<double>(1e100)));
  cond.release();
  EXPECT_TRUE(free_for_another_thread(cond));
}

TEST(RLock, B11_ConditionDefaultLockContentionAndRaii) {
  // B9 and B10 against itc::Condition.
  struct TypeError : std::exception {};
  itc::Condition cond;
  cond.acquire();
  cond.acquire();
  {
    Bunch bunch(
        [&](std::size_t) {
          std::lock_guard<itc::Condition> g(cond);
          std::lock_guard<itc::Condition> nested(cond);
        },
        5);
    wait_threads_blocked(5);
    EXPECT_EQ(bunch.finished(), 0u);
    cond.release();
    wait_threads_blocked(2);
    EXPECT_EQ(bunch.finished(), 0u);
    cond.release();
    bunch.join();
    EXPECT_EQ(bunch.finished(), 5u);
  }
  EXPECT_THROW(
      {
        std::unique_lock<itc::Condition> g(cond);
        throw TypeError();
      },
      TypeError);
  EXPECT_FALSE(cond.is_owned());
  EXPECT_TRUE(free_for_another_thread(cond));
}
