// itc/models/random_source.hpp — the randomness behind itc's random and PCT searches.
//
// Relacy's own generator (random.hpp: x <- x + c + (x << k), k >= 8, upper 16 bits) is a
// multiply-by-(2^k + 1) congruential generator: successive outputs are strongly correlated, and
// `rand() % n` on them is biased. Measured in the issue that led to this file: with two runnable
// threads it never picks the same one more than about 7 times in a row, so a random search
// cannot starve a thread through a loop of 25 steps, whatever the number of executions.
//
// This header replaces it with:
//
//   SplitMix64     Vigna's 64-bit mixer: turns (seed, execution index) into a well-spread state,
//                  so that execution i of seed s is independent of execution i+1 and of seed s+1
//   Xoshiro256ss   xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number
//                  generators", 2018): 256 bits of state, period 2^256 - 1, passes BigCrush and
//                  PractRand; one generator per execution, seeded by SplitMix64
//   uniform(n)     an exactly uniform integer in [0, n): Lemire's multiply-and-reject ("Fast
//                  random integer generation in an interval", 2019). No modulo bias: every value
//                  has probability exactly 1/n
//
// Determinism: everything is a pure function of (seed, execution index), so a replay line that
// records both reruns exactly one execution, and N processes that take disjoint execution
// indices explore disjoint, reproducible parts of the same search.
//
// No dependency on Relacy: models/tests/random_source_test.cpp checks the statistics on plain
// threads-free code.
#pragma once

#include <cstdint>

namespace itc::models {

/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA
/// 2014; constants from Vigna's reference implementation). Used only to seed.
class SplitMix64 {
 public:
  explicit constexpr SplitMix64(std::uint64_t seed) noexcept : x_(seed) {}
  constexpr std::uint64_t next() noexcept {
    std::uint64_t z = (x_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t x_;
};

/// xoshiro256** 1.0. The state is never all zero: SplitMix64 seeding cannot produce four zero
/// words in a row from one 64-bit input.
class Xoshiro256ss {
 public:
  constexpr Xoshiro256ss() noexcept { seed(0, 0); }
  constexpr Xoshiro256ss(std::uint64_t seed_value, std::uint64_t stream) noexcept {
    seed(seed_value, stream);
  }

  /// The generator of execution `stream` of the search seeded with `seed_value`. The two words
  /// are mixed separately before combining, so (s, i) and (s + 1, i - 1) do not collide.
  constexpr void seed(std::uint64_t seed_value, std::uint64_t stream) noexcept {
    SplitMix64 a(seed_value);
    SplitMix64 mix(a.next() ^ (stream * 0xd1b54a32d192ed03ULL + 0x8bb84b93962eacc9ULL));
    for (auto& w : s_) w = mix.next();
  }

  constexpr std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// An exactly uniform value in [0, n); n must be at least 1. Lemire's method: the high word
  /// of a 64x32-bit product, rejecting the few low words that would make some values more
  /// likely than others.
  constexpr std::uint32_t uniform(std::uint32_t n) noexcept {
    std::uint64_t m = static_cast<std::uint64_t>(static_cast<std::uint32_t>(next() >> 32)) * n;
    auto low = static_cast<std::uint32_t>(m);
    if (low < n) {
      const std::uint32_t threshold = static_cast<std::uint32_t>(-n) % n;  // 2^32 mod n
      while (low < threshold) {
        m = static_cast<std::uint64_t>(static_cast<std::uint32_t>(next() >> 32)) * n;
        low = static_cast<std::uint32_t>(m);
      }
    }
    return static_cast<std::uint32_t>(m >> 32);
  }

  /// True with probability exactly 1/n.
  constexpr bool one_in(std::uint32_t n) noexcept { return uniform(n) == 0; }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4] = {};
};

}  // namespace itc::models
