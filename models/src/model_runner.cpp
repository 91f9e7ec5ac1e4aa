// itc-model — run one scenario of the catalog under Relacy and print its verdict.
//
//   itc-model list
//   itc-model run <id> [--strategy random|bound|full] [--iterations N] [--bound K] [--seed S]
//                      [--replay STATE] [--quiet]
//
// Exit status: 0 the verdict is the one the catalog expects from the model checker; 1 it is not;
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
#include <charconv>
#include <chrono>
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

#include "model_check.hpp"

int main(int argc, char** argv) {
  return itc::models::model_main(argc, argv);
}
