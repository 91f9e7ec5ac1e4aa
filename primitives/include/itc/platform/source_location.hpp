// itc/platform/source_location.hpp — a call site, captured by a defaulted argument.
//
// Every platform operation takes `SourceLocation loc = SourceLocation::current()`, so a model
// checker's trace names the line *inside the primitive* (queue.hpp:212), not the platform
// wrapper. std::source_location would do, but clang 14 with libstdc++ 12 lacks it; the
// __builtin_FILE/LINE/FUNCTION defaults work on g++ and clang alike. On the std platform the
// argument is never read and the optimiser removes it.
#pragma once

#include "itc/platform/config.hpp"

namespace itc {

struct SourceLocation {
  const char* file = "";
  const char* function = "";
  int line = 0;

  static constexpr SourceLocation current(const char* file = __builtin_FILE(),
                                          const char* function = __builtin_FUNCTION(),
                                          int line = __builtin_LINE()) noexcept {
    return SourceLocation{file, function, line};
  }
};

}  // namespace itc
