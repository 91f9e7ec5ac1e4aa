// models/scenarios/catalog.hpp — every scenario of ../shared/spec/mistakes.md, in table order.
//
// ITC_SCENARIOS(X) expands X(ClassTemplate) once per scenario. A checker instantiates each
// template with its own platform:
//
//   #define VISIT(S) visitor.template visit<itc::models::scenarios::S>();
//   ITC_SCENARIOS(VISIT)
//
// To add a scenario: write it in a family header (or your own header, see
// examples/own_scenario), include it here and add one X(...) line.
#pragma once

#include "barrier.hpp"
#include "condition.hpp"
#include "counter.hpp"
#include "event.hpp"
#include "lock.hpp"
#include "queue.hpp"
#include "semaphore.hpp"

#define ITC_SCENARIOS(X)            \
  X(CounterCorrect)                 \
  X(CounterNoLock)                  \
  X(CounterUnlockedReader)          \
  X(CounterCheckThenAct)            \
  X(QueueCorrect)                   \
  X(QueueMissingTaskDone)           \
  X(QueueExtraTaskDone)             \
  X(QueueNoShutdown)                \
  X(QueueUnlockedQueue)             \
  X(QueueIfNotWhile)                \
  X(QueueFullBeforeConsumer)        \
  X(EventCorrect)                   \
  X(EventPlainFlag)                 \
  X(EventLostWakeup)                \
  X(EventSetThenClear)              \
  X(EventRelaxedPublish)            \
  X(ConditionCorrect)               \
  X(ConditionIfNotWhile)            \
  X(ConditionNoPredicate)           \
  X(ConditionUnlockedWrite)         \
  X(ConditionNotifyWrongWaiter)     \
  X(ConditionWaitUnlocked)          \
  X(SemaphoreCorrect)               \
  X(SemaphoreReleaseWithoutAcquire) \
  X(SemaphoreBoundedOverRelease)    \
  X(SemaphoreCheckThenDecrement)    \
  X(SemaphoreLeakOnError)           \
  X(LockCorrect)                    \
  X(LockAbba)                       \
  X(LockRelockNonreentrant)         \
  X(LockReleaseUnowned)             \
  X(BarrierCorrect)                 \
  X(BarrierNoGeneration)
