// A first end-to-end check that every primitive is usable through the umbrella header.
#include "itc/itc.hpp"

#include <gtest/gtest.h>

TEST(Smoke, EveryPrimitiveConstructsAndWorksOnce) {
  itc::Queue<int> q(2);
  q.put(1);
  EXPECT_EQ(q.get(), 1);
  q.task_done();
  q.join();
  itc::Event e;
  e.set();
  EXPECT_TRUE(e.wait());
  itc::Barrier b(1);
  EXPECT_EQ(b.wait(), 0u);
}
