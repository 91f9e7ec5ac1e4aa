// stress/src/litmus_runner.hpp — the stress runner's litmus mode: jcstress's harness for a
// Litmus<P, Test> row (the format: itc/models/litmus.hpp).
//
// A litmus race window is a few nanoseconds wide: a store still in the store buffer when the
// next load reads. Starting threads per trial (what the runner does for other scenarios: tens
// of microseconds each) almost never lands two actors inside it; ~2,000 such runs of store
// buffering never showed the forbidden outcome on x86. So, as jcstress does:
//
//   - one persistent thread per actor, started once per check and pinned to its own CPU (actor
//     k to the k-th CPU the process may use, modulo their number). Pinning is what makes a
//     loaded machine work: unpinned, the scheduler often kept both actors on one CPU for
//     seconds, and half of all 5 s checks of store buffering saw nothing (measured at load 7 on
//     2 cores); pinned, every check found it within 60 ms;
//   - a batch is an array of `batch` fresh States (default 1,000, each on its own cache line
//     unless the test says `litmus_padded = false`). At a cheap barrier (spin, then sleep) the
//     last thread to arrive sets a common start time 2 µs ahead (kStartLead), every actor thread
//     spins until then and runs its actor over the whole array in a tight loop, so the threads
//     sweep the same States at about the same moment, millions of trials a second;
//   - then, at a second barrier, each thread grades a slice of the array (the arbiter's outcome
//     into a per-thread histogram) and constructs those States afresh for the next batch.
//
// Budget: one batch is one *run* of the runner's budget (stress_check.hpp, RunBudget): a check
// runs at least --min-runs batches and --budget seconds, at most --iterations batches and --cap
// seconds, and stops after the first batch in which a FORBIDDEN outcome was observed — the
// verdict `assertion`, with the histogram of everything counted so far as the evidence and the
// outcome named. INTERESTING outcomes are shown and pass. With the defaults (100 runs, 2 s) a
// check is 2 s of trials: tens of millions on the 2-core machine, far fewer under
// ThreadSanitizer, whose instrumented atomics cost tens of nanoseconds each.
//
// Actors run on StdPlatform — no chaos hooks and no seed: what is measured is the hardware and
// the code the compiler generated, as in production (--seed and --chaos do not apply). A batch
// that does not finish within max(10 x --stall-ms, 10 s) is a `hang`: an actor waited for
// another, which litmus actors must not do.
#pragma once

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "itc/detail/spin.hpp"
#include "itc/models/litmus.hpp"
#include "itc/platform/std_platform.hpp"

namespace itc::stress {

/// The effort of one litmus check, in the runner's terms (a run is a batch).
struct LitmusBudget {
  std::uint64_t min_batches = 100;
  std::uint64_t max_batches = 100'000;
  double seconds = 2.0;
  double cap = 120.0;
  double hang_seconds = 10.0;  // a batch not finished after this long: `hang`
};

/// One line of the histogram.
struct LitmusRow {
  std::string id;  // "0, 1"
  std::uint64_t count = 0;
  models::Grade grade = models::Grade::forbidden;
  std::string description;
};

/// What one litmus check measured.
struct LitmusRun {
  models::Verdict verdict = models::Verdict::pass;  // assertion: a FORBIDDEN outcome; hang
  std::uint64_t batches = 0;
  std::uint64_t trials = 0;
  std::size_t batch = 0;
  bool padded = true;
  unsigned actors = 0;
  double seconds = 0;                       // the whole check
  double first_forbidden_seconds = -1;      // since the start, when the first one was counted
  std::uint64_t first_forbidden_batch = 0;  // the run (batch) it was seen in, from 0
  std::uint64_t first_forbidden_trial = 0;  // and the trial, from 1
  std::string first_forbidden;              // its id
  std::vector<LitmusRow> rows;              // every declared outcome and every observed one, by id
  std::string hang_detail;
  std::vector<int> cpus;  // the CPU each actor thread was pinned to (-1: not pinned)
};

/// A barrier for the actor threads: the last to arrive runs `completion`, then releases the
/// others. Waiters spin first (a batch takes tens to hundreds of microseconds; a futex wake-up
/// costs 20-35 µs here, itc/detail/spin.hpp), then sleep on the generation word, so that more
/// actors than CPUs still make progress. Harness synchronisation, race-free for TSan: the
/// arrivals are a release sequence the last arriver acquires; the generation is released to
/// the waiters.
class LitmusBarrier {
 public:
  explicit LitmusBarrier(unsigned n) : n_(n) {}

  template <class Completion>
  void arrive_and_wait(Completion&& completion) {
    const std::uint32_t gen = generation_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == n_) {
      completion();
      arrived_.store(0, std::memory_order_relaxed);
      // seq_cst with the sleepers' count below: Dekker's handshake (a store, then a load of the
      // other's flag) — the store-buffering outcome this runner looks for must not lose a wake-up.
      generation_.fetch_add(1, std::memory_order_seq_cst);
      if (sleepers_.load(std::memory_order_seq_cst) != 0) generation_.notify_all();
      return;
    }
    for (unsigned spin = 0; spin < kSpins; ++spin) {
      if (generation_.load(std::memory_order_acquire) != gen) return;
      detail::cpu_relax();
    }
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    while (generation_.load(std::memory_order_seq_cst) == gen)
      generation_.wait(gen, std::memory_order_acquire);
    sleepers_.fetch_sub(1, std::memory_order_relaxed);
  }

 private:
  static constexpr unsigned kSpins = 1u << 13;  // ~0.1-0.3 ms of `pause`
  const unsigned n_;
  std::atomic<unsigned> arrived_{0};
  std::atomic<std::uint32_t> generation_{0};
  std::atomic<unsigned> sleepers_{0};
};

template <class Test>
constexpr std::size_t litmus_batch() {
  if constexpr (requires { Test::litmus_batch; }) {
    static_assert(Test::litmus_batch >= 1, "litmus_batch: at least one State per batch");
    return Test::litmus_batch;
  } else {
    return models::kLitmusDefaultBatch;
  }
}

template <class Test>
constexpr bool litmus_padded() {
  if constexpr (requires { Test::litmus_padded; }) {
    return Test::litmus_padded;
  } else {
    return true;
  }
}

namespace detail_litmus {

/// Pins the calling thread to the k-th CPU it may run on (modulo their number); returns that
/// CPU, or -1 when there is only one (or the system refuses).
inline int pin_to_cpu(unsigned k) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return -1;
  const int count = CPU_COUNT(&allowed);
  if (count <= 1) return -1;
  int wanted = static_cast<int>(k % static_cast<unsigned>(count));
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    if (wanted-- == 0) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpu, &one);
      return pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0 ? cpu : -1;
    }
  }
  return -1;
}

/// How far ahead of the barrier's release a batch's sweeps start: longer than a spinning
/// waiter takes to see the release (~0.1-0.5 µs), short beside a batch. Measured on the 2-core
/// machine (load 7, pinned actors, 2 s, store buffering): 4.0% forbidden outcomes without it,
/// 6.6% with 2 µs.
inline constexpr std::chrono::nanoseconds kStartLead{2000};

using LitmusClock = std::chrono::steady_clock;

struct Tally {
  models::LitmusResult result;
  std::uint64_t count = 0;
  models::GradedOutcome graded;
};

template <class Test>
struct Context {
  using State = typename Test::State;
  struct alignas(64) Padded {
    State s;
  };
  struct Packed {
    State s;
  };
  using Cell = std::conditional_t<litmus_padded<Test>(), Padded, Packed>;
  static constexpr unsigned n = static_cast<unsigned>(Test::actors.size());
  static constexpr std::size_t batch = litmus_batch<Test>();

  explicit Context(const LitmusBudget& b) : budget(b), cells(new Cell[batch]), barrier(n) {}

  const LitmusBudget budget;
  const std::unique_ptr<Cell[]> cells;
  LitmusBarrier barrier;
  LitmusClock::time_point t0 = LitmusClock::now();
  // Written by the barrier's completion (one thread, all others waiting), read after it.
  bool stop = false;
  std::uint64_t batches = 0;
  LitmusClock::time_point start_at;                // when the batch's sweeps begin
  std::atomic<std::uint64_t> finished_batches{0};  // the watchdog's progress
  std::atomic<bool> forbidden{false};
  std::atomic<unsigned> done_threads{0};
  std::mutex m;  // the rest, merged at the end or at the first forbidden outcome
  double first_forbidden_seconds = -1;
  std::uint64_t first_forbidden_batch = 0;
  std::uint64_t first_forbidden_trial = 0;
  std::string first_forbidden;
  std::vector<Tally> tallies;
  int cpus[n] = {};  // where each actor thread was pinned (-1: not pinned); read after join()

  // The stop rule of the runner's budget, decided once per batch by the last thread to arrive.
  void decide() {
    if (batches > 0) finished_batches.store(batches, std::memory_order_relaxed);
    const double elapsed = std::chrono::duration<double>(LitmusClock::now() - t0).count();
    stop = forbidden.load(std::memory_order_relaxed) || batches >= budget.max_batches ||
           (batches > 0 && elapsed >= budget.cap) ||
           (batches >= budget.min_batches && elapsed >= budget.seconds);
    if (!stop) ++batches;
    start_at = LitmusClock::now() + kStartLead;
  }

  template <std::size_t K>
  void worker() {
    cpus[K] = pin_to_cpu(K);
    std::vector<Tally> local;
    std::size_t last = 0;
    const std::size_t lo = batch * K / n, hi = batch * (K + 1) / n;
    for (;;) {
      barrier.arrive_and_wait([this] { decide(); });
      if (stop) break;
      // A common start time, so that the sweeps begin together (not one wake-up latency apart).
      while (LitmusClock::now() < start_at) detail::cpu_relax();
      // The trials: actor K over every State of the batch, the other actors doing the same.
      // A constant: called directly (and inlined), not through the array at every trial.
      constexpr auto actor = Test::actors[K];
      for (std::size_t i = 0; i < batch; ++i) actor(cells[i].s);
      barrier.arrive_and_wait([] {});
      // This thread's slice: grade each State, then make it fresh for the next batch.
      const std::uint64_t this_batch = batches - 1;  // runs count from 0, as in the runner
      for (std::size_t i = lo; i < hi; ++i) {
        const models::LitmusResult r = Test::arbiter(static_cast<const State&>(cells[i].s));
        if (last >= local.size() || !(local[last].result == r)) {
          last = 0;
          while (last < local.size() && !(local[last].result == r)) ++last;
          if (last == local.size()) {
            local.push_back(Tally{r, 0, models::grade_outcome(Test::outcomes, r)});
            if (local.back().graded.grade == models::Grade::forbidden) found_forbidden(r, this_batch, i);
          }
        }
        ++local[last].count;
        std::destroy_at(&cells[i].s);
        std::construct_at(&cells[i].s);
      }
    }
    std::lock_guard<std::mutex> g(m);
    for (const Tally& t : local) {
      auto it =
          std::find_if(tallies.begin(), tallies.end(), [&](const Tally& x) { return x.result == t.result; });
      if (it == tallies.end())
        tallies.push_back(t);
      else
        it->count += t.count;
    }
    done_threads.fetch_add(1, std::memory_order_release);
  }

  void found_forbidden(const models::LitmusResult& r, std::uint64_t batch_index, std::size_t index) {
    std::lock_guard<std::mutex> g(m);
    if (forbidden.load(std::memory_order_relaxed)) return;
    first_forbidden_seconds = std::chrono::duration<double>(LitmusClock::now() - t0).count();
    first_forbidden_batch = batch_index;
    first_forbidden_trial = batch_index * batch + index + 1;
    first_forbidden = r.str();
    forbidden.store(true, std::memory_order_relaxed);
  }
};

}  // namespace detail_litmus

/// Runs the litmus test until the budget ends or a FORBIDDEN outcome is seen. On `hang` it
/// returns while the actor threads are still stuck (their state is leaked, never freed): the
/// caller ends the process.
template <class Test>
LitmusRun run_litmus(const LitmusBudget& budget) {
  using Ctx = detail_litmus::Context<Test>;
  auto* ctx = new Ctx(budget);
  LitmusRun run;
  run.batch = Ctx::batch;
  run.padded = litmus_padded<Test>();
  run.actors = Ctx::n;
  auto* threads = new std::vector<std::thread>();
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (threads->emplace_back([ctx] { ctx->template worker<K>(); }), ...);
  }
  (std::make_index_sequence<Ctx::n>{});
  // The watchdog: the actor threads signal nothing but their batch count; poll it.
  std::uint64_t seen = 0;
  auto last_progress = detail_litmus::LitmusClock::now();
  while (ctx->done_threads.load(std::memory_order_acquire) != Ctx::n) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const std::uint64_t b = ctx->finished_batches.load(std::memory_order_relaxed);
    const auto now = detail_litmus::LitmusClock::now();
    if (b != seen) {
      seen = b;
      last_progress = now;
    } else if (std::chrono::duration<double>(now - last_progress).count() > budget.hang_seconds) {
      run.verdict = models::Verdict::hang;
      run.batches = b;
      run.seconds = std::chrono::duration<double>(now - ctx->t0).count();
      run.hang_detail = "batch " + std::to_string(b) + " did not finish in " +
                        std::to_string(budget.hang_seconds) +
                        " s: an actor waits for another (litmus actors must run straight through)";
      for (auto& t : *threads) t.detach();
      return run;
    }
  }
  for (auto& t : *threads) t.join();
  delete threads;
  run.seconds = std::chrono::duration<double>(detail_litmus::LitmusClock::now() - ctx->t0).count();
  run.batches = ctx->batches;
  run.cpus.assign(ctx->cpus, ctx->cpus + Ctx::n);
  run.trials = run.batches * Ctx::batch;
  if (ctx->forbidden.load()) {
    run.verdict = models::Verdict::assertion;
    run.first_forbidden_seconds = ctx->first_forbidden_seconds;
    run.first_forbidden_batch = ctx->first_forbidden_batch;
    run.first_forbidden_trial = ctx->first_forbidden_trial;
    run.first_forbidden = ctx->first_forbidden;
  }
  // The table: every declared outcome (seen or not), then any undeclared one observed.
  for (const models::LitmusOutcome& o : Test::outcomes)
    if (o.id != "*") run.rows.push_back(LitmusRow{std::string(o.id), 0, o.grade, std::string(o.description)});
  for (const detail_litmus::Tally& t : ctx->tallies) {
    const std::string id = t.result.str();
    auto it = std::find_if(run.rows.begin(), run.rows.end(),
                           [&](const LitmusRow& row) { return models::same_outcome_id(row.id, id); });
    if (it == run.rows.end()) {
      const std::string_view why =
          t.graded.declared != nullptr ? t.graded.declared->description : models::kUndeclaredOutcome;
      run.rows.push_back(LitmusRow{id, t.count, t.graded.grade, std::string(why)});
    } else {
      it->count += t.count;
    }
  }
  std::sort(run.rows.begin(), run.rows.end(),
            [](const LitmusRow& a, const LitmusRow& b) { return a.id < b.id; });
  delete ctx;
  return run;
}

/// The jcstress-style table and the summary lines (the check's evidence).
inline std::string format_litmus(const LitmusRun& run) {
  std::string out;
  char line[512];
  std::snprintf(
      line, sizeof line,
      "litmus: %u actors in persistent threads, %llu batches of %zu %s States, %llu trials in %.3f s "
      "(%.1f M trials/s)\n",
      run.actors, static_cast<unsigned long long>(run.batches), run.batch,
      run.padded ? "cache-line padded" : "packed", static_cast<unsigned long long>(run.trials), run.seconds,
      run.seconds > 0 ? run.trials / run.seconds / 1e6 : 0.0);
  out += line;
  std::string pinned;
  for (std::size_t k = 0; k < run.cpus.size(); ++k)
    pinned +=
        (k == 0 ? "" : ", ") + (run.cpus[k] < 0 ? std::string("not pinned") : std::to_string(run.cpus[k]));
  if (!run.cpus.empty()) {
    out += "actors' CPUs: " + pinned;
    if (std::find(run.cpus.begin(), run.cpus.end(), -1) != run.cpus.end())
      out +=
          " (one CPU available, or pinning refused: actors that share a CPU take turns, and reorderings "
          "between them are rarely seen)";
    out += "\n";
  }
  std::size_t width = 7;
  for (const LitmusRow& r : run.rows) width = std::max(width, r.id.size());
  std::snprintf(line, sizeof line, "  %-*s  %14s  %9s  %-11s  %s\n", static_cast<int>(width), "outcome",
                "count", "frequency", "grade", "description");
  out += line;
  for (const LitmusRow& r : run.rows) {
    char freq[32];
    const double pct =
        run.trials > 0 ? 100.0 * static_cast<double>(r.count) / static_cast<double>(run.trials) : 0;
    if (r.count > 0 && pct < 0.01)
      std::snprintf(freq, sizeof freq, "<0.01%%");
    else
      std::snprintf(freq, sizeof freq, "%.2f%%", pct);
    std::snprintf(line, sizeof line, "  %-*s  %14llu  %9s  %-11s  %s\n", static_cast<int>(width),
                  r.id.c_str(), static_cast<unsigned long long>(r.count), freq,
                  std::string(models::to_string(r.grade)).c_str(), r.description.c_str());
    out += line;
  }
  for (const LitmusRow& r : run.rows)
    if (r.grade == models::Grade::interesting && r.count > 0)
      out += "interesting outcome " + r.id + " observed " + std::to_string(r.count) +
             " times: " + r.description + " (allowed: reported, not a failure)\n";
  if (run.verdict == models::Verdict::assertion) {
    std::snprintf(
        line, sizeof line,
        "forbidden outcome %s observed: first in run %llu (one run is one batch), trial %llu, %.3f s "
        "after the start\n",
        run.first_forbidden.c_str(), static_cast<unsigned long long>(run.first_forbidden_batch),
        static_cast<unsigned long long>(run.first_forbidden_trial), run.first_forbidden_seconds);
    out += line;
  }
  if (run.verdict == models::Verdict::hang) out += "hang: " + run.hang_detail + "\n";
  return out;
}

}  // namespace itc::stress
