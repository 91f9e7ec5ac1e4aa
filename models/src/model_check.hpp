// models/src/model_check.hpp — the Relacy adapter and the itc-model command line.
//
// Included after relacy_platform.hpp and the catalog (so `new`/`delete` are Relacy's macros
// here: this file allocates only through std containers and strings).
#pragma once

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace itc::models {

/// The message of the itc error that ended the current execution, if one did ("" otherwise).
/// Relacy re-runs a failing execution to print its history, so this is reset per execution.
/// A fixed buffer, not a std::string: memory allocated inside a Relacy execution belongs to
/// Relacy's allocator and must not outlive it.
struct ModelErrorMessage {
  char text[512] = {};
  void set(const char* s) { std::snprintf(text, sizeof text, "%s", s); }
  void clear() { text[0] = '\0'; }
  [[nodiscard]] bool empty() const { return text[0] == '\0'; }
  [[nodiscard]] const char* c_str() const { return text; }
};
inline ModelErrorMessage& model_error_message() {
  static ModelErrorMessage message;
  return message;
}

/// A stream buffer over memory reserved before the simulation starts. Relacy prints its
/// history from inside an execution, where a growing std::stringbuf would reallocate through
/// Relacy's operator new and free outside memory with Relacy's allocator (a crash). Output
/// beyond the capacity is dropped.
class FixedStreamBuf : public std::streambuf {
 public:
  explicit FixedStreamBuf(std::size_t capacity) : storage_(capacity) {
    setp(storage_.data(), storage_.data() + storage_.size());
  }
  [[nodiscard]] std::string str() const { return std::string(pbase(), pptr()); }

 protected:
  int_type overflow(int_type ch) override { return traits_type::not_eof(ch); }  // drop

 private:
  std::vector<char> storage_;
};

/// Turns a scenario into an rl::test_suite.
template <template <class> class S>
struct RelacyAdapter : rl::test_suite<RelacyAdapter<S>, S<RelacyPlatform>::threads> {
  S<RelacyPlatform> scenario;

  void before() {
    RelacyPlatform::reset_execution();
    model_error_message().clear();
  }
  void thread(unsigned index) {
    try {
      scenario.thread(index);
    } catch (const itc::Error& e) {
      model_error_message().set(e.what());
      rl::ctx().fail_test(model_error_message().c_str(), rl::test_result_user_assert_failed, $);
    }
  }
  void after() { scenario_check(scenario); }
};

enum class Strategy { random, bound, full };

struct ModelOptions {
  Strategy strategy = Strategy::random;
  unsigned long long iterations = 100000;
  unsigned bound = 2;
  unsigned long long seed = 0;
  std::string replay;
  bool quiet = false;
};

struct ModelResult {
  Verdict verdict = Verdict::pass;
  std::string detail;                 // Relacy's description of the failure
  unsigned long long executions = 0;  // executions explored (up to and including the failing one)
  double seconds = 0;
  std::string final_state;  // Relacy's replay state of the failing execution
  std::string history;      // Relacy's raw history of the failing execution
};

inline Verdict verdict_of(rl::test_result_e r) {
  switch (r) {
    case rl::test_result_success:
      return Verdict::pass;
    case rl::test_result_data_race:
      return Verdict::data_race;
    case rl::test_result_deadlock:
      return Verdict::deadlock;
    case rl::test_result_livelock:
      return Verdict::livelock;
    case rl::test_result_user_assert_failed:
    case rl::test_result_user_invariant_failed:
      return model_error_message().empty() ? Verdict::assertion : Verdict::error;
    // Misuse of the platform's own mutex (double lock, foreign unlock) is an error the model
    // checker caught where the real platform would have undefined behaviour.
    case rl::test_result_recursion_on_nonrecursive_mutex:
    case rl::test_result_unlocking_mutex_wo_ownership:
    case rl::test_result_destroying_owned_mutex:
      return Verdict::error;
    // Memory errors: a use after free or a double free is what crashes, or corrupts the heap,
    // on real threads: `crash`. Relacy reports a use after free in one of three ways: "ACCESS
    // TO FREED MEMORY" (an rl::atomic or rl::var whose signature its destructor wiped), or, for
    // an rl::mutex / rl::condition_variable, "USAGE OF NON INITIALIZED MUTEX / CONDITION
    // VARIABLE" (their destructor de-initialises them, and that check comes first). E.g. a
    // signaller still locking a primitive its waiter has already deleted
    // (models/selfcheck/destroy_scenarios.hpp). Named here rather than left to the default so
    // the mapping is a decision, not an accident. (A waiter deleting the primitive while the
    // signaller still holds its internal mutex is "DESTROYING OWNED MUTEX", `error` above.)
    case rl::test_result_access_to_freed_memory:
    case rl::test_result_double_free:
    case rl::test_result_usage_of_non_initialized_mutex:
    case rl::test_result_usage_of_non_initialized_condvar:
      return Verdict::crash;
    default:
      return Verdict::crash;
  }
}

template <template <class> class S>
ModelResult run_model(const ModelOptions& opt) {
  rl::test_params params;
  FixedStreamBuf out_buf(8u << 20);
  FixedStreamBuf progress_buf(4096);
  std::ostream out(&out_buf);
  std::ostream progress(&progress_buf);
  params.output_stream = &out;
  params.progress_stream = &progress;
  params.iteration_count = opt.iterations;
  params.context_bound = opt.bound;
  params.search_type = opt.strategy == Strategy::random  ? rl::sched_random
                       : opt.strategy == Strategy::bound ? rl::sched_bound
                                                         : rl::sched_full;
  unsigned long long first = 1;  // Relacy numbers executions from 1 (and rewrites initial_state)
  if (!opt.replay.empty()) {
    first = std::strtoull(opt.replay.c_str(), nullptr, 10);
    params.initial_state = opt.replay;
    // A replay starts at the recorded execution and stops right after it.
    params.iteration_count = std::strtoull(opt.replay.c_str(), nullptr, 10) + 1;
  } else if (opt.strategy == Strategy::random && opt.seed != 0) {
    // Relacy seeds random execution i with i itself; a seed shifts the window of executions.
    const unsigned long long start = opt.seed * opt.iterations;
    first = start;
    params.initial_state = std::to_string(start);
    params.iteration_count = start + opt.iterations;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const bool matched_suite_expectation = rl::simulate<RelacyAdapter<S>>(params);
  (void)matched_suite_expectation;  // the suite expects success; the verdict below says more
  ModelResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.verdict = verdict_of(params.test_result);
  r.executions = params.stop_iteration - first + 1;
  if (r.verdict != Verdict::pass) {
    r.final_state = params.final_state;
    r.history = out_buf.str();
    std::istringstream lines(r.history);
    std::string line;
    std::getline(lines, line);  // test name
    std::getline(lines, r.detail);
  }
  return r;
}

struct ModelEntry {
  ScenarioInfo info;
  unsigned threads;
  ModelResult (*run)(const ModelOptions&);
};

inline const std::vector<ModelEntry>& model_catalog() {
  static const std::vector<ModelEntry> entries = [] {
    std::vector<ModelEntry> v;
#define ITC_MODEL_ENTRY(S)                                                   \
  v.push_back(ModelEntry{ITC_SCENARIO_NAMESPACE::S<RelacyPlatform>::info,    \
                         ITC_SCENARIO_NAMESPACE::S<RelacyPlatform>::threads, \
                         &run_model<ITC_SCENARIO_NAMESPACE::S>});
    ITC_SCENARIOS(ITC_MODEL_ENTRY)
#undef ITC_MODEL_ENTRY
    return v;
  }();
  return entries;
}

/// Renders Relacy's history as one line per step: step, thread lane, source line, event.
inline std::string format_trace(const std::string& history, unsigned threads) {
  static const std::regex step(R"(^\[(\d+)\] (\d+): (?:<0x[0-9a-f]+> )?(.*), in ([^,]+), (.*)\((\d+)\)$)");
  std::ostringstream out;
  std::istringstream lines(history);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("thread ", 0) == 0) break;  // Relacy repeats the steps grouped per thread
    std::smatch m;
    if (!std::regex_match(line, m, step)) continue;
    std::string what = m[3];
    if (what.size() > 2 && what.front() == '[' && what != "[THREAD FINISHED]") continue;  // set-up
    // Steps inside Relacy's own headers (constructing an rl::atomic) are noise; its verdict
    // steps ("DATA RACE ...", "DEADLOCK ...") and thread ends stay. Relacy's headers are known by
    // their include folder (itc/models/paths.hpp): every other step, in itc's files or the
    // user's, is kept.
    const bool relacy_internal = is_relacy_path(m[5].str());
    const bool verdict_step = !what.empty() && std::isupper(static_cast<unsigned char>(what[0])) &&
                              std::isupper(static_cast<unsigned char>(what[1]));
    if (relacy_internal && !verdict_step && what != "[THREAD FINISHED]") continue;
    if (what.rfind("load, value=", 0) == 0)
      what = "read plain data";
    else if (what.rfind("store, value=", 0) == 0)
      what = "write plain data";
    const unsigned t = static_cast<unsigned>(std::stoul(m[2]));
    char head[32];
    std::snprintf(head, sizeof head, "%5s  T%u ", m[1].str().c_str(), t);
    std::string lane(t * 4, ' ');
    (void)threads;
    out << head << "| " << lane << display_path(m[5].str()) << ":" << m[6] << " " << m[4] << ": " << what
        << "\n";
  }
  return out.str();
}

inline std::string strategy_name(Strategy s) {
  return s == Strategy::random ? "random" : s == Strategy::bound ? "bound" : "full";
}

/// The line that replays one execution: this binary (a user's <name>-model, not itc-model), the
/// scenario, the strategy that found it and Relacy's state, ready to paste into a shell.
inline std::string replay_command(const ModelEntry& e, const ModelOptions& opt, const std::string& state) {
  std::string cmd = shell_word(running_binary("itc-model")) + " run " + shell_word(e.info.id) +
                    " --strategy " + strategy_name(opt.strategy);
  if (opt.strategy == Strategy::bound) cmd += " --bound " + std::to_string(opt.bound);
  return cmd + " --replay '" + state + "'";
}

[[noreturn]] inline void usage_error(const std::string& message) {
  std::cerr << "itc-model: " << message << "\n";
  std::exit(2);
}

inline unsigned long long parse_count(const std::string& flag, const char* text, unsigned long long max) {
  unsigned long long v = 0;
  const std::string_view s(text);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    usage_error(flag + " needs a positive integer, got '" + text + "'");
  if (v == 0 || v > max)
    usage_error(flag + " must be between 1 and " + std::to_string(max) + ", got " + text);
  return v;
}

inline int print_usage(std::ostream& os) {
  os << "usage: itc-model list [--ids]\n"
        "       itc-model info\n"
        "       itc-model run <id> [--strategy random|bound|full] [--iterations N] [--bound K]\n"
        "                          [--seed S] [--replay STATE] [--quiet]\n";
  return 2;
}

inline int model_main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    print_usage(args.empty() ? std::cerr : std::cout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "info") {
    print_checker_info(stdout, "model");
    return 0;
  }
  if (args[0] == "list") {
    const bool ids_only = args.size() > 1 && args[1] == "--ids";
    for (const auto& e : model_catalog())
      if (ids_only)
        std::cout << e.info.id << "\n";
      else if (e.info.model.random_only)
        std::cout << e.info.id << "\t" << to_string(e.info.model.verdict) << " (random)\t" << e.info.defect
                  << "\n";
      else
        std::cout << e.info.id << "\t" << to_string(e.info.model.verdict) << "\t" << e.info.defect << "\n";
    return 0;
  }
  if (args[0] != "run") usage_error("unknown command '" + args[0] + "' (list, info, run)");
  if (args.size() < 2) usage_error("run needs a scenario id (see: itc-model list)");
  const ModelEntry* entry = nullptr;
  for (const auto& e : model_catalog())
    if (e.info.id == args[1]) entry = &e;
  if (entry == nullptr) usage_error("unknown scenario id '" + args[1] + "' (see: itc-model list)");

  ModelOptions opt;
  constexpr unsigned long long kMaxIterations = 1'000'000'000ULL;
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= args.size()) usage_error(a + " needs a value");
      return args[++i].c_str();
    };
    if (a == "--strategy") {
      const std::string s = value();
      if (s == "random")
        opt.strategy = Strategy::random;
      else if (s == "bound")
        opt.strategy = Strategy::bound;
      else if (s == "full")
        opt.strategy = Strategy::full;
      else
        usage_error("unknown strategy '" + s + "' (random, bound, full)");
    } else if (a == "--iterations") {
      opt.iterations = parse_count(a, value(), kMaxIterations);
    } else if (a == "--bound") {
      opt.bound = static_cast<unsigned>(parse_count(a, value(), 16));
    } else if (a == "--seed") {
      opt.seed = parse_count(a, value(), 1'000'000'000ULL);
    } else if (a == "--replay") {
      opt.replay = value();
      static const std::regex state(R"(^\d+( [0-9 ]*)?$)");
      if (!std::regex_match(opt.replay, state))
        usage_error("malformed replay state '" + opt.replay +
                    "' (expected what a failing run printed after --replay)");
    } else if (a == "--quiet") {
      opt.quiet = true;
    } else {
      usage_error("unknown option '" + a + "'");
    }
  }

  const ModelResult r = entry->run(opt);
  Verdict expected = entry->info.model.verdict == Verdict::none ? Verdict::pass : entry->info.model.verdict;
  // A defect that needs a spurious wake-up is invisible to bounded and full search (Relacy
  // injects them only under its random scheduler): there the expected verdict is pass.
  const bool blind_strategy = entry->info.model.random_only && opt.strategy != Strategy::random;
  if (blind_strategy) expected = Verdict::pass;
  const bool match = r.verdict == expected;
  std::cout << "scenario   " << entry->info.id << "\n"
            << "strategy   " << strategy_name(opt.strategy);
  if (opt.strategy == Strategy::bound) std::cout << " (context bound " << opt.bound << ")";
  if (!opt.replay.empty())
    std::cout << ", replaying one execution";
  else if (opt.seed != 0)
    std::cout << ", seed " << opt.seed;
  std::cout << "\nverdict    " << to_string(r.verdict)
            << (match ? "  (as expected)" : "  (EXPECTED " + std::string(to_string(expected)) + ")") << "\n";
  if (blind_strategy)
    std::cout << "note       only the random strategy can find this one (it needs a spurious wake-up)\n";
  if (!r.detail.empty())
    std::cout << "detail     " << r.detail << (model_error_message().empty() ? "" : "") << "\n";
  std::printf("executions %llu in %.3f s (%.0f/s)\n", r.executions, r.seconds,
              r.seconds > 0 ? static_cast<double>(r.executions) / r.seconds : 0.0);
  if (r.verdict != Verdict::pass) {
    if (!opt.quiet)
      std::cout << "trace (step, thread, source line: event)\n" << format_trace(r.history, entry->threads);
    std::cout << "replay     " << replay_command(*entry, opt, r.final_state) << "\n";
  }
  std::cout.flush();
  return match ? 0 : 1;
}

}  // namespace itc::models
