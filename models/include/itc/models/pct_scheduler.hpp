// itc/models/pct_scheduler.hpp — probabilistic concurrency testing (PCT) under Relacy's
// weak-memory model.
//
// The algorithm is PCT from S. Burckhardt, P. Kothari, M. Musuvathi, S. Nagarakatte, "A
// Randomized Scheduler with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010:
//
//   1. at the start of an execution, give the n threads the priorities d, d+1, ..., d+n-1 in a
//      uniformly random order;
//   2. pick d-1 priority change points k_1 .. k_{d-1}, distinct and uniform in [1, k];
//   3. at every step run the enabled thread with the highest priority; when the execution
//      reaches step k_i, the running thread's priority drops to i (below every initial one).
//
// The guarantee (the paper's Theorem 9): if a bug has depth d — some d ordering constraints
// between steps of different threads suffice to expose it — then one execution finds it with
// probability at least 1 / (n * k^(d-1)). A search of E executions therefore misses it with
// probability at most (1 - 1/(n k^(d-1)))^E. Unlike a random walk, the probability does not
// fall with every added step of a thread that runs uninterrupted, and a thread can be starved
// through a loop of any length (it keeps a low priority).
//
// Assumptions, and what this implementation does where they do not hold:
//
//   * k bounds the number of steps (schedule points: every atomic operation, mutex and
//     condition-variable operation, yield, park, thread end). k is given (`--pct-steps`) or
//     measured: the longest execution seen so far in this search (the first execution, having
//     no measurement, runs with random priorities and no change point). An execution longer
//     than k only makes change points land earlier: the bound then holds for bugs within the
//     first k steps.
//   * The paper's model is sequentially consistent. Here Relacy also chooses which store a
//     load reads (its weak-memory model), whether a compare-exchange fails spuriously, when a
//     timed wait times out, when a wait wakes spuriously and which waiter notify_one wakes; all
//     of those choices are drawn from the same seeded generator, uniformly (random_source.hpp),
//     so a bug that also needs a weak-memory outcome of probability q is found with probability
//     at least q / (n k^(d-1)). PCT and a weak memory model together: no other tool offers it.
//   * Fairness (Shuttle's fix, awslabs/shuttle src/scheduler/pct.rs): a thread that yields
//     (`scenario_yield`, a spin or poll loop) drops below every other thread, so a busy-wait
//     loop always lets the thread it waits for run and terminates. The bound is stated for
//     programs without yields.
//   * A timed waiter times out with probability 1/4 at each step while other threads can run,
//     and always when none can (Relacy's random scheduler does the same); a condition-variable
//     wait with spurious budget left returns spuriously with probability 1/4 (RelacyPlatform::
//     CondVar::wait).
//
// Everything is a pure function of (seed, execution index, k), so the replay state after the
// execution index is "seed k": one execution replays exactly.
//
// Include after relacy_platform.hpp and search.hpp.
#pragma once

#include <cstdint>

#include "itc/models/random_source.hpp"
#include "itc/models/search.hpp"

namespace itc::models {

template <rl::thread_id_t N>
class PctScheduler : public SamplingScheduler<PctScheduler<N>, N> {
 public:
  using base_t = SamplingScheduler<PctScheduler<N>, N>;
  using typename base_t::shared_context_t;
  using typename base_t::thread_info_t;

  static constexpr unsigned kMaxDepth = 16;

  PctScheduler(rl::test_params& params, shared_context_t& ctx, rl::thread_id_t dynamic_thread_count)
      : base_t(params, ctx, dynamic_thread_count),
        k_(search_control().pct_steps),
        fixed_k_(search_control().pct_steps != 0),
        depth_(search_control().pct_depth) {}

  rl::thread_id_t iteration_begin_impl() {
    this->rng_.seed(this->seed_, this->iter_);
    search_control().pct_steps_used = k_;
    step_ = 0;
    lowest_ = 0;
    // 1. priorities d .. d+n-1 in a random order (Fisher-Yates).
    for (rl::thread_id_t i = 0; i != N; ++i) priority_[i] = static_cast<int>(depth_ + i);
    for (rl::thread_id_t i = N; i > 1; --i) {
      const rl::thread_id_t j = this->rng_.uniform(i);
      const int t = priority_[i - 1];
      priority_[i - 1] = priority_[j];
      priority_[j] = t;
    }
    // 2. d-1 distinct change points in [1, k] (fewer if k is smaller than that).
    changes_ = 0;
    const unsigned wanted = depth_ > 0 ? depth_ - 1 : 0;
    if (k_ != 0) {
      while (changes_ < wanted && changes_ < k_) {
        const unsigned long long point = 1 + this->rng_.uniform(static_cast<std::uint32_t>(k_));
        bool taken = false;
        for (unsigned i = 0; i != changes_; ++i) taken = taken || change_at_[i] == point;
        if (!taken) change_at_[changes_++] = point;
      }
    }
    rl::unpark_reason reason;
    return pick(reason);
  }

  bool iteration_end_impl() {
    SearchControl& c = search_control();
    if (step_ > c.max_steps_seen) c.max_steps_seen = step_;
    if (!fixed_k_ && step_ > k_) k_ = step_;
    return base_t::iteration_end_impl();
  }

  rl::thread_id_t schedule_impl(rl::unpark_reason& reason, unsigned yield) {
    thread_info_t& current = *this->thread_;
    step_ += 1;
    // 3. a change point lowers the running thread to priority i (the i-th point's value).
    for (unsigned i = 0; i != changes_; ++i)
      if (change_at_[i] == step_) priority_[current.index_] = static_cast<int>(i + 1);
    // A yield of a running thread (a park also arrives here with `yield` set; the parked
    // thread is not running) drops it below everyone: busy-wait loops terminate.
    if (yield != 0 && current.state_ == rl::thread_state_running) priority_[current.index_] = --lowest_;
    return pick(reason);
  }

  void get_state_impl(std::ostream& os) { os << this->seed_ << " " << k_; }
  void set_state_impl(std::istream& is) {
    std::uint64_t seed = 0;
    unsigned long long k = 0;
    if (is >> seed) this->seed_ = seed;
    if (is >> k) {
      k_ = k;
      fixed_k_ = fixed_k_ || k != 0;
    }
  }

 private:
  rl::thread_id_t pick(rl::unpark_reason& reason) {
    rl::thread_id_t woken = 0;
    if (this->sample_wakeup(reason, woken)) return woken;
    const rl::thread_id_t running = this->running_threads_count;
    rl::thread_id_t best = this->running_threads[0];
    for (rl::thread_id_t i = 1; i != running; ++i)
      if (priority_[this->running_threads[i]] > priority_[best]) best = this->running_threads[i];
    return best;
  }

  unsigned long long k_;
  bool fixed_k_;
  unsigned depth_;
  int priority_[N] = {};
  unsigned long long change_at_[kMaxDepth] = {};
  unsigned changes_ = 0;
  unsigned long long step_ = 0;
  int lowest_ = 0;
  RL_NOCOPY(PctScheduler);
};

}  // namespace itc::models
