// stress/src/stress_check.hpp — the real-thread runner behind itc-stress (see stress_runner.cpp).
#pragma once

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "blocked_frames.hpp"
#include "itc/errors.hpp"
#include "itc/platform/tsan_annotations.hpp"
#include "itc/stress/chaos.hpp"
#include "litmus_runner.hpp"
#include "process.hpp"
// clang-format off
#include "itc/models/scenario.hpp"
#ifndef ITC_CATALOG_HEADER
#define ITC_CATALOG_HEADER "catalog.hpp"  // itc's own catalog; itc_add_checkers() passes yours
#endif
#include ITC_CATALOG_HEADER
// clang-format on

extern char** environ;

namespace itc::stress {

using models::repo_relative_path;
using models::ScenarioInfo;
using models::Verdict;
using Clock = std::chrono::steady_clock;

#ifdef ITC_TSAN
constexpr bool kTsanBuild = true;
constexpr std::string_view kChecker = "tsan";
#else
constexpr bool kTsanBuild = false;
constexpr std::string_view kChecker = "stress";
#endif

/// How hard one check tries — the same for every row whatever its declared verdict (a
/// declaration grades a result; it never chooses the effort): runs until the first failure, or
/// until at least `min_runs` runs *and* `seconds` have passed, or `max_runs` runs, or the hard
/// cap of `cap_seconds` (then the output says that the minimum was not reached). Set for a whole
/// catalog with macros defined before the catalog header is included (ITC_STRESS_MIN_RUNS,
/// ITC_STRESS_SECONDS, ITC_STRESS_MAX_RUNS), for one scenario with static members of the same
/// meaning (`static constexpr std::uint64_t stress_min_runs = 1000;`, `stress_seconds`,
/// `stress_max_runs`), or on the command line (--min-runs, --budget, --iterations, --cap); the
/// later wins. The check prints the budget it used and where it came from.
struct RunBudget {
#ifdef ITC_STRESS_MIN_RUNS
  std::uint64_t min_runs = ITC_STRESS_MIN_RUNS;
#else
  std::uint64_t min_runs = 100;
#endif
#ifdef ITC_STRESS_SECONDS
  double seconds = ITC_STRESS_SECONDS;
#else
  double seconds = 2.0;
#endif
#ifdef ITC_STRESS_MAX_RUNS
  std::uint64_t max_runs = ITC_STRESS_MAX_RUNS;
#else
  std::uint64_t max_runs = 100'000;
#endif
  double cap_seconds = 120.0;
  const char* origin =
#if defined(ITC_STRESS_MIN_RUNS) || defined(ITC_STRESS_SECONDS) || defined(ITC_STRESS_MAX_RUNS)
      "the catalog's";
#else
      "the default";
#endif
};

template <class Scenario>
constexpr RunBudget scenario_budget() {
  RunBudget b;
  bool own = false;
  if constexpr (requires { Scenario::stress_min_runs; }) {
    b.min_runs = Scenario::stress_min_runs;
    own = true;
  }
  if constexpr (requires { Scenario::stress_seconds; }) {
    b.seconds = Scenario::stress_seconds;
    own = true;
  }
  if constexpr (requires { Scenario::stress_max_runs; }) {
    b.max_runs = Scenario::stress_max_runs;
    own = true;
  }
  if (own) b.origin = "the scenario's";
  return b;
}

struct StressOptions {
  std::uint64_t seed = 1;
  std::uint64_t iterations = 100'000;  // at most this many runs (RunBudget::max_runs)
  std::uint64_t min_runs = 100;        // at least this many, unless a run fails
  double budget = 2.0;                 // and at least this many seconds
  double cap = 120.0;                  // never more than this many seconds
  std::string budget_origin = "default";
  bool chaos = true;
  unsigned stall_ms = 1000;  // no progress for this long: a hang
  bool quiet = false;
  unsigned runs = 100;  // measure
  unsigned jobs = 1;    // measure: checks run at the same time
};

inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// ---------------------------------------------------------------------------------------------
// Child side: run the scenario on real threads.

/// "primitives/include/itc/queue.hpp" + "wait_for_item" -> "Queue::get()".
inline std::string primitive_call(const char* file, const char* function) {
  std::string stem = file ? file : "?";
  if (auto slash = stem.rfind('/'); slash != std::string::npos) stem = stem.substr(slash + 1);
  if (auto dot = stem.rfind('.'); dot != std::string::npos) stem = stem.substr(0, dot);
  std::string name;
  bool upper = true;
  for (char ch : stem) {
    if (ch == '_') {
      upper = true;
      continue;
    }
    name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch;
    upper = false;
  }
  std::string fn = function ? function : "?";
  static const std::pair<std::string_view, std::string_view> public_names[] = {
      {"acquire_slow", "acquire"}, {"wait_impl", "wait"},  {"wait_for_item", "get"},
      {"wait_for_room", "put"},    {"wait_round", "wait"}, {"wake_one", "release"}};
  for (auto [internal, shown] : public_names)
    if (fn == internal) fn = shown;
  return name + "::" + fn + "()";
}

/// The first failure of a run, recorded by whichever thread saw it.
/// The harness's own synchronisation must be race-free, or ThreadSanitizer would report the
/// runner instead of the scenario: `set` is atomic, the rest is written under `m`.
struct Failure {
  std::mutex m;
  std::atomic<bool> set{false};
  Verdict verdict = Verdict::pass;
  std::string detail;
  void record(Verdict v, std::string d) {
    std::lock_guard<std::mutex> g(m);
    if (set.load()) return;
    verdict = v;
    detail = std::move(d);
    set.store(true);
  }
};

[[noreturn]] inline void child_exit(Verdict v, std::uint64_t iteration, std::uint64_t seed, double seconds) {
  std::printf("ITC-RESULT %s %llu %llu %.6f\n", std::string(models::to_string(v)).c_str(),
              static_cast<unsigned long long>(iteration), static_cast<unsigned long long>(seed), seconds);
  std::fflush(stdout);
  std::fflush(stderr);
  // Threads of a failed run may be blocked forever: end the process without joining them.
  std::_Exit(0);
}

template <class Scenario>
std::string describe_state(Scenario& s) {
  if constexpr (requires { s.describe(); }) {
    return s.describe();
  } else {
    return "";
  }
}

/// What the watchdog reads about one scenario thread when nothing has changed for a while.
struct ThreadSample {
  char kernel_state = '?';     // /proc/self/task/<tid>/stat: R running or runnable, S/D asleep, ...
  std::int64_t cpu_ns = 0;     // the thread's CPU time so far
  std::uint64_t activity = 0;  // sync points passed so far (polls included)
};

inline char kernel_state_of(int tid) {
  if (tid <= 0) return '?';
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
  FILE* f = std::fopen(path, "r");
  if (f == nullptr) return '?';
  char buf[512];
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  // "tid (comm) S ...": the command may contain spaces or parentheses; the state follows the
  // last ')'.
  const char* close = std::strrchr(buf, ')');
  return close != nullptr && close[1] == ' ' && close[2] != '\0' ? close[2] : '?';
}

inline std::int64_t thread_cpu_ns(int clock) {
  if (clock < 0) return 0;
  timespec ts{};
  if (clock_gettime(static_cast<clockid_t>(clock), &ts) != 0) return 0;
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline ThreadSample sample(const ThreadSlot& s, bool with_state) {
  ThreadSample t;
  t.cpu_ns = thread_cpu_ns(s.cpu_clock.load(std::memory_order_relaxed));
  t.activity = s.activity.load(std::memory_order_relaxed);
  if (with_state) t.kernel_state = kernel_state_of(s.tid.load(std::memory_order_relaxed));
  return t;
}

/// The end of a run, signalled by the last scenario thread (so the runner does not wait out a
/// poll interval per run) or by the first failure. Harness synchronisation: std, not ChaosPlatform.
struct RunEnd {
  std::mutex m;
  std::condition_variable cv;
  // Atomic so that the watchdog can read it between waits; changed under m so that a notify
  // cannot fall between the watchdog's check and its wait.
  std::atomic<unsigned> finished{0};
  void thread_finished() {
    std::lock_guard<std::mutex> g(m);
    finished.fetch_add(1);
    cv.notify_all();
  }
  void failed() {
    std::lock_guard<std::mutex> g(m);
    cv.notify_all();
  }
};

/// How the watchdog tells *stuck* from *slow* (issue: a loaded CI machine made correct scenarios
/// look hung). Progress is any state-changing sync point of any thread. When there has been none
/// for `stall_ms` of the watchdog's own running time:
///   - a thread that is runnable (kernel state R) but has passed no sync point and used little
///     CPU since the last progress is *starved*: the machine, not the program, is holding it
///     back, and the deadline is extended — up to a hard cap (kStarvationCapFactor x stall_ms,
///     at least 30 s), after which the verdict is `timeout` ("no verdict: starved"), never hang;
///   - every other unfinished thread is *stuck*: asleep in a blocking call (S/D), polling
///     without anything changing (its sync points advance, nothing else does), or spinning
///     without sync points (it burns CPU: a quarter of the stall at least).
///   All stuck: `hang`, diagnosed at once (within one poll of the deadline).
/// Time during which the watchdog itself did not run (the process was stopped with SIGSTOP, or
/// the machine starved it too) does not count towards the stall: a gap between two of its polls
/// longer than kWatchdogGap is taken off the clock.
constexpr std::chrono::milliseconds kWatchdogPoll{2};
constexpr std::chrono::milliseconds kWatchdogGap{50};
constexpr unsigned kStarvationCapFactor = 30;

/// For a hung thread that waits for an itc::Lock: who holds it, and the line that acquired it
/// (the caller of acquire(), from the lock's on_lock hook), e.g.
///   "; the Lock it waits for is held by thread 1, acquired at models/scenarios/lock.hpp:42
///   (move_holding)". "" when the thread waits for no itc::Lock. When the caller's line is in
/// the standard library (std::lock_guard called lock()), the acquiring thread's stack, taken
/// by the hook then, is symbolized and its first frame in the user's code named instead.
inline std::string lock_owner_note(const void* lock, unsigned self, unsigned threads) {
  if (lock == nullptr) return "";
  LockOwner o;
  if (!lock_owner(lock, threads, o))
    return "; the Lock it waits for is held by no scenario thread (released without a wake-up, or taken "
           "outside the scenario's threads)";
  std::string where = repo_relative_path(o.file != nullptr ? o.file : "?") + ":" + std::to_string(o.line);
  std::string function = o.function != nullptr ? o.function : "?";
  const std::vector<frames::Frame> site = {
      {function, std::string(o.file != nullptr ? o.file : "") + ":" + std::to_string(o.line)}};
  if (frames::caller_of(site) == nullptr && !o.frames.empty()) {
    const auto stacks = frames::symbolize({o.frames});
    if (!stacks.empty())
      if (const frames::Frame* f = frames::caller_of(stacks[0])) {
        where = repo_relative_path(f->location.substr(0, f->location.find(" (discriminator")));
        function = frames::short_function(f->function);
      }
  }
  return "; the Lock it waits for is held by thread " + std::to_string(o.thread) +
         (o.thread == self ? " (itself: a Lock is not reentrant)" : "") + ", acquired at " + where + " (" +
         function + ")";
}

/// One execution of the scenario; returns only if it passed (a failure ends the process).
template <template <class> class S>
void run_once(std::uint64_t iteration, std::uint64_t seed, const StressOptions& opt, Clock::time_point t0) {
  using Scenario = S<ChaosPlatform>;
  constexpr unsigned n = Scenario::threads;
  static_assert(n <= kMaxThreads);
  // Heap state, never freed on failure: blocked threads keep using it until the process ends.
  auto* scenario = new Scenario();
  auto* failure = new Failure();
  auto* end = new RunEnd();
  ChaosControl& control = chaos_control();
  reset_slots(n);
  control.seed.store(seed);
  control.enabled.store(opt.chaos);
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (unsigned i = 0; i < n; ++i) {
    threads.emplace_back([=] {
      attach_thread(i);
      frames::attach(i);
      try {
        scenario->thread(i);
      } catch (const InvariantViolated& e) {
        failure->record(Verdict::assertion,
                        "thread " + std::to_string(i) + ": invariant violated: " + e.what + " (" +
                            repo_relative_path(e.where.file) + ":" + std::to_string(e.where.line) + ")");
      } catch (const itc::Error& e) {
        failure->record(Verdict::error, "thread " + std::to_string(i) + ": itc error: " + e.what());
      } catch (const std::exception& e) {
        failure->record(Verdict::crash,
                        "thread " + std::to_string(i) + ": unexpected exception: " + e.what());
      }
      detach_thread();
      if (failure->set.load()) end->failed();
      end->thread_finished();
    });
  }
  using std::chrono::milliseconds;
  const auto stall = milliseconds(opt.stall_ms);
  const auto starvation_cap =
      std::max<Clock::duration>(stall * kStarvationCapFactor, std::chrono::seconds(30));
  std::uint64_t last_progress = ~0ULL;
  const auto run_start = Clock::now();
  // `stalled_for` counts only time during which the watchdog ran (see kWatchdogGap).
  Clock::duration stalled_for{};
  Clock::duration off_clock{};
  auto last_poll = run_start;
  std::vector<ThreadSample> at_progress(n);
  unsigned extensions = 0;
  // A run that keeps "progressing" but never ends (a livelock, a spin on a lost flag) is a hang
  // too, once it has run (on the watchdog's clock) for longer than the whole budget.
  const double run_limit = std::max(opt.budget, 10.0);
  for (;;) {
    {
      std::unique_lock<std::mutex> g(end->m);
      end->cv.wait_for(g, kWatchdogPoll, [&] { return end->finished == n || failure->set.load(); });
    }
    const auto now = Clock::now();
    const auto since_poll = now - last_poll;
    last_poll = now;
    if (since_poll > kWatchdogGap) off_clock += since_poll - kWatchdogPoll;
    if (failure->set.load()) {
      std::lock_guard<std::mutex> g(failure->m);
      std::printf("%s in run %llu (seed %llu)\n  %s\n",
                  std::string(models::to_string(failure->verdict)).c_str(),
                  static_cast<unsigned long long>(iteration), static_cast<unsigned long long>(seed),
                  failure->detail.c_str());
      child_exit(failure->verdict, iteration, seed, seconds_since(t0));
    }
    if (end->finished.load() == n) break;
    std::uint64_t progress = end->finished.load();
    for (unsigned i = 0; i < n; ++i) progress += control.slots[i].steps.load(std::memory_order_relaxed);
    const bool over_limit = std::chrono::duration<double>(now - run_start - off_clock).count() >= run_limit;
    if (progress != last_progress) {
      last_progress = progress;
      stalled_for = {};
      for (unsigned i = 0; i < n; ++i) at_progress[i] = sample(control.slots[i], false);
      if (!over_limit) continue;
    } else if (since_poll <= kWatchdogGap) {
      stalled_for += since_poll;
    }
    if (stalled_for < stall && !over_limit) continue;
    // No progress for the deadline: stuck, or only slow?
    std::vector<ThreadSample> current(n);
    unsigned starved = n;  // the first starved thread, or n
    for (unsigned i = 0; i < n; ++i) {
      const ThreadSlot& slot = control.slots[i];
      if (slot.state.load() == ThreadSlot::finished) continue;
      current[i] = sample(slot, true);
      const bool passed_sync_points = current[i].activity != at_progress[i].activity;
      const bool burned_cpu = current[i].cpu_ns - at_progress[i].cpu_ns >=
                              std::chrono::duration_cast<std::chrono::nanoseconds>(stall).count() / 4;
      if (current[i].kernel_state == 'R' && !passed_sync_points && !burned_cpu && starved == n) starved = i;
    }
    if (starved < n && !over_limit) {
      if (stalled_for < starvation_cap) {
        ++extensions;
        continue;
      }
      std::printf(
          "timeout in run %llu (seed %llu): no verdict — thread %u was runnable but got almost no CPU "
          "for %.1f s (the machine is overloaded; the cap is %.0f s)\n",
          static_cast<unsigned long long>(iteration), static_cast<unsigned long long>(seed), starved,
          std::chrono::duration<double>(stalled_for).count(),
          std::chrono::duration<double>(starvation_cap).count());
      child_exit(Verdict::timeout, iteration, seed, seconds_since(t0));
    }
    // A hang: report who waits where, and what the primitives' state says.
    std::printf("hang in run %llu (seed %llu): no progress for %ld ms\n",
                static_cast<unsigned long long>(iteration), static_cast<unsigned long long>(seed),
                static_cast<long>(std::chrono::duration_cast<milliseconds>(stalled_for).count()));
    if (extensions > 0 || off_clock > Clock::duration::zero())
      std::printf(
          "  (the deadline was extended while a thread was starved of CPU; %.1f s off the clock while "
          "the watchdog itself did not run)\n",
          std::chrono::duration<double>(off_clock).count());
    // Where each unfinished thread really waits: the first frame of its stack in the scenario's
    // (or the user's) own code.
    std::vector<std::pair<unsigned, pthread_t>> unfinished;
    for (unsigned i = 0; i < n; ++i)
      if (control.slots[i].state.load() != ThreadSlot::finished)
        unfinished.emplace_back(i, threads[i].native_handle());
    const auto stacks = frames::stacks_of(unfinished);
    std::vector<std::string> called_from(n);
    for (std::size_t k = 0; k < unfinished.size() && k < stacks.size(); ++k)
      if (const frames::Frame* f = frames::caller_of(stacks[k]))
        called_from[unfinished[k].first] =
            ", called from " +
            repo_relative_path(f->location.substr(0, f->location.find(" (discriminator"))) + " (" +
            frames::short_function(f->function) + ")";
    for (unsigned i = 0; i < n; ++i) {
      const ThreadSlot& s = control.slots[i];
      const int state = s.state.load();
      const char* file = s.file.load();
      const std::string where = repo_relative_path(file ? file : "?") + ":" + std::to_string(s.line.load());
      if (state == ThreadSlot::finished) {
        std::printf("  thread %u: finished\n", i);
      } else if (state == ThreadSlot::blocked) {
        const char* how =
            s.point.load() == static_cast<int>(SyncPoint::lock) ? "acquiring a mutex" : "waiting to be woken";
        std::printf("  thread %u: blocked in %s at %s (%s)%s%s\n", i,
                    primitive_call(file, s.function.load()).c_str(), where.c_str(), how,
                    called_from[i].c_str(), lock_owner_note(s.waiting_lock.load(), i, n).c_str());
      } else if (state == ThreadSlot::polling) {
        std::printf("  thread %u: polling at %s, in %s, and nothing it reads changes%s\n", i, where.c_str(),
                    s.function.load() ? s.function.load() : "?", called_from[i].c_str());
      } else if (current[i].activity != at_progress[i].activity) {
        std::printf("  thread %u: running, reading shared state that never changes (a busy loop)\n", i);
      } else {
        std::printf(
            "  thread %u: running, but passed no synchronisation point (kernel state %c, %.0f ms of "
            "CPU since the last progress: a busy loop without synchronisation?)\n",
            i, current[i].kernel_state, (current[i].cpu_ns - at_progress[i].cpu_ns) / 1e6);
      }
    }
    const std::string state = describe_state(*scenario);
    if (!state.empty()) std::printf("  state: %s\n", state.c_str());
    child_exit(Verdict::hang, iteration, seed, seconds_since(t0));
  }
  for (auto& t : threads) t.join();
  try {
    models::scenario_check(*scenario);
  } catch (const InvariantViolated& e) {
    std::printf("assertion in run %llu (seed %llu)\n  final check: invariant violated: %s (%s:%d)\n",
                static_cast<unsigned long long>(iteration), static_cast<unsigned long long>(seed), e.what,
                repo_relative_path(e.where.file).c_str(), e.where.line);
    child_exit(Verdict::assertion, iteration, seed, seconds_since(t0));
  }
  delete scenario;
  delete failure;
  delete end;
}

/// A litmus row (litmus_runner.hpp): persistent actor threads over batches of States; one batch is one
/// run of the budget. Its histogram is the report, whatever the verdict.
template <class Test>
int run_litmus_child(const StressOptions& opt) {
  LitmusBudget b;
  b.min_batches = opt.min_runs;
  b.max_batches = opt.iterations;
  b.seconds = opt.budget;
  b.cap = opt.cap;
  b.hang_seconds = std::max(10.0, opt.stall_ms * 10 / 1000.0);
  const LitmusRun run = run_litmus<Test>(b);
  std::fputs(format_litmus(run).c_str(), stdout);
  if (run.verdict == Verdict::assertion)
    child_exit(Verdict::assertion, run.first_forbidden_batch, opt.seed, run.first_forbidden_seconds);
  if (run.verdict == Verdict::hang) child_exit(Verdict::hang, run.batches, opt.seed, run.seconds);
  std::printf("pass: %llu runs (batches) in %.3f s, no forbidden outcome\n",
              static_cast<unsigned long long>(run.batches), run.seconds);
  child_exit(Verdict::pass, run.batches, opt.seed, run.seconds);
}

template <template <class> class S>
int run_child(const StressOptions& opt) {
  if constexpr (models::LitmusScenario<S<StdPlatform>>)
    return run_litmus_child<typename S<StdPlatform>::litmus_test>(opt);
  frames::install();
  const auto t0 = Clock::now();
  std::uint64_t i = 0;
  for (; i < opt.iterations; ++i) {
    const double elapsed = seconds_since(t0);
    if (i >= opt.min_runs && elapsed >= opt.budget) break;
    if (i > 0 && elapsed >= opt.cap) break;
    run_once<S>(i, opt.seed + i, opt, t0);
  }
  std::printf("pass: %llu runs in %.3f s, none failed\n", static_cast<unsigned long long>(i),
              seconds_since(t0));
  child_exit(Verdict::pass, i, opt.seed, seconds_since(t0));
}

struct StressEntry {
  ScenarioInfo info;
  unsigned threads;
  int (*run_child)(const StressOptions&);
  RunBudget budget;
  bool litmus = false;  // a Litmus<P, Test> row: run by litmus_runner.hpp, no chaos, no seed
};

inline const std::vector<StressEntry>& stress_catalog() {
  static const std::vector<StressEntry> entries = [] {
    std::vector<StressEntry> v;
#define ITC_STRESS_ENTRY(S)                                                                               \
  v.push_back(StressEntry{                                                                                \
      ITC_SCENARIO_NAMESPACE::S<ChaosPlatform>::info, ITC_SCENARIO_NAMESPACE::S<ChaosPlatform>::threads,  \
      &run_child<ITC_SCENARIO_NAMESPACE::S>, scenario_budget<ITC_SCENARIO_NAMESPACE::S<ChaosPlatform>>(), \
      models::LitmusScenario<ITC_SCENARIO_NAMESPACE::S<ChaosPlatform>>});
    ITC_SCENARIOS(ITC_STRESS_ENTRY)
#undef ITC_STRESS_ENTRY
    return v;
  }();
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Parent side: spawn the child, watch it, read its report and ThreadSanitizer's.

struct ChildResult {
  Verdict verdict = Verdict::crash;
  std::string report;       // the child's stdout without the result line
  std::string tsan_report;  // the first ThreadSanitizer report, if any
  std::string stderr_text;
  std::uint64_t iteration = 0;
  std::uint64_t seed = 0;  // the failing run's chaos seed (when `reported`)
  bool reported = false;   // the child printed its result line (a TSan abort does not)
  double seconds = 0;
  int signal = 0;
  bool timed_out = false;
};

inline std::string self_path() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "itc-stress";
  buf[n] = '\0';
  return buf;
}

inline std::string tsan_symbolizer_option() {
#ifdef ITC_TSAN_SYMBOLIZER
  return std::string_view(ITC_TSAN_SYMBOLIZER).empty() ? ""
                                                       : "external_symbolizer_path=" ITC_TSAN_SYMBOLIZER " ";
#else
  return "";
#endif
}

inline ChildResult spawn_child(const std::string& id, const StressOptions& opt) {
  ChildResult r;
  const std::vector<std::string> args = {self_path(),
                                         "--child",
                                         id,
                                         std::to_string(opt.seed),
                                         std::to_string(opt.iterations),
                                         std::to_string(opt.budget),
                                         opt.chaos ? "1" : "0",
                                         std::to_string(opt.stall_ms),
                                         std::to_string(opt.min_runs),
                                         std::to_string(opt.cap)};
  // ThreadSanitizer: stop at the first report, keep both stacks of a lock-order inversion.
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::strncmp(*e, "TSAN_OPTIONS=", 13) != 0) env.emplace_back(*e);
  const char* user_tsan = std::getenv("TSAN_OPTIONS");
  // Reports need file:line frames (itc-verify points SARIF at them): the symbolizer the build
  // found (ITC_TSAN_SYMBOLIZER, from itc_add_checkers), else addr2line. The user's options last.
  env.push_back(std::string("TSAN_OPTIONS=halt_on_error=1 exitcode=66 second_deadlock_stack=1 "
                            "report_thread_leaks=0 allow_addr2line=1 ") +
                tsan_symbolizer_option() + (user_tsan ? user_tsan : ""));
  // A generous hard limit above the child's own budget and watchdog: if even that passes, the
  // child itself is stuck (e.g. a hang the watchdog could not see) and is killed: `timeout`.
  // The child stops starting runs at the cap; its last run may then still take up to the
  // starvation cap of the watchdog (run_once) before it answers.
  const double stall_s = opt.stall_ms / 1000.0;
  const double hard_limit = std::max(opt.cap, opt.budget) + std::max(30.0, stall_s * kStarvationCapFactor) +
                            stall_s * 3 + (kTsanBuild ? 60 : 20);
  const tools::ProcessResult p = tools::run_process(args, hard_limit, &env);
  if (!p.started) {
    r.report = "cannot start the check process: " + p.err;
    return r;
  }
  r.timed_out = p.timed_out;
  r.stderr_text = p.err;
  const std::string& out_text = p.out;
  const std::string& err_text = p.err;
  // The result line, then everything else the child said.
  std::istringstream lines(out_text);
  std::string line;
  bool have_result = false;
  std::string verdict_name;
  while (std::getline(lines, line)) {
    if (line.rfind("ITC-RESULT ", 0) == 0) {
      std::istringstream f(line.substr(11));
      f >> verdict_name >> r.iteration >> r.seed >> r.seconds;
      have_result = true;
      r.reported = true;
    } else {
      r.report += line + "\n";
    }
  }
  // ThreadSanitizer's first report, if any.
  const auto begin = err_text.find("WARNING: ThreadSanitizer: ");
  if (begin != std::string::npos) {
    auto end = err_text.find("==================", begin);
    r.tsan_report = err_text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  }
  if (r.timed_out) {
    r.verdict = Verdict::timeout;
  } else if (have_result) {
    for (int v = 0; v <= static_cast<int>(Verdict::none); ++v)
      if (models::to_string(static_cast<Verdict>(v)) == verdict_name) r.verdict = static_cast<Verdict>(v);
  } else if (p.signal != 0) {
    r.signal = p.signal;
    r.verdict = Verdict::crash;
  } else {
    r.verdict = Verdict::crash;  // exited without a result: TSan's exitcode, or abort()
  }
  return r;
}

/// The checker's verdict. Under TSan, ThreadSanitizer's own finding decides if it made one;
/// otherwise what the run did — a failed invariant included: TSan cannot name an atomicity
/// violation, but the run under it saw one, and hiding that as `pass` would hide a finding. The
/// output says which it was ("the scenario's invariant failed while running under TSan").
inline Verdict checker_verdict(const ChildResult& r) {
  if (!kTsanBuild) return r.verdict;
  if (r.tsan_report.find("ThreadSanitizer: data race") != std::string::npos) return Verdict::data_race;
  if (r.tsan_report.find("lock-order-inversion") != std::string::npos) return Verdict::lock_order_inversion;
  if (!r.tsan_report.empty()) return Verdict::crash;
  return r.verdict;
}

inline models::Expectation expectation(const ScenarioInfo& info) {
  return kTsanBuild ? info.tsan : info.stress;
}

[[noreturn]] inline void usage_error(const std::string& message) {
  std::cerr << "itc-stress: " << message << "\n";
  std::exit(2);
}

/// A whole number in [min, max] for `flag`; otherwise exit 2 with what was expected, in the
/// option's own unit ("--jobs: expected a whole number of checks at a time between 1 and 64").
inline std::uint64_t parse_uint(const std::string& flag, const std::string& what, const std::string& text,
                                std::uint64_t min, std::uint64_t max) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min || v > max)
    usage_error(flag + ": expected " + what + " between " + std::to_string(min) + " and " +
                std::to_string(max) + ", got '" + text + "'");
  return v;
}

inline double parse_seconds(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(v > 0) || v > 3600)
    usage_error(flag + ": expected a number of seconds more than 0 and at most 3600, got '" + text + "'");
  return v;
}

inline const StressEntry& find_entry(const std::string& id) {
  for (const auto& e : stress_catalog())
    if (e.info.id == id) return e;
  usage_error("unknown scenario id '" + id + "' (see: itc-stress list)");
}

/// The line that re-runs a failure: this binary (a user's <name>-tsan, not itc-stress) and the
/// chaos seed of the run that failed. When the child ended without naming that run (a
/// ThreadSanitizer abort ends it inside the run), the whole window that ran — the same first
/// seed and number of runs — which replays the same chaos sequence up to the failure.
inline std::string rerun_command(const StressEntry& e, const StressOptions& opt, const ChildResult& r) {
  // A litmus row has no seed to replay: the hardware decides; the same budget tries again.
  if (e.litmus)
    return models::shell_word(models::running_binary("itc-stress")) + " run " +
           models::shell_word(e.info.id) + " --budget " +
           std::to_string(static_cast<int>(std::ceil(opt.budget)));
  const bool known = r.reported && r.verdict != Verdict::pass;
  // A window is replayed whole: --min-runs as well, or the budget could stop it early.
  const std::string window = known ? " --iterations 1"
                                   : " --min-runs " + std::to_string(opt.iterations) + " --iterations " +
                                         std::to_string(opt.iterations);
  return models::shell_word(models::running_binary("itc-stress")) + " run " + models::shell_word(e.info.id) +
         " --seed " + std::to_string(known ? r.seed : opt.seed) + window + (opt.chaos ? "" : " --chaos off");
}

/// `repro`: runs until the first failure for up to opt.cap seconds, in windows of at most 5 s —
/// each its own check process, continuing the seed sequence (run i still has seed S+i) — with a
/// progress line on stderr after each, so a minute of trying is never silent. The result's run
/// index and time count from the first window; `window` gets the last window's options (what its
/// re-run line names).
inline ChildResult repro_child(const StressEntry& e, const StressOptions& opt, StressOptions& window) {
  const auto t0 = Clock::now();
  std::uint64_t done = 0;
  for (;;) {
    window = opt;
    window.seed = opt.seed + done;
    window.iterations = opt.iterations - done;
    window.min_runs = window.iterations;
    window.budget = window.cap = std::max(0.001, std::min(5.0, opt.cap - seconds_since(t0)));
    const double offset = seconds_since(t0);
    ChildResult r = spawn_child(std::string(e.info.id), window);
    if (r.verdict != Verdict::pass || checker_verdict(r) != Verdict::pass || r.iteration == 0) {
      r.iteration += done;
      r.seconds += offset;
      return r;
    }
    done += r.iteration;
    r.iteration = done;
    if (done >= opt.iterations || seconds_since(t0) >= opt.cap) return r;
    std::fprintf(stderr, "itc-stress: repro %s: %llu runs in %.1f s, no failure yet\n",
                 std::string(e.info.id).c_str(), static_cast<unsigned long long>(done), seconds_since(t0));
  }
}

/// The usage lines; with `full`, `--help`: every command, option, default and the exit status.
inline void print_usage(std::ostream& os, bool full) {
  os << "usage: itc-stress list [--ids|--tsv]\n"
        "       itc-stress info\n"
        "       itc-stress run <id> [--seed S] [--min-runs N] [--budget SECONDS] [--iterations MAX]\n"
        "                           [--cap SECONDS] [--chaos on|off] [--stall-ms MS] [--quiet]\n"
        "       itc-stress repro <id> [--seed S] [--budget SECONDS] [--chaos on|off]\n"
        "       itc-stress measure <id> [--runs R] [--jobs J] [--budget SECONDS] [--chaos on|off]\n"
        "       itc-stress --version | --help\n";
  if (!full) return;
  const RunBudget d;  // this catalog's defaults
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g", d.seconds);
  os << "\n"
        "commands\n"
        "  list [--ids|--tsv]  every scenario and the verdict the catalog expects of this checker\n"
        "  info                which checker this is, its catalog and its source root (for itc-verify)\n"
        "  run <id>            one check: runs on real threads until the first failure or the budget;\n"
        "                      a failure prints its evidence and a re-run line\n"
        "  repro <id>          runs until the first failure, for up to --budget seconds (default 60),\n"
        "                      with a progress line on stderr every 5 s\n"
        "  measure <id>        --runs independent checks: detection rate and time to detection\n"
        "\n"
        "options\n"
        "  --seed S            the first run's chaos seed; run i uses S+i (default 1)\n"
     << "  --min-runs N        at least N runs (default " << d.min_runs << ")\n"
     << "  --budget SECONDS    and at least this long (default " << seconds << "; repro: default 60)\n"
     << "  --iterations MAX    at most MAX runs (default " << d.max_runs << ")\n"
     << "  --cap SECONDS       never longer than this (default " << d.cap_seconds << ")\n"
     << "  --chaos on|off      seeded yields and sleeps at synchronisation points (default on)\n"
        "  --stall-ms MS       a hang is no progress for MS while no thread is starved of CPU\n"
        "                      (default 1000)\n"
        "  --runs R, --jobs J  measure: R checks, J at a time (defaults 100 and 1)\n"
        "  --quiet             no evidence, only the verdict lines\n"
        "The budget is the same for every scenario, whatever its expected verdict (a catalog or a\n"
        "scenario may set its own; the output's `budget` line says which was used).\n"
        "\n"
        "Exit status: 0 the verdict is the one the catalog expects of this checker (repro: it was\n"
        "reproduced; for a correct form, no failure); 1 it is not; 2 bad usage (one line on stderr).\n";
}

inline int stress_main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "--child") {
    if (args.size() != 9) return 2;
    StressOptions opt;
    opt.seed = std::strtoull(args[2].c_str(), nullptr, 10);
    opt.iterations = std::strtoull(args[3].c_str(), nullptr, 10);
    opt.budget = std::strtod(args[4].c_str(), nullptr);
    opt.chaos = args[5] == "1";
    opt.stall_ms = static_cast<unsigned>(std::strtoul(args[6].c_str(), nullptr, 10));
    opt.min_runs = std::strtoull(args[7].c_str(), nullptr, 10);
    opt.cap = std::strtod(args[8].c_str(), nullptr);
    return find_entry(args[1]).run_child(opt);
  }
  const bool help = std::find_if(args.begin(), args.end(), [](const std::string& a) {
                      return a == "-h" || a == "--help";
                    }) != args.end();
  if (args.empty() || help) {
    print_usage(help ? std::cout : std::cerr, help);
    return help ? 0 : 2;
  }
  if (args[0] == "--version") {
    models::print_version(stdout, "itc-stress");
    return 0;
  }
  const std::string command = args[0];
  if (command == "info") {
    models::print_checker_info(stdout, kChecker);
    return 0;
  }
  if (command == "list") {
    const bool ids_only = args.size() > 1 && args[1] == "--ids";
    const bool tsv = args.size() > 1 && args[1] == "--tsv";
    if (tsv) {
      // The whole catalog for tools (itc-verify): one row per scenario, tab-separated.
      std::cout << "id\tthreads\torigin\tdefect\tfix\tsource\tmodel\tstress\ttsan\n";
      auto cell = [](const models::Expectation& x) {
        std::string c(models::to_string(x.verdict));
        for (Verdict alt : {x.alternative, x.alternative2})
          if (alt != Verdict::pass) c += "|" + std::string(models::to_string(alt));
        if (x.probabilistic) c += " (p)";
        if (x.random_only) c += " (random)";
        if (x.deep) c += " (deep)";
        return c;
      };
      for (const auto& e : stress_catalog())
        std::cout << e.info.id << "\t" << e.threads << "\t" << e.info.origin << "\t" << e.info.defect << "\t"
                  << e.info.fix << "\t" << models::display_path(e.info.source) << "\t" << cell(e.info.model)
                  << "\t" << cell(e.info.stress) << "\t" << cell(e.info.tsan) << "\n";
      return 0;
    }
    for (const auto& e : stress_catalog()) {
      if (ids_only) {
        std::cout << e.info.id << "\n";
      } else {
        const auto x = expectation(e.info);
        std::cout << e.info.id << "\t" << models::to_string(x.verdict) << (x.probabilistic ? " (p)" : "")
                  << "\t" << e.info.defect << "\n";
      }
    }
    return 0;
  }
  if (command != "run" && command != "repro" && command != "measure")
    usage_error("unknown command '" + command + "' (list, info, run, repro, measure)");
  if (args.size() < 2) usage_error(command + " needs a scenario id (see: itc-stress list)");
  const StressEntry& entry = find_entry(args[1]);
  StressOptions opt;
  opt.min_runs = entry.budget.min_runs;
  opt.budget = entry.budget.seconds;
  opt.iterations = entry.budget.max_runs;
  opt.cap = entry.budget.cap_seconds;
  opt.budget_origin = entry.budget.origin;
  std::vector<std::string> budget_flags;
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) usage_error(a + " needs a value");
      return args[++i];
    };
    if (a == "--seed") {
      opt.seed = parse_uint(a, "a whole number", value(), 0, 1ULL << 60);
    } else if (a == "--iterations") {
      opt.iterations = parse_uint(a, "a whole number of runs", value(), 1, 100'000'000);
      budget_flags.push_back(a);
    } else if (a == "--min-runs") {
      opt.min_runs = parse_uint(a, "a whole number of runs", value(), 1, 100'000'000);
      budget_flags.push_back(a);
    } else if (a == "--budget") {
      opt.budget = parse_seconds(a, value());
      budget_flags.push_back(a);
    } else if (a == "--cap") {
      opt.cap = parse_seconds(a, value());
      budget_flags.push_back(a);
    } else if (a == "--stall-ms") {
      opt.stall_ms =
          static_cast<unsigned>(parse_uint(a, "a whole number of milliseconds", value(), 10, 600'000));
    } else if (a == "--runs") {
      opt.runs = static_cast<unsigned>(parse_uint(a, "a whole number of checks", value(), 1, 10'000));
    } else if (a == "--jobs") {
      opt.jobs = static_cast<unsigned>(parse_uint(a, "a whole number of checks at a time", value(), 1, 64));
    } else if (a == "--chaos") {
      const std::string v = value();
      if (v == "on")
        opt.chaos = true;
      else if (v == "off")
        opt.chaos = false;
      else
        usage_error("--chaos must be on or off, got '" + v + "'");
    } else if (a == "--quiet") {
      opt.quiet = true;
    } else {
      usage_error("unknown option '" + a + "'");
    }
  }
  const auto given = [&](std::string_view flag) {
    return std::find(budget_flags.begin(), budget_flags.end(), flag) != budget_flags.end();
  };
  if (command == "repro") {
    // Until the first failure, for a minute unless told otherwise.
    if (!given("--budget")) opt.budget = 60;
    if (!given("--cap")) opt.cap = opt.budget;
    if (!given("--iterations")) opt.iterations = 100'000'000;
    if (!given("--min-runs")) opt.min_runs = opt.iterations;
  }
  opt.min_runs = std::min(opt.min_runs, opt.iterations);  // --iterations 1 runs exactly once
  if (!budget_flags.empty()) {
    std::string flags;
    for (const auto& f : budget_flags) flags += (flags.empty() ? "" : ", ") + f;
    opt.budget_origin += " with " + flags + " from the command line";
  }
  const models::Expectation x = expectation(entry.info);
  const Verdict expected = x.verdict == Verdict::none ? Verdict::pass : x.verdict;

  if (command == "measure") {
    // R independent checks with disjoint seeds: detection rate and time to detection.
    // --jobs checks at a time (each is its own process); results are merged under a mutex.
    unsigned detected = 0;
    std::vector<double> times;
    std::vector<std::string> seen;
    std::mutex merge;
    std::atomic<unsigned> next{0};
    std::vector<std::thread> workers;
    for (unsigned j = 0; j < opt.jobs; ++j) {
      workers.emplace_back([&] {
        for (unsigned k = next++; k < opt.runs; k = next++) {
          StressOptions o = opt;
          o.seed = opt.seed + 1'000'003ULL * k;
          const ChildResult r = spawn_child(std::string(entry.info.id), o);
          const Verdict v = checker_verdict(r);
          std::lock_guard<std::mutex> g(merge);
          seen.emplace_back(models::to_string(v));
          if (x.accepts(v) && v != Verdict::pass) {
            ++detected;
            times.push_back(r.seconds);
          }
        }
      });
    }
    for (auto& w : workers) w.join();
    std::sort(times.begin(), times.end());
    std::sort(seen.begin(), seen.end());
    std::printf("%s\t%s\t%s\t%u/%u detected (%s expected)\tmedian time to detection %s\n",
                std::string(entry.info.id).c_str(), std::string(kChecker).c_str(),
                entry.litmus ? "litmus"
                : opt.chaos  ? "chaos on"
                             : "chaos off",
                detected, opt.runs, std::string(models::to_string(expected)).c_str(),
                times.empty() ? "-" : (std::to_string(times[times.size() / 2]) + " s").c_str());
    std::string histogram;
    for (std::size_t i = 0; i < seen.size();) {
      std::size_t j = i;
      while (j < seen.size() && seen[j] == seen[i]) ++j;
      histogram += "  " + seen[i] + " x" + std::to_string(j - i);
      i = j;
    }
    std::printf("\toutcomes:%s\n", histogram.c_str());
    return 0;
  }

  const auto t0 = Clock::now();
  StressOptions last = opt;
  const ChildResult r =
      command == "repro" ? repro_child(entry, opt, last) : spawn_child(std::string(entry.info.id), opt);
  const Verdict v = checker_verdict(r);
  const bool match = x.accepts(v);
  std::cout << "scenario   " << entry.info.id << "\n"
            << "checker    " << kChecker
            << (entry.litmus ? std::string(" (litmus: persistent actor threads; chaos and seed do not apply)")
                             : " (chaos " + std::string(opt.chaos ? "on" : "off") + ", seed " +
                                   std::to_string(opt.seed) + ")")
            << "\n"
            << "verdict    " << models::to_string(v)
            << (match ? "  (as expected)" : "  (EXPECTED " + std::string(models::to_string(expected)) + ")")
            << "\n";
  if (command == "repro")
    std::printf("budget     until the first failure, for up to %.1f s or %llu runs (%s)\n", opt.cap,
                static_cast<unsigned long long>(opt.iterations), opt.budget_origin.c_str());
  else
    std::printf("budget     at least %llu runs and %.1f s, at most %llu runs, cap %.0f s (%s)\n",
                static_cast<unsigned long long>(opt.min_runs), opt.budget,
                static_cast<unsigned long long>(opt.iterations), opt.cap, opt.budget_origin.c_str());
  if (v != Verdict::pass || r.verdict != Verdict::pass) {
    std::printf("found      in run %llu after %.3f s\n", static_cast<unsigned long long>(r.iteration),
                r.seconds);
    if (kTsanBuild && r.tsan_report.empty() && v == Verdict::assertion)
      std::printf(
          "note       the scenario's invariant failed while running under ThreadSanitizer; TSan "
          "itself reported nothing (it cannot see an atomicity violation)\n");
  } else {
    std::printf("runs       %llu in %.3f s\n", static_cast<unsigned long long>(r.iteration),
                seconds_since(t0));
    if (r.iteration < opt.min_runs && command != "repro")
      std::printf("note       the cap of %.0f s came before the minimum of %llu runs\n", opt.cap,
                  static_cast<unsigned long long>(opt.min_runs));
  }
  if (!opt.quiet) {
    if (r.verdict != Verdict::pass)
      std::cout << "evidence\n" << r.report;
    else if (entry.litmus)
      std::cout << "outcomes\n" << r.report;  // INTERESTING outcomes are reported on a pass too
    if (!r.tsan_report.empty()) std::cout << "ThreadSanitizer report\n" << r.tsan_report;
    if (r.signal != 0)
      std::cout << "the check process died of signal " << r.signal << " (" << strsignal(r.signal) << ")\n";
    if (r.timed_out) std::cout << "the check process did not finish within its hard limit and was killed\n";
    if (r.verdict == Verdict::crash && r.signal == 0 && r.tsan_report.empty()) std::cout << r.stderr_text;
  }
  if (r.verdict != Verdict::pass || v != Verdict::pass) {
    std::cout << "re-run     " << rerun_command(entry, last, r)
              << (entry.litmus
                      ? "   (a litmus outcome depends on the hardware: the same budget again)\n"
                      : "   (same chaos seed; real threads are not deterministic, `repro` retries)\n");
  }
  if (command == "repro") {
    // Words and exit status agree: 0 only when the catalog's verdict came out (for a correct
    // form: no failure in the whole budget).
    const bool failed = v != Verdict::pass || r.verdict != Verdict::pass;
    const bool reproduced = expected == Verdict::pass ? !failed : failed && x.accepts(v);
    const auto attempts = static_cast<unsigned long long>(r.iteration + (failed ? 1 : 0));
    char after[96];
    std::snprintf(after, sizeof after, "after %llu attempt%s in %.3f s", attempts, attempts == 1 ? "" : "s",
                  seconds_since(t0));
    if (reproduced && !failed)
      std::printf("repro      reproduced pass (the expected verdict: no failure) %s\n", after);
    else if (reproduced)
      std::printf("repro      reproduced %s %s\n", std::string(models::to_string(v)).c_str(), after);
    else
      std::printf("repro      did not reproduce: verdict %s, expected %s, %s\n",
                  std::string(models::to_string(v)).c_str(), std::string(models::to_string(expected)).c_str(),
                  after);
    return reproduced ? 0 : 1;
  }
  return match ? 0 : 1;
}

}  // namespace itc::stress
