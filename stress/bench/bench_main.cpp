// stress/bench/bench_main.cpp — main() of every itc benchmark binary.
//
// Differs from BENCHMARK_MAIN() in two ways:
//  * a second thread is alive (parked on a condition variable) for the whole run. glibc >= 2.34
//    skips the atomic instruction in pthread_mutex_lock while a process has only one thread, so a
//    single-threaded std::mutex figure (≈4 ns instead of ≈11 ns here) is one no threading
//    library ever sees;
//  * it exits with status 1 if a benchmark reported a wrong result (itc_bench::fail), so the
//    CTest smoke test catches a broken checksum instead of printing "ERROR OCCURRED" and passing.
#include <benchmark/benchmark.h>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "bench_common.hpp"

int main(int argc, char** argv) {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::thread parked([&] {
    std::unique_lock<std::mutex> lk(m);
    cv.wait(lk, [&] { return done; });
  });

  benchmark::Initialize(&argc, argv);
  int status = 0;
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    status = 2;
  } else {
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
  }

  {
    std::lock_guard<std::mutex> lk(m);
    done = true;
  }
  cv.notify_one();
  parked.join();
  if (itc_bench::g_failed.load()) {
    std::fprintf(stderr, "itc-bench: at least one benchmark computed a wrong result\n");
    return 1;
  }
  return status;
}
