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

// The same format, named: designated initialisers and expect(...), .source given because the
// defect is in the class, not in this file.
template <class P>
struct BufferPeekingTryTake : BufferProducerConsumer<P, mylib::BoundedBufferPeekingTryTake> {
  static constexpr ScenarioInfo info{.id = "mybuffer/peeking_try_take",
                                     .origin = "our first BoundedBuffer",
                                     .defect = "try_take() reads the deque before taking the lock",
                                     .fix = "check emptiness under the lock",
                                     .source = "mylib/bounded_buffer.hpp",
                                     .model = itc::models::expect(Verdict::data_race),
                                     .stress = itc::models::expect(Verdict::none),
                                     .tsan = itc::models::expect(Verdict::data_race)};
};

/// Blocking hand-over: put() and take() only, FIFO order checked by the consumer as it goes.
/// No final check(), and .source left out: it is this file.
template <class P>
struct BufferHandoff {
  static constexpr ScenarioInfo info{.id = "mybuffer/handoff",
                                     .origin = "our BoundedBuffer, blocking put and take",
                                     .defect = "—",
                                     .fix = "—",
                                     .model = itc::models::expect(Verdict::pass),
                                     .stress = itc::models::expect(Verdict::pass),
                                     .tsan = itc::models::expect(Verdict::pass)};
  static constexpr unsigned threads = 2;
  static constexpr int kItems = P::is_model_checker ? 2 : 200;

  mylib::BoundedBuffer<int, P> buffer{1};
  itc::models::Var<P, int> last{0};  // thread 1's own record

  void thread(unsigned i) {
    for (int n = 1; n <= kItems; ++n) {
      if (i == 0) {
        buffer.put(n);
      } else {
        const int item = buffer.take();
        itc::models::scenario_assert<P>(item == last.read() + 1, "items arrive in FIFO order");
        last.write() = item;
      }
    }
  }
};

}  // namespace mylib::checks
