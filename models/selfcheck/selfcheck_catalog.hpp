// models/selfcheck/selfcheck_catalog.hpp — the catalog of itc's self-checks (see
// selfcheck_scenarios.hpp), in the format of models/scenarios/catalog.hpp.
#pragma once

#include "selfcheck_scenarios.hpp"

#define ITC_SCENARIO_NAMESPACE ::itc::models::selfcheck
#define ITC_SCENARIOS(X)            \
  X(QueueBoundedTwoProducers)       \
  X(QueueTwoConsumersShutdown)      \
  X(LifoQueueTwoConsumersShutdown)  \
  X(QueueShutdownWakesPutter)       \
  X(QueueTaskDoneJoin)              \
  X(QueueImmediateShutdownTaskDone) \
  X(EventPulses)
