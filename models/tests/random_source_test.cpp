// The generator behind itc's random and PCT search: uniform, unbiased, and able to repeat a
// choice many times in a row (what starving a thread through a loop needs). Also shows the
// defect it replaces: Relacy's generator (relacy/random.hpp, reproduced below) never picks
// the same one of two threads more than a handful of times in a row.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "itc/models/random_source.hpp"

namespace {

int failures = 0;
void expect(bool ok, const char* what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) ++failures;
}

/// relacy/random.hpp's random_generator, seeded as its random scheduler seeds it.
struct RelacyGenerator {
  unsigned k, c, x;
  explicit RelacyGenerator(std::uint64_t s) {
    static const unsigned primes[16] = {1, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53};
    k = (static_cast<unsigned>(s >> 32) & 0xf) + 8;
    c = primes[(static_cast<unsigned>(s >> 36) & 0xf)];
    x = static_cast<unsigned>((s + 1) * 0x95949347 + c);
  }
  unsigned rand() { return (x = x + c + (x << k)) >> 16; }
};

/// The longest run of equal picks among two over `draws` choices, over many seeds.
template <class Pick>
int longest_run(Pick pick, int seeds, int draws) {
  int longest = 0;
  for (int s = 1; s <= seeds; ++s) {
    int run = 0;
    unsigned last = 2;
    for (int i = 0; i < draws; ++i) {
      const unsigned v = pick(s, i);
      run = v == last ? run + 1 : 1;
      last = v;
      if (run > longest) longest = run;
    }
  }
  return longest;
}

}  // namespace

int main() {
  using itc::models::Xoshiro256ss;

  // Determinism: a pure function of (seed, stream).
  {
    Xoshiro256ss a(7, 11), b(7, 11), c(7, 12), d(8, 11);
    const std::uint64_t va = a.next();
    expect(va == b.next(), "the same (seed, stream) gives the same sequence");
    expect(va != c.next() && va != d.next(), "another stream or seed gives another sequence");
  }

  // Uniformity: for each n (non-powers of two included, where a modulo would be biased), the
  // chi-square statistic of 200 independent streams of 50000 draws. Unbiased draws give a mean
  // of n-1 (its degrees of freedom) within 4 standard errors; a bias of 1% in one bucket would
  // push it far beyond. (One stream alone is a coin toss at any threshold: seed 1 happens to
  // sit at the 99.8th percentile.)
  for (const std::uint32_t n : {2U, 3U, 7U, 10U}) {
    const int streams = 200, draws = 50000;
    double mean = 0;
    for (int s = 0; s < streams; ++s) {
      Xoshiro256ss g(static_cast<std::uint64_t>(s), 0);
      std::vector<int> hist(n);
      for (int i = 0; i < draws; ++i) ++hist[g.uniform(n)];
      const double e = static_cast<double>(draws) / n;
      for (int h : hist) mean += (h - e) * (h - e) / e / streams;
    }
    const double df = n - 1, tolerance = 4 * std::sqrt(2 * df / streams);
    char what[128];
    std::snprintf(what, sizeof what, "uniform(%u): mean chi-square %.3f within %.3f of %.0f", n, mean,
                  tolerance, df);
    expect(std::fabs(mean - df) < tolerance, what);
  }

  // Exactness near 2^32: uniform(3 * 2^30) must never return a value >= n, and values in the
  // upper part must be as likely as in the lower (a modulo of 32 bits would favour the lower
  // third twice over).
  {
    Xoshiro256ss g(3, 0);
    const std::uint32_t n = 3U << 30;
    long low = 0, high = 0;
    bool in_range = true;
    for (int i = 0; i < 300000; ++i) {
      const std::uint32_t v = g.uniform(n);
      in_range = in_range && v < n;
      (v < (1U << 30) ? low : high) += 1;
    }
    expect(in_range, "uniform(n) < n");
    const double share = static_cast<double>(low) / (low + high);
    expect(std::fabs(share - 1.0 / 3) < 0.01, "uniform(3*2^30): the lowest third gets a third of the draws");
  }

  // Runs: with two runnable threads, a sound generator picks the same thread 20 times in a row
  // about once in 2^19 decisions. Over 200 seeds x 20000 picks the longest run must be long.
  {
    const int ours = longest_run(
        [](int s, int i) {
          static Xoshiro256ss g;
          if (i == 0) g.seed(static_cast<std::uint64_t>(s), 0);
          return g.uniform(2);
        },
        200, 20000);
    const int relacy = longest_run(
        [](int s, int i) {
          static RelacyGenerator g(1);
          if (i == 0) g = RelacyGenerator(static_cast<std::uint64_t>(s));
          return g.rand() % 2;
        },
        200, 20000);
    std::printf("longest run of one pick among two: xoshiro256** %d, Relacy's generator %d\n", ours, relacy);
    expect(ours >= 20, "xoshiro256**: a thread can be picked 20 times in a row");
    expect(relacy < 20, "Relacy's generator cannot (the defect this generator replaces)");
  }
  return failures == 0 ? 0 : 1;
}
