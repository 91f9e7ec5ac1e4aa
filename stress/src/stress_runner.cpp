// itc-stress — run catalog scenarios on real threads, with seeded chaos and a watchdog.
//
//   itc-stress list [--ids]
//   itc-stress run <id> [--seed S] [--min-runs N] [--budget SECONDS] [--iterations MAX]
//                       [--cap SECONDS] [--chaos on|off] [--stall-ms MS] [--quiet]
//   itc-stress repro <id> [--seed S] [--budget SECONDS] [--chaos on|off]
//   itc-stress measure <id> [--runs R] [--jobs J] [--budget SECONDS] [--chaos on|off]
//   itc-stress --version | --help
//
// `run` executes the scenario (fresh state, seed S+i each time) until the first failure or the
// budget (at least N runs and SECONDS, at most MAX runs, the cap; stress_check.hpp, RunBudget). Every check
// runs in a child process, so a crash, a hang or a ThreadSanitizer abort is observed and reported by the
// parent, never suffered by it. Exit status: 0 the verdict is the one the catalog expects from this checker
// (stress, or tsan when built with -fsanitize=thread; `repro`: it was reproduced), 1 it is not, 2 bad usage.
#include "stress_check.hpp"

int main(int argc, char** argv) {
  return itc::stress::stress_main(argc, argv);
}
