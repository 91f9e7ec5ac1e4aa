// models/src/model_check.hpp — the Relacy adapter and the itc-model command line.
//
// Included after relacy_platform.hpp and the catalog (so `new`/`delete` are Relacy's macros
// here: this file allocates only through std containers and strings). The schedulers are in
// itc/models/search.hpp and pct_scheduler.hpp.
#pragma once

#include <dlfcn.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
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

/// Is `file` the user's code (the scenario's, the catalog project's) rather than itc's library,
/// Relacy or the standard library? The test blocked_frames.hpp's caller_of applies to a stack.
inline bool is_user_file(std::string_view file) {
  if (file.empty()) return false;
  for (const char* p :
       {"primitives/include/itc/", "models/include/itc/models/", "/usr/include/", "/include/c++/"})
    if (file.find(p) != std::string_view::npos) return false;
  return !is_library_path(file) && !is_relacy_path(file);
}

/// "itc::models::scenarios::LockRelockNonreentrant<itc::models::RelacyPlatform>::add()" -> "add",
/// as __builtin_FUNCTION names a function.
inline std::string bare_function(const std::string& demangled) {
  std::string out;
  int depth = 0;
  for (char ch : demangled) {
    if (ch == '<') ++depth;
    if (depth == 0 && ch == '(') break;
    if (depth == 0) out += ch;
    if (ch == '>' && depth > 0) --depth;
  }
  const std::size_t cut = out.rfind("::");
  return cut == std::string::npos ? out : out.substr(cut + 2);
}

/// An itc lock's acquisition site as the reports show it: the caller's line when that is the
/// user's code; otherwise (std::lock_guard called lock(), so the line is in <mutex>) the first
/// frame in the user's code of the hook's return address, inlined frames expanded, found with
/// addr2line on this binary. Best effort: no addr2line or no debug info leaves the site as it
/// was. After the search only (it runs a process and allocates).
inline LockOrder::Site resolve_site(const LockOrder::Site& s) {
  if (s.pc == nullptr || is_user_file(s.file)) return s;
  struct Resolved {
    bool found = false;
    std::string file, function;
    int line = 0;
  };
  static std::map<const void*, Resolved> cache;
  auto [it, fresh] = cache.try_emplace(s.pc);
  Resolved& r = it->second;
  if (fresh) {
    Dl_info info{};
    if (dladdr(s.pc, &info) != 0 && info.dli_fname != nullptr) {
      // A return address points after its call: one byte back is inside it.
      const auto offset =
          reinterpret_cast<std::uintptr_t>(s.pc) - reinterpret_cast<std::uintptr_t>(info.dli_fbase) - 1;
      char hex[32];
      std::snprintf(hex, sizeof hex, "0x%lx", static_cast<unsigned long>(offset));
      const std::string cmd =
          "addr2line -f -C -i -e " + shell_word(info.dli_fname) + " " + hex + " 2>/dev/null";
      if (std::FILE* p = ::popen(cmd.c_str(), "r")) {
        std::vector<std::string> lines;
        char buf[4096];
        while (std::fgets(buf, sizeof buf, p) != nullptr) {
          std::string l(buf);
          while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.pop_back();
          lines.push_back(l);
        }
        ::pclose(p);
        for (std::size_t i = 0; i + 1 < lines.size() && !r.found; i += 2) {
          std::string loc = lines[i + 1].substr(0, lines[i + 1].find(" (discriminator"));
          const std::size_t colon = loc.rfind(':');
          if (colon == std::string::npos || !is_user_file(loc.substr(0, colon))) continue;
          const int line = std::atoi(loc.c_str() + colon + 1);
          if (line <= 0) continue;
          r = Resolved{true, loc.substr(0, colon), bare_function(lines[i]), line};
        }
      }
    }
  }
  if (!r.found) return s;
  return LockOrder::Site{r.file.c_str(), r.function.c_str(), r.line, s.pc};
}

/// `inv` with every site resolved (resolve_site), for the report after the search.
inline LockOrder::Inversion resolve_sites(LockOrder::Inversion inv) {
  for (LockOrder::Edge* e : {&inv.first, &inv.second}) {
    e->from_site = resolve_site(e->from_site);
    e->to_site = resolve_site(e->to_site);
  }
  return inv;
}

/// The "locks" block printed after a deadlock or a lock-order inversion: for every thread that
/// holds or waits for an itc lock at the end of the failing execution, one line
///   locks      T1 holds Lock#2 (acquired models/scenarios/lock.hpp:40 move_holding); waits for
///              Lock#1 (at models/scenarios/lock.hpp:41 move_holding), held by T0
/// (on one line). Lock#k numbers locks in the order the search first met them. "" if no thread
/// holds or waits for one. Read from LockOrder's table, which the runner leaves as the failing
/// execution ended.
inline std::string locks_report(unsigned threads) {
  LockOrder& g = lock_order();
  std::string out;
  auto site = [](const LockOrder::Site& raw) {
    const LockOrder::Site s = resolve_site(raw);
    return display_path(s.file) + ":" + std::to_string(s.line) + " " + s.function;
  };
  for (unsigned t = 0; t < threads && t < LockOrder::kMaxThreads; ++t) {
    std::string holds;
    for (unsigned i = 0; i != g.held_count(t); ++i) {
      const LockOrder::Held& h = g.held(t, i);
      if (!h.user) continue;  // a platform mutex inside a primitive: not the user's lock
      holds += std::string(holds.empty() ? "" : ", ") + "Lock#" + std::to_string(g.name_of(h.lock)) +
               " (acquired " + site(h.site) + ")";
    }
    const LockOrder::Waiting& w = g.waiting(t);
    if (holds.empty() && w.lock == nullptr) continue;
    out += "locks      T" + std::to_string(t) + (holds.empty() ? " holds no itc lock" : " holds " + holds);
    if (w.lock != nullptr) {
      out += "; waits for Lock#" + std::to_string(g.name_of(w.lock)) + " (at " + site(w.site) + ")";
      const unsigned owner = g.holder(w.lock);
      out += owner < LockOrder::kMaxThreads ? ", held by T" + std::to_string(owner) : ", held by no thread";
    }
    out += "\n";
  }
  return out;
}

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

enum class Strategy { random, bound, full, pct };

struct ModelOptions {
  Strategy strategy = Strategy::random;
  unsigned long long iterations = 0;  // 0: the strategy's default (kDefault* below)
  double max_seconds = 0;             // 0: kDefaultMaxSeconds
  unsigned bound = 2;
  unsigned long long seed = 0;
  unsigned depth = 3;                // PCT
  unsigned long long pct_steps = 0;  // PCT: 0 = measure
  unsigned spurious = 1;             // spurious wake-ups per thread and condition variable
  unsigned jobs = 1;
  std::string replay;
  bool quiet = false;

  // Defaults: random and PCT run 100,000 executions; bounded and full search run to the end of
  // their tree unless --iterations caps them. Every strategy stops after 240 s unless
  // --max-seconds says otherwise: below the model suite's 300 s test timeout, so a search that
  // is too big reports `inconclusive` with its progress instead of being killed silently.
  static constexpr unsigned long long kDefaultRandomIterations = 100000;
  static constexpr unsigned long long kDefaultTreeCap = 0;  // none
  static constexpr double kDefaultMaxSeconds = 240;
  [[nodiscard]] unsigned long long executions() const {
    if (iterations != 0) return iterations;
    return strategy == Strategy::random || strategy == Strategy::pct ? kDefaultRandomIterations
                                                                     : kDefaultTreeCap;
  }
  [[nodiscard]] double seconds() const { return max_seconds > 0 ? max_seconds : kDefaultMaxSeconds; }
  [[nodiscard]] bool sampling() const { return strategy == Strategy::random || strategy == Strategy::pct; }
};

struct ModelResult {
  Verdict verdict = Verdict::pass;
  std::string detail;                 // Relacy's description of the failure
  unsigned long long executions = 0;  // executions explored (up to and including the failing one)
  double seconds = 0;
  std::string final_state;           // Relacy's replay state of the failing execution
  std::string history;               // Relacy's raw history of the failing execution
  std::string locks;                 // deadlock / inversion: locks_report() of the failing execution
  bool capped = false;               // stopped by a cap before the search was complete
  std::string cap_reason;            // "executions" or "seconds"
  double explored_fraction = -1;     // tree search stopped by a cap: share explored (estimate)
  unsigned long long pct_steps = 0;  // PCT: the k of the last execution (given or measured)
  unsigned long long max_steps = 0;  // PCT: the longest execution seen
};

inline Verdict verdict_of(rl::test_result_e r) {
  switch (r) {
    case rl::test_result_success:
      return Verdict::pass;
    case rl::test_result_data_race:
      return Verdict::data_race;
    case rl::test_result_deadlock:
      // A deadlock on a cycle of itc locks is the lock-order inversion it realises.
      return lock_order().deadlock_cycle().found ? Verdict::lock_order_inversion : Verdict::deadlock;
    case rl::test_result_livelock:
      return Verdict::livelock;
    case rl::test_result_user_assert_failed:
    case rl::test_result_user_invariant_failed:
      if (lock_order().failed) return Verdict::lock_order_inversion;
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

/// rl::simulate() with the scheduler as a parameter (rl::simulate dispatches only to Relacy's
/// three): run the search; on a failure run the failing execution once more from its state to
/// collect the history, as rl::simulate does.
template <class Test, class Scheduler>
rl::test_result_e run_search(rl::test_params& params) {
  const char* name = typeid(Test).name();
  while (*name >= '0' && *name <= '9') ++name;
  params.test_name = name;
  *params.output_stream << params.test_name << std::endl;
  rl::ostringstream oss;
  const rl::test_result_e res = rl::run_test<Test, Scheduler>(params, oss, false);
  if (res != rl::test_result_success && !params.collect_history && !search_control_no_history()) {
    rl::ostringstream again;
    lock_order().reset_search();  // the re-run sees what a replay sees: this execution only
    params.initial_state = oss.str();
    params.final_state = oss.str();
    params.collect_history = true;
    const rl::iteration_t stop = params.stop_iteration;
    const rl::test_result_e res2 = rl::run_test<Test, Scheduler>(params, again, true);
    // Same state, same execution: anything else means the scenario is not deterministic.
    RL_VERIFY(res == res2);
    RL_VERIFY(params.stop_iteration == stop);
    (void)res2;
    (void)stop;
  }
  return res;
}

/// Executions [first, last] (sampling strategies) or the tree from its root (bound, full),
/// within the caps. `first` is 1 for a whole search; --jobs gives each process its window.
template <template <class> class S>
ModelResult run_model_window(const ModelOptions& opt, unsigned long long first, unsigned long long last) {
  using Test = RelacyAdapter<S>;
  constexpr rl::thread_id_t N = Test::params::thread_count;
  rl::test_params params;
  FixedStreamBuf out_buf(8u << 20);
  FixedStreamBuf progress_buf(4096);
  std::ostream out(&out_buf);
  std::ostream progress(&progress_buf);
  params.output_stream = &out;
  params.progress_stream = &progress;
  params.context_bound = opt.bound;
  // The search type is what Relacy's weak-memory model and allocator read (is_random_sched):
  // random and PCT sample every choice, bound and full enumerate a reduced set (Relacy's).
  params.search_type = opt.strategy == Strategy::bound  ? rl::sched_bound
                       : opt.strategy == Strategy::full ? rl::sched_full
                                                        : rl::sched_random;
  params.iteration_count = last;

  SearchControl& c = search_control();
  c = SearchControl{};
  c.seed = opt.seed;
  c.pct_depth = opt.depth;
  c.pct_steps = opt.pct_steps;
  c.has_deadline = true;
  c.deadline =
      std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                             std::chrono::duration<double>(opt.seconds()));
  spurious_wakeups().per_wait = opt.spurious;
  search_progress().begin();
  lock_order().reset_search();

  if (!opt.replay.empty()) {
    // A replay starts at the recorded execution and stops right after it.
    params.initial_state = opt.replay;
    first = std::strtoull(opt.replay.c_str(), nullptr, 10);
    c.last_execution = first;
    c.max_executions = 1;
  } else if (opt.sampling()) {
    // Execution i is a pure function of (seed, i): a window is its first index and the seed
    // (and for PCT the k, 0 = measure).
    params.initial_state = std::to_string(first) + " " + std::to_string(opt.seed) +
                           (opt.strategy == Strategy::pct ? " " + std::to_string(opt.pct_steps) : "");
    c.last_execution = last;
  } else {
    c.max_executions = last;  // bound, full: the cap on executions
  }
  c.first_execution = first;

  const auto t0 = std::chrono::steady_clock::now();
  rl::test_result_e res = rl::test_result_success;
  switch (opt.strategy) {
    case Strategy::random:
      res = run_search<Test, RandomScheduler<N>>(params);
      break;
    case Strategy::pct:
      res = run_search<Test, PctScheduler<N>>(params);
      break;
    case Strategy::bound:
    case Strategy::full:
      res = run_search<Test, TreeScheduler<N>>(params);
      break;
  }
  ModelResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.verdict = verdict_of(res);
  r.executions = params.stop_iteration - first + 1;
  r.pct_steps = c.pct_steps_used;
  r.max_steps = c.max_steps_seen;
  if (r.verdict != Verdict::pass) {
    r.final_state = params.final_state;
    r.history = out_buf.str();
    std::istringstream lines(r.history);
    std::string line;
    std::getline(lines, line);  // test name
    std::getline(lines, r.detail);
    if (const LockOrder::Inversion& cycle = lock_order().deadlock_cycle();
        res == rl::test_result_deadlock && cycle.found) {
      char text[640];
      RelacyPlatform::describe_inversion(resolve_sites(cycle), text, sizeof text);
      r.detail = std::string(text) + " — " + r.detail;
    }
    if (r.verdict == Verdict::deadlock || r.verdict == Verdict::lock_order_inversion)
      r.locks = locks_report(Test::params::thread_count);
  } else if (const LockOrder::Inversion inv = resolve_sites(lock_order().across_executions()); inv.found) {
    // The search's graph has a cycle and no execution failed: each order was taken by a
    // passing execution, or (itc locks, whose cycles are kept until a deadlock shows one) one
    // execution took both and never deadlocked. There is no failing execution to replay.
    char text[768];
    std::snprintf(text, sizeof text,
                  inv.first.execution == inv.second.execution
                      ? "lock order inversion: execution %llu took %s:%d then %s:%d (T%u); "
                        "execution %llu took %s:%d then %s:%d (T%u); no execution deadlocked"
                      : "lock order inversion across executions: execution %llu took %s:%d then %s:%d (T%u); "
                        "execution %llu took %s:%d then %s:%d (T%u); no execution deadlocked",
                  inv.first.execution, short_path(inv.first.from_site.file), inv.first.from_site.line,
                  short_path(inv.first.to_site.file), inv.first.to_site.line, inv.first.thread,
                  inv.second.execution, short_path(inv.second.from_site.file), inv.second.from_site.line,
                  short_path(inv.second.to_site.file), inv.second.to_site.line, inv.second.thread);
    r.verdict = Verdict::lock_order_inversion;
    r.detail = text;
  } else if (c.capped && opt.replay.empty()) {  // a replay's cap of one execution is no cap
    r.verdict = Verdict::inconclusive;
    r.capped = true;
    r.cap_reason = c.cap_reason;
    r.explored_fraction = c.explored_fraction;
  }
  return r;
}

template <template <class> class S>
ModelResult run_model(const ModelOptions& opt) {
  return run_model_window<S>(opt, 1, opt.executions());
}

struct ModelEntry {
  ScenarioInfo info;
  unsigned threads;
  ModelResult (*run)(const ModelOptions&);
  ModelResult (*run_window)(const ModelOptions&, unsigned long long, unsigned long long);
};

inline const std::vector<ModelEntry>& model_catalog() {
  static const std::vector<ModelEntry> entries = [] {
    std::vector<ModelEntry> v;
#define ITC_MODEL_ENTRY(S)                                                                                 \
  v.push_back(ModelEntry{                                                                                  \
      ITC_SCENARIO_NAMESPACE::S<RelacyPlatform>::info, ITC_SCENARIO_NAMESPACE::S<RelacyPlatform>::threads, \
      &run_model<ITC_SCENARIO_NAMESPACE::S>, &run_model_window<ITC_SCENARIO_NAMESPACE::S>});
    ITC_SCENARIOS(ITC_MODEL_ENTRY)
#undef ITC_MODEL_ENTRY
    return v;
  }();
  return entries;
}

/// Renders Relacy's history as one line per step: step, thread lane, source line, event.
///
/// Relacy detects a deadlock when the last runnable thread stops, and logs the DEADLOCK step in
/// that thread's lane; when it stopped by finishing, the step read "context.hpp:457
/// fiber_proc_impl: DEADLOCK" in the lane of a thread that was not stuck at all. Such a step is
/// moved to the lane of the blocked thread that went to sleep last, at the line where it did,
/// and says which thread's end revealed it.
inline std::string format_trace(const std::string& history, unsigned threads) {
  // "[idx] thread: what, in function, file(line)". A template function's name has ", " in it
  // (pop_next<itc::BasicQueue<int, ...> >), so the function is everything up to the LAST ", "
  // before the file, which has none: splitting at the first comma cut names in half.
  static const std::regex step(R"(^\[(\d+)\] (\d+): (?:<0x[0-9a-f]+> )?(.*), in (.*), ([^,]+)\((\d+)\)$)");
  struct Step {
    std::string index, function, file, line, what;
    unsigned thread;
  };
  std::vector<Step> steps;
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
    steps.push_back(Step{m[1], m[4], m[5], m[6], what, static_cast<unsigned>(std::stoul(m[2]))});
  }
  std::vector<bool> finished;
  std::vector<long> last_step;  // per thread: its latest step (index into steps), -1: none
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const unsigned t = steps[i].thread;
    if (t >= finished.size()) {
      finished.resize(t + 1, false);
      last_step.resize(t + 1, -1);
    }
    if (steps[i].what == "[THREAD FINISHED]") {
      finished[t] = true;
    } else if (steps[i].what.rfind("DEADLOCK", 0) == 0 && finished[t]) {
      long stuck = -1;
      for (std::size_t u = 0; u < last_step.size(); ++u)
        if (!finished[u] && last_step[u] > stuck) stuck = last_step[u];
      if (stuck >= 0) {
        const Step& at = steps[static_cast<std::size_t>(stuck)];
        steps[i].what += " (detected when T" + std::to_string(t) + " finished)";
        steps[i].thread = at.thread;
        steps[i].file = at.file;
        steps[i].line = at.line;
        steps[i].function = at.function;
      }
    } else {
      last_step[t] = static_cast<long>(i);
    }
  }
  (void)threads;
  std::ostringstream out;
  for (const Step& st : steps) {
    char head[32];
    std::snprintf(head, sizeof head, "%5s  T%u ", st.index.c_str(), st.thread);
    const std::string lane(st.thread * 4, ' ');
    out << head << "| " << lane << display_path(st.file) << ":" << st.line << " " << st.function << ": "
        << st.what << "\n";
  }
  return out.str();
}

inline std::string strategy_name(Strategy s) {
  switch (s) {
    case Strategy::random:
      return "random";
    case Strategy::bound:
      return "bound";
    case Strategy::full:
      return "full";
    case Strategy::pct:
      return "pct";
  }
  return "?";
}

/// The line that replays one execution: this binary (a user's <name>-model, not itc-model), the
/// scenario, the strategy that found it and Relacy's state, ready to paste into a shell.
/// Every option that changes which executions exist or how they are numbered is on the line;
/// the rest of the execution is in the state.
inline std::string replay_command(const ModelEntry& e, const ModelOptions& opt, const std::string& state) {
  std::string cmd = shell_word(running_binary("itc-model")) + " run " + shell_word(e.info.id) +
                    " --strategy " + strategy_name(opt.strategy);
  if (opt.strategy == Strategy::bound) cmd += " --bound " + std::to_string(opt.bound);
  if (opt.strategy == Strategy::pct) cmd += " --depth " + std::to_string(opt.depth);
  if (opt.spurious != 1) cmd += " --spurious " + std::to_string(opt.spurious);
  return cmd + " --replay '" + state + "'";
}

[[noreturn]] inline void usage_error(const std::string& message) {
  std::cerr << "itc-model: " << message << "\n";
  std::exit(2);
}

/// A whole number in [min, max] for `flag`; otherwise exit 2 with what was expected, in the
/// option's own unit: "--bound: expected a whole number of preemptions between 1 and 16, got '17'".
inline unsigned long long parse_count(const std::string& flag, const std::string& what, const char* text,
                                      unsigned long long max, unsigned long long min = 1) {
  unsigned long long v = 0;
  const std::string_view s(text);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < min || v > max)
    usage_error(flag + ": expected " + what + " between " + std::to_string(min) + " and " +
                std::to_string(max) + ", got '" + text + "'");
  return v;
}

inline int print_usage(std::ostream& os) {
  os << "usage: itc-model list [--ids]\n"
        "       itc-model info\n"
        "       itc-model run <id> [--strategy random|bound|full|pct] [--iterations N] [--max-seconds S]\n"
        "                          [--bound K] [--depth D] [--pct-steps K] [--spurious W] [--seed S]\n"
        "                          [--jobs J] [--replay STATE] [--quiet]\n"
        "       itc-model rate <id> --strategy pct [--depth D] [--iterations N] [--seed S] [--pct-steps K]\n"
        "       itc-model --version | --help\n";
  return 2;
}

/// `--help`: every command, option, default and the exit status.
inline void print_help(std::ostream& os) {
  os << "itc-model: the catalog's scenarios under the Relacy model checker, which explores the\n"
        "interleavings of their threads (and weak-memory outcomes) and reports the first that fails.\n\n";
  print_usage(os);
  os << "\n"
        "commands\n"
        "  list [--ids]        every scenario: its id, the verdict the catalog expects, its defect\n"
        "  info                which checker this is, its catalog and its source root (for itc-verify)\n"
        "  run <id>            search the scenario; print the verdict, and for a failure the\n"
        "                      interleaving (step, thread, source line: event) and a line that replays it\n"
        "  rate <id>           PCT only: the share of executions that fail, against PCT's bound\n"
        "\n"
        "options (run, rate)\n"
        "  --strategy S        random: uniformly random schedules, spurious wake-ups injected (default "
        "random)\n"
        "                      bound: every schedule with at most --bound preemptions, depth first\n"
        "                      full: every schedule; pct: probabilistic concurrency testing\n"
        "  --iterations N      executions (default 100000 for random and pct, 10000 for rate; bound and\n"
        "                      full: the whole tree); reaching it before the tree's end is `inconclusive`\n"
        "  --max-seconds S     stop after S seconds, verdict `inconclusive` (default 240; 1..86400)\n"
        "  --bound K           bound: preemptions per execution (default 2; 1..16)\n"
        "  --depth D           pct: bug depth, D-1 priority change points (default 3; 1..17)\n"
        "  --pct-steps K       pct: execution length in steps (default: measured)\n"
        "  --spurious W        spurious wake-ups per thread and condition variable (default 1; 0..8)\n"
        "  --seed S            random, pct: the generator's seed (default 0)\n"
        "  --jobs J            random, pct: J processes, each a disjoint share of the executions (default "
        "1)\n"
        "  --replay STATE      run only the execution a failing run printed after --replay\n"
        "  --quiet             no interleaving, only the verdict and the replay line\n"
        "\n"
        "A search that runs longer than 2 s prints a progress line on stderr every 5 s (executions so\n"
        "far, their rate, the strategy); stdout carries only the result.\n"
        "\n"
        "Exit status: 0 the verdict is the one the catalog expects from the model checker (rate: the\n"
        "measured rate meets PCT's bound); 1 it is not (an `inconclusive` search, stopped by a cap,\n"
        "never is); 2 bad usage (one line on stderr).\n";
}

/// A result through a pipe (--jobs): each field as "<length>\n<bytes>".
inline std::string serialize(const ModelResult& r) {
  std::string out;
  auto put = [&out](const std::string& v) { out += std::to_string(v.size()) + "\n" + v; };
  put(std::to_string(static_cast<int>(r.verdict)));
  put(std::to_string(r.executions));
  put(std::to_string(r.seconds));
  put(r.capped ? "1" : "0");
  put(r.cap_reason);
  put(std::to_string(r.explored_fraction));
  put(std::to_string(r.pct_steps));
  put(std::to_string(r.max_steps));
  put(r.detail);
  put(r.final_state);
  put(r.history);
  put(r.locks);
  return out;
}

inline bool deserialize(const std::string& in, ModelResult& r) {
  std::size_t at = 0;
  auto get = [&](std::string& v) {
    const std::size_t nl = in.find('\n', at);
    if (nl == std::string::npos) return false;
    const std::size_t n = std::stoull(in.substr(at, nl - at));
    if (nl + 1 + n > in.size()) return false;
    v = in.substr(nl + 1, n);
    at = nl + 1 + n;
    return true;
  };
  std::string f[12];
  for (auto& v : f)
    if (!get(v)) return false;
  r.verdict = static_cast<Verdict>(std::stoi(f[0]));
  r.executions = std::stoull(f[1]);
  r.seconds = std::stod(f[2]);
  r.capped = f[3] == "1";
  r.cap_reason = f[4];
  r.explored_fraction = std::stod(f[5]);
  r.pct_steps = std::stoull(f[6]);
  r.max_steps = std::stoull(f[7]);
  r.detail = f[8];
  r.final_state = f[9];
  r.history = f[10];
  r.locks = f[11];
  return true;
}

extern "C" inline void itc_model_stop_handler(int) {
  search_stop_requested() = 1;
}

/// --jobs J for the sampling strategies: J processes, each with a disjoint window of the
/// execution indices 1..N (execution i is a pure function of (seed, i), so the union is exactly
/// the search --jobs 1 runs). The first process to report a failure wins with its replay line;
/// the others are asked to stop (SIGTERM: their search ends at the next execution) and their
/// executions are added to the count.
inline ModelResult run_jobs(const ModelEntry& e, const ModelOptions& opt) {
  struct Child {
    pid_t pid = -1;
    int fd = -1;
    std::string data;
  };
  const unsigned long long total = opt.executions();
  const unsigned jobs = static_cast<unsigned>(std::min<unsigned long long>(opt.jobs, total));
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Child> children;
  std::cout.flush();
  for (unsigned j = 0; j < jobs; ++j) {
    const unsigned long long lo = 1 + total * j / jobs, hi = total * (j + 1) / jobs;
    int fds[2];
    if (::pipe(fds) != 0) usage_error("--jobs: pipe() failed");
    const pid_t pid = ::fork();
    if (pid < 0) usage_error("--jobs: fork() failed");
    if (pid == 0) {
      ::close(fds[0]);
      std::signal(SIGTERM, itc_model_stop_handler);
      if (search_progress().on())
        search_progress().label += ", job " + std::to_string(j + 1) + " of " + std::to_string(jobs);
      const std::string out = serialize(e.run_window(opt, lo, hi));
      std::size_t done = 0;
      while (done < out.size()) {
        const ssize_t n = ::write(fds[1], out.data() + done, out.size() - done);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
      }
      ::_exit(0);
    }
    ::close(fds[1]);
    children.push_back(Child{pid, fds[0], {}});
  }
  ModelResult merged;
  bool have_failure = false, any_capped = false;
  std::size_t open = children.size();
  while (open > 0) {
    std::vector<pollfd> polls;
    for (const Child& c : children)
      if (c.fd >= 0) polls.push_back(pollfd{c.fd, POLLIN, 0});
    if (::poll(polls.data(), polls.size(), -1) < 0) continue;
    for (const pollfd& p : polls) {
      if ((p.revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      Child& c =
          *std::find_if(children.begin(), children.end(), [&](const Child& x) { return x.fd == p.fd; });
      char buf[65536];
      const ssize_t n = ::read(c.fd, buf, sizeof buf);
      if (n > 0) {
        c.data.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      ::close(c.fd);
      c.fd = -1;
      --open;
      ModelResult r;
      if (!deserialize(c.data, r)) {
        r.verdict = Verdict::crash;
        r.detail = "a --jobs worker process died without a result";
      }
      merged.executions += r.executions;
      merged.max_steps = std::max(merged.max_steps, r.max_steps);
      if (r.verdict != Verdict::pass && r.verdict != Verdict::inconclusive && !have_failure) {
        have_failure = true;
        const unsigned long long executions = merged.executions;
        merged = r;
        merged.executions = executions;
        for (const Child& other : children)
          if (other.fd >= 0) ::kill(other.pid, SIGTERM);
      } else if (r.verdict == Verdict::inconclusive && !have_failure) {
        any_capped = true;
        merged.cap_reason = r.cap_reason;
        merged.pct_steps = r.pct_steps;
      } else if (!have_failure) {
        merged.pct_steps = std::max(merged.pct_steps, r.pct_steps);
      }
    }
  }
  for (const Child& c : children) ::waitpid(c.pid, nullptr, 0);
  merged.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!have_failure) {
    merged.verdict = any_capped ? Verdict::inconclusive : Verdict::pass;
    merged.capped = any_capped;
  }
  return merged;
}

/// `itc-model rate`: the share of PCT executions that fail, against the paper's bound. Every
/// execution counts (a failure does not end the measurement: the search resumes at the next
/// index). k is measured first over 100 executions (the longest seen), then fixed.
inline int rate_main(const ModelEntry& e, ModelOptions opt) {
  if (opt.strategy != Strategy::pct) usage_error("rate needs --strategy pct");
  const unsigned long long samples = opt.iterations != 0 ? opt.iterations : 10000;
  search_control_no_history() = true;
  auto count = [&](unsigned long long first, unsigned long long last, unsigned long long& max_steps) {
    unsigned long long failures = 0;
    while (first <= last) {
      const ModelResult r = e.run_window(opt, first, last);
      max_steps = std::max(max_steps, r.max_steps);
      if (r.verdict == Verdict::pass || r.verdict == Verdict::inconclusive) break;
      ++failures;
      first += r.executions;  // the failing execution was the last one run
    }
    return failures;
  };
  bool measured = false;
  if (opt.pct_steps == 0) {
    unsigned long long k = 0;
    count(1'000'000'001ULL, 1'000'000'100ULL, k);  // indices disjoint from the measurement
    opt.pct_steps = k;
    measured = true;
  }
  unsigned long long longest = 0;
  const unsigned long long failures = count(1, samples, longest);
  const double n = e.threads, k = static_cast<double>(opt.pct_steps), d = opt.depth;
  const double bound = 1.0 / (n * std::pow(k, d - 1));
  const double p = static_cast<double>(failures) / static_cast<double>(samples);
  // Wilson score interval, one-sided 99% (z = 2.326).
  const double z = 2.326, ns = static_cast<double>(samples);
  const double lower =
      (p + z * z / (2 * ns) - z * std::sqrt(p * (1 - p) / ns + z * z / (4 * ns * ns))) / (1 + z * z / ns);
  std::printf("scenario   %s\n", std::string(e.info.id).c_str());
  std::printf("strategy   pct (depth %u, k %llu steps%s), seed %llu\n", opt.depth, opt.pct_steps,
              measured ? " measured over 100 executions" : " given", opt.seed);
  std::printf("rate       %llu of %llu executions failed: %.5f (99%% lower confidence bound %.5f)\n",
              failures, samples, p, lower);
  std::printf("bound      1/(n*k^(d-1)) = 1/(%u*%llu^%u) = %.5f\n", e.threads, opt.pct_steps, opt.depth - 1,
              bound);
  std::printf("longest    %llu steps in the measured executions\n", longest);
  const bool meets = lower >= bound;
  std::printf("result     %s\n",
              meets ? "the measured rate meets the PCT bound" : "the measured rate is BELOW the PCT bound");
  return meets ? 0 : 1;
}

inline int model_main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return print_usage(std::cerr);
  if (std::find_if(args.begin(), args.end(),
                   [](const std::string& a) { return a == "-h" || a == "--help"; }) != args.end()) {
    print_help(std::cout);
    return 0;
  }
  if (args[0] == "--version") {
    print_version(stdout, "itc-model");
    return 0;
  }
  if (args[0] == "info") {
    print_checker_info(stdout, "model");
    return 0;
  }
  if (args[0] == "list") {
    const bool ids_only = args.size() > 1 && args[1] == "--ids";
    for (const auto& e : model_catalog()) {
      if (ids_only) {
        std::cout << e.info.id << "\n";
        continue;
      }
      const char* strategies = e.info.model.random_only ? " (random)" : e.info.model.deep ? " (deep)" : "";
      std::cout << e.info.id << "\t" << to_string(e.info.model.verdict) << strategies << "\t" << e.info.defect
                << "\n";
    }
    return 0;
  }
  if (args[0] != "run" && args[0] != "rate")
    usage_error("unknown command '" + args[0] + "' (list, info, run, rate)");
  if (args.size() < 2) usage_error(args[0] + " needs a scenario id (see: itc-model list)");
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
      else if (s == "pct")
        opt.strategy = Strategy::pct;
      else
        usage_error("unknown strategy '" + s + "' (random, bound, full, pct)");
    } else if (a == "--iterations") {
      opt.iterations = parse_count(a, "a whole number of executions", value(), kMaxIterations);
    } else if (a == "--max-seconds") {
      opt.max_seconds = static_cast<double>(parse_count(a, "a whole number of seconds", value(), 86400));
    } else if (a == "--bound") {
      opt.bound = static_cast<unsigned>(parse_count(a, "a whole number of preemptions", value(), 16));
    } else if (a == "--depth") {
      opt.depth =
          static_cast<unsigned>(parse_count(a, "a PCT depth", value(), PctScheduler<2>::kMaxDepth + 1));
    } else if (a == "--pct-steps") {
      opt.pct_steps = parse_count(a, "a whole number of steps", value(), 1'000'000);
    } else if (a == "--spurious") {
      opt.spurious = static_cast<unsigned>(parse_count(a, "a whole number of wake-ups", value(), 8, 0));
    } else if (a == "--jobs") {
      opt.jobs = static_cast<unsigned>(parse_count(a, "a whole number of processes", value(), 256));
    } else if (a == "--seed") {
      opt.seed = parse_count(a, "a whole number", value(), 1'000'000'000ULL, 0);
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
  if (opt.jobs > 1 && !opt.sampling()) usage_error("--jobs needs --strategy random or pct");
  if (args[0] == "rate") return rate_main(*entry, opt);
  if (opt.replay.empty()) {
    std::string what = std::string(entry->info.id) + ", ";
    if (opt.strategy == Strategy::random) what += "random search (seed " + std::to_string(opt.seed) + ")";
    if (opt.strategy == Strategy::bound) what += "bounded search (bound " + std::to_string(opt.bound) + ")";
    if (opt.strategy == Strategy::full) what += "full search";
    if (opt.strategy == Strategy::pct)
      what += "PCT (depth " + std::to_string(opt.depth) + ", seed " + std::to_string(opt.seed) + ")";
    search_progress().label = what;
  }

  const ModelResult r = opt.jobs > 1 && opt.replay.empty() ? run_jobs(*entry, opt) : entry->run(opt);
  Verdict expected = entry->info.model.verdict == Verdict::none ? Verdict::pass : entry->info.model.verdict;
  // A row marked random_only needs what only sampling strategies explore: there bounded and
  // full search are expected to pass.
  const bool blind_strategy = entry->info.model.random_only && !opt.sampling();
  if (blind_strategy) expected = Verdict::pass;
  // A deep row is PCT's to find: bounded and random search may find it, pass, or reach a cap.
  const bool outrun_strategy = entry->info.model.deep && opt.strategy != Strategy::pct;
  const bool match = blind_strategy    ? r.verdict == expected
                     : outrun_strategy ? entry->info.model.accepts(r.verdict) || r.verdict == Verdict::pass ||
                                             r.verdict == Verdict::inconclusive
                                       : entry->info.model.accepts(r.verdict);
  std::cout << "scenario   " << entry->info.id << "\n"
            << "strategy   " << strategy_name(opt.strategy);
  if (opt.strategy == Strategy::bound) std::cout << " (context bound " << opt.bound << ")";
  if (opt.strategy == Strategy::pct)
    std::cout << " (depth " << opt.depth << ", k "
              << (r.pct_steps == 0 ? std::string("not measured yet: the first execution has no change point")
                                   : std::to_string(r.pct_steps) + " steps" +
                                         (opt.pct_steps == 0 && opt.replay.empty() ? " measured" : ""))
              << ")";
  if (!opt.replay.empty())
    std::cout << ", replaying one execution";
  else if (opt.sampling())
    std::cout << ", seed " << opt.seed;
  if (opt.jobs > 1 && opt.replay.empty()) std::cout << ", " << opt.jobs << " jobs";
  std::cout << "\nverdict    " << to_string(r.verdict)
            << (match ? "  (as expected)" : "  (EXPECTED " + std::string(to_string(expected)) + ")") << "\n";
  if (blind_strategy)
    std::cout << "note       only the sampling strategies (random, pct) are expected to find this one\n";
  if (outrun_strategy && (r.verdict == Verdict::pass || r.verdict == Verdict::inconclusive))
    std::cout << "note       a deep row: only PCT is expected to find it (--strategy pct)\n";
  if (r.verdict == Verdict::inconclusive) {
    std::printf("detail     inconclusive after %llu executions: the %s cap was reached", r.executions,
                r.cap_reason == "seconds" ? "time" : "execution");
    if (r.cap_reason == "seconds")
      std::printf(" (%.0f s)", opt.seconds());
    else
      std::printf(" (%llu)", opt.executions());
    if (r.explored_fraction >= 0)
      std::printf("; about %.1f%% of the search tree explored", 100 * r.explored_fraction);
    else if (opt.sampling())
      std::printf(" before the %llu executions asked for", opt.executions());
    std::printf("; no failure so far\n");
  } else if (!r.detail.empty()) {
    std::cout << "detail     " << r.detail << "\n";
  }
  std::printf("executions %llu in %.3f s (%.0f/s)\n", r.executions, r.seconds,
              r.seconds > 0 ? static_cast<double>(r.executions) / r.seconds : 0.0);
  if (r.verdict != Verdict::pass && r.verdict != Verdict::inconclusive && !r.final_state.empty()) {
    std::cout << r.locks;
    if (!opt.quiet)
      std::cout << "trace (step, thread, source line: event)\n" << format_trace(r.history, entry->threads);
    std::cout << "replay     " << replay_command(*entry, opt, r.final_state) << "\n";
  }
  std::cout.flush();
  return match ? 0 : 1;
}

}  // namespace itc::models
