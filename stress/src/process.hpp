// stress/src/process.hpp — run a program as a child process with a time limit, capturing its
// output. Shared by itc-stress (one process per check) and itc-verify (one per checker run).
#pragma once

#include <string>
#include <vector>

namespace itc::tools {

struct ProcessResult {
  int exit_code = -1;  // valid when !signaled && !timed_out && started
  int signal = 0;      // the signal that ended it, if any
  bool started = false;
  bool timed_out = false;
  double seconds = 0;
  std::string out;  // stdout
  std::string err;  // stderr
};

/// Runs argv[0] (searched in PATH) with argv, capturing stdout and stderr; kills it (SIGKILL)
/// after `timeout_s`. `env` replaces the environment if given ("NAME=value" entries). With
/// `stderr_through` the child writes to this process's stderr instead (its progress lines reach
/// the user while it runs; `err` stays empty).
ProcessResult run_process(const std::vector<std::string>& argv, double timeout_s,
                          const std::vector<std::string>* env = nullptr, bool stderr_through = false);

}  // namespace itc::tools
