// checks/buffer_scenarios.hpp — scenarios for mylib::BoundedBuffer, in itc's scenario format
// (models/include/itc/models/scenario.hpp): threads, thread(i), check(), expected verdicts.
#pragma once

#include <algorithm>
#include <list>  // any standard header: scenarios are read before Relacy's macros exist

#include "itc/models/scenario.hpp"
#include "mylib/bounded_buffer.hpp"

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
  std::list<int> order;  // the consumer's own record (thread 1 only): items arrive in order

  void thread(unsigned i) {
    if (i == 0) {
      for (int n = 1; n <= kItems; ++n) buffer.put(n);
      return;
    }
    int taken = 0;
    while (taken < kItems) {
      if (auto item = buffer.try_take()) {
        sum.write() += *item;
        order.push_back(*item);
        ++taken;
      } else {
        itc::models::scenario_yield<P>();
      }
    }
  }
  void check() {
    itc::models::scenario_assert<P>(sum.read() == 1L * kItems * (kItems + 1) / 2, "every item arrives once");
    itc::models::scenario_assert<P>(std::is_sorted(order.begin(), order.end()), "items arrive in FIFO order");
  }
};

template <class P>
struct BufferCorrect : BufferProducerConsumer<P, mylib::BoundedBuffer> {
  static constexpr ScenarioInfo info{"mybuffer/correct",
                                     "our BoundedBuffer, producer and consumer",
                                     "—",
                                     "—",
                                     "mylib/bounded_buffer.hpp",
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
                                     "mylib/bounded_buffer.hpp",
                                     {Verdict::data_race},
                                     {Verdict::none},
                                     {Verdict::data_race}};
};

}  // namespace mylib::checks
