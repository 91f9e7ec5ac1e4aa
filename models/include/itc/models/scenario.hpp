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
//
// This format is a public API (examples/own_scenario uses it from outside the repository). Two
// spellings of the same thing compile, positional and named:
//
//   static constexpr ScenarioInfo info{"mybuffer/peeking_try_take", "our first buffer",
//       "try_take() reads the deque unlocked", "read under the lock", "mylib/buffer.hpp",
//       {Verdict::data_race}, {Verdict::none}, {Verdict::data_race}};
//
//   static constexpr ScenarioInfo info{.id = "mybuffer/peeking_try_take", .origin = "...",
//       .defect = "...", .fix = "...",                  // .source: this file, by default
//       .model = expect(Verdict::data_race), .stress = expect(Verdict::none),
//       .tsan = expect(Verdict::assertion).or_also(Verdict::crash).probabilistically()};
//
// A correct form, which every checker must pass, can say just that:
//
//   static constexpr ScenarioInfo info = correct_form("mybuffer/correct", "our first buffer");
//
// check() may be left out (nothing to check at the end). Var<P, T>, Atomic<P, T> and
// VarArray<P, T, N> name the platform's types without `typename P::template`; Lockstep
// (itc/models/lockstep.hpp) makes two real threads meet at a race window.
//
// What one Var is to the model checker: one memory location. Every read() or write() of a
// Var<P, T> is an access to the whole T, whatever part of it the code then touches: two threads
// writing different elements of a Var<P, std::array<int, 2>> without synchronisation are
// reported as a data race. Use one Var per independently synchronised datum, e.g.
// VarArray<P, int, 2> (two locations). Atomics are per object too.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "itc/models/paths.hpp"
#include "itc/platform/invariant.hpp"
#include "itc/platform/source_location.hpp"

namespace itc::models {

/// The verdict vocabulary shared by every checker.
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
  // Model only: the defect needs a schedule so unlikely (a deep bug, models/scenarios/deep.hpp)
  // that only PCT is expected to find it within the budget; bounded and random search may
  // report it, pass, or stop at their cap (`inconclusive`).
  bool deep = false;

  [[nodiscard]] constexpr bool accepts(Verdict v) const {
    const Verdict expected = verdict == Verdict::none ? Verdict::pass : verdict;
    if (v == expected) return true;
    if (alternative == Verdict::none) return v == Verdict::pass;
    return (alternative != Verdict::pass && v == alternative) ||
           (alternative2 != Verdict::pass && v == alternative2);
  }

  // Named forms, for reading without counting positions: expect(Verdict::assertion)
  // .or_also(Verdict::crash).probabilistically(). Each returns a modified copy.
  /// Also accept `v` (up to two alternatives; Verdict::none: "or nothing seen").
  [[nodiscard]] constexpr Expectation or_also(Verdict v) const {
    Expectation e = *this;
    (e.alternative == Verdict::pass ? e.alternative : e.alternative2) = v;
    return e;
  }
  /// "(p)": a real-thread checker must find it in >= 95 of 100 runs within its budget.
  [[nodiscard]] constexpr Expectation probabilistically() const {
    Expectation e = *this;
    e.probabilistic = true;
    return e;
  }
  /// Model only: found only by the random strategy (it needs a spurious wake-up).
  [[nodiscard]] constexpr Expectation random_strategy_only() const {
    Expectation e = *this;
    e.random_only = true;
    return e;
  }
  /// Model only: only PCT is expected to find it; bounded and random search may also pass.
  [[nodiscard]] constexpr Expectation deep_search() const {
    Expectation e = *this;
    e.deep = true;
    return e;
  }
};

/// The expectation "this checker reports `v`" (Verdict::none: it is not expected to see it).
constexpr Expectation expect(Verdict v) {
  return Expectation{v};
}

struct ScenarioInfo {
  std::string_view id;      // "<family>/<variant>"; the correct form is "<family>/correct"
  std::string_view origin;  // the tutorial section it comes from
  std::string_view defect;  // one line; "—" for a correct form
  std::string_view fix;     // one line; "—" for a correct form
  // The file that holds the defect (scenario, class under test or broken primitive), relative
  // to the catalog's source root; by default the file in which this info is written (shown
  // relative to the root by the checkers, see display_path).
  std::string_view source = __builtin_FILE();
  Expectation model;
  Expectation stress;
  Expectation tsan;
};

/// The info of a correct form (a twin of a broken row, a self-check): no defect, and every
/// checker must report `pass`. `source` defaults to the file the call is written in, as
/// ScenarioInfo's does.
constexpr ScenarioInfo correct_form(std::string_view id, std::string_view origin,
                                    std::string_view source = __builtin_FILE()) {
  return {.id = id,
          .origin = origin,
          .defect = "—",
          .fix = "—",
          .source = source,
          .model = expect(Verdict::pass),
          .stress = expect(Verdict::pass),
          .tsan = expect(Verdict::pass)};
}

/// The platform's plain shared data and atomics, without `typename P::template`.
template <class P, class T>
using Var = typename P::template Var<T>;
template <class P, class T>
using Atomic = typename P::template Atomic<T>;
/// N separate locations (one Var each), so that threads owning different elements do not race
/// in the model checker's eyes. Elements are default-initialised: write one before reading it.
template <class P, class T, std::size_t N>
using VarArray = std::array<Var<P, T>, N>;

/// Runs the scenario's final check(), if it has one (a scenario may leave it out).
template <class S>
void scenario_check(S& scenario) {
  if constexpr (requires { scenario.check(); }) scenario.check();
}

/// A failed invariant: see itc/platform/invariant.hpp (P::fail under a model checker, an
/// InvariantViolated exception on real threads).
template <class P>
void scenario_assert(bool cond, const char* what, SourceLocation loc = SourceLocation::current()) {
  check_invariant<P>(cond, what, loc);
}

/// The former name of display_path() (itc/models/paths.hpp): a source path relative to the
/// catalog's source root or itc's own root, as every checker's trace and report shows it.
inline std::string repo_relative_path(std::string_view path) {
  return display_path(path);
}

/// A scheduling point for poll loops: the model checker must be able to switch threads there.
template <class P>
void scenario_yield(SourceLocation loc = SourceLocation::current()) {
  if constexpr (requires { P::yield(loc); }) P::yield(loc);
}

}  // namespace itc::models
