// buffer_scenarios.hpp — scenarios for mylib::BoundedBuffer, in itc's scenario format
// (models/include/itc/models/scenario.hpp): threads, thread(i), check(), expected verdicts.
#pragma once

#include "bounded_buffer.hpp"
#include "itc/models/scenario.hpp"

namespace mylib::checks {

using itc::models::ScenarioInfo;
using itc::models::Verdict;

/// A producer puts items, a consumer takes them with take() and try_take().
template <class P, template <class, class> class Buffer>
struct BufferProducerConsumer {
  static constexpr unsigned threads = 2;
  static constexpr int kItems = P::is_model_checker ? 2 : 300;

  Buffer<int, P> buffer{1};
  typename P::template Var<long> sum{0};

  void thread(unsigned i) {
    if (i == 0) {
      for (int n = 1; n <= kItems; ++n) buffer.put(n);
      return;
    }
    int taken = 0;
    while (taken < kItems) {
      if (auto item = buffer.try_take()) {
        sum.write() += *item;
        ++taken;
      } else {
        itc::models::scenario_yield<P>();
      }
    }
  }
  void check() {
    itc::models::scenario_assert<P>(sum.read() == 1L * kItems * (kItems + 1) / 2, "every item arrives once");
  }
};

template <class P>
struct BufferCorrect : BufferProducerConsumer<P, mylib::BoundedBuffer> {
  static constexpr ScenarioInfo info{"mybuffer/correct",
                                     "our BoundedBuffer, producer and consumer",
                                     "—",
                                     "—",
                                     "examples/own_scenario/bounded_buffer.hpp",
                                     {Verdict::pass},
                                     {Verdict::pass},
                                     {Verdict::pass}};
};

template <class P>
struct BufferPeekingTryTake : BufferProducerConsumer<P, mylib::BoundedBufferPeekingTryTake> {
  static constexpr ScenarioInfo info{"mybuffer/peeking_try_take",
                                     "our first BoundedBuffer",
                                     "try_take() reads the deque before taking the lock",
                                     "check emptiness under the lock",
                                     "examples/own_scenario/bounded_buffer.hpp",
                                     {Verdict::data_race},
                                     {Verdict::none},
                                     {Verdict::data_race}};
};

}  // namespace mylib::checks
