// stress/src/stress_check.hpp — the real-thread runner behind itc-stress (see stress_runner.cpp).
#pragma once

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
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

#include "itc/errors.hpp"
#include "itc/platform/tsan_annotations.hpp"
#include "itc/stress/chaos.hpp"
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

struct StressOptions {
  std::uint64_t seed = 1;
  std::uint64_t iterations = 0;  // 0: the scenario's default (see default_iterations)
  double budget = 5.0;           // seconds for the whole check
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

/// One execution of the scenario; returns only if it passed (a failure ends the process).
template <template <class> class S>
void run_once(std::uint64_t iteration, std::uint64_t seed, const StressOptions& opt, Clock::time_point t0) {
  using Scenario = S<ChaosPlatform>;
  constexpr unsigned n = Scenario::threads;
  static_assert(n <= kMaxThreads);
  // Heap state, never freed on failure: blocked threads keep using it until the process ends.
  auto* scenario = new Scenario();
  auto* failure = new Failure();
  auto* finished = new std::atomic<unsigned>(0);
  ChaosControl& control = chaos_control();
  reset_slots(n);
  control.seed.store(seed);
  control.enabled.store(opt.chaos);
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (unsigned i = 0; i < n; ++i) {
    threads.emplace_back([=] {
      attach_thread(i);
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
      finished->fetch_add(1);
    });
  }
  std::uint64_t last_progress = ~0ULL;
  const auto run_start = Clock::now();
  auto last_change = run_start;
  // A run that keeps "progressing" but never ends (a livelock, a spin on a lost flag) is a hang
  // too, once it has run for longer than the whole budget.
  const double run_limit = std::max(opt.budget, 10.0);
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (failure->set.load()) {
      std::lock_guard<std::mutex> g(failure->m);
      std::printf("%s in run %llu (seed %llu)\n  %s\n",
                  std::string(models::to_string(failure->verdict)).c_str(),
                  static_cast<unsigned long long>(iteration), static_cast<unsigned long long>(seed),
                  failure->detail.c_str());
      child_exit(failure->verdict, iteration, seed, seconds_since(t0));
    }
    if (finished->load() == n) break;
    std::uint64_t progress = finished->load();
    for (unsigned i = 0; i < n; ++i) progress += control.slots[i].steps.load(std::memory_order_relaxed);
    if (progress != last_progress) {
      last_progress = progress;
      last_change = Clock::now();
      if (seconds_since(run_start) < run_limit) continue;
    }
    const auto stalled = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last_change);
    if (stalled.count() < static_cast<long>(opt.stall_ms) && seconds_since(run_start) < run_limit) continue;
    // A hang: report who waits where, and what the primitives' state says.
    std::printf("hang in run %llu (seed %llu): no progress for %ld ms\n",
                static_cast<unsigned long long>(iteration), static_cast<unsigned long long>(seed),
                static_cast<long>(stalled.count()));
    for (unsigned i = 0; i < n; ++i) {
      const ThreadSlot& s = control.slots[i];
      const int state = s.state.load();
      if (state == ThreadSlot::finished) {
        std::printf("  thread %u: finished\n", i);
      } else if (state == ThreadSlot::blocked) {
        const char* file = s.file.load();
        std::printf("  thread %u: blocked in %s at %s:%d (%s)\n", i,
                    primitive_call(file, s.function.load()).c_str(),
                    repo_relative_path(file ? file : "?").c_str(), s.line.load(),
                    s.point.load() == static_cast<int>(SyncPoint::lock) ? "acquiring a mutex"
                                                                        : "waiting on a condition variable");
      } else {
        std::printf("  thread %u: running, but made no progress (a busy loop without synchronisation?)\n", i);
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
  delete finished;
}

template <template <class> class S>
int run_child(const StressOptions& opt) {
  const auto t0 = Clock::now();
  std::uint64_t i = 0;
  for (; i < opt.iterations; ++i) {
    if (i > 0 && seconds_since(t0) >= opt.budget) break;
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
};

inline const std::vector<StressEntry>& stress_catalog() {
  static const std::vector<StressEntry> entries = [] {
    std::vector<StressEntry> v;
#define ITC_STRESS_ENTRY(S)                                                  \
  v.push_back(StressEntry{ITC_SCENARIO_NAMESPACE::S<ChaosPlatform>::info,    \
                          ITC_SCENARIO_NAMESPACE::S<ChaosPlatform>::threads, \
                          &run_child<ITC_SCENARIO_NAMESPACE::S>});
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
                                         std::to_string(opt.stall_ms)};
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
  const double hard_limit = opt.budget + opt.stall_ms / 1000.0 * 3 + (kTsanBuild ? 60 : 20);
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

/// The checker's verdict. Under TSan, the report decides: ThreadSanitizer's own finding if it
/// made one; otherwise what the run did, except that a failed invariant is not a TSan finding
/// (TSan is blind to atomicity violations): that counts as "TSan reported nothing" = pass.
inline Verdict checker_verdict(const ChildResult& r) {
  if (!kTsanBuild) return r.verdict;
  if (r.tsan_report.find("ThreadSanitizer: data race") != std::string::npos) return Verdict::data_race;
  if (r.tsan_report.find("lock-order-inversion") != std::string::npos) return Verdict::lock_order_inversion;
  if (!r.tsan_report.empty()) return Verdict::crash;
  if (r.verdict == Verdict::assertion) return Verdict::pass;
  return r.verdict;
}

inline models::Expectation expectation(const ScenarioInfo& info) {
  return kTsanBuild ? info.tsan : info.stress;
}

inline std::uint64_t default_iterations(const ScenarioInfo& info) {
  // Correct forms must pass 100 runs; broken forms get many tries within the time budget.
  return expectation(info).verdict == Verdict::pass || expectation(info).verdict == Verdict::none ? 100
                                                                                                  : 100000;
}

[[noreturn]] inline void usage_error(const std::string& message) {
  std::cerr << "itc-stress: " << message << "\n";
  std::exit(2);
}

inline std::uint64_t parse_uint(const std::string& flag, const std::string& text, std::uint64_t min,
                                std::uint64_t max) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    usage_error(flag + " needs a non-negative integer, got '" + text + "'");
  if (v < min || v > max)
    usage_error(flag + " must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                text);
  return v;
}

inline double parse_seconds(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size())
    usage_error(flag + " needs a number of seconds, got '" + text + "'");
  if (!(v > 0) || v > 3600) usage_error(flag + " must be more than 0 and at most 3600 seconds, got " + text);
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
  const bool known = r.reported && r.verdict != Verdict::pass;
  return models::shell_word(models::running_binary("itc-stress")) + " run " + models::shell_word(e.info.id) +
         " --seed " + std::to_string(known ? r.seed : opt.seed) + " --iterations " +
         std::to_string(known ? 1 : opt.iterations) + (opt.chaos ? "" : " --chaos off");
}

inline int stress_main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "--child") {
    if (args.size() != 7) return 2;
    StressOptions opt;
    opt.seed = std::strtoull(args[2].c_str(), nullptr, 10);
    opt.iterations = std::strtoull(args[3].c_str(), nullptr, 10);
    opt.budget = std::strtod(args[4].c_str(), nullptr);
    opt.chaos = args[5] == "1";
    opt.stall_ms = static_cast<unsigned>(std::strtoul(args[6].c_str(), nullptr, 10));
    return find_entry(args[1]).run_child(opt);
  }
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    (args.empty() ? std::cerr : std::cout)
        << "usage: itc-stress list [--ids|--tsv]\n"
           "       itc-stress info\n"
           "       itc-stress run <id> [--seed S] [--iterations N] [--budget SECONDS] [--chaos on|off]\n"
           "                           [--stall-ms MS] [--quiet]\n"
           "       itc-stress repro <id> [--seed S] [--budget SECONDS] [--chaos on|off]\n"
           "       itc-stress measure <id> [--runs R] [--jobs J] [--budget SECONDS] [--chaos on|off]\n";
    return args.empty() ? 2 : 0;
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
  bool budget_given = false;
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) usage_error(a + " needs a value");
      return args[++i];
    };
    if (a == "--seed")
      opt.seed = parse_uint(a, value(), 0, 1ULL << 60);
    else if (a == "--iterations")
      opt.iterations = parse_uint(a, value(), 1, 100'000'000);
    else if (a == "--budget") {
      opt.budget = parse_seconds(a, value());
      budget_given = true;
    } else if (a == "--stall-ms")
      opt.stall_ms = static_cast<unsigned>(parse_uint(a, value(), 10, 600'000));
    else if (a == "--runs")
      opt.runs = static_cast<unsigned>(parse_uint(a, value(), 1, 10'000));
    else if (a == "--jobs")
      opt.jobs = static_cast<unsigned>(parse_uint(a, value(), 1, 64));
    else if (a == "--chaos") {
      const std::string v = value();
      if (v == "on")
        opt.chaos = true;
      else if (v == "off")
        opt.chaos = false;
      else
        usage_error("--chaos must be on or off, got '" + v + "'");
    } else if (a == "--quiet")
      opt.quiet = true;
    else
      usage_error("unknown option '" + a + "'");
  }
  if (opt.iterations == 0) opt.iterations = command == "repro" ? 100'000'000 : default_iterations(entry.info);
  if (command == "repro" && !budget_given) opt.budget = 60;
  const models::Expectation x = expectation(entry.info);
  const Verdict expected = x.verdict == Verdict::none ? Verdict::pass : x.verdict;
  // Correct forms must pass a fixed number of runs, whatever that takes (within reason).
  if (expected == Verdict::pass && !budget_given && command == "run") opt.budget = 120;

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
    std::printf("%s\t%s\tchaos %s\t%u/%u detected (%s expected)\tmedian time to detection %s\n",
                std::string(entry.info.id).c_str(), std::string(kChecker).c_str(), opt.chaos ? "on" : "off",
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
  const ChildResult r = spawn_child(std::string(entry.info.id), opt);
  const Verdict v = checker_verdict(r);
  const bool match = x.accepts(v);
  std::cout << "scenario   " << entry.info.id << "\n"
            << "checker    " << kChecker << " (chaos " << (opt.chaos ? "on" : "off") << ", seed " << opt.seed
            << ")\n"
            << "verdict    " << models::to_string(v)
            << (match ? "  (as expected)" : "  (EXPECTED " + std::string(models::to_string(expected)) + ")")
            << "\n";
  if (v == Verdict::pass && r.verdict == Verdict::assertion) {
    std::printf(
        "note       the invariant failed in run %llu (the stress checker's finding); ThreadSanitizer "
        "reported nothing\n",
        static_cast<unsigned long long>(r.iteration));
  } else if (v != Verdict::pass || r.verdict != Verdict::pass) {
    std::printf("found      in run %llu after %.3f s\n", static_cast<unsigned long long>(r.iteration),
                r.seconds);
  } else {
    std::printf("runs       %llu in %.3f s\n", static_cast<unsigned long long>(r.iteration),
                seconds_since(t0));
  }
  if (!opt.quiet) {
    if (r.verdict != Verdict::pass) std::cout << "evidence\n" << r.report;
    if (!r.tsan_report.empty()) std::cout << "ThreadSanitizer report\n" << r.tsan_report;
    if (r.signal != 0)
      std::cout << "the check process died of signal " << r.signal << " (" << strsignal(r.signal) << ")\n";
    if (r.timed_out) std::cout << "the check process did not finish within its hard limit and was killed\n";
    if (r.verdict == Verdict::crash && r.signal == 0 && r.tsan_report.empty()) std::cout << r.stderr_text;
  }
  if (r.verdict != Verdict::pass || v != Verdict::pass) {
    std::cout << "re-run     " << rerun_command(entry, opt, r)
              << "   (same chaos seed; real threads are not deterministic, `repro` retries)\n";
  }
  if (command == "repro") {
    std::printf("repro      %s after %llu attempts in %.3f s\n", v == Verdict::pass ? "no failure" : "failed",
                static_cast<unsigned long long>(r.iteration + (v == Verdict::pass ? 0 : 1)),
                seconds_since(t0));
    return v == Verdict::pass ? 1 : 0;
  }
  return match ? 0 : 1;
}

}  // namespace itc::stress
