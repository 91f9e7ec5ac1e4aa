// itc/models/search.hpp — itc's own Relacy schedulers: random, bounded/full with caps, PCT.
//
// Relacy's scheduler is a template parameter (`rl::run_test<test_t, scheduler_t>`), and
// rl::simulate() only dispatches to its three built-in ones. itc runs its own, through
// run_search() in models/src/model_check.hpp:
//
//   RandomScheduler<N>   every choice (thread, timeout, spurious wake-up, weak-memory load,
//                        spurious CAS failure, notify_one's waiter) uniform, from an
//                        Xoshiro256ss seeded by (seed, execution index) — random_source.hpp
//   TreeScheduler<N>     Relacy's depth-first tree search (context-bounded or full), unchanged
//                        in what it explores, plus a cap: it stops after a number of executions
//                        or at a deadline, and says how far it got
//   PctScheduler<N>      probabilistic concurrency testing (pct_scheduler.hpp)
//
// Every scheduler stops at the cap in SearchControl and records whether it stopped there
// (`capped`) or because the search was complete. One model runs at a time in a process (the
// runner forks for --jobs), so SearchControl is a process-wide object, as ModelClock is.
//
// Include after relacy_platform.hpp (it uses Relacy's scheduler base classes).
#pragma once

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <string>

#include "itc/models/random_source.hpp"
#include "itc/models/relacy_platform.hpp"

namespace itc::models {

/// Set from a signal handler (--jobs: another process found a failure): every scheduler ends
/// its search after the current execution, as if a cap had been reached.
inline volatile std::sig_atomic_t& search_stop_requested() noexcept {
  static volatile std::sig_atomic_t stop = 0;
  return stop;
}

/// A line on stderr while a long search runs, so that a search of minutes is not silent: the
/// first after 2 s, then one every 5 s — executions so far, their rate, and which search it is.
/// Off while `label` is empty (the runner names the search for `run`; rate measurement and a
/// replay leave it off). Read at the clock checks of SearchControl::cap_reached.
struct SearchProgress {
  std::string label;  // "queue/correct, random search (seed 0)"
  std::chrono::steady_clock::time_point start{}, next{};

  void begin() {
    start = std::chrono::steady_clock::now();
    next = start + std::chrono::seconds(2);
  }
  [[nodiscard]] bool on() const { return !label.empty(); }
  void tick(unsigned long long executions, std::chrono::steady_clock::time_point now) {
    if (label.empty() || now < next) return;
    const double s = std::chrono::duration<double>(now - start).count();
    std::fprintf(stderr, "itc-model: %s: %llu executions in %.1f s (%.0f/s), still searching\n",
                 label.c_str(), executions, s, s > 0 ? static_cast<double>(executions) / s : 0.0);
    next = now + std::chrono::seconds(5);
  }
};

inline SearchProgress& search_progress() noexcept {
  static SearchProgress progress;
  return progress;
}

/// The search's limits (set by the runner before a search) and what the search did (read after).
struct SearchControl {
  // --- input
  std::uint64_t seed = 0;                 // random and PCT: the generator's seed
  unsigned long long last_execution = 0;  // random and PCT: index of the last execution to run
  unsigned long long max_executions = 0;  // every strategy: a cap on executions (0: none)
  bool has_deadline = false;              // every strategy: a cap on wall time
  std::chrono::steady_clock::time_point deadline{};
  unsigned pct_depth = 3;            // PCT: the bug depth d (d - 1 priority change points)
  unsigned long long pct_steps = 0;  // PCT: the execution length k (0: measure it)

  // --- output
  unsigned long long first_execution = 1;  // index the search started at
  unsigned long long executions = 0;       // executions run
  bool capped = false;                     // stopped by a cap, not by completing the search
  const char* cap_reason = "";             // "executions" or "seconds"
  double explored_fraction = -1;           // tree search: estimated share of the tree explored
  unsigned long long max_steps_seen = 0;   // PCT: the longest execution seen, in steps
  unsigned long long pct_steps_used = 0;   // PCT: the k of the last execution begun

  /// Called at the end of execution `iter`: true if a cap says stop. The clock is read every
  /// 64 executions (an execution takes about 1.5 us; now() about 20 ns), for the deadline and
  /// the progress line.
  bool cap_reached(unsigned long long iter) {
    executions = iter - first_execution + 1;
    if (search_stop_requested() != 0) {
      capped = true;
      cap_reason = "stop";
      return true;
    }
    if (max_executions != 0 && executions >= max_executions) {
      capped = true;
      cap_reason = "executions";
      return true;
    }
    if ((executions & 63) == 0 && (has_deadline || search_progress().on())) {
      const auto now = std::chrono::steady_clock::now();
      search_progress().tick(executions, now);
      if (has_deadline && now >= deadline) {
        capped = true;
        cap_reason = "seconds";
        return true;
      }
    }
    return false;
  }
};

inline SearchControl& search_control() noexcept {
  static SearchControl control;
  return control;
}

/// Rate measurement: a failure does not need its history (the run is not shown).
inline bool& search_control_no_history() noexcept {
  static bool no_history = false;
  return no_history;
}

/// What random and PCT search share: the generator (one per execution, seeded by (seed,
/// execution index)), every non-scheduling choice drawn from it uniformly, and timeouts and
/// spurious wake-ups with Relacy's random-scheduler probabilities: a timed waiter times out at
/// 1 in 4 schedule points while another thread can run (always when none can), a waiter that
/// Relacy allows to wake spuriously does so at 1 in 8. Derived supplies the thread choice.
template <class Derived, rl::thread_id_t N>
class SamplingScheduler : public rl::scheduler<Derived, rl::scheduler_thread_info, N> {
 public:
  using base_t = rl::scheduler<Derived, rl::scheduler_thread_info, N>;
  using thread_info_t = typename base_t::thread_info_t;
  using shared_context_t = typename base_t::shared_context_t;
  struct task_t {};

  SamplingScheduler(rl::test_params& params, shared_context_t& ctx, rl::thread_id_t dynamic_thread_count)
      : base_t(params, ctx, dynamic_thread_count), seed_(search_control().seed) {}

  bool iteration_end_impl() {
    SearchControl& c = search_control();
    if (c.cap_reached(this->iter_)) return true;
    return this->iter_ >= c.last_execution;
  }
  unsigned rand_impl(unsigned limit, rl::sched_type) { return rng_.uniform(limit); }
  rl::iteration_t iteration_count_impl() { return search_control().last_execution; }
  void on_thread_block(rl::thread_id_t, bool) {}

 protected:
  /// A timed waiter timing out or a waiter waking spuriously, if the generator says so: true
  /// and the thread to run, with `reason` set.
  bool sample_wakeup(rl::unpark_reason& reason, rl::thread_id_t& thread) {
    const rl::thread_id_t running = this->running_threads_count;
    thread_info_t* t = nullptr;
    if (const rl::thread_id_t timed = this->timed_thread_count_;
        timed != 0 && (running == 0 || rng_.one_in(4))) {
      t = this->timed_threads_[rng_.uniform(timed)];
      reason = rl::unpark_reason_timeout;
    } else if (const rl::thread_id_t spurious = this->spurious_thread_count_;
               spurious != 0 && running != 0 && rng_.one_in(8)) {
      t = this->spurious_threads_[rng_.uniform(spurious)];
      reason = rl::unpark_reason_spurious;
    }
    if (t == nullptr) {
      reason = rl::unpark_reason_normal;
      RL_VERIFY(running);
      return false;
    }
    this->unpark_thread(t->index_);
    thread = t->index_;
    return true;
  }

  Xoshiro256ss rng_;
  std::uint64_t seed_;
};

/// Random search with a sound generator: Relacy's random_scheduler (random_scheduler.hpp) with
/// its generator replaced — every runnable thread equally likely at every schedule point. The
/// replay state after the execution index is the seed.
template <rl::thread_id_t N>
class RandomScheduler : public SamplingScheduler<RandomScheduler<N>, N> {
 public:
  using base_t = SamplingScheduler<RandomScheduler<N>, N>;
  using typename base_t::shared_context_t;

  RandomScheduler(rl::test_params& params, shared_context_t& ctx, rl::thread_id_t dynamic_thread_count)
      : base_t(params, ctx, dynamic_thread_count) {}

  rl::thread_id_t iteration_begin_impl() {
    this->rng_.seed(this->seed_, this->iter_);
    rl::unpark_reason reason;
    return schedule_impl(reason, 0);
  }

  rl::thread_id_t schedule_impl(rl::unpark_reason& reason, unsigned /*yield*/) {
    rl::thread_id_t woken = 0;
    if (this->sample_wakeup(reason, woken)) return woken;
    return this->running_threads[this->rng_.uniform(this->running_threads_count)];
  }

  void get_state_impl(std::ostream& os) { os << this->seed_; }
  void set_state_impl(std::istream& is) {
    if (!(is >> this->seed_)) this->seed_ = search_control().seed;
  }

 private:
  RL_NOCOPY(RandomScheduler);
};

/// Relacy's tree search (context-bounded when the test's search type is sched_bound, full when
/// sched_full), with the caps and the armed spurious wake-ups. What it explores is Relacy's
/// context_bound_scheduler / full_search_scheduler exactly (the same members, reproduced because
/// those classes close their CRTP chain); the replay state is Relacy's (the path in the tree).
template <rl::thread_id_t N>
class TreeScheduler
    : public rl::tree_search_scheduler<TreeScheduler<N>, rl::context_bound_scheduler_thread_info<N>, N> {
 public:
  using base_t = rl::tree_search_scheduler<TreeScheduler<N>, rl::context_bound_scheduler_thread_info<N>, N>;
  using thread_info_t = typename base_t::thread_info_t;
  using shared_context_t = typename base_t::shared_context_t;

  TreeScheduler(rl::test_params& params, shared_context_t& ctx, rl::thread_id_t dynamic_thread_count)
      : base_t(params, ctx, dynamic_thread_count), full_(params.search_type == rl::sched_full) {}

  rl::thread_id_t iteration_begin_impl() {
    switches_remain_ = this->params_.context_bound;
    return base_t::iteration_begin_impl();
  }

  bool iteration_end_impl() {
    if (base_t::iteration_end_impl()) return true;  // the whole tree is explored
    SearchControl& c = search_control();
    if (!c.cap_reached(this->iter_)) return false;
    c.explored_fraction = explored_fraction();
    return true;
  }

  bool can_switch(thread_info_t& t) {
    t.sched_count_ += 1;
    return full_ || switches_remain_ != 0;
  }

  void on_switch(thread_info_t& t) {
    if (full_) return;
    if (t.state_ == rl::thread_state_running) {
      RL_VERIFY(switches_remain_);
      switches_remain_ -= 1;
    } else {
      t.forced_context_switch_count_ += 1;
    }
  }

  double iteration_count_approx() {
    if (!full_) return 1.0;
    double total = 1;
    for (const auto& n : this->stree_) total *= n.count_;
    return total;
  }

 private:
  /// The share of the tree already explored, read off the path of the next execution as a
  /// mixed-radix fraction (every choice's subtrees counted as equal: an estimate).
  double explored_fraction() const {
    double fraction = 0, scale = 1;
    for (const auto& n : this->stree_) {
      scale /= n.count_;
      fraction += n.index_ * scale;
    }
    return fraction;
  }

  bool full_;
  unsigned switches_remain_ = 0;
  RL_NOCOPY(TreeScheduler);
};

}  // namespace itc::models
