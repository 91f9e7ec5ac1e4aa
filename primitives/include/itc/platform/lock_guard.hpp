// itc/platform/lock_guard.hpp — scoped holder of a platform mutex, visible to -Wthread-safety.
//
// std::unique_lock carries no capability attributes in libstdc++, so primitives use this guard
// for their internal mutex: Clang then checks that every guarded member is touched inside one.
#pragma once

#include "itc/platform/source_location.hpp"
#include "itc/platform/thread_annotations.hpp"

namespace itc::detail {

template <class Mutex>
class ITC_SCOPED_CAPABILITY MutexGuard {
 public:
  explicit MutexGuard(Mutex& m, SourceLocation loc = SourceLocation::current()) ITC_ACQUIRE(m)
      : m_(m), loc_(loc) {
    m_.lock(loc_);
  }
  ~MutexGuard() ITC_RELEASE() { m_.unlock(loc_); }
  MutexGuard(const MutexGuard&) = delete;
  MutexGuard& operator=(const MutexGuard&) = delete;

 private:
  Mutex& m_;
  SourceLocation loc_;
};

}  // namespace itc::detail
