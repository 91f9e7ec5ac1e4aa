// itc/itc.hpp — every itc primitive in one include.
#pragma once

#include "itc/barrier.hpp"
#include "itc/condition.hpp"
#include "itc/errors.hpp"
#include "itc/event.hpp"
#include "itc/lock.hpp"
#include "itc/queue.hpp"
#include "itc/semaphore.hpp"
