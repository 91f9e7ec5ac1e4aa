// verify/src/verify.hpp — the data itc-verify works on: catalog rows, checks and their results.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace itc::verify {

inline const std::vector<std::string> kCheckers = {"model", "stress", "tsan"};

/// One scenario of the catalog, as the checker binaries describe it (`itc-stress list --tsv`).
struct Row {
  std::string id, origin, defect, fix, source;
  unsigned threads = 0;
  std::map<std::string, std::string> expected;  // checker -> "deadlock", "assertion|crash (p)", "—"
};

/// Where the checker binaries are (the user's own catalog brings its own).
struct Binaries {
  std::string model, stress, tsan;
  [[nodiscard]] const std::string& of(const std::string& checker) const {
    return checker == "model" ? model : checker == "stress" ? stress : tsan;
  }
};

/// What a checker binary says about itself (`<binary> info`; itc/models/paths.hpp).
struct CheckerInfo {
  std::string checker;      // "model", "stress" or "tsan"
  std::string catalog;      // the catalog header it was built from (absolute path)
  std::string source_root;  // the root its paths are relative to (the catalog's project)
};

/// Runs `<binary> info`; std::nullopt if the binary does not answer it (not an itc checker).
std::optional<CheckerInfo> checker_info(const std::string& binary);

struct Options {
  Binaries bin;
  std::string source_root;     // the catalog's project root: locations are relative to it
  double check_timeout = 180;  // seconds per check process
  double budget = 900;         // seconds for the whole run
  unsigned rate_runs = 3;      // stress/tsan runs to sample a (p) row's detection rate; 0 = off
};

/// One step of a model-checker interleaving.
struct TraceStep {
  int step = 0;
  int thread = 0;
  std::string location;  // "primitives/include/itc/queue.hpp:223"
  std::string function;
  std::string event;
};

/// One thread's itc locks at the end of a failing model execution (the model checker's
/// "locks      T1 holds Lock#2 (acquired f:40 g); waits for Lock#1 (at f:41 g), held by T0").
struct ThreadLocks {
  int thread = 0;
  std::string holds;      // "Lock#2 (acquired models/scenarios/lock.hpp:40 move_holding)", "" = none
  std::string waits_for;  // "Lock#1 (at models/scenarios/lock.hpp:41 move_holding)", "" = none
  std::string held_by;    // "T0", "no thread", "" (not waiting)
};

/// One model-checker strategy's result inside a model cell.
struct StrategyResult {
  std::string name;     // "bound 2", "random"
  std::string verdict;  // "pass", "deadlock", ..., "timeout" (ran out of time: no verdict)
  std::optional<long long> executions;
  double seconds = 0;
  std::string replay;
};

/// The result of one scenario x checker.
struct Cell {
  std::string id, checker;
  std::string verdict;   // the checker's verdict ("timeout" if the check ran out of time)
  std::string expected;  // the catalog's cell
  bool match = false;
  double seconds = 0;                       // wall time of the check
  std::optional<double> detection_seconds;  // time until the defect was found
  std::optional<long long> executions;      // model: executions explored
  std::string rate;                         // "3/3" for probabilistic stress/tsan rows
  std::string replay;                       // the command that reproduces it
  std::string evidence;                     // the checker's full report
  std::string location;                     // "file:line" where the failure shows, if known
  std::vector<TraceStep> trace;             // model interleaving of a failing cell
  // Model: every strategy's verdict. A defect found by any strategy is a detection (the cell
  // shows the first that found it); a correct form must pass every strategy.
  std::vector<StrategyResult> strategies;
  std::vector<ThreadLocks> locks;  // model deadlock: what each thread holds and waits for
  // Where the mistake is, read from the catalog project's sources (empty when they are not
  // found): the line marked `// DEFECT` inside the scenario's definition or in its broken
  // primitive ("file:line", relative to the source root), and the scenario's definition itself
  // ("// file:line" then its text) for the compare view.
  std::string defect_location;
  std::string scenario_source;
};

/// The short form of the strategies that found a model cell's verdict: "b2+r", "b2", "r".
std::string found_by(const Cell& c);

/// The value after `key` on the first line of a checker's output that starts with it
/// (`field(out, "verdict")` of "verdict    pass  (as expected)" is "pass  (as expected)").
std::string field(const std::string& out, const std::string& key);
/// The text up to the first space.
std::string first_word(const std::string& s);

/// The scenario struct that defines `row` ("// file:line", then its lines), found in the row's
/// source file, the catalog's folder or (itc's own tree) models/scenarios under `source_root`;
/// "" if none. Unreadable folders are skipped, never an exception.
std::string scenario_source(const std::string& source_root, const std::string& catalog, const Row& row);

/// Does `verdict` satisfy the catalog cell `expected` ("—" = pass; "a|b (p)" = a or b)?
bool satisfies(const std::string& verdict, const std::string& expected);

std::vector<Row> load_catalog(const Binaries& bin);
Cell run_check(const Row& row, const std::string& checker, const Options& opt);

nlohmann::json to_json(const Cell& c);
Cell cell_from_json(const nlohmann::json& j);
/// The interleaving a model checker printed after "trace". Function names are kept whole (a
/// template's arguments contain ", "); paths under `source_root` are made relative to it.
std::vector<TraceStep> parse_trace(const std::string& model_output, const std::string& source_root = "");
/// The "locks" lines a model checker prints after a deadlock (none: empty).
std::vector<ThreadLocks> parse_locks(const std::string& model_output);

/// How the reports are written.
struct ReportOptions {
  /// SARIF: also list every expected detection, as `kind: "pass"`, `level: "none"` (never an
  /// alert). Off: results.sarif holds the mismatches only.
  bool sarif_expected = true;
};

/// Writes results.json, junit.xml, results.sarif, summary.md and report.html into `dir`
/// atomically: everything goes to a sibling temporary folder first, which then replaces `dir`.
/// `meta` (generated, shard, checkers, ...) goes into results.json as it is.
void write_reports(const std::string& dir, const std::vector<Row>& rows, const std::vector<Cell>& cells,
                   const nlohmann::json& meta, const ReportOptions& options = {});

/// The version itc-verify was built as (the CMake project's version).
const char* tool_version();
std::string matrix_text(const std::vector<Row>& rows, const std::vector<Cell>& cells,
                        const std::vector<std::string>& checkers);

}  // namespace itc::verify
