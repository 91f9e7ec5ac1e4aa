// stress/bench/bench_common.hpp — what every itc benchmark binary shares.
//
//   Gate / run_timed(work)   start N threads behind a spin gate and time from opening it to the
//                            last join (the work being timed never includes thread creation)
//   cpu_pause()              the spin-wait hint (`pause` on x86)
//   fail(state, why)         SkipWithError *and* make the process exit non-zero (a benchmark that
//                            computes a wrong checksum must fail the smoke test, not just skip)
//   PaddedAtomic<T>          an atomic alone on its cache line
//
// Naming: every benchmark is registered as "<family>/<group>/<impl>", e.g. "queue/spsc/itc_queue".
// run_bench.py pairs implementations of one group measured in the same round; the Python
// equivalents (pybench.py) use the same names with a "py_" impl prefix.
#pragma once

#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace itc_bench {

/// Set by fail(); bench_main returns 1 if it is set after the run.
inline std::atomic<bool> g_failed{false};

inline void fail(benchmark::State& state, const std::string& why) {
  g_failed.store(true);
  state.SkipWithError(why.c_str());
}

inline void cpu_pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

template <class T>
struct alignas(64) PaddedAtomic {
  std::atomic<T> v{};
};

/// Runs each callable on its own thread. The threads are created first and wait, spinning with
/// yield, behind a gate; the clock starts when the gate opens and stops after the last join.
/// Returns the elapsed seconds.
inline double run_timed(const std::vector<std::function<void()>>& work) {
  std::atomic<bool> open{false};
  std::atomic<std::size_t> ready{0};
  std::vector<std::thread> threads;
  threads.reserve(work.size());
  for (const auto& w : work) {
    threads.emplace_back([&open, &ready, &w] {
      ready.fetch_add(1);
      while (!open.load(std::memory_order_acquire)) std::this_thread::yield();
      w();
    });
  }
  while (ready.load() != work.size()) std::this_thread::yield();
  const auto t0 = std::chrono::steady_clock::now();
  open.store(true, std::memory_order_release);
  for (auto& t : threads) t.join();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Runs `body` on one partner thread for the duration of a benchmark function (ping-pong
/// partners, barrier parties). The destructor joins it: `stop` must make body return.
class Partner {
 public:
  template <class F>
  explicit Partner(F&& body) : t_(std::forward<F>(body)) {}
  Partner(const Partner&) = delete;
  Partner& operator=(const Partner&) = delete;
  ~Partner() { t_.join(); }

 private:
  std::thread t_;
};

}  // namespace itc_bench
