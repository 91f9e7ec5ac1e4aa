// itc/platform/thread_annotations.hpp — Clang thread-safety analysis attributes.
//
// The platform mutex is a *capability*; every member that a primitive guards with it is
// declared ITC_GUARDED_BY(mutex_), and every helper that must be called with the mutex held is
// ITC_REQUIRES(mutex_). Clang's -Wthread-safety then proves, at compile time, that the reference
// implementations never touch guarded state without the lock. (Pattern: abseil's
// absl/base/thread_annotations.h.) On compilers without the analysis the macros expand to
// nothing.
#pragma once

#if defined(__clang__) && !defined(SWIG)
#define ITC_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define ITC_THREAD_ANNOTATION(x)
#endif

#define ITC_CAPABILITY(x) ITC_THREAD_ANNOTATION(capability(x))
#define ITC_SCOPED_CAPABILITY ITC_THREAD_ANNOTATION(scoped_lockable)
#define ITC_GUARDED_BY(x) ITC_THREAD_ANNOTATION(guarded_by(x))
#define ITC_PT_GUARDED_BY(x) ITC_THREAD_ANNOTATION(pt_guarded_by(x))
#define ITC_REQUIRES(...) ITC_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define ITC_ACQUIRE(...) ITC_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ITC_RELEASE(...) ITC_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define ITC_TRY_ACQUIRE(...) ITC_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define ITC_EXCLUDES(...) ITC_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ITC_RETURN_CAPABILITY(x) ITC_THREAD_ANNOTATION(lock_returned(x))
#define ITC_NO_THREAD_SAFETY_ANALYSIS ITC_THREAD_ANNOTATION(no_thread_safety_analysis)
