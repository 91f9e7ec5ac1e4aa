// models/scenarios/semaphore.hpp — "Semaphore: limited coordination" and its mistakes.
//
// Four workers share a pool of two resources guarded by a Semaphore(2): at most two are inside at
// once. The broken forms release twice (a plain Semaphore grows past its limit, a
// BoundedSemaphore raises), use a Semaphore that is itself broken (check, then decrement), or
// skip release() on an error path.
#pragma once

#include <mutex>

#include "itc/broken/semaphore_check_then_decrement.hpp"
#include "itc/models/scenario.hpp"
#include "itc/semaphore.hpp"

namespace itc::models::scenarios {

/// The tutorial's pool over any semaphore type S: `workers` workers each take a resource kRounds
/// times, holding it through a guard (Python: `with pool:`).
template <class P, class S, unsigned workers = 4>
struct SemaphorePool {
  static constexpr unsigned threads = workers;
  static constexpr int kPool = 2;
  static constexpr int kRounds = P::is_model_checker ? 1 : 1000;

  S pool{kPool};
  typename P::template Atomic<int> inside{0};  // workers holding a resource right now

  void use_resource() {
    const int now = inside.fetch_add(1) + 1;
    scenario_assert<P>(now <= kPool, "never more workers inside than the pool has resources");
    scenario_yield<P>();  // use it: the other workers run meanwhile
    inside.fetch_sub(1);
  }
  void thread(unsigned) {
    for (int r = 0; r < kRounds; ++r) {
      std::lock_guard<S> hold(pool);  // Python: `with pool:`
      use_resource();
    }
  }
  void check() {}
};

// Three workers under the model checker: four make the context-bounded search take seconds.
template <class P>
struct SemaphoreCorrect : SemaphorePool<P, BasicSemaphore<P>, P::is_model_checker ? 3 : 4> {
  static constexpr ScenarioInfo info{"semaphore/correct",
                                     "Semaphore (limited coordination): a pool of 2 resources, 4 workers",
                                     "—",
                                     "—",
                                     "models/scenarios/semaphore.hpp",
                                     {Verdict::pass},
                                     {Verdict::pass},
                                     {Verdict::pass}};
};

// Explicit acquire()/release() here, not the pool's std::lock_guard: a BoundedSemaphore's
// release() may throw, and a destructor that throws terminates the program.
template <class P, class S>
struct SemaphoreReleaseTwice : SemaphorePool<P, S> {
  void thread(unsigned i) {
    for (int r = 0; r < this->kRounds; ++r) {
      this->pool.acquire();
      this->use_resource();
      this->pool.release();
      if (i == 0) this->pool.release();  // DEFECT: worker 0 releases twice per acquire
    }
  }
};

template <class P>
struct SemaphoreReleaseWithoutAcquire : SemaphoreReleaseTwice<P, BasicSemaphore<P>> {
  static constexpr ScenarioInfo info{"semaphore/release_without_acquire",
                                     "Semaphore contract",
                                     "a worker releases twice; plain Semaphore grows past its limit",
                                     "BoundedSemaphore, or RAII",
                                     "models/scenarios/semaphore.hpp",
                                     {Verdict::assertion},
                                     {Verdict::assertion, true},
                                     {Verdict::assertion, true}};  // CATALOG.md E5
};

template <class P>
struct SemaphoreBoundedOverRelease : SemaphoreReleaseTwice<P, BasicBoundedSemaphore<P>> {
  static constexpr ScenarioInfo info{"semaphore/bounded_over_release",
                                     "BoundedSemaphore contract",
                                     "the same mistake on a BoundedSemaphore",
                                     "—",
                                     "models/scenarios/semaphore.hpp",
                                     {Verdict::error},
                                     {Verdict::error, false, Verdict::assertion},
                                     {Verdict::error, false, Verdict::assertion}};
};

template <class P>
struct SemaphoreCheckThenDecrement : SemaphorePool<P, broken::SemaphoreCheckThenDecrement<P>> {
  static constexpr ScenarioInfo info{"semaphore/check_then_decrement",
                                     "broken Semaphore implementation",
                                     "`if (value > 0) value -= 1` as two atomic steps",
                                     "one locked step or CAS",
                                     "primitives/include/itc/broken/semaphore_check_then_decrement.hpp",
                                     {Verdict::assertion},
                                     {Verdict::assertion, true},
                                     {Verdict::assertion, true}};  // CATALOG.md E5
};

/// One resource, two workers; worker 0's first job fails. The failure is caught and logged
/// inside the worker, which carries on with its next job, but the release() after the job was
/// skipped: the permit is gone and every later acquire() blocks forever.
template <class P>
struct SemaphoreLeakOnError {
  static constexpr ScenarioInfo info{"semaphore/leak_on_error",
                                     "exception path",
                                     "an error skips `release()`",
                                     "RAII guard",
                                     "models/scenarios/semaphore.hpp",
                                     {Verdict::deadlock},
                                     {Verdict::hang},
                                     {Verdict::hang}};
  static constexpr unsigned threads = 2;
  static constexpr int kJobs = P::is_model_checker ? 2 : 100;

  struct JobFailed {};

  BasicSemaphore<P> pool{1};
  typename P::template Atomic<int> jobs_done{0};

  void do_job(unsigned worker, int n) {
    if (worker == 0 && n == 0) throw JobFailed{};  // e.g. a malformed input
    jobs_done.fetch_add(1);
  }

  void thread(unsigned i) {
    for (int n = 0; n < kJobs; ++n) {
      pool.acquire();
      try {
        do_job(i, n);
        pool.release();  // DEFECT: skipped when do_job() throws (the fix: std::lock_guard)
      } catch (const JobFailed&) {
        // logged; on to the next job
      }
    }
  }
  void check() {}
};

}  // namespace itc::models::scenarios
