// The litmus harness on its own (stress/src/litmus_runner.hpp, itc/models/litmus.hpp): grading
// of declared, wildcard and undeclared outcomes, the budget's stop rules, the first forbidden
// outcome's run and trial, the table, and a `hang` for an actor that waits for another.
#include "litmus_runner.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "itc/platform/std_platform.hpp"

namespace {

using itc::StdPlatform;
using itc::models::Atomic;
using itc::models::Grade;
using itc::models::LitmusOutcome;
using itc::models::LitmusResult;
using itc::models::Verdict;
using itc::stress::LitmusBudget;
using itc::stress::LitmusRun;

int failures = 0;
void expect(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "FAIL: %s\n", what.c_str());
    ++failures;
  }
}

/// Every trial has the same outcome "1, 2", graded by Outcomes.
template <const auto& Outcomes>
struct Constant {
  struct State {
    int r1 = 0, r2 = 0;
  };
  static void actor1(State& s) { s.r1 = 1; }
  static void actor2(State& s) { s.r2 = 2; }
  static constexpr std::array actors{&actor1, &actor2};
  static LitmusResult arbiter(const State& s) { return {s.r1, s.r2}; }
  static constexpr const auto& outcomes = Outcomes;
  static constexpr std::size_t litmus_batch = 100;
};

constexpr std::array kForbidden{LitmusOutcome{"1,2", Grade::forbidden, "always"},
                                LitmusOutcome{"0, 0", Grade::acceptable, "never seen"}};
constexpr std::array kUndeclared{LitmusOutcome{"0, 0", Grade::acceptable, "never seen"}};
constexpr std::array kWildcard{LitmusOutcome{"0, 0", Grade::forbidden, "never seen"},
                               LitmusOutcome{"*", Grade::acceptable, "anything else"}};
constexpr std::array kInteresting{LitmusOutcome{"1, 2", Grade::interesting, "worth a look"}};

/// Actor 2 waits for a value nobody stores: the batch never ends.
struct Waits {
  struct State {
    Atomic<StdPlatform, int> x{0};
    int r = 0;
  };
  static void actor1(State& s) { s.x.store(1, std::memory_order::relaxed); }
  static void actor2(State& s) {
    while (s.x.load(std::memory_order::relaxed) != 2) itc::detail::cpu_relax();
    s.r = 1;
  }
  static constexpr std::array actors{&actor1, &actor2};
  static LitmusResult arbiter(const State& s) { return {s.r}; }
  static constexpr std::array outcomes{LitmusOutcome{"*", Grade::acceptable, "-"}};
};

LitmusBudget quick(std::uint64_t min_batches, std::uint64_t max_batches) {
  LitmusBudget b;
  b.min_batches = min_batches;
  b.max_batches = max_batches;
  b.seconds = 0.001;
  b.cap = 60;
  return b;
}

const itc::stress::LitmusRow* row(const LitmusRun& run, const std::string& id) {
  for (const auto& r : run.rows)
    if (r.id == id) return &r;
  return nullptr;
}

}  // namespace

int main() {
  using itc::models::grade_outcome;
  using itc::models::same_outcome_id;
  static_assert(same_outcome_id("0, 1", "0,1") && same_outcome_id(" 0 ,1", "0, 1") &&
                !same_outcome_id("0, 1", "0, 10"));
  expect(grade_outcome(kForbidden, LitmusResult{1, 2}).grade == Grade::forbidden, "declared forbidden");
  expect(grade_outcome(kUndeclared, LitmusResult{1, 2}).declared == nullptr &&
             grade_outcome(kUndeclared, LitmusResult{1, 2}).grade == Grade::forbidden,
         "an undeclared outcome is forbidden");
  expect(grade_outcome(kWildcard, LitmusResult{1, 2}).grade == Grade::acceptable,
         "the wildcard grades the rest");
  expect(grade_outcome(kWildcard, LitmusResult{0, 0}).grade == Grade::forbidden,
         "a listed id beats the wildcard");
  expect(LitmusResult{-1, 20, 3}.str() == "-1, 20, 3", "outcome text");

  {  // A forbidden outcome on the first trial: assertion in run 0, trial 1, and the table says so.
    const LitmusRun run = itc::stress::run_litmus<Constant<kForbidden>>(quick(1000, 1000));
    expect(run.verdict == Verdict::assertion, "forbidden: assertion");
    expect(run.batches == 1 && run.trials == 100,
           "forbidden: stops after the first batch, got " + std::to_string(run.batches) + " batches");
    expect(
        run.first_forbidden == "1, 2" && run.first_forbidden_batch == 0 && run.first_forbidden_trial <= 100,
        "forbidden: named with its run and trial");
    const auto* r = row(run, "1,2");
    expect(r != nullptr && r->count == 100 && r->grade == Grade::forbidden,
           "forbidden: counted under its id");
    const auto* unseen = row(run, "0, 0");
    expect(unseen != nullptr && unseen->count == 0, "a declared outcome never seen is shown with 0");
    const std::string table = itc::stress::format_litmus(run);
    expect(table.find("FORBIDDEN") != std::string::npos &&
               table.find("forbidden outcome 1, 2 observed: first in run 0") != std::string::npos,
           "forbidden: the table names it: " + table);
  }
  {  // Undeclared: forbidden, with the reason.
    const LitmusRun run = itc::stress::run_litmus<Constant<kUndeclared>>(quick(1000, 1000));
    const auto* r = row(run, "1, 2");
    expect(run.verdict == Verdict::assertion && r != nullptr &&
               r->description == std::string(itc::models::kUndeclaredOutcome),
           "undeclared: forbidden and explained");
  }
  {  // Accepted by the wildcard: the whole budget runs, exactly max_batches.
    const LitmusRun run = itc::stress::run_litmus<Constant<kWildcard>>(quick(1000, 7));
    expect(run.verdict == Verdict::pass, "wildcard: pass");
    expect(run.batches == 7 && run.trials == 700,
           "--iterations caps batches, got " + std::to_string(run.batches));
    const auto* r = row(run, "1, 2");
    expect(r != nullptr && r->count == 700 && r->description == "anything else", "wildcard row");
  }
  {  // At least min_batches, even when the seconds are over.
    const LitmusRun run = itc::stress::run_litmus<Constant<kWildcard>>(quick(50, 100'000));
    expect(run.verdict == Verdict::pass && run.batches >= 50,
           "--min-runs is kept, got " + std::to_string(run.batches));
  }
  {  // INTERESTING: reported, passes.
    const LitmusRun run = itc::stress::run_litmus<Constant<kInteresting>>(quick(3, 3));
    const std::string table = itc::stress::format_litmus(run);
    expect(run.verdict == Verdict::pass &&
               table.find("interesting outcome 1, 2 observed 300 times") != std::string::npos,
           "interesting: pass, reported: " + table);
  }
  {  // An actor that waits for another: hang, within the deadline.
    LitmusBudget b = quick(1, 10);
    b.hang_seconds = 0.5;
    const auto t0 = std::chrono::steady_clock::now();
    const LitmusRun run = itc::stress::run_litmus<Waits>(b);
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    expect(run.verdict == Verdict::hang && took < 5,
           "waiting actor: hang after " + std::to_string(took) + " s");
    expect(itc::stress::format_litmus(run).find("an actor waits for another") != std::string::npos,
           "waiting actor: explained");
  }
  std::printf("%s\n", failures == 0 ? "ok: litmus runner" : "litmus runner: failures");
  std::fflush(stdout);
  std::_Exit(failures == 0 ? 0 : 1);  // the waiting actor's threads never end
}
