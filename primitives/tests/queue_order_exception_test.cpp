// Checklist H18 (exception safety) for the queue orders' item storage (itc/detail/queue_orders.hpp):
// an item type whose move constructor or move assignment throws must never leave a moved-from
// ("ghost") item in a queue nor lose one, and the queue's counters (qsize, full, empty,
// unfinished_tasks, task_done) must agree with the items that come out again.
//
// Two defects are reproduced here through the public API:
//   - PriorityQueue: a move assignment that threw while put() shifted parents down (or get()
//     shifted children up) left a moved-from slot in the heap: a ghost was delivered later,
//     qsize() exceeded maxsize(), an empty queue reported full() and a task_done() threw.
//   - LifoQueue / PriorityQueue of a move-only T whose move constructor may throw: std::vector
//     moves such elements on growth and, when one move throws, leaves the earlier ones
//     moved-from in place, so queued items came out empty.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <functional>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "itc/detail/queue_orders.hpp"
#include "itc/errors.hpp"
#include "itc/queue.hpp"
#include "test_support.hpp"

using namespace itc::test;

namespace {

struct MoveFailure : std::runtime_error {
  MoveFailure() : std::runtime_error("move failed") {}
};

/// A move-only int whose move constructor and move assignment may throw (neither is noexcept,
/// the kind of T std::vector cannot relocate safely). arm_construct(n) makes the n-th move
/// construction performed by this thread throw, once; arm_assign(n) likewise for move
/// assignments. A failing move throws before touching either object. Moved-from objects hold
/// kMovedFrom, so a ghost is recognisable when it comes out.
struct Brittle {
  static constexpr int kMovedFrom = INT_MIN;
  static inline thread_local int construct_countdown = 0;
  static inline thread_local int assign_countdown = 0;
  static void arm_construct(int n) { construct_countdown = n; }
  static void arm_assign(int n) { assign_countdown = n; }
  static void disarm() { construct_countdown = assign_countdown = 0; }

  int v;
  explicit Brittle(int x) : v(x) {}
  // Not noexcept on purpose (clang-tidy's performance-noexcept-move-constructor would ask for it).
  Brittle(Brittle&& o) : v(o.v) {  // NOLINT(performance-noexcept-move-constructor)
    if (construct_countdown > 0 && --construct_countdown == 0) throw MoveFailure();
    o.v = kMovedFrom;
  }
  Brittle& operator=(Brittle&& o) {  // NOLINT(performance-noexcept-move-constructor)
    if (assign_countdown > 0 && --assign_countdown == 0) throw MoveFailure();
    v = o.v;
    o.v = kMovedFrom;
    return *this;
  }
  Brittle(const Brittle&) = delete;
  Brittle& operator=(const Brittle&) = delete;
};
static_assert(!std::is_nothrow_move_constructible_v<Brittle> && !std::is_copy_constructible_v<Brittle>);

/// Brittle's value, for ValueLess and drain() (test_support.hpp), which find it by ADL.
int value_of(const Brittle& b) {
  return b.v;
}

using PQ = itc::PriorityQueue<Brittle, ValueLess>;
using LQ = itc::LifoQueue<Brittle>;

/// Which move of Brittle an attempt makes fail.
enum class Failing { kConstruct, kAssign };
const char* name(Failing f) {
  return f == Failing::kConstruct ? "move construction" : "move assignment";
}
void arm(Failing f, int n) {
  if (f == Failing::kConstruct) {
    Brittle::arm_construct(n);
  } else {
    Brittle::arm_assign(n);
  }
}

/// Runs `op` with the n-th move of kind `f` armed to fail; true if it threw MoveFailure.
template <class Op>
bool attempt(Failing f, int n, Op op) {
  arm(f, n);
  bool threw = false;
  try {
    op();
  } catch (const MoveFailure&) {
    threw = true;
  }
  Brittle::disarm();
  return threw;
}

/// Checks that `q` (bounded by `maxsize`, every item put and none task_done yet) holds exactly
/// `expected` in retrieval order, and that its counters agree: qsize, unfinished_tasks, full,
/// then after draining: empty, not full, one task_done per item delivered and not one more.
template <class Q>
void expect_exactly(Q& q, std::ptrdiff_t maxsize, const std::vector<int>& expected, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(q.qsize(), expected.size());
  EXPECT_LE(q.qsize(), static_cast<std::size_t>(maxsize));
  EXPECT_EQ(q.unfinished_tasks(), expected.size());
  EXPECT_EQ(q.full(), expected.size() >= static_cast<std::size_t>(maxsize));
  const std::vector<int> got = drain(q);
  EXPECT_EQ(got, expected);
  for (int v : got) EXPECT_NE(v, Brittle::kMovedFrom) << "a ghost (moved-from item) was delivered";
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(q.full()) << "an empty queue reports full()";
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_NO_THROW(q.task_done()) << "task_done() for delivered item " << i;
  }
  EXPECT_THROW(q.task_done(), itc::TaskDoneTooManyTimes);
}

// ---- Defect 3: PriorityQueue, a move assignment that throws while the heap is re-ordered ----

// The reported scenario: heap {10, 20, 30} in a queue of maxsize 4; put(0) sifts up two levels
// (two parents shifted down by move assignment) and the second shift throws. Then try_put(5)
// (room for it if the put failed: that put was not counted), and everything is drained. On the old code
// the moved-from slot stayed in the heap: qsize() was 5 > maxsize() 4, a ghost came out, the
// drained queue reported full() and the fifth task_done() threw.
TEST(QueueOrderExceptions, H18_PriorityPutWhoseMoveAssignmentThrowsLeavesNoGhost) {
  constexpr std::ptrdiff_t kMax = 4;
  PQ q(kMax);
  for (int v : {10, 20, 30}) q.put(Brittle(v));
  const bool threw = attempt(Failing::kAssign, 2, [&] { q.put(Brittle(0)); });
  std::vector<int> expected{10, 20, 30};
  if (!threw) expected.insert(expected.begin(), 0);
  EXPECT_EQ(q.qsize(), expected.size()) << "the failed put left its slot in the heap";
  // try_put, not put: if put(0) succeeded the queue is full, and try_put must then refuse.
  EXPECT_EQ(q.try_put(Brittle(5)), expected.size() < static_cast<std::size_t>(kMax));
  if (expected.size() < static_cast<std::size_t>(kMax)) expected.push_back(5);
  std::sort(expected.begin(), expected.end());
  expect_exactly(q, kMax, expected, "after try_put(5)");
}

// Every failing move of a put() into heaps of several shapes, newcomers that sift up 0 to 3
// levels: the put is all-or-nothing (strong guarantee) and the counters stay consistent.
TEST(QueueOrderExceptions, H18_PriorityPutIsAllOrNothingForAnyFailingMove) {
  constexpr std::ptrdiff_t kMax = 16;
  const std::vector<int> base{80, 30, 60, 10, 90, 20, 70, 40, 50};  // heap of depth 3
  int failures = 0;
  for (Failing f : {Failing::kConstruct, Failing::kAssign}) {
    for (int newcomer : {5, 15, 35, 95}) {
      for (int n = 1; n <= 6; ++n) {
        PQ q(kMax);
        for (int v : base) q.put(Brittle(v));
        const bool threw = attempt(f, n, [&] { q.put(Brittle(newcomer)); });
        failures += threw ? 1 : 0;
        std::vector<int> expected = base;
        if (!threw) expected.push_back(newcomer);
        std::sort(expected.begin(), expected.end());
        expect_exactly(q, kMax, expected,
                       std::string(name(f)) + " " + std::to_string(n) + " fails, put(" +
                           std::to_string(newcomer) + "), threw=" + std::to_string(threw));
      }
    }
  }
  EXPECT_GE(failures, 4) << "the test did not exercise failing moves";
}

// The same for get(): the sift-down after the minimum is taken shifts children up by move
// assignment. A get() either returns the minimum and removes exactly it, or throws and leaves
// the queue exactly as it was (nothing lost, no ghost). Every get form.
TEST(QueueOrderExceptions, H18_PriorityGetIsAllOrNothingForAnyFailingMove) {
  constexpr std::ptrdiff_t kMax = 16;
  const std::vector<int> base{80, 30, 60, 10, 90, 20, 70, 40, 50, 15, 65};
  const std::vector<int> sorted_base = sorted(base);
  const std::vector<std::function<int(PQ&)>> forms{
      [](PQ& q) { return q.get().v; }, [](PQ& q) { return q.get(1s).v; },
      [](PQ& q) { return q.get_nowait().v; }, [](PQ& q) { return q.try_get()->v; }};
  int failures = 0;
  for (std::size_t form = 0; form < forms.size(); ++form) {
    for (Failing f : {Failing::kConstruct, Failing::kAssign}) {
      for (int n = 1; n <= 6; ++n) {
        PQ q(kMax);
        for (int v : base) q.put(Brittle(v));
        std::optional<int> got;
        const bool threw = attempt(f, n, [&] { got = forms[form](q); });
        failures += threw ? 1 : 0;
        std::vector<int> expected = sorted_base;
        if (!threw) {
          EXPECT_EQ(got, sorted_base.front());
          expected.erase(expected.begin());
          q.task_done();  // for the item delivered by the attempt
        }
        expect_exactly(q, kMax, expected,
                       "form " + std::to_string(form) + ", " + name(f) + " " + std::to_string(n) +
                           " fails, threw=" + std::to_string(threw));
      }
    }
  }
  EXPECT_GE(failures, 4) << "the test did not exercise failing moves";
}

// ---- Defect 4: growth of the storage with a throwing move constructor (move-only T) ----------

// Four jobs are queued; the fifth put() makes the storage grow, and a move of an earlier job
// during that growth throws. The fifth put() may fail, but the four jobs must come out intact.
// On the old code (std::vector<T>) the jobs already relocated stayed moved-from: 3 of 4 jobs
// came out empty.
template <class Q>
void growth_keeps_earlier_items(const std::vector<int>& in_retrieval_order) {
  constexpr std::ptrdiff_t kMax = 8;
  int failures = 0;
  for (int n = 1; n <= 6; ++n) {
    Q q(kMax);
    for (int v : {1, 2, 3, 4}) q.put(Brittle(v));
    const bool threw = attempt(Failing::kConstruct, n, [&] { q.put(Brittle(5)); });
    failures += threw ? 1 : 0;
    std::vector<int> expected = in_retrieval_order;
    if (!threw) expected.insert(expected.begin(), 5);  // LIFO: newest first; PQ: sorted below
    if constexpr (std::is_same_v<Q, PQ>) std::sort(expected.begin(), expected.end());
    expect_exactly(q, kMax, expected,
                   "move construction " + std::to_string(n) + " fails, threw=" + std::to_string(threw));
  }
  EXPECT_GE(failures, 1) << "the test did not exercise failing moves";
}

TEST(QueueOrderExceptions, H18_LifoGrowthWithThrowingMoveConstructorKeepsEarlierItems) {
  growth_keeps_earlier_items<LQ>({4, 3, 2, 1});
}

TEST(QueueOrderExceptions, H18_PriorityGrowthWithThrowingMoveConstructorKeepsEarlierItems) {
  growth_keeps_earlier_items<PQ>({1, 2, 3, 4});
}

// Every failing move of a put() or a get() on a LifoQueue, at sizes that cross several growth
// steps: all-or-nothing, counters consistent.
TEST(QueueOrderExceptions, H18_LifoPutAndGetAreAllOrNothingAcrossGrowth) {
  constexpr std::ptrdiff_t kMax = 64;
  int failures = 0;
  for (int size = 1; size <= 17; ++size) {
    for (int n = 1; n <= 4; ++n) {
      std::vector<int> pushed;
      LQ q(kMax);
      for (int v = 0; v < size; ++v) {
        q.put(Brittle(v));
        pushed.push_back(v);
      }
      const bool put_threw = attempt(Failing::kConstruct, n, [&] { q.put(Brittle(1000)); });
      if (!put_threw) pushed.push_back(1000);
      std::optional<int> got;
      const bool get_threw = attempt(Failing::kConstruct, n, [&] { got = q.get_nowait().v; });
      failures += (put_threw ? 1 : 0) + (get_threw ? 1 : 0);
      if (!get_threw) {
        EXPECT_EQ(got, pushed.back());
        pushed.pop_back();
        q.task_done();
      }
      expect_exactly(q, kMax, std::vector<int>(pushed.rbegin(), pushed.rend()),
                     "size " + std::to_string(size) + ", move " + std::to_string(n) + " fails");
    }
  }
  EXPECT_GE(failures, 10) << "the test did not exercise failing moves";
}

// ---- Both defects at once: random puts and gets with random failing moves ---------------------

// A PriorityQueue and a LifoQueue of Brittle against reference containers: each operation
// either succeeds or throws and changes nothing, whatever move fails.
TEST(QueueOrderExceptions, H18_RandomisedFailingMovesAgainstAReference) {
  std::mt19937 rnd(7);
  std::uniform_int_distribution<int> value(0, 100);
  std::uniform_int_distribution<int> percent(0, 99);
  std::uniform_int_distribution<int> nth(1, 8);
  PQ pq;
  LQ lq;
  std::multiset<int> pq_ref;
  std::vector<int> lq_ref;
  int failures = 0;
  for (int step = 0; step < 4000; ++step) {
    const Failing f = percent(rnd) < 50 ? Failing::kConstruct : Failing::kAssign;
    const int n = percent(rnd) < 30 ? nth(rnd) : 0;  // 0: nothing armed
    if (pq_ref.empty() || percent(rnd) < 55) {
      const int v = value(rnd);
      if (!attempt(f, n, [&] { pq.put(Brittle(v)); })) pq_ref.insert(v);
      if (!attempt(f, n, [&] { lq.put(Brittle(v)); })) lq_ref.push_back(v);
    } else {
      std::optional<int> got;
      if (attempt(f, n, [&] { got = pq.get_nowait().v; })) {
        ++failures;
      } else {
        ASSERT_EQ(got, *pq_ref.begin()) << "step " << step;
        pq_ref.erase(pq_ref.begin());
      }
      if (!lq_ref.empty()) {
        got.reset();
        if (!attempt(f, n, [&] { got = lq.get_nowait().v; })) {
          ASSERT_EQ(got, lq_ref.back()) << "step " << step;
          lq_ref.pop_back();
        }
      }
    }
    ASSERT_EQ(pq.qsize(), pq_ref.size()) << "step " << step;
    ASSERT_EQ(lq.qsize(), lq_ref.size()) << "step " << step;
  }
  EXPECT_EQ(drain(pq), std::vector<int>(pq_ref.begin(), pq_ref.end()));
  EXPECT_EQ(drain(lq), std::vector<int>(lq_ref.rbegin(), lq_ref.rend()));
  EXPECT_GE(failures, 10) << "the test did not exercise failing moves";
}

// ---- The orders directly: same guarantees without a queue around them ------------------------

// PriorityOrder on its own: whatever move fails in push() or pop_with(), the order keeps exactly
// the items it should (checked by popping everything).
TEST(QueueOrderExceptions, H18_PriorityOrderPushAndPopWithKeepExactlyTheirItems) {
  using Order = itc::PriorityOrder<Brittle, ValueLess>;
  const auto make = [](Brittle& b) { return Brittle(std::move(b)); };
  const auto contents = [&](Order& o) {
    std::vector<int> out;
    while (o.size() > 0) out.push_back(o.pop_with(make).v);
    return out;
  };
  for (Failing f : {Failing::kConstruct, Failing::kAssign}) {
    for (int n = 1; n <= 5; ++n) {
      Order o;
      for (int v : {7, 3, 5, 1, 6, 2, 4}) o.push(Brittle(v));
      Brittle extra(0);
      const bool push_threw = attempt(f, n, [&] { o.push(std::move(extra)); });
      std::vector<int> expected{1, 2, 3, 4, 5, 6, 7};
      if (!push_threw) expected.insert(expected.begin(), 0);
      EXPECT_EQ(o.size(), expected.size()) << name(f) << " " << n;
      const bool pop_threw = attempt(f, n, [&] { (void)o.pop_with(make); });
      if (!pop_threw) expected.erase(expected.begin());
      EXPECT_EQ(contents(o), expected) << name(f) << " " << n;
    }
  }
}

}  // namespace
