// models/scenarios/deep.hpp — the deep family: bugs that need a precise, unlikely schedule.
//
// Written to measure the model checker's strategies against each other (models/README.md,
// "The deep family"; models/tests/deep_table.sh): bugs of depth 2 among 4 and 6 threads, a bug
// that needs one thread starved through a loop of 32 iterations, a lock-free stack whose ABA
// needs three preemptions (depth 4 for PCT), a ring buffer whose lost notification needs a
// wrap-around (depth 3), and a sequence lock whose two unserialised writers both have to be
// caught inside their writes while a reader validates (depth 3 among 6 threads).
// Each broken row has a correct twin with the same threads and the same number of steps (the
// seqlock's adds only its writers' lock and unlock), so that a strategy's "pass" on the twin
// costs what its search of the broken row costs.
//
// The depth of a bug (Burckhardt et al., ASPLOS 2010) is the number of ordering constraints
// between steps of different threads that expose it; PCT of depth d finds a bug of depth d with
// probability at least 1/(n * k^(d-1)) per execution, whatever the length of the loops around
// it. The rows are marked `.deep_search()`: only PCT is expected to find them within the budget, and
// bounded and random search report the verdict, a pass, or `inconclusive` (their caps).
//
// Every body runs once per execution on every checker. Real threads find most of these rows
// anyway — an OS thread is starved for a whole time slice, the very schedule random search
// almost never draws — but not reliably; the ABA they almost never hit (CATALOG.md, E9).
#pragma once

#include "itc/models/scenario.hpp"
#include "itc/platform/lock_guard.hpp"

namespace itc::models::scenarios {

// ---------------------------------------------------------------------------------------------
// Depth 2 among 4 threads: a cache invalidated while readers use it.

/// Thread 0 invalidates a cached value (first `valid`, then the value itself); threads 1..3
/// read it. `CheckFirst`: a reader checks `valid`, then reads the value — the invalidation can
/// fall between the two (constraints: check before invalidate, overwrite before read: depth 2).
/// The fix reads the value first and validates after: a value read before `valid` was seen true
/// was read before the invalidation began.
template <class P, bool CheckFirst>
struct DeepCacheBody {
  static constexpr unsigned threads = 4;  // 0 invalidates, 1..3 read
  static constexpr int kFresh = 1;
  static constexpr int kStale = 2;

  Atomic<P, int> valid{1};
  Atomic<P, int> value{kFresh};
  Atomic<P, int> hits{0};  // statistics every reader keeps (steps around the window)

  void thread(unsigned i) {
    if (i == 0) {
      valid.store(0);
      value.store(kStale);  // the cached object is reused for something else
      return;
    }
    hits.fetch_add(1);
    if constexpr (CheckFirst) {
      if (valid.load() == 1) {
        hits.fetch_add(1);
        const int v = value.load();  // DEFECT: checked `valid` before reading; it may be stale now
        scenario_assert<P>(v == kFresh, "a reader uses only a value that was valid when read");
      }
    } else {
      const int v = value.load();
      hits.fetch_add(1);
      if (valid.load() == 1)
        scenario_assert<P>(v == kFresh, "a reader uses only a value that was valid when read");
    }
  }
  void check() {}
};

template <class P>
struct DeepDepth2FourThreads : DeepCacheBody<P, true> {
  static constexpr ScenarioInfo info{.id = "deep/depth2_four_threads",
                                     .origin = "deep family: check-then-use among 4 threads",
                                     .defect = "readers check `valid`, then read the value (depth 2)",
                                     .fix = "read the value, then validate",
                                     .model = expect(Verdict::assertion).deep_search(),
                                     .stress = expect(Verdict::assertion).or_also(Verdict::none),
                                     .tsan = expect(Verdict::assertion).or_also(Verdict::none)};
};

template <class P>
struct DeepDepth2FourThreadsCorrect : DeepCacheBody<P, false> {
  static constexpr ScenarioInfo info =
      correct_form("deep/depth2_four_threads_correct", "deep family: check-then-use among 4 threads");
};

// ---------------------------------------------------------------------------------------------
// Six threads: shutdown against a late worker (three constraints, depth 2 for PCT).

/// Thread 0 shuts a service down: it raises `closing`, waits until no worker is active, and
/// destroys the resource. Threads 1..5 each serve one request if the service is not closing.
/// `RegisterLate`: a worker checks `closing`, then registers as active — the closer can see no
/// active worker between the two and destroy the resource before the worker uses it
/// (constraints: check before `closing`, the closer's count before the registration, destroy
/// before use). PCT needs only one change point for it (depth 2, measured): the worker is
/// demoted right after its check, and the priorities order the rest — the closer runs to its
/// end before the demoted worker runs again. The fix registers first and checks after (seq_cst on both sides:
/// the closer's store and load and the worker's increment and load cannot both miss each other).
template <class P, bool RegisterLate>
struct DeepShutdownBody {
  static constexpr unsigned threads = 6;  // 0 closes, 1..5 serve

  Atomic<P, int> closing{0};
  Atomic<P, int> active{0};
  Atomic<P, int> alive{1};  // the resource

  void serve() {
    scenario_assert<P>(alive.load() == 1, "no worker uses the resource after it was destroyed");
  }
  void thread(unsigned i) {
    if (i == 0) {
      closing.store(1);
      while (active.load() != 0) scenario_yield<P>();
      alive.store(0);
      return;
    }
    if constexpr (RegisterLate) {
      if (closing.load() == 0) {
        active.fetch_add(1);  // DEFECT: registers after checking `closing`; the closer may be past
        serve();
        active.fetch_sub(1);
      }
    } else {
      active.fetch_add(1);
      if (closing.load() == 0) serve();
      active.fetch_sub(1);
    }
  }
  void check() {}
};

template <class P>
struct DeepLateWorkerSixThreads : DeepShutdownBody<P, true> {
  static constexpr ScenarioInfo info{.id = "deep/late_worker_six_threads",
                                     .origin = "deep family: shutdown against a late worker, 6 threads",
                                     .defect = "a worker checks `closing`, then registers as active",
                                     .fix = "register first, then check `closing`",
                                     .model = expect(Verdict::assertion).deep_search(),
                                     .stress = expect(Verdict::assertion).or_also(Verdict::none),
                                     .tsan = expect(Verdict::assertion).or_also(Verdict::none)};
};

template <class P>
struct DeepLateWorkerSixThreadsCorrect : DeepShutdownBody<P, false> {
  static constexpr ScenarioInfo info = correct_form("deep/late_worker_six_threads_correct",
                                                    "deep family: shutdown against a late worker, 6 threads");
};

// ---------------------------------------------------------------------------------------------
// A thread starved through a loop of 32 iterations: a generation tag that wraps.

/// A slot of an object pool is named by a handle (slot, generation); reusing the slot bumps the
/// generation, so a stale handle no longer validates. The slot's header word holds the
/// generation in its low 16 bits and, above them, the count of reuses (what the check compares:
/// one word, so a holder never sees the two halves of different reuses). Thread 0 reuses the
/// slot 32 times; thread 1 takes a handle, works with the object (3 steps) and validates the
/// handle before trusting what it did.
/// With a 5-bit generation (`kGenerations` 32) the tag wraps: a holder that took its handle
/// before the first reuse and validates after the 32nd sees its generation again. That needs
/// thread 1 starved through the whole loop (32 steps of thread 0); the twin's generation does
/// not wrap within the loop.
template <class P, int kGenerations>
struct DeepTagBody {
  static constexpr unsigned threads = 2;  // 0 reuses the slot, 1 holds a handle
  static constexpr int kReuses = 32;
  static constexpr int kGenerationBits = 0xffff;

  static constexpr int kWork = 3;

  Atomic<P, int> header{0};  // reuses << 16 | generation
  Atomic<P, int> work{0};    // what the holder does with the object between taking and validating

  void thread(unsigned i) {
    if (i == 0) {
      for (int r = 1; r <= kReuses; ++r) header.store(r << 16 | r % kGenerations);
      return;
    }
    const int taken = header.load();
    const int handle = taken & kGenerationBits;
    for (int step = 0; step < kWork; ++step) work.fetch_add(1);  // works with the object
    const int now = header.load();
    // DEFECT (kGenerations 32): after 32 reuses the 5-bit generation is the holder's again
    if ((now & kGenerationBits) == handle)
      scenario_assert<P>(now >> 16 == taken >> 16,
                         "a handle that validates names the object it was taken for");
  }
  void check() {}
};

template <class P>
struct DeepStarvedTagWrap : DeepTagBody<P, 32> {
  static constexpr ScenarioInfo info{
      .id = "deep/starved_tag_wrap",
      .origin = "deep family: a handle's generation tag wraps",
      .defect = "a 5-bit generation wraps while a holder is starved through 32 reuses",
      .fix = "a generation that does not wrap within a holder's lifetime",
      .model = expect(Verdict::assertion).deep_search(),
      .stress = expect(Verdict::assertion).or_also(Verdict::none),
      .tsan = expect(Verdict::assertion).or_also(Verdict::none)};
};

template <class P>
struct DeepStarvedTagWrapCorrect : DeepTagBody<P, 0x10000> {
  static constexpr ScenarioInfo info =
      correct_form("deep/starved_tag_wrap_correct", "deep family: a handle's generation tag wraps");
};

// ---------------------------------------------------------------------------------------------
// A Treiber stack whose ABA needs three preemptions.

/// A free list of three nodes (A -> B -> C) as a Treiber stack over node indices; each of three
/// threads pops a node, uses it and pushes it back. `Tagged` false: the top is the bare index,
/// and this schedule corrupts the list: thread 0 reads top A and A's next B, and is preempted;
/// thread 1 pops A and is preempted; thread 2 pops B and is preempted; thread 1 pushes A back
/// (A -> C) and ends; thread 0's compare-exchange still sees A on top and installs B — a node
/// thread 2 owns. Three preemptions, no fewer: bounded search with bound 2 cannot reach it.
/// The fix counts every change of the top in the word the compare-exchange compares.
template <class P, bool Tagged>
struct DeepStackBody {
  static constexpr unsigned threads = 3;
  static constexpr int kNodes = 3;
  static constexpr int kEmpty = -1;

  Atomic<P, int> top{Tagged ? 1 : 0};  // Tagged: index + 1 in the low 2 bits (0: empty), a change count above
  std::array<Atomic<P, int>, kNodes> next;
  std::array<Atomic<P, int>, kNodes> owner;

  DeepStackBody() {
    for (int n = 0; n < kNodes; ++n) {
      next[n].store(n + 1 < kNodes ? n + 1 : kEmpty, std::memory_order::relaxed);
      owner[n].store(kEmpty, std::memory_order::relaxed);
    }
  }
  static int index_of(int word) { return Tagged ? (word & 3) - 1 : word; }
  static int word_of(int index, int old_word) {
    return Tagged ? ((old_word >> 2) + 1) << 2 | (index + 1) : index;
  }

  int pop() {
    int t = top.load();
    while (index_of(t) != kEmpty) {
      const int n = next[index_of(t)].load();
      // DEFECT (untagged): the top can be A again, with another next, since it was read
      if (top.compare_exchange_strong(t, word_of(n, t))) break;
    }
    return index_of(t);
  }
  void push(int node) {
    int t = top.load();
    do {
      next[node].store(index_of(t));
    } while (!top.compare_exchange_strong(t, word_of(node, t)));
  }
  void thread(unsigned i) {
    const int node = pop();
    if (node == kEmpty) return;
    scenario_assert<P>(owner[node].exchange(static_cast<int>(i)) == kEmpty,
                       "a popped node has no other owner");
    owner[node].store(kEmpty);
    push(node);
  }
  void check() {
    // Every node is on the list exactly once: walking it visits three distinct nodes.
    std::array<bool, kNodes> seen{};
    int count = 0;
    for (int n = index_of(top.load()); n != kEmpty && count <= kNodes; n = next[n].load(), ++count) {
      scenario_assert<P>(!seen[n], "the free list holds no node twice");
      seen[n] = true;
    }
    scenario_assert<P>(count == kNodes, "the free list holds every node");
  }
};

template <class P>
struct DeepStackAba : DeepStackBody<P, false> {
  static constexpr ScenarioInfo info{
      .id = "deep/stack_aba",
      .origin = "deep family: a lock-free free list (Treiber stack)",
      .defect = "pop's compare-exchange sees A again and installs a stale next (ABA)",
      .fix = "a change count in the word the compare-exchange compares",
      .model = expect(Verdict::assertion).deep_search(),
      .stress = expect(Verdict::assertion).or_also(Verdict::none),
      .tsan = expect(Verdict::none)};
};

template <class P>
struct DeepStackAbaCorrect : DeepStackBody<P, true> {
  static constexpr ScenarioInfo info =
      correct_form("deep/stack_aba_correct", "deep family: a lock-free free list (Treiber stack)");
};

// ---------------------------------------------------------------------------------------------
// A ring buffer whose lost notification needs a wrap-around.

/// A bounded ring of two slots under one mutex; thread 0 produces three items, thread 1
/// consumes them. A consumer that finds the ring empty records where it sleeps and waits; the
/// producer wakes it after publishing, but skips a consumer it has already woken that has not
/// run yet (it still shows as sleeping). `BySlot`: the sleep is recorded as the slot (position
/// mod 2), so a second sleep one lap later, at the same slot, looks like the sleep already
/// woken: the notification is skipped and the consumer sleeps forever (constraints: sleep at 0
/// before item 0, item 1 before the consumer looks at 1, sleep at 2 before item 2). The fix
/// records the position itself.
template <class P, bool BySlot>
struct DeepRingBody {
  static constexpr unsigned threads = 2;  // 0 produces, 1 consumes
  static constexpr int kSlots = 2;
  static constexpr int kItems = 3;
  static constexpr int kNobody = -1;

  typename P::Mutex mutex;
  typename P::CondVar item_ready;
  typename P::CondVar space_free;
  // All guarded by `mutex`.
  Var<P, int> write_pos{0};
  Var<P, int> read_pos{0};
  VarArray<P, int, kSlots> slots;  // a slot is written before it is read
  Var<P, int> sleeping_at{kNobody};
  Var<P, int> last_woken{kNobody};

  int sleep_mark(int pos) const { return BySlot ? pos % kSlots : pos; }

  void produce(int item) {
    detail::MutexGuard hold(mutex);
    while (write_pos.read() - read_pos.read() == kSlots) space_free.wait(mutex);
    slots[static_cast<std::size_t>(item % kSlots)].write() = item;
    write_pos.write() = item + 1;
    const int sleeper = sleeping_at.read();
    // DEFECT (BySlot): one lap later, a new sleep at the same slot looks like the one already woken
    if (sleeper != kNobody && sleeper != last_woken.read()) {
      last_woken.write() = sleeper;
      item_ready.notify_one();
    }
  }
  void consume(int pos) {
    detail::MutexGuard hold(mutex);
    while (write_pos.read() == pos) {
      sleeping_at.write() = sleep_mark(pos);
      item_ready.wait(mutex);
      sleeping_at.write() = kNobody;
    }
    scenario_assert<P>(slots[static_cast<std::size_t>(pos % kSlots)].read() == pos, "items arrive in order");
    read_pos.write() = pos + 1;
    space_free.notify_one();
  }
  void thread(unsigned i) {
    for (int n = 0; n < kItems; ++n) i == 0 ? produce(n) : consume(n);
  }
  void check() { scenario_assert<P>(read_pos.read() == kItems, "the consumer took every item"); }
};

template <class P>
struct DeepRingWraparoundLostWakeup : DeepRingBody<P, true> {
  static constexpr ScenarioInfo info{
      .id = "deep/ring_wraparound_lost_wakeup",
      .origin = "deep family: a ring buffer's sleeping consumer",
      .defect = "the sleep is recorded by slot: one lap later the wake-up is skipped",
      .fix = "record the position, not the slot",
      .model = expect(Verdict::deadlock).deep_search(),
      .stress = expect(Verdict::hang).probabilistically(),
      .tsan = expect(Verdict::hang).probabilistically()};
};

template <class P>
struct DeepRingWraparoundLostWakeupCorrect : DeepRingBody<P, false> {
  static constexpr ScenarioInfo info = correct_form("deep/ring_wraparound_lost_wakeup_correct",
                                                    "deep family: a ring buffer's sleeping consumer");
};

// ---------------------------------------------------------------------------------------------
// Depth 3 among 6 threads: a sequence lock whose writers were assumed to take turns.

/// A sequence lock (seqcount) publishes a two-word record: a writer makes the sequence odd,
/// writes both words and makes it even again; a reader reads the sequence, the record and the
/// sequence again, and trusts the record only if both reads saw the same even value. That is
/// sound for one writer at a time: the protocol needs its writers serialised (Linux's seqlock_t
/// pairs the seqcount with a spinlock for exactly this). Threads 0 and 1 write, threads 2..5
/// read once each (a reader that finds a write in progress keeps its old copy).
/// `Unserialised`: the two writers do not exclude each other. Two increments make the sequence
/// even again while both are inside: a reader that validates while writer 0 has written the
/// first word but not the second, and writer 1 has begun, trusts a torn record. Both writers
/// must be caught inside their writes at once — one demoted after its first word, the other
/// after its begin — so PCT needs two change points (depth 3): with one, the writer that is not
/// demoted runs to its end, and the sequence is odd whenever a write is unfinished. Every other
/// interleaving leaves a consistent record (both writers write the same new value). The fix
/// serialises the writers with a mutex.
template <class P, bool Unserialised>
struct DeepSeqlockBody {
  static constexpr unsigned threads = 6;  // 0, 1 write; 2..5 read
  static constexpr int kOld = 0;
  static constexpr int kNew = 1;

  typename P::Mutex writer_lock;  // the twin's writers take it; the broken form's do not
  Atomic<P, int> sequence{0};     // odd while a (serialised) write is in progress
  Atomic<P, int> first{kOld};     // the record's two words
  Atomic<P, int> second{kOld};
  Atomic<P, int> stale_reads{0};  // statistics: readers that kept their old copy

  void write_record() {
    sequence.fetch_add(1);
    first.store(kNew);
    second.store(kNew);
    sequence.fetch_add(1);
  }
  void read_record() {
    const int begin = sequence.load();
    const int a = first.load();
    const int b = second.load();
    // DEFECT (Unserialised): two writers inside make `begin` even although the record is torn
    if (begin % 2 == 0 && sequence.load() == begin)
      scenario_assert<P>(a == b, "a record the sequence validates is not torn");
    else
      stale_reads.fetch_add(1);
  }
  void thread(unsigned i) {
    if (i >= 2) return read_record();
    if constexpr (Unserialised) {
      write_record();
    } else {
      detail::MutexGuard hold(writer_lock);
      write_record();
    }
  }
  void check() {
    scenario_assert<P>(sequence.load() % 2 == 0, "no write is left in progress");
    scenario_assert<P>(first.load() == second.load(), "the record ends consistent");
  }
};

template <class P>
struct DeepSeqlockTwoWriters : DeepSeqlockBody<P, true> {
  static constexpr ScenarioInfo info{
      .id = "deep/seqlock_two_writers",
      .origin = "deep family: a sequence lock published by two writers, read by four",
      .defect = "the writers are not serialised: two inside make the sequence even (depth 3)",
      .fix = "serialise the writers (a mutex beside the sequence)",
      .model = expect(Verdict::assertion).deep_search(),
      .stress = expect(Verdict::assertion).or_also(Verdict::none),
      .tsan = expect(Verdict::assertion).or_also(Verdict::none)};
};

template <class P>
struct DeepSeqlockTwoWritersCorrect : DeepSeqlockBody<P, false> {
  static constexpr ScenarioInfo info =
      correct_form("deep/seqlock_two_writers_correct",
                   "deep family: a sequence lock published by two writers, read by four");
};

}  // namespace itc::models::scenarios
