// stress/bench/cputime.cpp — CPU time burnt by a thread while it is blocked.
//
// For each case a thread blocks in one call (Queue::get on an empty queue, Event::wait on a
// clear event, Lock::acquire on a held lock, ...) and the main thread unblocks it after
// --block-ms (default 1000). The blocked thread reads its own CPU clock
// (clock_gettime(CLOCK_THREAD_CPUTIME_ID)) and getrusage(RUSAGE_THREAD) just before and just after
// the call, so the figure is the CPU time of the wait itself, including the wake-up. A waiter
// that parks in the kernel shows tens of microseconds; one that spins shows about the whole
// block time.
//
//   itc-bench-cputime [--block-ms=N] [--filter=SUBSTRING]
// prints one JSON object per line: {"name", "block_ms", "wall_ms", "cpu_us", "cpu_percent",
// "voluntary_switches", "involuntary_switches"}.
#include <sys/resource.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <semaphore>
#include <string>
#include <thread>

#include "itc/itc.hpp"
#include "textbook.hpp"

#if ITC_BENCH_HAVE_MOODYCAMEL
#include <blockingconcurrentqueue.h>
#endif
#if ITC_BENCH_HAVE_TBB
#include <tbb/concurrent_queue.h>
#endif

namespace {

struct Sample {
  double cpu_us;
  long nvcsw, nivcsw;
};

Sample thread_usage() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  return Sample{static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3, ru.ru_nvcsw,
                ru.ru_nivcsw};
}

int g_block_ms = 1000;
std::string g_filter;

/// Runs `block` on a fresh thread, calls `unblock` from this thread after g_block_ms, and
/// prints what the blocked call cost the blocked thread.
void measure(const char* name, const std::function<void()>& block, const std::function<void()>& unblock) {
  if (!g_filter.empty() && std::strstr(name, g_filter.c_str()) == nullptr) return;
  std::atomic<bool> started{false};
  Sample before{}, after{};
  double wall_ms = 0;
  std::thread t([&] {
    started.store(true);
    before = thread_usage();
    const auto w0 = std::chrono::steady_clock::now();
    block();
    wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - w0).count();
    after = thread_usage();
  });
  while (!started.load()) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(g_block_ms));
  unblock();
  t.join();
  const double cpu_us = after.cpu_us - before.cpu_us;
  std::printf(
      "{\"name\": \"%s\", \"block_ms\": %d, \"wall_ms\": %.3f, \"cpu_us\": %.1f, \"cpu_percent\": %.4f, "
      "\"voluntary_switches\": %ld, \"involuntary_switches\": %ld}\n",
      name, g_block_ms, wall_ms, cpu_us, wall_ms > 0 ? cpu_us / (wall_ms * 10.0) : 0.0,
      after.nvcsw - before.nvcsw, after.nivcsw - before.nivcsw);
  std::fflush(stdout);
}

using itc_bench::CvEvent;
using itc_bench::TextbookQueue;

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--block-ms=", 11) == 0) {
      g_block_ms = std::atoi(argv[i] + 11);
    } else if (std::strncmp(argv[i], "--filter=", 9) == 0) {
      g_filter = argv[i] + 9;
    } else {
      std::fprintf(stderr, "usage: %s [--block-ms=N] [--filter=SUBSTRING]\n", argv[0]);
      return 2;
    }
  }

  {
    itc::Queue<int> q;
    measure(
        "itc_queue_get", [&] { (void)q.get(); }, [&] { q.put(1); });
  }
  {
    itc::SimpleQueue<int> q;
    measure(
        "itc_simplequeue_get", [&] { (void)q.get(); }, [&] { q.put(1); });
  }
  {
    itc::Event e;
    measure(
        "itc_event_wait", [&] { e.wait(); }, [&] { e.set(); });
  }
  {
    itc::Lock l;
    l.acquire();
    measure(
        "itc_lock_acquire", [&] { l.acquire(); }, [&] { l.release(); });
    l.release();
  }
  {
    itc::RLock l;
    l.acquire();  // owned by this (the main) thread, which releases it in unblock
    measure(
        "itc_rlock_acquire",
        [&] {
          l.acquire();
          l.release();
        },
        [&] { l.release(); });
  }
  {
    itc::Semaphore s(0);
    measure(
        "itc_semaphore_acquire", [&] { s.acquire(); }, [&] { s.release(); });
  }
  {
    itc::Condition c;
    bool ready = false;
    measure(
        "itc_condition_wait",
        [&] {
          c.acquire();
          while (!ready) c.wait();
          c.release();
        },
        [&] {
          c.acquire();
          ready = true;
          c.notify();
          c.release();
        });
  }
  {
    itc::Barrier b(2);
    measure(
        "itc_barrier_wait", [&] { b.wait(); }, [&] { b.wait(); });
  }
  {
    TextbookQueue q;
    measure(
        "std_queue_get", [&] { (void)q.get(); }, [&] { q.put(1); });
  }
  {
    CvEvent e;
    measure(
        "cv_event_wait", [&] { e.wait(); }, [&] { e.set(); });
  }
  {
    std::mutex m;
    m.lock();
    measure(
        "std_mutex_lock", [&] { m.lock(); }, [&] { m.unlock(); });
    m.unlock();
  }
  {
    std::counting_semaphore<> s(0);
    measure(
        "std_counting_semaphore_acquire", [&] { s.acquire(); }, [&] { s.release(); });
  }
  {
    std::atomic<int> a{0};
    measure(
        "atomic_wait",
        [&] {
          while (a.load() == 0) a.wait(0);
        },
        [&] {
          a.store(1);
          a.notify_one();
        });
  }
#if ITC_BENCH_HAVE_MOODYCAMEL
  {
    moodycamel::BlockingConcurrentQueue<int> q;
    measure(
        "moody_wait_dequeue",
        [&] {
          int v = 0;
          q.wait_dequeue(v);
        },
        [&] { q.enqueue(1); });
  }
#endif
#if ITC_BENCH_HAVE_TBB
  {
    tbb::concurrent_bounded_queue<int> q;
    measure(
        "tbb_pop",
        [&] {
          int v = 0;
          q.pop(v);
        },
        [&] { q.push(1); });
  }
#endif
  return 0;
}
