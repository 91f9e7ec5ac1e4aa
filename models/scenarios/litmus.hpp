// models/scenarios/litmus.hpp — litmus tests: store buffering and message passing, each in a
// broken form and its correct twin (the format: itc/models/litmus.hpp).
//
// These are about the C++ memory model itself rather than a tutorial primitive: what two
// threads can observe of each other's stores when the orderings are too weak for the algorithm
// written on top of them. The model checker explores every outcome the memory model allows; the
// stress runner shows which of them the hardware (and the compiler) really produce, as jcstress
// does, in millions of trials.
#pragma once

#include <array>

#include "itc/models/litmus.hpp"
#include "itc/models/scenario.hpp"

namespace itc::models::scenarios {

/// Store buffering — Dekker's entry protocol: each actor raises its own flag, then looks at the
/// other's; seeing 0 means "the other is not in the critical section, enter". Mutual exclusion
/// needs that not both see 0. With release stores and acquire loads each store may still sit in
/// the CPU's store buffer when the following load reads (x86 does exactly this); only seq_cst
/// (a full fence between the store and the load) forbids it.
template <class P, std::memory_order Store, std::memory_order Load>
struct StoreBufferingBase {
  struct State {
    Atomic<P, int> x{0};  // actor 1's flag
    Atomic<P, int> y{0};  // actor 2's flag
    int r1 = 0;           // what actor 1 saw of y
    int r2 = 0;           // what actor 2 saw of x
  };
  static void actor1(State& s) {
    s.x.store(1, Store);
    s.r1 = s.y.load(Load);
  }
  static void actor2(State& s) {
    s.y.store(1, Store);
    s.r2 = s.x.load(Load);
  }
  static constexpr std::array actors{&actor1, &actor2};
  static LitmusResult arbiter(const State& s) { return {s.r1, s.r2}; }
  static constexpr std::array outcomes{
      LitmusOutcome{"0, 0", Grade::forbidden,
                    "both actors saw 0 and both entered: each load overtook the actor's own earlier store "
                    "(store buffering)"},
      LitmusOutcome{"0, 1", Grade::acceptable, "actor 1 ran first: only actor 1 enters"},
      LitmusOutcome{"1, 0", Grade::acceptable, "actor 2 ran first: only actor 2 enters"},
      LitmusOutcome{"1, 1", Grade::acceptable, "both stores before both loads: nobody enters"}};
};

// DEFECT: release then acquire does not order a store before a later load of another location.
template <class P>
struct StoreBufferingTest : StoreBufferingBase<P, std::memory_order::release, std::memory_order::acquire> {
  static constexpr ScenarioInfo info{
      .id = "litmus/store_buffering",
      .origin = "memory ordering (C++ specific): Dekker's mutual exclusion",
      .defect = "release store then acquire load of the other flag: both may read 0 (store buffering)",
      .fix = "seq_cst stores and loads (or a seq_cst fence between them)",
      .model = expect(Verdict::assertion),
      .stress = expect(Verdict::assertion).probabilistically(),
      .tsan = expect(Verdict::none)};
};
template <class P>
using LitmusStoreBuffering = Litmus<P, StoreBufferingTest<P>>;

template <class P>
struct StoreBufferingSeqCstTest
    : StoreBufferingBase<P, std::memory_order::seq_cst, std::memory_order::seq_cst> {
  static constexpr ScenarioInfo info = correct_form(
      "litmus/store_buffering_seq_cst", "memory ordering (C++ specific): Dekker's mutual exclusion");
};
template <class P>
using LitmusStoreBufferingSeqCst = Litmus<P, StoreBufferingSeqCstTest<P>>;

/// Message passing: actor 1 writes the data, then raises the flag; actor 2 reads the flag, then
/// the data. Seeing the flag but not the data is what publishing must rule out: it takes a
/// release store of the flag and an acquire load of it. Relaxed on both sides orders nothing —
/// the compiler may reorder either pair and weakly ordered CPUs (Arm, POWER) do; x86 keeps
/// stores in order and loads in order, so there only the compiler could show it.
template <class P, std::memory_order Publish, std::memory_order Observe>
struct MessagePassingBase {
  struct State {
    Atomic<P, int> data{0};
    Atomic<P, int> flag{0};
    int r1 = 0;  // the flag actor 2 saw
    int r2 = 0;  // the data actor 2 saw after it
  };
  static void actor1(State& s) {
    s.data.store(1, std::memory_order::relaxed);
    s.flag.store(1, Publish);
  }
  static void actor2(State& s) {
    s.r1 = s.flag.load(Observe);
    s.r2 = s.data.load(std::memory_order::relaxed);
  }
  static constexpr std::array actors{&actor1, &actor2};
  static LitmusResult arbiter(const State& s) { return {s.r1, s.r2}; }
  static constexpr std::array outcomes{
      LitmusOutcome{"1, 0", Grade::forbidden, "the flag was seen but not the data it publishes"},
      LitmusOutcome{"0, 0", Grade::acceptable, "the reader ran first"},
      LitmusOutcome{"1, 1", Grade::acceptable, "the writer ran first: flag and data seen"},
      LitmusOutcome{"0, 1", Grade::interesting,
                    "the data but not yet the flag: the writer's stores fell between the reader's loads"}};
};

// DEFECT: a relaxed flag publishes nothing: neither pair of accesses is ordered.
template <class P>
struct MessagePassingTest : MessagePassingBase<P, std::memory_order::relaxed, std::memory_order::relaxed> {
  static constexpr ScenarioInfo info{
      .id = "litmus/message_passing",
      .origin = "memory ordering (C++ specific): publishing data with a flag",
      .defect = "flag and data both relaxed: the flag may be seen before the data",
      .fix = "release store and acquire load of the flag",
      .model = expect(Verdict::assertion),
      .stress = expect(Verdict::none),
      .tsan = expect(Verdict::none)};
};
template <class P>
using LitmusMessagePassing = Litmus<P, MessagePassingTest<P>>;

template <class P>
struct MessagePassingAcquireReleaseTest
    : MessagePassingBase<P, std::memory_order::release, std::memory_order::acquire> {
  static constexpr ScenarioInfo info =
      correct_form("litmus/message_passing_acquire_release",
                   "memory ordering (C++ specific): publishing data with a flag");
};
template <class P>
using LitmusMessagePassingAcquireRelease = Litmus<P, MessagePassingAcquireReleaseTest<P>>;

}  // namespace itc::models::scenarios
