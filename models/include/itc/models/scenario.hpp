// itc/models/scenario.hpp — a scenario, written once, run by every checker.
//
// A scenario is a class template over the platform with:
//
//   static constexpr ScenarioInfo info;   id ("queue/missing_task_done"), tutorial origin,
//                                         defect, fix, source file, expected verdict per checker
//   static constexpr unsigned threads;    how many threads run thread(i)
//   void thread(unsigned i);              the body of thread i (0 .. threads-1)
//   void check();                         the invariant, checked once every thread has finished
//
// and members for its shared state (itc primitives over P, P::Var for plain data, P::Atomic).
// The Relacy adapter (model_runner) turns it into an rl::test_suite; the stress runner runs the
// same body on real threads. Inside a scenario:
//
//   scenario_assert<P>(cond, "what must hold")   the scenario's invariant failed -> `assertion`
//   an itc::Error escaping thread(i)             misuse caught by the library   -> `error`
//
// Sizes can differ per checker: `P::is_model_checker` is true under Relacy, where a state space
// must stay small, and false on real threads, where a race window must be hit often.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "itc/broken/invariant.hpp"
#include "itc/platform/source_location.hpp"

namespace itc::models {

/// The verdict vocabulary shared by every checker (DESIGN.md "Verdicts").
enum class Verdict : std::uint8_t {
  pass,
  data_race,
  deadlock,
  hang,
  livelock,
  assertion,
  error,
  lock_order_inversion,
  crash,
  timeout,
  none,          // "—": this checker is not expected to see the defect (it should pass)
  inconclusive,  // model: the search reached a cap (executions or seconds) before it ended
};

constexpr std::string_view to_string(Verdict v) {
  constexpr std::array<std::string_view, 12> names = {
      "pass",     "data_race", "deadlock", "hang",
      "livelock", "assertion", "error",    "lock_order_inversion",
      "crash",    "timeout",   "—",        "inconclusive"};
  return names[static_cast<std::size_t>(v)];
}

/// What one checker must report for a scenario.
struct Expectation {
  Verdict verdict = Verdict::pass;
  bool probabilistic = false;  // "(p)": must be found in >= 95 of 100 runs within the budget
  // Also accepted ("assertion or crash"). Verdict::pass means there is no alternative;
  // Verdict::none means "or nothing seen" (the checker may also pass).
  Verdict alternative = Verdict::pass;
  // Model only: the defect needs a spurious wake-up, which Relacy injects under its random
  // scheduler and never under bounded or full search; those must then pass.
  bool random_only = false;
  Verdict alternative2 = Verdict::pass;  // a second accepted outcome, same rules

  [[nodiscard]] constexpr bool accepts(Verdict v) const {
    const Verdict expected = verdict == Verdict::none ? Verdict::pass : verdict;
    if (v == expected) return true;
    if (alternative == Verdict::none) return v == Verdict::pass;
    return (alternative != Verdict::pass && v == alternative) ||
           (alternative2 != Verdict::pass && v == alternative2);
  }
};

struct ScenarioInfo {
  std::string_view id;      // "<family>/<variant>"; the correct form is "<family>/correct"
  std::string_view origin;  // the tutorial section it comes from
  std::string_view defect;  // one line; "—" for a correct form
  std::string_view fix;     // one line; "—" for a correct form
  std::string_view source;  // the file that holds the defect (scenario or broken primitive)
  Expectation model;
  Expectation stress;
  Expectation tsan;
};

/// A failed invariant: see itc/broken/invariant.hpp (P::fail under a model checker, an
/// InvariantViolated exception on real threads).
template <class P>
void scenario_assert(bool cond, const char* what, SourceLocation loc = SourceLocation::current()) {
  check_invariant<P>(cond, what, loc);
}

/// A source path as reports show it: from the repository folder on ("primitives/include/itc/
/// queue.hpp"), or the bare file name for files outside it (Relacy's own headers). Every
/// checker's trace and report uses this one spelling, so tools can match locations.
inline std::string repo_relative_path(std::string_view path) {
  for (std::string_view root : {"primitives/", "models/", "stress/", "examples/", "verify/"})
    if (const auto at = path.rfind(root); at != std::string_view::npos) return std::string(path.substr(at));
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

/// A scheduling point for poll loops: the model checker must be able to switch threads there.
template <class P>
void scenario_yield(SourceLocation loc = SourceLocation::current()) {
  if constexpr (requires { P::yield(loc); }) P::yield(loc);
}

}  // namespace itc::models
