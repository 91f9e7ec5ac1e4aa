// itc/broken/invariant.hpp — moved to itc/platform/invariant.hpp (the scenario API needs it, and
// itc/broken/ is installed only on request); kept so existing includes still compile.
#pragma once

#include "itc/platform/invariant.hpp"
