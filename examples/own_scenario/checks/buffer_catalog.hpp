// checks/buffer_catalog.hpp — the catalog itc's checkers are built from (see itc_add_checkers).
#pragma once

#include "buffer_scenarios.hpp"

#define ITC_SCENARIO_NAMESPACE ::mylib::checks
#define ITC_SCENARIOS(X)  \
  X(BufferCorrect)        \
  X(BufferPeekingTryTake) \
  X(BufferHandoff)
