// verify/src/process.hpp — run a checker as a child process with a time limit.
#pragma once

#include <string>
#include <vector>

namespace itc::verify {

struct ProcessResult {
  int exit_code = -1;   // valid when !signaled && !timed_out && started
  int signal = 0;       // the signal that ended it, if any
  bool started = false;
  bool timed_out = false;
  double seconds = 0;
  std::string out;      // stdout
  std::string err;      // stderr
};

/// Runs argv[0] with argv, capturing stdout and stderr; kills it (SIGKILL) after `timeout_s`.
ProcessResult run_process(const std::vector<std::string>& argv, double timeout_s);

}  // namespace itc::verify
