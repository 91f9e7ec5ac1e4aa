// models/selfcheck/selfcheck_catalog.hpp — the catalog of itc's self-checks (see
// selfcheck_scenarios.hpp), in the format of models/scenarios/catalog.hpp.
#pragma once

#include "destroy_scenarios.hpp"
#include "selfcheck_scenarios.hpp"

#define ITC_SCENARIO_NAMESPACE ::itc::models::selfcheck
#define ITC_SCENARIOS(X)                   \
  X(QueueBoundedTwoProducers)              \
  X(QueueTwoConsumersShutdown)             \
  X(LifoQueueTwoConsumersShutdown)         \
  X(QueueShutdownWakesPutter)              \
  X(QueueTaskDoneJoin)                     \
  X(QueueImmediateShutdownTaskDone)        \
  X(QueueTwoGettersTwoPuts)                \
  X(QueueCapacitySetWhileTaking)           \
  X(LifoQueueCapacitySetWhileTaking)       \
  X(EventPulses)                           \
  X(BarrierTimeoutRacesCompletion)         \
  X(BarrierResetAbortWhileWaiting)         \
  X(DestroyEventSetWait)                   \
  X(DestroyEventSetTimedWait)              \
  X(DestroySemaphoreReleaseAcquire)        \
  X(DestroySemaphoreReleaseN)              \
  X(DestroyBoundedSemaphoreReleaseAcquire) \
  X(DestroyLockReleaseAcquire)             \
  X(DestroyLockReleaseTimedAcquire)        \
  X(DestroyRLockReleaseAcquire)            \
  X(DestroyConditionNotifyWait)            \
  X(DestroyConditionOverLock)              \
  X(DestroyBarrierTwoParties)              \
  X(DestroyBarrierThreeParties)            \
  X(DestroyQueuePutGet)                    \
  X(DestroyLifoQueuePutGet)                \
  X(DestroyPriorityQueuePutGet)            \
  X(DestroySimpleQueuePutGet)              \
  X(DestroyQueueTaskDoneJoin)              \
  X(DestroyQueueShutdownGet)               \
  X(DestroyQueueShutdownJoin)
