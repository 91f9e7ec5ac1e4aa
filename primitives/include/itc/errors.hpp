// itc/errors.hpp — every error an itc primitive can throw.
//
// Python raises a handful of exception types; itc mirrors them and adds one distinct type per
// misuse, so a caller can catch exactly the mistake it cares about while `catch (itc::ValueError&)`
// or `catch (itc::RuntimeError&)` still works the way `except ValueError:` does in Python.
// Messages reuse CPython 3.13's wording, so a user coming from the tutorial recognises them.
//
//   itc::Error (std::runtime_error)                      any itc error
//   ├── itc::Empty                                       queue.Empty: get() found nothing in time
//   ├── itc::Full                                        queue.Full: put() found no room in time
//   ├── itc::ShutDown                                    queue.ShutDown: the queue was shut down
//   ├── itc::ValueError                                  Python's ValueError
//   │   ├── itc::InvalidArgument                         negative count, negative timeout,
//   │   │                                                timeout on a non-blocking call, n < 1
//   │   ├── itc::TaskDoneTooManyTimes                    "task_done() called too many times"
//   │   └── itc::SemaphoreReleasedTooManyTimes           "Semaphore released too many times"
//   └── itc::RuntimeError                                Python's RuntimeError
//       ├── itc::UnacquiredLockRelease                   "release unlocked lock" (Lock),
//       │                                                "cannot release un-acquired lock" (RLock)
//       ├── itc::UnacquiredConditionUse                  "cannot wait/notify on un-acquired lock"
//       └── itc::BrokenBarrierError                      threading.BrokenBarrierError
//
// Errors are thrown before any state changes: after catching one, the primitive is exactly as it
// was before the failing call (e.g. a second task_done() too many leaves the count at 0).
#pragma once

#include "itc/platform/config.hpp"

#include <stdexcept>
#include <string>

namespace itc {

/// Base of every error thrown by itc.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// queue.Empty: a non-blocking or timed get() found no item.
class Empty : public Error {
 public:
  Empty() : Error("queue.Empty") {}
};

/// queue.Full: a non-blocking or timed put() found no free slot.
class Full : public Error {
 public:
  Full() : Error("queue.Full") {}
};

/// queue.ShutDown: put() after shutdown(), or get() on a shut-down queue that is empty.
class ShutDown : public Error {
 public:
  ShutDown() : Error("queue.ShutDown") {}
};

/// Python's ValueError: an argument or a call count is out of range.
class ValueError : public Error {
 public:
  using Error::Error;
};

/// A negative count or timeout, a timeout on a non-blocking call, or n < 1.
class InvalidArgument : public ValueError {
 public:
  using ValueError::ValueError;
};

/// Queue::task_done() called more often than items were put.
class TaskDoneTooManyTimes : public ValueError {
 public:
  TaskDoneTooManyTimes() : ValueError("task_done() called too many times") {}
};

/// BoundedSemaphore::release() would push the value above its initial value.
class SemaphoreReleasedTooManyTimes : public ValueError {
 public:
  SemaphoreReleasedTooManyTimes() : ValueError("Semaphore released too many times") {}
};

/// Python's RuntimeError: the call is not allowed in the current state.
class RuntimeError : public Error {
 public:
  using Error::Error;
};

/// release() of a Lock that is not locked, or of an RLock the caller does not own.
class UnacquiredLockRelease : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};

/// Condition::wait()/notify() by a thread that does not hold the condition's lock.
class UnacquiredConditionUse : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};

/// threading.BrokenBarrierError: the barrier was aborted, reset, or broken by a timeout or a
/// failing action while (or before) this thread waited.
class BrokenBarrierError : public RuntimeError {
 public:
  BrokenBarrierError() : RuntimeError("threading.BrokenBarrierError") {}
};

/// Python's OverflowError: a count would exceed what the C++ type holds (Python's integers
/// have no limit, so CPython never raises it for these calls). Semaphore::release(n) when the
/// value would exceed PTRDIFF_MAX.
class OverflowError : public Error {
 public:
  using Error::Error;
};

}  // namespace itc
