// itc/models/litmus.hpp — litmus tests: a few actors over one state, graded by their outcomes.
//
// A litmus test asks what the memory model lets a handful of loads and stores observe — the
// question jcstress answers for Java. It is written as a test class template over the platform
// with:
//
//   static constexpr ScenarioInfo info;       id, origin, defect, fix, expected verdict per checker
//   struct State { ... };                     what the actors share: Atomic<P, T> members (with
//                                             their initial values) and plain result fields
//   static void actor1(State&), actor2(State&), ...   2–4 actors, each run by its own thread
//   static constexpr std::array actors{&actor1, &actor2};
//   static LitmusResult arbiter(const State&);         the outcome, once every actor has run
//   static constexpr std::array outcomes{LitmusOutcome{"0, 0", Grade::forbidden, "why"}, ...};
//
// and becomes a catalog row through Litmus<P, Test>, an ordinary scenario (threads, thread(i),
// check(), info), so every checker runs it:
//
//   template <class P> using StoreBuffering = Litmus<P, StoreBufferingTest<P>>;
//   ITC_SCENARIOS(X): X(StoreBuffering)
//
//   - the model checker (itc-model): one execution is one trial — the actors on one fresh
//     State, every interleaving and every value Relacy's memory model lets a load return; the
//     arbiter's outcome is graded in check(), and a FORBIDDEN one is `assertion`;
//   - the stress runner (itc-stress, stress/src/litmus.hpp): the actors run in persistent threads
//     over arrays of fresh States, millions of trials per second, and the run prints the
//     jcstress-style histogram (outcome, count, frequency, grade, description); any FORBIDDEN
//     outcome observed is `assertion`, named in the output. INTERESTING outcomes are reported
//     and pass;
//   - the tsan checker: the same stress runner built with -fsanitize=thread.
//
// Outcomes. The arbiter returns up to four integers, shown as jcstress does: "0, 1". Each entry
// of `outcomes` names one by that text (spaces do not matter), or "*" for every outcome not
// listed. An outcome that matches no entry is FORBIDDEN, as in jcstress: a test must say what it
// expects. Grades:
//   Grade::acceptable   allowed by the memory model and unremarkable;
//   Grade::interesting  allowed, but worth showing (a reordering the model permits);
//   Grade::forbidden    the memory model does not allow it: seeing it is the defect.
//
// Contract for actors: each runs straight through — no waiting for another actor (a spin on a
// flag another actor sets never ends when that actor ran first on this State, and the stress
// runner reports the batch as `hang`). Actors write their results into plain fields of the State
// that no other actor touches; the arbiter reads them (and may read the atomics) after every
// actor has finished with that State. State must be default-constructible: a default-constructed
// State is the fresh state of one trial.
//
// Optional members: `static constexpr std::size_t litmus_batch` (States per batch on real threads,
// default kLitmusDefaultBatch) and `static constexpr bool litmus_padded` (each State on its own
// cache line, default true); the stress budget members of stress_check.hpp (stress_min_runs,
// stress_seconds, stress_max_runs) count batches as runs.
#pragma once

#include <array>
#include <atomic>  // std::memory_order, which every litmus test names
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>

#include "itc/models/scenario.hpp"

namespace itc::models {

/// How an outcome of a litmus test is graded (jcstress's Expect).
enum class Grade : std::uint8_t { acceptable, forbidden, interesting };

constexpr std::string_view to_string(Grade g) {
  switch (g) {
    case Grade::acceptable:
      return "ACCEPTABLE";
    case Grade::forbidden:
      return "FORBIDDEN";
    default:
      return "INTERESTING";
  }
}

/// What one trial observed: up to four integers (jcstress's II_Result, III_Result, ...).
struct LitmusResult {
  static constexpr unsigned kMax = 4;
  std::array<std::int64_t, kMax> r{};
  unsigned size = 0;

  constexpr LitmusResult() = default;
  constexpr LitmusResult(std::initializer_list<std::int64_t> values) {
    for (std::int64_t v : values)
      if (size < kMax) r[size++] = v;
  }
  friend constexpr bool operator==(const LitmusResult& a, const LitmusResult& b) {
    if (a.size != b.size) return false;
    for (unsigned i = 0; i < a.size; ++i)
      if (a.r[i] != b.r[i]) return false;
    return true;
  }
  /// "0, 1": the id an outcome declaration names it by.
  void format(char* out, std::size_t n) const {
    std::size_t used = 0;
    if (n > 0) out[0] = '\0';
    for (unsigned i = 0; i < size && used < n; ++i) {
      const int w =
          std::snprintf(out + used, n - used, i == 0 ? "%lld" : ", %lld", static_cast<long long>(r[i]));
      if (w < 0) break;
      used += static_cast<std::size_t>(w);
    }
  }
  [[nodiscard]] std::string str() const {
    char text[96];
    format(text, sizeof text);
    return text;
  }
};

/// One declared outcome (jcstress's @Outcome): its id ("0, 1", or "*" for any other), its
/// grade and what it means.
struct LitmusOutcome {
  std::string_view id;
  Grade grade = Grade::acceptable;
  std::string_view description;
};

/// Two ids are the same outcome if they differ only in spaces ("0,1" == "0, 1").
constexpr bool same_outcome_id(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  for (;;) {
    while (i < a.size() && a[i] == ' ') ++i;
    while (j < b.size() && b[j] == ' ') ++j;
    if (i == a.size() || j == b.size()) return i == a.size() && j == b.size();
    if (a[i++] != b[j++]) return false;
  }
}

/// How an observed outcome is graded by the declarations, and by which one (nullptr: none
/// matched, so it is FORBIDDEN).
struct GradedOutcome {
  Grade grade = Grade::forbidden;
  const LitmusOutcome* declared = nullptr;
};

template <class Outcomes>
GradedOutcome grade_outcome(const Outcomes& outcomes, const LitmusResult& result) {
  char text[96];
  result.format(text, sizeof text);
  const LitmusOutcome* any = nullptr;
  for (const LitmusOutcome& o : outcomes) {
    if (o.id == "*") {
      if (any == nullptr) any = &o;
    } else if (same_outcome_id(o.id, text)) {
      return {o.grade, &o};
    }
  }
  if (any != nullptr) return {any->grade, any};
  return {Grade::forbidden, nullptr};
}

inline constexpr std::string_view kUndeclaredOutcome =
    "not declared by the test (an outcome nobody expected is forbidden, as in jcstress)";

/// What the stress runner uses when the test does not say (`litmus_batch`, `litmus_padded`).
inline constexpr std::size_t kLitmusDefaultBatch = 1000;

/// Detects a litmus test class (the Test of Litmus<P, Test>).
template <class T>
concept LitmusTest = requires(typename T::State& s, const typename T::State& cs) {
  T::actors.size();
  T::actors[0](s);
  { T::arbiter(cs) } -> std::convertible_to<LitmusResult>;
  T::outcomes.size();
};

/// A litmus test as a catalog scenario: `threads` actors over one State, graded in check().
/// This is what the model checker runs (one execution = one trial); the stress runner finds the
/// test through `litmus_test` and runs it its own way (stress/src/litmus.hpp).
template <class P, LitmusTest Test>
struct Litmus {
  using litmus_test = Test;
  static constexpr ScenarioInfo info = Test::info;
  static constexpr unsigned threads = static_cast<unsigned>(Test::actors.size());
  static_assert(threads >= 1 && threads <= 8, "a litmus test has 1 to 8 actors (jcstress: 2-4)");

  typename Test::State state;

  void thread(unsigned i) { Test::actors[i](state); }
  void check() {
    const LitmusResult result = Test::arbiter(state);
    const GradedOutcome g = grade_outcome(Test::outcomes, result);
    if (g.grade != Grade::forbidden) return;
    // A fixed buffer: check() runs inside a model execution, whose allocations are the model's.
    static char message[256];
    char id[96];
    result.format(id, sizeof id);
    const std::string_view why = g.declared != nullptr ? g.declared->description : kUndeclaredOutcome;
    std::snprintf(message, sizeof message, "forbidden outcome %s observed: %.*s", id,
                  static_cast<int>(why.size()), why.data());
    scenario_assert<P>(false, message);
  }
};

/// A scenario that is a litmus test (the runners' dispatch).
template <class S>
concept LitmusScenario = requires {
  typename S::litmus_test;
};

}  // namespace itc::models
