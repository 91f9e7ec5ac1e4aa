// itc-verify — the detection matrix: every scenario x checker, graded; replay, compare, reports.
//
//   itc-verify list
//   itc-verify run [ids or globs...] [--checker model,stress,tsan] [--report-dir D] [--shard i/N]
//   itc-verify matrix [--report-dir D] [--shard i/N] [--budget S]
//   itc-verify repro <id> --checker C [--budget S] [--replay STATE]
//   itc-verify compare <id-a> <id-b>
//   itc-verify explain <id>
//   itc-verify merge <results.json>... --report-dir D [--allow-partial]
//
// Global options (--checkers, --model-bin, --stress-bin, --tsan-bin, --source-dir) may come
// before or after the subcommand. Your own checkers: `--checkers <dir>/<name>` names the three
// programs itc_add_checkers(<name> ...) builds side by side, <name>-model, <name>-stress and
// <name>-tsan. Every binary is asked `info` first: one that is not the checker its option names
// (a plain stress runner given as --tsan-bin), or that was built from another catalog than the
// stress runner (which lists the catalog), is refused with exit status 2.
//
// Each check runs in its own process with a time limit (--check-timeout), so a crash or hang in
// one check never takes the others down. Exit status: 0 every cell matches its expected verdict,
// 1 some cell does not, 2 bad usage (one line on stderr; no report is written). `repro`: 0 the
// catalog's verdict was reproduced, 1 it was not (its last line says which).
#include <fnmatch.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "process.hpp"  // stress/src: shared with itc-stress
#include "verify.hpp"

namespace fs = std::filesystem;
using namespace itc::verify;
using itc::tools::ProcessResult;
using itc::tools::run_process;

#ifndef ITC_VERSION
#define ITC_VERSION "unknown"
#endif

namespace {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A number option's check: says what was expected, in the option's own unit ("--budget:
/// expected a number of seconds between 1 and 86400, got 'abc'"), where CLI11's own range check
/// would say "Value abc not in range 1.000000 to 86400.000000".
CLI::Validator number_between(const std::string& what, double lo, double hi, bool whole) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        const bool parsed = !text.empty() && end == text.c_str() + text.size() &&
                            (!whole || text.find_first_not_of("0123456789") == std::string::npos);
        if (parsed && v >= lo && v <= hi) return "";
        return fmt::format("expected {} between {} and {}, got '{}'", what, lo, hi, text);
      },
      "", "");
}

/// `word` as one shell word (as the checkers quote their replay lines).
std::string shell_word(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                              "/._-+=:,@%") == std::string::npos)
    return word;
  std::string out = "'";
  for (char ch : word) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

std::string self_path() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("itc-verify") : p.string();
}

/// Display width of UTF-8 text (one column per code point: "—" is three bytes, one column).
std::size_t display_width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
}

std::vector<std::string> parse_checkers(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string k;
  while (std::getline(in, k, ',')) {
    if (std::find(kCheckers.begin(), kCheckers.end(), k) == kCheckers.end())
      throw UsageError("unknown checker '" + k + "' (model, stress, tsan)");
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  }
  if (out.empty()) throw UsageError("--checker needs at least one of model, stress, tsan");
  return out;
}

std::pair<unsigned, unsigned> parse_shard(const std::string& s) {
  static const std::regex form(R"(^(\d{1,6})/(\d{1,6})$)");
  std::smatch m;
  if (!std::regex_match(s, m, form))
    throw UsageError("--shard must look like i/N (e.g. 2/4), got '" + s + "'");
  const unsigned i = static_cast<unsigned>(std::stoul(m[1])), n = static_cast<unsigned>(std::stoul(m[2]));
  if (n == 0 || i == 0 || i > n) throw UsageError("--shard " + s + " is out of range: need 1 <= i <= N");
  return {i, n};
}

std::vector<Row> select(const std::vector<Row>& rows, const std::vector<std::string>& patterns) {
  if (patterns.empty()) return rows;
  std::vector<Row> out;
  std::set<std::string> taken;
  for (const auto& p : patterns) {
    const bool glob = p.find_first_of("*?[") != std::string::npos;
    if (glob && p.find('[') != std::string::npos && p.find(']') == std::string::npos)
      throw UsageError("bad glob '" + p + "' (unclosed '[')");
    bool any = false;
    for (const auto& r : rows) {
      if (fnmatch(p.c_str(), r.id.c_str(), 0) != 0) continue;
      any = true;
      if (taken.insert(r.id).second) out.push_back(r);
    }
    if (!any)
      throw UsageError(glob ? "glob '" + p + "' matches no scenario (see: itc-verify list)"
                            : "unknown scenario id '" + p + "' (see: itc-verify list)");
  }
  // Keep catalog order.
  std::vector<Row> ordered;
  for (const auto& r : rows)
    if (taken.count(r.id)) ordered.push_back(r);
  return ordered;
}

/// Fails early (exit 2) if the report folder cannot be written, before any check runs.
void check_writable(const std::string& dir) {
  const fs::path target = fs::absolute(dir);
  const fs::path probe =
      target.parent_path() / (target.filename().string() + ".probe-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::create_directories(probe, ec);
  if (ec) throw UsageError("cannot write the report folder '" + dir + "': " + ec.message());
  fs::remove_all(probe, ec);
  if (fs::exists(target) && !fs::is_directory(target))
    throw UsageError("'" + dir + "' exists and is not a folder");
}

std::string now_iso() {
  char buf[32];
  const std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

/// Runs every selected scenario x checker, with a progress line per check on stderr.
std::vector<Cell> run_cells(const std::vector<Row>& rows, const std::vector<std::string>& checkers,
                            const Options& opt, unsigned shard_i, unsigned shard_n) {
  std::vector<std::pair<const Row*, std::string>> work;
  std::size_t k = 0;
  for (const auto& r : rows) {
    if (shard_n > 1 && (k++ % shard_n) != shard_i - 1) continue;
    for (const auto& c : checkers) work.emplace_back(&r, c);
  }
  std::vector<Cell> cells;
  const auto t0 = std::chrono::steady_clock::now();
  const bool tty = ::isatty(2);
  int id_width = 34;
  for (const auto& [row, checker] : work) id_width = std::max(id_width, static_cast<int>(row->id.size()) + 1);
  for (std::size_t i = 0; i < work.size(); ++i) {
    const auto& [row, checker] = work[i];
    const double used = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    Cell cell;
    if (used >= opt.budget) {
      cell.id = row->id;
      cell.checker = checker;
      cell.expected = row->expected.at(checker);
      cell.verdict = "timeout";
      cell.evidence = fmt::format("not run: the --budget of {:.0f} s was used up", opt.budget);
    } else {
      if (tty)
        std::fprintf(stderr, "\r[%3zu/%zu] %-7s %-*s ...", i + 1, work.size(), checker.c_str(), id_width,
                     row->id.c_str());
      Options o = opt;
      o.check_timeout = std::min(opt.check_timeout, std::max(5.0, opt.budget - used));
      cell = run_check(*row, checker, o);
    }
    std::string per_strategy;
    for (const auto& s : cell.strategies)
      per_strategy += (per_strategy.empty() ? "; " : ", ") + s.name + " " + s.verdict;
    std::fprintf(stderr, "%s[%3zu/%zu] %-7s %-*s %-4s %s%s (%.1fs%s)\n", tty ? "\r" : "", i + 1, work.size(),
                 checker.c_str(), id_width, row->id.c_str(), cell.match ? "ok" : "BAD", cell.verdict.c_str(),
                 cell.rate.empty() ? "" : (" " + cell.rate).c_str(), cell.seconds, per_strategy.c_str());
    cells.push_back(std::move(cell));
  }
  return cells;
}

Binaries default_binaries() {
  Binaries b{ITC_DEFAULT_MODEL_BIN, ITC_DEFAULT_STRESS_BIN, ITC_DEFAULT_TSAN_BIN};
  if (const char* e = std::getenv("ITC_MODEL_BIN")) b.model = e;
  if (const char* e = std::getenv("ITC_STRESS_BIN")) b.stress = e;
  if (const char* e = std::getenv("ITC_TSAN_BIN")) b.tsan = e;
  return b;
}

/// Each checker binary must exist, say it is that checker, and be built from the stress
/// runner's catalog (the one the rows come from); otherwise one line and exit status 2.
void require_binaries(const Binaries& b, const std::vector<std::string>& checkers) {
  const auto stress = checker_info(b.stress);
  for (const auto& c : checkers) {
    if (::access(b.of(c).c_str(), X_OK) != 0)
      throw UsageError("the " + c + " checker '" + b.of(c) +
                       "' is not built (make verify builds it; or pass --checkers or --" + c + "-bin)");
    const auto info = c == "stress" ? stress : checker_info(b.of(c));
    if (!info)
      throw UsageError("--" + c + "-bin '" + b.of(c) + "' is not an itc checker (it does not answer `info`)");
    if (info->checker != c)
      throw UsageError("--" + c + "-bin '" + b.of(c) + "' is not " +
                       (c == "tsan"    ? "a ThreadSanitizer build of the stress runner"
                        : c == "model" ? "a model checker"
                                       : "a stress runner") +
                       " (it is the " + info->checker + " checker; itc_add_checkers builds <name>-" + c +
                       ")");
    if (stress && info->catalog != stress->catalog)
      throw UsageError("the " + c + " checker '" + b.of(c) + "' was built from " + info->catalog +
                       ", the stress runner from " + stress->catalog + " (pass --checkers or --" + c +
                       "-bin)");
  }
}

std::string why(const std::string& checker, const std::string& expected) {
  const std::string v = expected.substr(0, expected.find_first_of(" |"));
  const bool p = expected.find("(p)") != std::string::npos;
  if (checker == "model") {
    if (v == "data_race")
      return "Relacy simulates the C++ memory model and records every access to shared plain data (P::Var): "
             "it finds an interleaving with two accesses from different threads, one a write, with no "
             "happens-before between them — even if the values happen to come out right.";
    if (v == "deadlock")
      return "Relacy explores interleavings until one leaves every unfinished thread blocked; it then prints "
             "that interleaving.";
    if (v == "assertion")
      return "Some interleaving violates the scenario's invariant; bounded search (every schedule with up to "
             "2 preemptions) or random search finds it, and Relacy's random scheduler also injects the "
             "spurious wake-ups real condition variables may have.";
    if (v == "error")
      return "The library itself rejects the misuse with itc's error (Python's message); Relacy reports the "
             "execution in which it happens.";
    return "No interleaving explored (bound 2, and 100000 random) violates anything.";
  }
  if (checker == "stress") {
    if (v == "hang")
      return std::string(
                 "The watchdog sees no thread change shared state for 1 s and reports which thread is "
                 "blocked in which primitive, with the primitive's state") +
             (p ? "; it takes an unlucky interleaving, which seeded chaos (yields and sleeps at sync points) "
                  "makes likely."
                : ".");
    if (v == "assertion")
      return std::string("The scenario's invariant fails on real threads") +
             (p ? " when two threads meet inside the race window; seeded chaos widens that window so it "
                  "happens within the budget."
                : ".");
    if (v == "error") return "The library raises itc's error on the misuse, on the first run.";
    if (v == "—")
      return "Real threads do not show it: the defect is a data race or memory-ordering bug whose effect x86 "
             "and this scenario's sizes hide, or needs a spurious wake-up the OS practically never delivers. "
             "The program 'works', which is why the other checkers exist.";
    return "The correct form passes every run with chaos on.";
  }
  if (v == "data_race")
    return "ThreadSanitizer tracks happens-before between the real accesses of the run and reports the "
           "unsynchronised pair with both stacks.";
  if (v == "lock_order_inversion")
    return "ThreadSanitizer records the order in which each thread takes locks (itc::Lock announces itself "
           "to TSan) and reports the cycle A->B, B->A even on runs that do not hang.";
  if (v == "hang" || v == "error")
    return "TSan has nothing to report; the run under TSan still ends the same way (" + v +
           "), which the stress runner diagnoses.";
  if (v == "—")
    return "No data race: every access is synchronised. The defect is an atomicity violation or a lost "
           "wake-up, which TSan does not model — TSan is blind to it.";
  return "A clean run: no report.";
}

/// The matrix, then the count, then every cell that does not match — its verdict against the
/// expected one and the command that re-runs it — and the exit status (0 all match, 1 not).
int print_cells_and_status(const std::vector<Row>& rows, const std::vector<Cell>& cells,
                           const std::vector<std::string>& checkers,
                           const std::function<std::string(const Cell&)>& rerun) {
  std::cout << "\n" << matrix_text(rows, cells, checkers);
  std::vector<const Cell*> bad;
  for (const auto& c : cells)
    if (!c.match) bad.push_back(&c);
  if (bad.empty()) {
    std::cout << "\n" << fmt::format("every cell matches ({} cells)", cells.size()) << "\n";
    return 0;
  }
  std::cout << "\n" << fmt::format("{} of {} cells do not match:", bad.size(), cells.size()) << "\n";
  std::size_t id_width = 0;
  for (const Cell* c : bad) id_width = std::max(id_width, display_width(c->id));
  for (const Cell* c : bad) {
    const std::string expected = satisfies("pass", c->expected) ? "pass" : c->expected;
    std::cout << "  " << c->id << std::string(id_width - display_width(c->id) + 2, ' ')
              << fmt::format("{:<7} verdict {}, expected {}", c->checker, c->verdict, expected) << "\n"
              << "  " << std::string(id_width + 2, ' ') << "re-run  " << rerun(*c) << "\n";
  }
  return 1;
}

/// The line that re-runs a cell: the checker's own replay line when it printed one (the failing
/// execution or seed), else `itc-verify repro` with the binaries this run used.
std::string rerun_command(const Cell& c, const Options& opt, const Binaries& defaults) {
  if (!c.replay.empty()) return c.replay;
  std::string cmd = shell_word(self_path());
  // The stress runner names the catalog; the cell's checker runs it.
  auto add = [&](const std::string& k) {
    const std::string& b = opt.bin.of(k);
    if (!b.empty() && b != defaults.of(k))
      cmd += " --" + k + "-bin " + shell_word(fs::absolute(b).lexically_normal().string());
  };
  add("stress");
  if (c.checker != "stress") add(c.checker);
  return cmd + " repro " + shell_word(c.id) + " --checker " + c.checker;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "itc-verify: the detection matrix of the itc catalog — every scenario under the model "
      "checker, the stress runner and ThreadSanitizer, graded against its expected verdict"};
  app.require_subcommand(1);
  // Global options are also accepted after the subcommand (its parser hands them up).
  app.fallthrough();
  // Every option's help shows its default ("[900]"); subcommands inherit this.
  app.option_defaults()->always_capture_default();
  app.set_version_flag("--version", std::string("itc-verify (itc) ") + ITC_VERSION,
                       "print itc-verify's version and exit");
  const std::string exit_status =
      "Exit status: 0 every cell matches its expected verdict (repro: the expected verdict was\n"
      "reproduced); 1 some cell does not (repro: not reproduced; merge --allow-partial: shards\n"
      "missing); 2 bad usage: one line on stderr, no report written.";
  app.footer(exit_status + "\nEach subcommand's options and their defaults: itc-verify <subcommand> --help");
  Options opt;
  opt.bin = default_binaries();
  const Binaries defaults = opt.bin;
  std::string source_dir, checkers_prefix;
  Binaries given;
  app.add_option(
      "--checkers", checkers_prefix,
      "your checkers: <prefix>-model, <prefix>-stress, <prefix>-tsan (what itc_add_checkers(<name>) "
      "builds: <build dir>/<name>)");
  app.add_option("--model-bin", given.model, "the model checker (itc-model, or <name>-model)")
      ->default_str(defaults.model);
  app.add_option("--stress-bin", given.stress,
                 "the stress runner (itc-stress, or <name>-stress); the catalog is read from it")
      ->default_str(defaults.stress);
  app.add_option("--tsan-bin", given.tsan, "the stress runner built with -fsanitize=thread (<name>-tsan)")
      ->default_str(defaults.tsan);
  app.add_option("--source-dir", source_dir,
                 "the catalog's project root (default: what the stress runner's `info` says)");

  auto* list = app.add_subcommand("list", "the catalog: ids, the mistake in one line, its tutorial origin");

  std::vector<std::string> patterns;
  std::string checker_list = "model,stress,tsan", report_dir, shard = "1/1";
  auto add_run_options = [&](CLI::App* sub, const std::string& report_default) {
    sub->footer(exit_status);
    sub->add_option("--checker", checker_list, "comma-separated: model,stress,tsan");
    sub->add_option("--report-dir", report_dir, "write JSON, JUnit, SARIF, Markdown and HTML reports here")
        ->default_str(report_default);
    sub->add_option("--shard", shard, "run only shard i of N (1-based), e.g. 2/4");
    sub->add_option("--budget", opt.budget,
                    "seconds for the whole run; cells left when it runs out are `timeout`")
        ->type_name("SECONDS")
        ->check(number_between("a number of seconds", 1, 86400, false));
    sub->add_option("--check-timeout", opt.check_timeout, "seconds per check process")
        ->type_name("SECONDS")
        ->check(number_between("a number of seconds", 1, 3600, false));
    sub->add_option("--rate-runs", opt.rate_runs,
                    "runs to sample a probabilistic row's detection rate (0: off)")
        ->type_name("RUNS")
        ->check(number_between("a whole number of runs", 0, 1000, true));
  };
  auto* run = app.add_subcommand("run", "run checks on some scenarios");
  run->add_option("ids", patterns, "scenario ids or globs (default: all)")->default_str("");
  add_run_options(run, "");
  auto* matrix =
      app.add_subcommand("matrix", "every scenario x checker, graded against the expected verdicts");
  add_run_options(matrix, "reports/verify");
  matrix->add_option("ids", patterns, "limit to these ids or globs")->default_str("");

  std::string one_id, checker = "model";
  double repro_budget = 60;
  auto* repro = app.add_subcommand(
      "repro", "reproduce one cell's expected verdict: its evidence and the line that replays it");
  repro->footer(
      "The model checker tries bounded search (bound 2), random search and PCT in turn, until one\n"
      "finds a failure; the stress and tsan checkers run until the first failure or --budget.\n"
      "Exit status: 0 the catalog's verdict was reproduced (for a correct form: no failure), 1 it\n"
      "was not (the last line says what was found instead), 2 bad usage.");
  repro->add_option("id", one_id, "scenario id")->required();
  repro->add_option("--checker", checker, "model, stress or tsan");
  repro->add_option("--budget", repro_budget, "stress, tsan: seconds to keep trying")
      ->type_name("SECONDS")
      ->check(number_between("a number of seconds", 1, 3600, false));
  std::string replay;
  repro->add_option("--replay", replay, "model only: the state a failing run printed after --replay");
  std::string id_a, id_b;
  auto* compare = app.add_subcommand("compare", "two variants side by side");
  compare->footer("Exit status: 0 every verdict shown is the expected one, 1 some is not, 2 bad usage.");
  compare->add_option("a", id_a, "e.g. queue/correct")->required();
  compare->add_option("b", id_b, "e.g. queue/missing_task_done")->required();
  auto* explain = app.add_subcommand("explain", "the defect, its fix and why each checker sees it or not");
  explain->add_option("id", one_id, "scenario id")->required();
  std::vector<std::string> inputs;
  auto* merge = app.add_subcommand("merge", "join shard results (results.json files) into one report");
  merge->footer(
      "Exit status: 0 every cell matches, 1 some cell does not or (--allow-partial) shards are\n"
      "missing, 2 bad usage or an incomplete or mixed shard set (nothing written).");
  merge->add_option("inputs", inputs, "results.json of each shard")
      ->default_str("")
      ->required()
      ->check(CLI::ExistingFile);
  merge->add_option("--report-dir", report_dir, "where to write the merged reports")->required();
  bool allow_partial = false;
  merge->add_flag("--allow-partial", allow_partial,
                  "merge even if shards are missing (the report then says which); without it, an "
                  "incomplete or mixed set is refused and nothing is written");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    std::cerr << "itc-verify: " << msg.substr(0, msg.find('\n')) << " (see: itc-verify --help)\n";
    return 2;
  }

  // --checkers <prefix> names all three; an explicit --X-bin still wins.
  if (!checkers_prefix.empty()) {
    opt.bin = {checkers_prefix + "-model", checkers_prefix + "-stress", checkers_prefix + "-tsan"};
  }
  for (const auto& k : kCheckers) {
    const std::string& b = given.of(k);
    if (!b.empty()) (k == "model" ? opt.bin.model : k == "stress" ? opt.bin.stress : opt.bin.tsan) = b;
  }

  try {
    if (*merge) {
      check_writable(report_dir);
      std::vector<Row> rows;
      std::vector<Cell> cells;
      std::set<std::string> seen_rows, seen_cells;
      // The shard set must be complete and of one run: every input "i/N" with the same N and
      // checkers, each i once. Checked before anything is written.
      std::map<unsigned, std::string> shards;
      unsigned shard_total = 0;
      nlohmann::json first_checkers;
      for (const auto& path : inputs) {
        nlohmann::json j;
        try {
          std::ifstream f(path);
          j = nlohmann::json::parse(f);
        } catch (const std::exception& e) {
          throw UsageError("'" + path + "' is not a results.json: " + e.what());
        }
        const auto [si, sn] = parse_shard(j.value("shard", std::string("1/1")));
        if (shard_total == 0) {
          shard_total = sn;
          first_checkers = j.value("checkers", nlohmann::json());
        }
        if (sn != shard_total)
          throw UsageError("'" + path + "' is shard " + std::to_string(si) + "/" + std::to_string(sn) +
                           ", the others are of " + std::to_string(shard_total) +
                           " (shards of different runs); nothing was written");
        if (j.value("checkers", nlohmann::json()) != first_checkers)
          throw UsageError("'" + path + "' ran the checkers " + j.value("checkers", nlohmann::json()).dump() +
                           ", the first shard " + first_checkers.dump() +
                           " (shards of different runs); nothing was written");
        if (!shards.emplace(si, path).second)
          throw UsageError("shard " + std::to_string(si) + "/" + std::to_string(sn) + " is given twice ('" +
                           shards[si] + "' and '" + path + "'); nothing was written");
        for (const auto& r : j.at("catalog")) {
          if (!seen_rows.insert(r.at("id").get<std::string>()).second) continue;
          Row row{r.at("id"),
                  r.at("origin"),
                  r.at("defect"),
                  r.at("fix"),
                  r.at("source"),
                  r.at("threads"),
                  r.at("expected").get<std::map<std::string, std::string>>()};
          rows.push_back(row);
        }
        for (const auto& c : j.at("cells")) {
          Cell cell = cell_from_json(c);
          if (!seen_cells.insert(cell.id + "\t" + cell.checker).second)
            throw UsageError("'" + path + "' repeats the cell " + cell.id + " / " + cell.checker +
                             " (overlapping shards?)");
          cells.push_back(std::move(cell));
        }
      }
      std::vector<std::string> missing;
      for (unsigned i = 1; i <= shard_total; ++i)
        if (!shards.count(i)) missing.push_back(std::to_string(i) + "/" + std::to_string(shard_total));
      std::string missing_text;
      for (const auto& m : missing) missing_text += (missing_text.empty() ? "" : ", ") + m;
      if (!missing.empty() && !allow_partial)
        throw UsageError("shard(s) " + missing_text + " missing (" + std::to_string(shards.size()) + " of " +
                         std::to_string(shard_total) +
                         " given); nothing was written (--allow-partial merges them anyway)");
      // Catalog order, then checker order, exactly as an unsharded run writes them.
      std::vector<Cell> ordered;
      std::vector<std::string> present;
      for (const auto& r : rows)
        for (const auto& k : kCheckers)
          for (const auto& c : cells)
            if (c.id == r.id && c.checker == k) ordered.push_back(c);
      for (const auto& k : kCheckers)
        if (std::any_of(ordered.begin(), ordered.end(), [&](const Cell& c) { return c.checker == k; }))
          present.push_back(k);
      nlohmann::json meta = {{"tool", "itc-verify"}, {"generated", now_iso()}, {"merged_from", inputs}};
      if (!missing.empty()) meta["missing_shards"] = missing;
      write_reports(report_dir, rows, ordered, meta);
      std::cout << "merged " << inputs.size() << " shard(s) into " << report_dir << "\n";
      if (!missing.empty())
        std::cout << "PARTIAL: shard(s) " << missing_text << " missing; their cells are not in the report\n";
      const int status = print_cells_and_status(
          rows, ordered, present, [&](const Cell& c) { return rerun_command(c, opt, defaults); });
      return missing.empty() ? status : 1;
    }

    if (opt.bin.stress.empty())
      throw UsageError(
          "no checkers to run: pass --checkers <build dir>/<name> (what itc_add_checkers(<name>) "
          "builds) or --stress-bin");
    const std::vector<Row> catalog = load_catalog(opt.bin);
    const auto stress_info = checker_info(opt.bin.stress);
    if (source_dir.empty() && stress_info) source_dir = stress_info->source_root;
    opt.source_root = source_dir;
    const std::string catalog_path = stress_info ? stress_info->catalog : "";

    if (*list) {
      std::size_t id_width = 0, defect_width = 0;
      auto defect = [](const Row& r) { return r.defect == "—" ? std::string("(correct form)") : r.defect; };
      for (const auto& r : catalog) {
        id_width = std::max(id_width, display_width(r.id));
        defect_width = std::max(defect_width, display_width(defect(r)));
      }
      for (const auto& r : catalog)
        std::cout << r.id << std::string(id_width - display_width(r.id) + 1, ' ') << defect(r)
                  << std::string(defect_width - display_width(defect(r)) + 1, ' ') << r.origin << "\n";
      return 0;
    }

    if (*run || *matrix) {
      const auto checkers = parse_checkers(checker_list);
      const auto [si, sn] = parse_shard(shard);
      const auto rows = select(catalog, patterns);
      require_binaries(opt.bin, checkers);
      if (*matrix && report_dir.empty()) report_dir = "reports/verify";
      if (!report_dir.empty()) check_writable(report_dir);
      const auto cells = run_cells(rows, checkers, opt, si, sn);
      std::vector<Row> shown;
      for (const auto& r : rows)
        if (std::any_of(cells.begin(), cells.end(), [&](const Cell& c) { return c.id == r.id; }))
          shown.push_back(r);
      if (!report_dir.empty()) {
        // All selected rows, not only this shard's: every shard then carries the same catalog in
        // the same order, and merge reproduces an unsharded run exactly.
        write_reports(
            report_dir, rows, cells,
            {{"tool", "itc-verify"}, {"generated", now_iso()}, {"shard", shard}, {"checkers", checkers}});
        std::cout << "reports: " << report_dir
                  << "/{results.json,junit.xml,results.sarif,summary.md,report.html}\n";
      }
      return print_cells_and_status(shown, cells, checkers,
                                    [&](const Cell& c) { return rerun_command(c, opt, defaults); });
    }

    auto row_of = [&](const std::string& id) -> const Row& {
      for (const auto& r : catalog)
        if (r.id == id) return r;
      throw UsageError("unknown scenario id '" + id + "' (see: itc-verify list)");
    };

    if (*repro) {
      const Row& row = row_of(one_id);
      const auto checkers = parse_checkers(checker);
      if (checkers.size() != 1) throw UsageError("repro takes exactly one --checker");
      require_binaries(opt.bin, checkers);
      static const std::regex state(R"(^\d+( [0-9 ]*)?$)");
      if (!replay.empty() && checker != "model") throw UsageError("--replay is for --checker model");
      if (!replay.empty() && !std::regex_match(replay, state))
        throw UsageError("malformed replay state '" + replay +
                         "' (expected what a failing run printed after --replay)");
      // Words and exit status agree: 0 only when the catalog's verdict came out (for a correct
      // form: no failure), and the last line says which. The checker's stderr is passed through,
      // so its progress lines show while it runs.
      const std::string& bin = opt.bin.of(checker);
      const std::string expected = row.expected.at(checker);
      const bool expect_pass = satisfies("pass", expected);
      const std::string want = expect_pass ? "pass" : expected;
      const auto t0 = std::chrono::steady_clock::now();
      auto seconds = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      };
      auto verdict_of = [](const ProcessResult& r) -> std::string {
        if (r.timed_out) return "timeout";
        if (!r.started || r.signal != 0 || (r.exit_code != 0 && r.exit_code != 1)) return "crash";
        const std::string v = first_word(field(r.out, "verdict"));
        return v.empty() ? "crash" : v;
      };
      auto is_finding = [](const std::string& v) {
        return v != "pass" && v != "timeout" && v != "inconclusive";
      };
      if (checker != "model") {
        const double limit = repro_budget + opt.check_timeout;
        const ProcessResult r = run_process(
            {bin, "repro", row.id, "--budget", fmt::format("{}", repro_budget)}, limit, nullptr, true);
        std::cout << r.out;
        const std::string v = verdict_of(r);
        const bool reproduced = v != "timeout" && v != "crash" ? satisfies(v, expected) : false;
        if (field(r.out, "repro").empty()) {  // the runner's own last line is missing: say it here
          if (reproduced)
            std::cout << "repro      reproduced " << v << "\n";
          else if (r.timed_out)
            std::cout << fmt::format(
                "repro      did not reproduce: the check did not finish within {:.0f} s\n", limit);
          else
            std::cout << "repro      did not reproduce: verdict " << v << ", expected " << want << "\n";
        }
        return reproduced ? 0 : 1;
      }
      // The model checker: the strategies of a matrix cell in turn, until one finds something.
      struct Attempt {
        std::string name;
        std::vector<std::string> args;
      };
      std::vector<Attempt> attempts;
      const std::string cap = std::to_string(static_cast<int>(std::max(5.0, opt.check_timeout * 0.8)));
      if (!replay.empty())
        attempts.push_back(
            {"replay", {bin, "run", row.id, "--strategy", "bound", "--bound", "2", "--replay", replay}});
      else
        attempts = {
            {"bound 2", {bin, "run", row.id, "--strategy", "bound", "--bound", "2", "--max-seconds", cap}},
            {"random",
             {bin, "run", row.id, "--strategy", "random", "--iterations", "100000", "--max-seconds", cap}},
            {"pct 3",
             {bin, "run", row.id, "--strategy", "pct", "--depth", "3", "--iterations", "100000",
              "--max-seconds", cap}}};
      // As in the matrix (run_check): a deep row also gets PCT with depth 4.
      if (replay.empty() && row.expected.at("model").find("(deep)") != std::string::npos)
        attempts.push_back({"pct 4",
                            {bin, "run", row.id, "--strategy", "pct", "--depth", "4", "--iterations",
                             "100000", "--max-seconds", cap}});
      std::string verdict = "pass", found_by, shown, tried;
      bool all_pass = true;
      std::size_t n = 0;
      for (const auto& a : attempts) {
        const ProcessResult r = run_process(a.args, opt.check_timeout, nullptr, true);
        const std::string v = verdict_of(r);
        ++n;
        tried += (tried.empty() ? "" : ", ") + a.name;
        // "executions 193 in 0.004 s (48250/s)" -> "193 executions in 0.004 s"
        const std::string ex = field(r.out, "executions");
        const std::string count = ex.empty() ? ""
                                             : ": " + ex.substr(0, ex.find(' ')) + " executions" +
                                                   ex.substr(ex.find(' '), ex.find(" (") - ex.find(' '));
        std::cout << fmt::format("attempt {}/{}  {:<8} {}{}\n", n, attempts.size(), a.name, v, count);
        std::cout.flush();
        shown = r.timed_out ? a.name + ": the check did not finish within its time limit\n" : r.out;
        verdict = v;
        if (v != "pass") all_pass = false;
        if (is_finding(v)) {
          found_by = a.name;
          break;
        }
      }
      std::cout << "\n" << shown;
      const bool reproduced = expect_pass ? all_pass : is_finding(verdict) && satisfies(verdict, expected);
      const std::string after = fmt::format("after {} attempt{} ({}) in {:.1f} s", n, n == 1 ? "" : "s",
                                            found_by.empty() ? tried : found_by, seconds());
      if (reproduced && expect_pass)
        std::cout << "repro      reproduced pass (the expected verdict: no failure) " << after << "\n";
      else if (reproduced)
        std::cout << "repro      reproduced " << verdict << " " << after << "\n";
      else
        std::cout << "repro      did not reproduce: verdict " << verdict << ", expected " << want << ", "
                  << after << "\n";
      return reproduced ? 0 : 1;
    }

    if (*explain) {
      const Row& r = row_of(one_id);
      std::cout << r.id << "  (" << r.origin << ")\n\n"
                << "defect   " << r.defect << "\n"
                << "fix      " << r.fix << "\n"
                << "source   " << r.source
                << (source_dir.empty() || fs::exists(fs::path(source_dir) / r.source)
                        ? ""
                        : "  (not found under " + source_dir + ")")
                << "\n\n";
      for (const auto& k : kCheckers)
        std::cout << fmt::format("{:<7} expects {:<22} {}\n", k, r.expected.at(k), why(k, r.expected.at(k)));
      return 0;
    }

    if (*compare) {
      const Row& a = row_of(id_a);
      const Row& b = row_of(id_b);
      std::cout << "compare " << a.id << "  vs  " << b.id << "\n\n";
      std::cout << fmt::format("{:<10}{:<40}{}\n", "", a.id, b.id)
                << fmt::format("{:<10}{:<40}{}\n", "defect", a.defect, b.defect)
                << fmt::format("{:<10}{:<40}{}\n\n", "fix", a.fix, b.fix);
      // The code difference: the two scenario definitions, diffed.
      const fs::path tmp = fs::temp_directory_path() / ("itc-compare-" + std::to_string(::getpid()));
      fs::create_directories(tmp);
      const std::string sa = scenario_source(source_dir, catalog_path, a),
                        sb = scenario_source(source_dir, catalog_path, b);
      std::ofstream(tmp / "a.hpp") << sa;
      std::ofstream(tmp / "b.hpp") << sb;
      const ProcessResult d = run_process({"diff", "-u", "--label", a.id, "--label", b.id,
                                           (tmp / "a.hpp").string(), (tmp / "b.hpp").string()},
                                          30);
      fs::remove_all(tmp);
      std::cout << "code difference (scenario definitions)\n"
                << (sa.empty() || sb.empty() ? "(source not found under " + source_dir + ")\n" : d.out)
                << "\n";
      for (const Row* r : {&a, &b})
        if (r->source.find("/broken/") != std::string::npos) {
          std::ifstream f(fs::path(source_dir) / r->source);
          std::cout << "defect inside " << r->source << ":\n";
          int n = 0;
          for (std::string l; std::getline(f, l);)
            if (++n && l.find("DEFECT") != std::string::npos) std::cout << fmt::format("  {:>4}: {}\n", n, l);
          std::cout << "\n";
        }
      std::vector<std::string> checkers;
      for (const auto& k : kCheckers) {
        if (::access(opt.bin.of(k).c_str(), X_OK) != 0) continue;
        const auto info = checker_info(opt.bin.of(k));
        if (info && info->checker == k && stress_info && info->catalog == stress_info->catalog)
          checkers.push_back(k);
      }
      std::vector<Cell> cells;
      Options quick = opt;
      quick.rate_runs = 0;
      for (const Row* r : {&a, &b})
        for (const auto& k : checkers) cells.push_back(run_check(*r, k, quick));
      std::cout << fmt::format("{:<10}{:<40}{}\n", "checker", a.id, b.id);
      for (const auto& k : checkers) {
        const Cell *ca = nullptr, *cb = nullptr;
        for (const auto& c : cells) {
          if (c.checker == k && c.id == a.id) ca = &c;
          if (c.checker == k && c.id == b.id) cb = &c;
        }
        std::cout << fmt::format("{:<10}{:<40}{}\n", k, ca->verdict + (ca->match ? "" : " (UNEXPECTED)"),
                                 cb->verdict + (cb->match ? "" : " (UNEXPECTED)"));
      }
      for (const auto& c : cells)
        if (c.checker == "model" && !c.trace.empty()) {
          std::string by = "model";
          for (const auto& st : c.strategies)
            if (st.verdict == c.verdict) {
              by += ", " + st.name;
              break;
            }
          std::cout << "\nfailing interleaving of " << c.id << " (" << by << ")\n";
          for (const auto& s : c.trace)
            std::cout << fmt::format("{:>5}  T{} | {}{} {}: {}\n", s.step, s.thread,
                                     std::string(4 * s.thread, ' '), s.location, s.function, s.event);
          std::cout << "replay: " << c.replay << "\n";
        }
      const bool ok = std::all_of(cells.begin(), cells.end(), [](const Cell& c) { return c.match; });
      return ok ? 0 : 1;
    }
  } catch (const UsageError& e) {
    std::cerr << "itc-verify: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "itc-verify: " << e.what() << "\n";
    return 2;
  }
  return 2;
}
