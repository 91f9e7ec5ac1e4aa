// itc-model — run one scenario of the catalog under Relacy and print its verdict.
//
//   itc-model list
//   itc-model run <id> [--strategy random|bound|full|pct] [--iterations N] [--max-seconds S]
//                      [--bound K] [--depth D] [--pct-steps K] [--spurious W] [--seed S]
//                      [--jobs J] [--replay STATE] [--quiet]
//   itc-model rate <id> --strategy pct [--depth D] [--iterations N] [--seed S] [--pct-steps K]
//   itc-model --version | --help
//
// Exit status: 0 the verdict is the one the catalog expects from the model checker; 1 it is not
// (an `inconclusive` search, stopped by a cap, is never what the catalog expects);
// 2 bad usage (unknown id or strategy, zero or absurd counts, malformed replay state).
//
// On a failing execution it prints the interleaving, one line per step with the thread, the
// source line inside the primitive or scenario, and what happened, then one command line that
// replays exactly that execution.
//
// The catalog comes first, before Relacy: relacy.hpp #defines new, delete, malloc, free, assert
// and the memory_order_* names, so a scenario or the class under test that includes <list> or
// declares `= delete` must be read before those macros exist. Scenarios are templates over the
// platform and never name RelacyPlatform, so they need nothing from Relacy to be parsed; they
// are instantiated with it in model_check.hpp. (Allocations inside an execution still go through
// Relacy: it replaces the global operator new/delete, which is what its memory checks use.)
// Standard headers the runner uses come before Relacy's macros too (see relacy_platform.hpp).
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

// clang-format off
#include "itc/models/scenario.hpp"
#ifndef ITC_CATALOG_HEADER
#define ITC_CATALOG_HEADER "catalog.hpp"  // itc's own catalog; itc_add_checkers() passes yours
#endif
#include ITC_CATALOG_HEADER
// clang-format on

#include "itc/models/relacy_platform.hpp"

#include "itc/models/pct_scheduler.hpp"
#include "itc/models/search.hpp"
#include "model_check.hpp"

int main(int argc, char** argv) {
  return itc::models::model_main(argc, argv);
}
