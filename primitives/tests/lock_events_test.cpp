// The on_lock hook of itc::Lock / RLock (itc/platform/lock_events.hpp): a platform that observes
// locks is told attempt / acquired / gave_up / released with the lock and the *caller's* line,
// and StdPlatform observes nothing (so its Lock compiles exactly as without the hook).
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <vector>

#include "itc/condition.hpp"
#include "itc/lock.hpp"

namespace {

struct Event {
  itc::LockEvent what;
  const void* lock;
  int line;
  const char* file;
};
std::vector<Event>& events() {
  static std::vector<Event> e;
  return e;
}

struct RecordingHooks : itc::NoHooks {
  static void on_lock(itc::LockEvent what, const void* lock, const itc::SourceLocation& loc) noexcept {
    events().push_back(Event{what, lock, loc.line, loc.file});
  }
};
using RecordingPlatform = itc::BasicStdPlatform<RecordingHooks>;

static_assert(!itc::ObservesLocks<itc::StdPlatform>, "StdPlatform must not pay for the hook");
static_assert(itc::ObservesLocks<RecordingPlatform>);

using itc::LockEvent;

TEST(LockEvents, AcquireAndReleaseReportTheCallersLine) {
  events().clear();
  itc::BasicLock<RecordingPlatform> lock;
  const int acquire_line = __LINE__ + 1;
  lock.acquire();
  const int release_line = __LINE__ + 1;
  lock.release();
  ASSERT_EQ(events().size(), 3u);
  EXPECT_EQ(events()[0].what, LockEvent::attempt);
  EXPECT_EQ(events()[1].what, LockEvent::acquired);
  EXPECT_EQ(events()[2].what, LockEvent::released);
  for (const Event& e : events()) {
    EXPECT_EQ(e.lock, &lock);
    EXPECT_STREQ(e.file, __FILE__);
  }
  EXPECT_EQ(events()[0].line, acquire_line);
  EXPECT_EQ(events()[1].line, acquire_line);
  EXPECT_EQ(events()[2].line, release_line);
}

TEST(LockEvents, TryLockIsNoAttemptAndAFailedTryReportsNothing) {
  events().clear();
  itc::BasicLock<RecordingPlatform> lock;
  EXPECT_TRUE(lock.acquire(false));
  EXPECT_FALSE(lock.try_lock());
  ASSERT_EQ(events().size(), 1u);
  EXPECT_EQ(events()[0].what, LockEvent::acquired);
  lock.unlock();
}

TEST(LockEvents, AnExpiredTimedAcquireGivesUp) {
  itc::BasicLock<RecordingPlatform> lock;
  lock.acquire();
  events().clear();
  EXPECT_FALSE(lock.acquire(std::chrono::milliseconds(1)));
  ASSERT_EQ(events().size(), 2u);
  EXPECT_EQ(events()[0].what, LockEvent::attempt);
  EXPECT_EQ(events()[1].what, LockEvent::gave_up);
  lock.release();
}

TEST(LockEvents, LockGuardWithAdoptLockNamesTheAcquireLine) {
  events().clear();
  itc::BasicLock<RecordingPlatform> lock;
  {
    const int line = __LINE__ + 1;
    lock.acquire();
    std::lock_guard<itc::BasicLock<RecordingPlatform>> hold(lock, std::adopt_lock);
    ASSERT_EQ(events().size(), 2u);
    EXPECT_EQ(events()[1].line, line);
  }
  ASSERT_EQ(events().size(), 3u);
  EXPECT_EQ(events()[2].what, LockEvent::released);
}

TEST(LockEvents, RLockReportsOnlyItsOutermostAcquireAndLastRelease) {
  events().clear();
  itc::BasicRLock<RecordingPlatform> lock;
  const int line = __LINE__ + 1;
  lock.acquire();
  lock.acquire();
  lock.release();
  EXPECT_EQ(events().size(), 2u);  // attempt, acquired
  lock.release();
  ASSERT_EQ(events().size(), 3u);
  EXPECT_EQ(events()[1].line, line);
  EXPECT_EQ(events()[2].what, LockEvent::released);
}

TEST(LockEvents, ConditionWaitReleasesAndReacquiresItsLock) {
  itc::BasicLock<RecordingPlatform> lock;
  itc::BasicCondition<RecordingPlatform> cond(lock);
  lock.acquire();
  events().clear();
  EXPECT_FALSE(cond.wait(std::chrono::milliseconds(1)));
  ASSERT_GE(events().size(), 3u);
  EXPECT_EQ(events().front().what, LockEvent::released);
  EXPECT_EQ(events().back().what, LockEvent::acquired);
  lock.release();
}

}  // namespace
