// itc-verify — the detection matrix: every scenario x checker, graded; replay, compare, reports.
//
//   itc-verify list
//   itc-verify run [ids or globs...] [--checker model,stress,tsan] [--report-dir D] [--shard i/N]
//   itc-verify matrix [--report-dir D] [--shard i/N] [--budget S]
//   itc-verify repro <id> --checker C
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
// 1 some cell does not, 2 bad usage (one line on stderr; no report is written).
#include <fnmatch.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
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

namespace {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

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
        std::fprintf(stderr, "\r[%3zu/%zu] %-7s %-34s ...", i + 1, work.size(), checker.c_str(),
                     row->id.c_str());
      Options o = opt;
      o.check_timeout = std::min(opt.check_timeout, std::max(5.0, opt.budget - used));
      cell = run_check(*row, checker, o);
    }
    std::string per_strategy;
    for (const auto& s : cell.strategies)
      per_strategy += (per_strategy.empty() ? "; " : ", ") + s.name + " " + s.verdict;
    std::fprintf(stderr, "%s[%3zu/%zu] %-7s %-34s %-4s %s%s (%.1fs%s)\n", tty ? "\r" : "", i + 1, work.size(),
                 checker.c_str(), row->id.c_str(), cell.match ? "ok" : "BAD", cell.verdict.c_str(),
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

/// The scenario struct that holds `id`, cut out of its header (for compare): searched in the
/// row's source file, the catalog's folder and (itc's own tree) models/scenarios. Unreadable
/// folders are skipped, never an exception.
std::string scenario_source(const std::string& source_dir, const std::string& catalog, const Row& row) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!row.source.empty()) files.push_back(fs::path(source_dir) / row.source);
  for (const fs::path& dir :
       {fs::path(catalog).parent_path(), fs::path(source_dir) / "models" / "scenarios"}) {
    if (dir.empty() || !fs::is_directory(dir, ec)) continue;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
      if (it->path().extension() == ".hpp") files.push_back(it->path());
  }
  for (const auto& file : files) {
    std::ifstream f(file);
    std::vector<std::string> lines;
    for (std::string l; std::getline(f, l);) lines.push_back(l);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].find("\"" + row.id + "\"") == std::string::npos) continue;
      std::size_t begin = i;
      while (begin > 0 && lines[begin].rfind("struct ", 0) != 0) --begin;
      if (begin > 0 && lines[begin - 1].rfind("template", 0) == 0) --begin;
      std::size_t end = i;
      while (end < lines.size() && lines[end] != "};") ++end;
      std::string text = "// " + file.lexically_relative(source_dir).string() + "\n";
      for (std::size_t k = begin; k <= end && k < lines.size(); ++k) text += lines[k] + "\n";
      return text;
    }
  }
  return "";
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

int print_cells_and_status(const std::vector<Row>& rows, const std::vector<Cell>& cells,
                           const std::vector<std::string>& checkers) {
  std::cout << "\n" << matrix_text(rows, cells, checkers);
  const auto bad = std::count_if(cells.begin(), cells.end(), [](const Cell& c) { return !c.match; });
  std::cout << "\n"
            << (bad == 0 ? fmt::format("every cell matches ({} cells)", cells.size())
                         : fmt::format("{} of {} cells do not match", bad, cells.size()))
            << "\n";
  return bad == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"itc-verify: the detection matrix of the itc catalog"};
  app.require_subcommand(1);
  // Global options are also accepted after the subcommand (its parser hands them up).
  app.fallthrough();
  Options opt;
  opt.bin = default_binaries();
  std::string source_dir, checkers_prefix;
  Binaries given;
  app.add_option(
      "--checkers", checkers_prefix,
      "your checkers: <prefix>-model, <prefix>-stress, <prefix>-tsan (what itc_add_checkers(<name>) "
      "builds: <build dir>/<name>)");
  app.add_option("--model-bin", given.model, "the model checker (itc-model, or <name>-model)");
  app.add_option("--stress-bin", given.stress,
                 "the stress runner (itc-stress, or <name>-stress); the catalog is read from it");
  app.add_option("--tsan-bin", given.tsan, "the stress runner built with -fsanitize=thread (<name>-tsan)");
  app.add_option("--source-dir", source_dir,
                 "the catalog's project root (default: what the stress runner's `info` says)");

  auto* list = app.add_subcommand("list", "the catalog: ids, the mistake in one line, its tutorial origin");

  std::vector<std::string> patterns;
  std::string checker_list = "model,stress,tsan", report_dir, shard = "1/1";
  auto add_run_options = [&](CLI::App* sub) {
    sub->add_option("--checker", checker_list, "comma-separated: model,stress,tsan");
    sub->add_option("--report-dir", report_dir, "write JSON, JUnit, SARIF, Markdown and HTML reports here");
    sub->add_option("--shard", shard, "run only shard i of N (1-based), e.g. 2/4");
    sub->add_option("--budget", opt.budget, "seconds for the whole run")->check(CLI::Range(1.0, 86400.0));
    sub->add_option("--check-timeout", opt.check_timeout, "seconds per check")
        ->check(CLI::Range(1.0, 3600.0));
    sub->add_option("--rate-runs", opt.rate_runs,
                    "runs to sample a probabilistic row's detection rate (0: off)")
        ->check(CLI::Range(0u, 1000u));
  };
  auto* run = app.add_subcommand("run", "run checks on some scenarios");
  run->add_option("ids", patterns, "scenario ids or globs (default: all)");
  add_run_options(run);
  auto* matrix =
      app.add_subcommand("matrix", "every scenario x checker, graded against the expected verdicts");
  add_run_options(matrix);
  matrix->add_option("ids", patterns, "limit to these ids or globs");

  std::string one_id, checker = "model";
  auto* repro = app.add_subcommand("repro", "reproduce one failure and print its evidence and replay line");
  repro->add_option("id", one_id, "scenario id")->required();
  repro->add_option("--checker", checker, "model, stress or tsan");
  std::string replay;
  repro->add_option("--replay", replay, "model only: the state a failing run printed after --replay");
  std::string id_a, id_b;
  auto* compare = app.add_subcommand("compare", "two variants side by side");
  compare->add_option("a", id_a, "e.g. queue/correct")->required();
  compare->add_option("b", id_b, "e.g. queue/missing_task_done")->required();
  auto* explain = app.add_subcommand("explain", "the defect, its fix and why each checker sees it or not");
  explain->add_option("id", one_id, "scenario id")->required();
  std::vector<std::string> inputs;
  auto* merge = app.add_subcommand("merge", "join shard results (results.json files) into one report");
  merge->add_option("inputs", inputs, "results.json of each shard")->required()->check(CLI::ExistingFile);
  merge->add_option("--report-dir", report_dir, "where to write the merged reports")->required();
  bool allow_partial = false;
  merge->add_flag("--allow-partial", allow_partial,
                  "merge even if shards are missing (the report then says which); without it, an "
                  "incomplete or mixed set is refused and nothing is written");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
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
      const int status = print_cells_and_status(rows, ordered, present);
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
      for (const auto& r : catalog)
        std::cout << fmt::format("{:<34} {:<60} {}\n", r.id, r.defect == "—" ? "(correct form)" : r.defect,
                                 r.origin);
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
      return print_cells_and_status(shown, cells, checkers);
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
      std::vector<std::string> args = {opt.bin.of(checker)};
      if (checker == "model") args.insert(args.end(), {"run", row.id, "--strategy", "bound", "--bound", "2"});
      if (checker == "model" && !replay.empty()) args.insert(args.end(), {"--replay", replay});
      if (checker != "model") args.insert(args.end(), {"repro", row.id, "--budget", "60"});
      const ProcessResult r = run_process(args, opt.check_timeout);
      std::cout << r.out << r.err;
      if (r.timed_out) std::cout << "the check did not finish within " << opt.check_timeout << " s\n";
      static const std::regex pass(R"(^verdict\s+pass)", std::regex::multiline);
      return (!r.timed_out && !std::regex_search(r.out, pass)) ? 0 : 1;
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
