// Destroy after wake: the waiter destroys the primitive as soon as its wait returns.
//
// The completion pattern
//
//   auto* done = new Event;  post([done] { work(); done->set(); });  done->wait();  delete done;
//
// (or a stack Event, or `q.join()` and then the queue goes out of scope) is legal for POSIX
// mutexes and semaphores and for Python objects, and common. It is only correct if the
// signalling side touches nothing of the object after the atomic step that lets the waiter
// return. Every test here heap-allocates a primitive, lets a persistent signaller thread
// signal it while this thread waits, and destroys it the moment the wait returns; then it waits
// for the signaller to finish its call and starts over. A signaller that still reads a member,
// takes a mutex or notifies a condition variable of the object after that step touches freed
// memory:
//
//  - under AddressSanitizer (build/…-asan) any compiled access (an atomic load, a plain
//    member) is a heap-use-after-free report naming the primitive's header. The freed block
//    stays in ASan's quarantine, and the next iteration allocates only after the signaller has
//    returned, so the late access always hits poisoned memory, never the next object.
//  - accesses inside libc (pthread_mutex_lock on a freed park mutex) are not checked by ASan.
//    So before the storage is freed it is filled with 0xFF (kPoison): a glibc mutex with that
//    content is not a valid mutex, pthread_mutex_lock returns EINVAL and std::mutex::lock
//    throws std::system_error in the signaller, which the test reports. In a build without ASan
//    this fill is also what makes a late access visible (freed memory otherwise keeps its old,
//    valid-looking content); the first 16 bytes are then the allocator's free-list words.
//    A late notify on a filled condition variable can block inside glibc: the watchdog turns
//    that into a failure report (and abort) instead of a hang.
//
// Each signal -> return pair is a test: Event set -> wait (untimed, timed, short timed waits),
// Semaphore/BoundedSemaphore release(1 or n) -> acquire, Lock release -> acquire (blocking,
// timed, and short timed acquires that time out before taking it), RLock, Condition notify ->
// wait with the notifier releasing the lock afterwards (owned RLock and a user Lock), Barrier
// (this thread the last arriver, a waiting party, or one of three; a timed party whose timeout
// races this thread's arrival), Queue put -> get,
// task_done -> join, shutdown -> get/put/join, the same for LifoQueue/PriorityQueue, and
// SimpleQueue put -> get.
//
// Every test runs twice: on StdPlatform (the production types, no hooks: the window after the
// signalling step is a few instructions, open only when the signaller is preempted there) and on
// StalledSignaller, the same templates with platform hooks that make only the signaller thread
// yield or sleep 20 µs at half of its sync points. The second one exposes a late access within
// a few hundred iterations; the first one proves the production build is affected too.
//
// Knobs (environment):
//   ITC_DESTROY_ITERATIONS   iterations per test (default kDefaultIterations)
//   ITC_DESTROY_SECONDS_X10  time cap per test in tenths of a second (default 8; 0 = none): a
//                            loaded machine still finishes the file in about a minute under ASan
//   ITC_DESTROY_STALL_SECONDS  no progress for this long aborts the process (default 10)
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include "itc/barrier.hpp"
#include "itc/condition.hpp"
#include "itc/detail/spin.hpp"
#include "itc/errors.hpp"
#include "itc/event.hpp"
#include "itc/lock.hpp"
#include "itc/queue.hpp"
#include "itc/semaphore.hpp"
#include "test_support.hpp"

using namespace itc::test;

namespace {

constexpr std::uint64_t kDefaultIterations = 50000;
constexpr unsigned char kPoison = 0xFF;

/// Busy-waits for `d` without `pause` (a pause can trap to the hypervisor on a VM and take
/// far longer than the few nanoseconds it takes on bare metal).
void busy_wait(std::chrono::nanoseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
  }
}

/// True on a Signaller's thread.
thread_local bool tls_signaller = false;
thread_local std::uint32_t tls_rng = 0x2545f491u;

/// Platform hooks that stall the *signaller* (never the waiter) at random sync points: at() runs
/// before every atomic access, lock and notify, so a stall right after the signalling step (a
/// CAS, a fetch_add, a store under the mutex) gives the waiter the microseconds it needs to
/// return and destroy the primitive before the signaller's next access. Without it that
/// window is a few instructions wide (only a preemption opens it), with it the defect shows in
/// the first few hundred iterations.
struct StallSignallerHooks {
  static void at(itc::SyncPoint /*point*/, const itc::SourceLocation& /*loc*/) noexcept {
    if (!tls_signaller) return;
    tls_rng ^= tls_rng << 13;
    tls_rng ^= tls_rng >> 17;
    tls_rng ^= tls_rng << 5;
    const std::uint32_t r = tls_rng;
    if ((r & 1) != 0) return;  // half of the points: no stall
    // A yield lets a waiter that shares this core run (on a loaded machine it often does); a
    // sleep gives one on the other core tens of microseconds.
    if ((r & 2) != 0) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
  }
  static void done(itc::SyncPoint /*point*/, const itc::SourceLocation& /*loc*/) noexcept {}
};

/// The production platform (no hooks at all) and the same with the signaller stalled.
using Std = itc::StdPlatform;
using Stalled = itc::BasicStdPlatform<StallSignallerHooks>;

template <class P>
struct Primitives {
  using Event = itc::BasicEvent<P>;
  using Semaphore = itc::BasicSemaphore<P>;
  using BoundedSemaphore = itc::BasicBoundedSemaphore<P>;
  using Lock = itc::BasicLock<P>;
  using RLock = itc::BasicRLock<P>;
  using Condition = itc::BasicCondition<P>;
  using Barrier = itc::BasicBarrier<P>;
  using SimpleQueue = itc::BasicSimpleQueue<int, P>;
};

struct PlatformNames {
  template <class P>
  static std::string GetName(int) {
    return std::is_same_v<P, Std> ? "StdPlatform" : "StalledSignaller";
  }
};
using Platforms = ::testing::Types<Std, Stalled>;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  return end != nullptr && *end == '\0' ? v : fallback;
}

std::uint64_t iterations() {
  return env_number("ITC_DESTROY_ITERATIONS", kDefaultIterations);
}
double time_cap_seconds() {
  return static_cast<double>(env_number("ITC_DESTROY_SECONDS_X10", 8)) / 10;
}

/// Where the waiter is, for the watchdog's report: 1 before the primitive is destroyed (the
/// waiter is waiting on it), 2 after (the waiter is waiting for the signaller's call to return).
std::atomic<int> g_phase{0};
/// A signaller still inside its call this long after the waiter destroyed the primitive is
/// blocked in freed memory: reported sooner than a stalled wait.
constexpr std::chrono::seconds kStuckAfterDestroy{3};

/// Allocates a T on the heap (its own block, as `new T` would) and destroys it the way a
/// user's `delete` does, with kPoison written over the dead object before the block is freed
/// (see the file comment).
template <class T, class... Args>
T* make(Args&&... args) {
  void* mem = ::operator new (sizeof(T), std::align_val_t{alignof(T)});
  return ::new (mem) T(std::forward<Args>(args)...);
}
template <class T>
void destroy(T* p) {
  p->~T();
  std::memset(static_cast<void*>(p), kPoison, sizeof(T));
  ::operator delete (static_cast<void*>(p), std::align_val_t{alignof(T)});
  g_phase.store(2);
}

/// Aborts the process if the test makes no progress for ITC_DESTROY_STALL_SECONDS: a wait that
/// never returns (a lost wake-up) or a signaller stuck inside a destroyed primitive must end the
/// test with a report, not hang CTest until its timeout.
class Watchdog {
 public:
  explicit Watchdog(std::string name) : name_(std::move(name)) {
    thread_ = std::thread([this] { watch(); });
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> g(m_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void progress(std::uint64_t iteration) { iteration_.store(iteration, std::memory_order_relaxed); }

 private:
  void watch() {
    const auto stall = std::chrono::seconds(env_number("ITC_DESTROY_STALL_SECONDS", 10));
    std::uint64_t seen = ~std::uint64_t{0};
    auto last_change = Clock::now();
    std::unique_lock<std::mutex> lk(m_);
    while (!stop_) {
      cv_.wait_for(lk, 100ms);
      const std::uint64_t now = iteration_.load(std::memory_order_relaxed);
      if (now != seen) {
        seen = now;
        last_change = Clock::now();
      } else if (!stop_ && (Clock::now() - last_change > stall ||
                            (g_phase.load() == 2 && Clock::now() - last_change > kStuckAfterDestroy))) {
        const char* where =
            g_phase.load() == 2
                ? "the waiter has destroyed the primitive, and the signaller's call has not returned "
                  "since: it is blocked inside the destroyed primitive (a lock or notify on freed "
                  "memory)"
                : "the waiter's wait on the primitive has not returned (a lost wake-up?)";
        std::fprintf(
            stderr,
            "destroy_after_wake_test: %s made no progress for %lld s at iteration %llu: %s. Aborting.\n",
            name_.c_str(),
            static_cast<long long>(
                std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - last_change).count()),
            static_cast<unsigned long long>(now), where);
        std::fflush(stderr);
        std::abort();
      }
    }
  }

  std::string name_;
  std::atomic<std::uint64_t> iteration_{0};
  std::mutex m_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

/// A persistent signaller thread: post(f) hands it one call, which it runs after a small random
/// delay (so the waiter is caught spinning, registering or parked); await_idle() waits until
/// that call has returned. Between jobs it polls for a while before it sleeps, so a job posted
/// right after the previous one starts within a cache-line round trip. The harness's own state
/// lives here, never in the primitive under test.
class Signaller {
 public:
  explicit Signaller(std::uint32_t seed) : rng_(seed | 1u) {
    thread_ = std::thread([this] {
      tls_signaller = true;  // only this thread is stalled by StallSignallerHooks
      tls_rng = rng_ * 2654435761u | 1u;
      run();
    });
  }
  Signaller(const Signaller&) = delete;
  Signaller& operator=(const Signaller&) = delete;
  ~Signaller() {
    stop_.store(true);
    post(nullptr);
    thread_.join();
  }

  void post(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> g(m_);
      job_ = std::move(job);
      posted_.fetch_add(1, std::memory_order_release);
    }
    posted_cv_.notify_one();
  }
  void await_idle() {
    const std::uint64_t want = posted_.load(std::memory_order_relaxed);
    const auto spin_until = Clock::now() + 100us;
    while (Clock::now() < spin_until) {
      if (done_.load(std::memory_order_acquire) == want) return;
    }
    std::unique_lock<std::mutex> lk(m_);
    done_cv_.wait(lk, [&] { return done_.load(std::memory_order_acquire) == want; });
  }
  /// The first exception a job threw ("" if none), e.g. std::system_error from locking the
  /// poisoned mutex of a destroyed primitive.
  std::string failure() {
    std::lock_guard<std::mutex> g(failure_m_);
    return failure_;
  }

 private:
  std::uint32_t next_random() {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 17;
    rng_ ^= rng_ << 5;
    return rng_;
  }
  void run() {
    std::uint64_t seen = 0;
    for (;;) {
      std::uint64_t p = posted_.load(std::memory_order_acquire);
      for (const auto spin_until = Clock::now() + 200us; p == seen && Clock::now() < spin_until;) {
        p = posted_.load(std::memory_order_acquire);
      }
      if (p == seen) {
        std::unique_lock<std::mutex> lk(m_);
        posted_cv_.wait(lk, [&] { return posted_.load(std::memory_order_acquire) != seen; });
        p = posted_.load(std::memory_order_acquire);
      }
      seen = p;
      if (stop_.load()) return;
      // 0 .. 30 µs: before the waiter blocks, while it spins (20 µs), while it parks.
      const std::uint32_t r = next_random();
      if ((r & 3) != 0) busy_wait(std::chrono::nanoseconds((r >> 8) % 30000));
      try {
        job_();
      } catch (const std::exception& e) {
        record(std::string("the signaller threw: ") + e.what());
      } catch (...) {
        record("the signaller threw a non-std exception");
      }
      job_ = nullptr;
      {
        std::lock_guard<std::mutex> g(m_);
        done_.store(seen, std::memory_order_release);
      }
      done_cv_.notify_one();
    }
  }
  void record(std::string what) {
    std::lock_guard<std::mutex> g(failure_m_);
    if (failure_.empty()) failure_ = std::move(what);
  }

  std::uint32_t rng_;
  std::function<void()> job_;
  std::atomic<std::uint64_t> posted_{0};
  std::atomic<std::uint64_t> done_{0};
  std::atomic<bool> stop_{false};
  std::mutex m_;  // guards the hand-over of job_ and the sleeps on the two condition variables
  std::condition_variable posted_cv_;
  std::condition_variable done_cv_;
  std::mutex failure_m_;
  std::string failure_;
  std::thread thread_;
};

/// Runs `iteration(signaller, i)` up to iterations() times (or until the time cap), each of
/// which must allocate a primitive, post the signal, wait, and destroy the primitive as soon as
/// the wait returns. After each iteration it waits for the signaller(s) to finish, so a late
/// access of iteration i hits iteration i's freed block, never iteration i+1's object.
template <class F>
void destroy_loop(F iteration, unsigned signallers = 1) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string name = std::string(info->test_suite_name()) + "." + info->name();
  Watchdog watchdog(name);
  std::optional<Signaller> s1;
  std::optional<Signaller> s2;
  s1.emplace(0x9e3779b9u);
  if (signallers > 1) s2.emplace(0x85ebca6bu);
  const std::uint64_t n = iterations();
  const double cap = time_cap_seconds();
  const auto start = Clock::now();
  std::uint64_t i = 0;
  for (; i < n; ++i) {
    g_phase.store(1);
    if constexpr (std::is_invocable_v<F, Signaller&, Signaller&, std::uint64_t>) {
      iteration(*s1, signallers > 1 ? *s2 : *s1, i);
    } else {
      iteration(*s1, i);
    }
    s1->await_idle();
    if (s2) s2->await_idle();
    watchdog.progress(i + 1);
    const std::string f1 = s1->failure();
    const std::string f2 = s2 ? s2->failure() : std::string();
    if (!f1.empty() || !f2.empty()) {
      ADD_FAILURE() << "iteration " << i << ": " << (f1.empty() ? f2 : f1)
                    << " (it touched the primitive after the waiter had destroyed it)";
      break;
    }
    if (::testing::Test::HasFailure()) break;
    if (cap > 0 && (i & 255) == 255 && seconds_since(start) > cap) {
      ++i;
      break;
    }
  }
  std::printf("[ destroy  ] %s: %llu iterations in %.2f s\n", name.c_str(),
              static_cast<unsigned long long>(i), seconds_since(start));
}

/// The timeout of a "time out, retry" loop: zero (a non-blocking poll) on even iterations,
/// 1..31 µs on odd ones. A polling waiter never parks, so it returns the moment the signal's
/// atomic step lands: that is the waiter that exposes a signaller's later accesses best (a
/// parked waiter must first be woken by the signaller).
std::chrono::microseconds short_timeout(std::uint64_t i) {
  return std::chrono::microseconds(i % 2 == 0 ? 0 : 1 + (i * 7) % 31);
}

template <class P>
class DestroyAfterWake : public ::testing::Test {};
TYPED_TEST_SUITE(DestroyAfterWake, Platforms, PlatformNames);

// ---- Event -----------------------------------------------------------------------------------

TYPED_TEST(DestroyAfterWake, EventSetWait) {
  destroy_loop([](Signaller& s, std::uint64_t) {
    auto* e = make<typename Primitives<TypeParam>::Event>();
    s.post([e] { e->set(); });
    EXPECT_TRUE(e->wait());
    destroy(e);
  });
}

TYPED_TEST(DestroyAfterWake, EventSetTimedWait) {
  destroy_loop([](Signaller& s, std::uint64_t) {
    auto* e = make<typename Primitives<TypeParam>::Event>();
    s.post([e] { e->set(); });
    EXPECT_TRUE(e->wait(20s));
    destroy(e);
  });
}

TYPED_TEST(DestroyAfterWake, EventSetShortTimedWaits) {
  // Timed waits that expire and are retried: the set() lands during any of them.
  destroy_loop([](Signaller& s, std::uint64_t i) {
    auto* e = make<typename Primitives<TypeParam>::Event>();
    s.post([e] { e->set(); });
    while (!e->wait(short_timeout(i))) {
    }
    destroy(e);
  });
}

// ---- Semaphore / BoundedSemaphore ------------------------------------------------------------

TYPED_TEST(DestroyAfterWake, SemaphoreReleaseAcquire) {
  destroy_loop([](Signaller& s, std::uint64_t) {
    auto* sem = make<typename Primitives<TypeParam>::Semaphore>(0);
    s.post([sem] { sem->release(); });
    EXPECT_TRUE(sem->acquire());
    destroy(sem);
  });
}

TYPED_TEST(DestroyAfterWake, SemaphoreReleaseTimedAcquire) {
  destroy_loop([](Signaller& s, std::uint64_t i) {
    auto* sem = make<typename Primitives<TypeParam>::Semaphore>(0);
    s.post([sem] { sem->release(); });
    if (i % 2 == 0) {
      EXPECT_TRUE(sem->acquire(20s));
    } else {
      while (!sem->acquire(short_timeout(i / 2))) {
      }
    }
    destroy(sem);
  });
}

TYPED_TEST(DestroyAfterWake, SemaphoreReleaseNAcquireN) {
  destroy_loop([](Signaller& s, std::uint64_t) {
    auto* sem = make<typename Primitives<TypeParam>::Semaphore>(0);
    s.post([sem] { sem->release(3); });
    for (int k = 0; k < 3; ++k) EXPECT_TRUE(sem->acquire());
    destroy(sem);
  });
}

TYPED_TEST(DestroyAfterWake, BoundedSemaphoreReleaseAcquire) {
  destroy_loop([](Signaller& s, std::uint64_t i) {
    auto* sem = make<typename Primitives<TypeParam>::BoundedSemaphore>(1);
    EXPECT_TRUE(sem->acquire(false));
    s.post([sem] { sem->release(); });
    if (i % 2 == 0) {
      EXPECT_TRUE(sem->acquire());
    } else {
      while (!sem->acquire(short_timeout(i / 2))) {
      }
    }
    destroy(sem);
  });
}

TYPED_TEST(DestroyAfterWake, BoundedSemaphoreReleaseNAcquireN) {
  destroy_loop([](Signaller& s, std::uint64_t) {
    auto* sem = make<typename Primitives<TypeParam>::BoundedSemaphore>(2);
    EXPECT_TRUE(sem->acquire(false));
    EXPECT_TRUE(sem->acquire(false));
    s.post([sem] { sem->release(2); });
    EXPECT_TRUE(sem->acquire());
    EXPECT_TRUE(sem->acquire());
    destroy(sem);
  });
}

// ---- Lock / RLock ----------------------------------------------------------------------------

TYPED_TEST(DestroyAfterWake, LockReleaseAcquire) {
  // Python's Lock may be released by any thread; the waiter takes it and destroys it held
  // (legal) or released.
  destroy_loop([](Signaller& s, std::uint64_t i) {
    auto* l = make<typename Primitives<TypeParam>::Lock>();
    EXPECT_TRUE(l->acquire());
    s.post([l] { l->release(); });
    EXPECT_TRUE(l->acquire());
    if (i % 2 == 0) l->release();
    destroy(l);
  });
}

TYPED_TEST(DestroyAfterWake, LockReleaseTimedAcquire) {
  destroy_loop([](Signaller& s, std::uint64_t) {
    auto* l = make<typename Primitives<TypeParam>::Lock>();
    EXPECT_TRUE(l->acquire());
    s.post([l] { l->release(); });
    EXPECT_TRUE(l->acquire(20s));
    l->release();
    destroy(l);
  });
}

TYPED_TEST(DestroyAfterWake, LockReleaseTimedAcquireTimesOutThenTakes) {
  // The acquirer's short waits time out; the last one's final try takes the lock that the
  // release just freed, and the acquirer destroys it while release() is still on its way out.
  destroy_loop([](Signaller& s, std::uint64_t i) {
    auto* l = make<typename Primitives<TypeParam>::Lock>();
    EXPECT_TRUE(l->acquire());
    s.post([l] { l->release(); });
    while (!l->acquire(short_timeout(i))) {
    }
    destroy(l);
  });
}

TYPED_TEST(DestroyAfterWake, RLockReleaseAcquire) {
  // Only the owner may release an RLock: the signaller takes it first, then releases it while
  // this thread blocks in acquire().
  std::atomic<bool> held{false};  // harness state: outlives every RLock and every job
  destroy_loop([&held](Signaller& s, std::uint64_t i) {
    auto* r = make<typename Primitives<TypeParam>::RLock>();
    held.store(false);
    s.post([r, &held] {
      r->acquire();
      held.store(true);
      r->release();
    });
    while (!held.load()) std::this_thread::yield();
    if (i % 3 == 0) {
      EXPECT_TRUE(r->acquire());
    } else if (i % 3 == 1) {
      EXPECT_TRUE(r->acquire(20s));
    } else {
      while (!r->acquire(short_timeout(i / 3))) {
      }
    }
    r->release();
    destroy(r);
  });
}

// ---- Condition -------------------------------------------------------------------------------

TYPED_TEST(DestroyAfterWake, ConditionNotifyWait) {
  // The notifier takes the lock (only possible once this thread waits), notifies, releases;
  // this thread returns from wait() with the lock, releases it and destroys the condition.
  destroy_loop([](Signaller& s, std::uint64_t i) {
    auto* c = make<typename Primitives<TypeParam>::Condition>();
    EXPECT_TRUE(c->acquire());
    s.post([c, i] {
      c->acquire();
      if (i % 2 == 0)
        c->notify();
      else
        c->notify_all();
      c->release();
    });
    if (i % 4 < 2) {
      EXPECT_TRUE(c->wait());
    } else {
      EXPECT_TRUE(c->wait(20s));
    }
    c->release();
    destroy(c);
  });
}

TYPED_TEST(DestroyAfterWake, ConditionOverLockNotifyWait) {
  // A Condition over a user Lock: the lock and the condition go together.
  struct LockAndCondition {
    typename Primitives<TypeParam>::Lock lock;
    typename Primitives<TypeParam>::Condition cond{lock};
  };
  destroy_loop([](Signaller& s, std::uint64_t) {
    auto* lc = make<LockAndCondition>();
    EXPECT_TRUE(lc->cond.acquire());
    s.post([lc] {
      lc->cond.acquire();
      lc->cond.notify();
      lc->cond.release();
    });
    EXPECT_TRUE(lc->cond.wait());
    lc->cond.release();
    destroy(lc);
  });
}

// ---- Barrier ---------------------------------------------------------------------------------

TYPED_TEST(DestroyAfterWake, BarrierTwoParties) {
  // This thread is the last arriver or a waiting party (the signaller's delay decides); either
  // way it destroys the barrier the moment its wait() returns.
  destroy_loop([](Signaller& s, std::uint64_t) {
    auto* b = make<typename Primitives<TypeParam>::Barrier>(2);
    s.post([b] { (void)b->wait(20s); });
    (void)b->wait(20s);
    destroy(b);
  });
}

TYPED_TEST(DestroyAfterWake, BarrierThreePartiesFirstToReturn) {
  destroy_loop(
      [](Signaller& s1, Signaller& s2, std::uint64_t) {
        auto* b = make<typename Primitives<TypeParam>::Barrier>(3);
        s1.post([b] { (void)b->wait(); });
        s2.post([b] { (void)b->wait(); });
        (void)b->wait();
        destroy(b);
      },
      2);
}

TYPED_TEST(DestroyAfterWake, BarrierTimedPartyRacesLastArrival) {
  // The signaller waits with a short timeout that expires around the time this thread arrives.
  // When its word says "timing out" but this thread's arrival completes the round first, the
  // signaller is handed "released" and still has to take the barrier's mutex to collect it,
  // while this thread's wait() has already returned and destroys the barrier: the destructor
  // must wait for it. Otherwise either party may see BrokenBarrierError, never both succeed
  // apart.
  destroy_loop([](Signaller& s, std::uint64_t i) {
    auto* b = make<typename Primitives<TypeParam>::Barrier>(2);
    s.post([b, i] {
      try {
        (void)b->wait(short_timeout(i));
      } catch (const itc::BrokenBarrierError&) {
      }
    });
    try {
      (void)b->wait();
    } catch (const itc::BrokenBarrierError&) {
    }
    destroy(b);
  });
}

// ---- Queue, LifoQueue, PriorityQueue ----------------------------------------------------------

template <class P, class Order, const char* Name>
struct QueueConfig {
  using Q = itc::BasicQueue<int, P, Order>;
  static std::string name() {
    return std::string(Name) + (std::is_same_v<P, Std> ? "_StdPlatform" : "_StalledSignaller");
  }
};
constexpr char kQueue[] = "Queue";
constexpr char kLifo[] = "LifoQueue";
constexpr char kPriority[] = "PriorityQueue";
struct ConfigNames {
  template <class C>
  static std::string GetName(int) {
    return C::name();
  }
};
using QueueConfigs = ::testing::Types<
    QueueConfig<Std, itc::FifoOrder<int>, kQueue>, QueueConfig<Std, itc::LifoOrder<int>, kLifo>,
    QueueConfig<Std, itc::PriorityOrder<int, std::less<int>>, kPriority>,
    QueueConfig<Stalled, itc::FifoOrder<int>, kQueue>, QueueConfig<Stalled, itc::LifoOrder<int>, kLifo>,
    QueueConfig<Stalled, itc::PriorityOrder<int, std::less<int>>, kPriority>>;

template <class Config>
class DestroyAfterWakeQueue : public ::testing::Test {};
TYPED_TEST_SUITE(DestroyAfterWakeQueue, QueueConfigs, ConfigNames);

TYPED_TEST(DestroyAfterWakeQueue, PutGet) {
  using Q = typename TypeParam::Q;
  destroy_loop([](Signaller& s, std::uint64_t i) {
    auto* q = make<Q>();
    s.post([q] { q->put(7); });
    if (i % 3 == 0) {
      EXPECT_EQ(q->get(), 7);
    } else if (i % 3 == 1) {
      EXPECT_EQ(q->get(20s), 7);
    } else {
      for (;;) {
        try {
          EXPECT_EQ(q->get(short_timeout(i / 3)), 7);
          break;
        } catch (const itc::Empty&) {
        }
      }
    }
    destroy(q);
  });
}

TYPED_TEST(DestroyAfterWakeQueue, BoundedPutGet) {
  // maxsize 1: the getter's take() also looks for parked putters.
  using Q = typename TypeParam::Q;
  destroy_loop([](Signaller& s, std::uint64_t) {
    auto* q = make<Q>(1);
    s.post([q] { q->put(7); });
    EXPECT_EQ(q->get(), 7);
    destroy(q);
  });
}

TYPED_TEST(DestroyAfterWakeQueue, TaskDoneJoin) {
  using Q = typename TypeParam::Q;
  destroy_loop([](Signaller& s, std::uint64_t i) {
    auto* q = make<Q>();
    q->put(1);
    s.post([q] {
      (void)q->get();
      q->task_done();
    });
    if (i % 3 == 0) {
      q->join();
    } else if (i % 3 == 1) {
      EXPECT_TRUE(q->join(20s));
    } else {
      while (!q->join(short_timeout(i / 3))) {
      }
    }
    destroy(q);
  });
}

TYPED_TEST(DestroyAfterWakeQueue, ShutdownGet) {
  using Q = typename TypeParam::Q;
  destroy_loop([](Signaller& s, std::uint64_t i) {
    auto* q = make<Q>();
    s.post([q, i] { q->shutdown(i % 2 == 0); });
    EXPECT_THROW((void)q->get(), itc::ShutDown);
    destroy(q);
  });
}

TYPED_TEST(DestroyAfterWakeQueue, ShutdownPut) {
  using Q = typename TypeParam::Q;
  destroy_loop([](Signaller& s, std::uint64_t i) {
    auto* q = make<Q>(1);
    q->put(1);
    s.post([q, i] { q->shutdown(i % 2 == 0); });
    EXPECT_THROW(q->put(2), itc::ShutDown);
    destroy(q);
  });
}

TYPED_TEST(DestroyAfterWakeQueue, ShutdownImmediateJoin) {
  using Q = typename TypeParam::Q;
  destroy_loop([](Signaller& s, std::uint64_t) {
    auto* q = make<Q>();
    q->put(1);
    s.post([q] { q->shutdown(true); });
    q->join();
    destroy(q);
  });
}

// ---- SimpleQueue -----------------------------------------------------------------------------

TYPED_TEST(DestroyAfterWake, SimpleQueuePutGet) {
  destroy_loop([](Signaller& s, std::uint64_t i) {
    auto* q = make<typename Primitives<TypeParam>::SimpleQueue>();
    s.post([q] { q->put(7); });
    if (i % 3 == 0) {
      EXPECT_EQ(q->get(), 7);
    } else if (i % 3 == 1) {
      EXPECT_EQ(q->get(20s), 7);
    } else {
      std::optional<int> item;
      while (!(item = q->try_get())) {
      }
      EXPECT_EQ(*item, 7);
    }
    destroy(q);
  });
}

}  // namespace
