// itc/platform/tsan_annotations.hpp — telling ThreadSanitizer that an itc lock is a mutex.
//
// itc::Lock is built on an atomic word, not on pthread_mutex, so ThreadSanitizer would see its
// happens-before edges (the atomics) but not that it is a *lock*: no lock-order-inversion
// (potential deadlock) reports, no "mutex held" in race reports. These functions forward to
// TSan's mutex annotation interface when the translation unit is built with -fsanitize=thread
// and compile to nothing otherwise (including under the Relacy model checker).
#pragma once

#if defined(__SANITIZE_THREAD__)
#define ITC_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ITC_TSAN 1
#endif
#endif

#ifdef ITC_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace itc::detail::tsan {

#ifdef ITC_TSAN
inline void mutex_create(void* m) noexcept {
  __tsan_mutex_create(m, __tsan_mutex_not_static);
}
inline void mutex_destroy(void* m) noexcept {
  __tsan_mutex_destroy(m, __tsan_mutex_not_static);
}
inline void pre_lock(void* m, bool is_try) noexcept {
  __tsan_mutex_pre_lock(m, is_try ? __tsan_mutex_try_lock : 0);
}
inline void post_lock(void* m, bool is_try, bool acquired) noexcept {
  unsigned flags = is_try ? __tsan_mutex_try_lock : 0;
  if (!acquired) flags |= __tsan_mutex_try_lock_failed;
  __tsan_mutex_post_lock(m, flags, 0);
}
inline void pre_unlock(void* m) noexcept {
  (void)__tsan_mutex_pre_unlock(m, 0);
}
inline void post_unlock(void* m) noexcept {
  __tsan_mutex_post_unlock(m, 0);
}
#else
inline void mutex_create(void*) noexcept {}
inline void mutex_destroy(void*) noexcept {}
inline void pre_lock(void*, bool) noexcept {}
inline void post_lock(void*, bool, bool) noexcept {}
inline void pre_unlock(void*) noexcept {}
inline void post_unlock(void*) noexcept {}
#endif

}  // namespace itc::detail::tsan
