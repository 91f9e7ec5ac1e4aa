// itc/platform/invariant.hpp — how a scenario or a broken primitive reports a violated invariant.
//
// check_invariant<P>(cond, "what must hold") does nothing when cond holds. Otherwise the
// platform decides: a model checker's platform defines P::fail(what, loc), which stops the
// execution and reports `assertion` with its trace; on real threads an InvariantViolated
// exception carries the message and the source line to the stress runner. A broken primitive
// calls it *before* the undefined behaviour its defect would cause (popping an empty deque), so
// the defect is reported instead of crashing the checker.
#pragma once

#include "itc/platform/source_location.hpp"

namespace itc {

struct InvariantViolated {
  const char* what;
  SourceLocation where;
};

template <class P>
void check_invariant(bool cond, const char* what, SourceLocation loc = SourceLocation::current()) {
  if (cond) return;
  if constexpr (requires { P::fail(what, loc); }) {
    P::fail(what, loc);
  }
  throw InvariantViolated{what, loc};
}

}  // namespace itc
