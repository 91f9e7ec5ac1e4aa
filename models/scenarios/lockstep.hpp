// models/scenarios/lockstep.hpp — Lockstep is public now: itc/models/lockstep.hpp.
#pragma once

#include "itc/models/lockstep.hpp"

namespace itc::models::scenarios {
using itc::models::Lockstep;
}  // namespace itc::models::scenarios
