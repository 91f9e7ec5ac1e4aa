// Running one check: invoke the checker binary, grade its verdict, keep its evidence.
#include <regex>
#include <sstream>
#include <stdexcept>

#include "process.hpp"  // stress/src: shared with itc-stress
#include "verify.hpp"

namespace itc::verify {
using tools::ProcessResult;
using tools::run_process;
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

std::string field(const std::string& out, const std::string& key) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) {
      auto v = line.substr(key.size());
      v.erase(0, v.find_first_not_of(' '));
      return v;
    }
  return "";
}

std::string first_word(const std::string& s) {
  return s.substr(0, s.find(' '));
}

}  // namespace

std::string found_by(const Cell& c) {
  std::string out;
  for (const auto& s : c.strategies) {
    if (s.verdict != c.verdict) continue;
    const std::string shortname = s.name == "bound 2" ? "b2" : s.name.substr(0, 1);
    out += (out.empty() ? "" : "+") + shortname;
  }
  return out;
}

bool satisfies(const std::string& verdict, const std::string& expected) {
  std::string cell = expected;
  if (auto p = cell.find(" ("); p != std::string::npos) cell = cell.substr(0, p);  // " (p)", " (random)"
  for (const auto& option : split(cell, '|')) {
    const std::string want = option == "—" ? "pass" : option;
    if (verdict == want) return true;
  }
  return false;
}

std::vector<Row> load_catalog(const Binaries& bin) {
  const ProcessResult r = run_process({bin.stress, "list", "--tsv"}, 60);
  if (!r.started || r.exit_code != 0)
    throw std::runtime_error("cannot read the catalog from '" + bin.stress + " list --tsv'" +
                             (r.err.empty() ? "" : ": " + r.err.substr(0, r.err.find('\n'))));
  std::vector<Row> rows;
  std::istringstream in(r.out);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto f = split(line, '\t');
    if (f.size() < 9) continue;
    Row row;
    row.id = f[0];
    row.threads = static_cast<unsigned>(std::stoul(f[1]));
    row.origin = f[2];
    row.defect = f[3];
    row.fix = f[4];
    row.source = f[5];
    row.expected = {{"model", f[6]}, {"stress", f[7]}, {"tsan", f[8]}};
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<TraceStep> parse_trace(const std::string& out) {
  // "   23  T1 |     primitives/include/itc/broken/queue_if_not_while.hpp:33 get: USER ASSERT ..."
  static const std::regex step(R"(^\s*(\d+)\s+T(\d+) \|\s*(\S+):(\d+) ([^:]+): (.*)$)");
  std::vector<TraceStep> trace;
  std::istringstream in(out);
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.rfind("trace", 0) == 0) {
      inside = true;
      continue;
    }
    if (line.rfind("replay", 0) == 0) break;
    std::smatch m;
    if (inside && std::regex_match(line, m, step))
      trace.push_back({std::stoi(m[1]), std::stoi(m[2]), m[3].str() + ":" + m[4].str(), m[5], m[6]});
  }
  return trace;
}

namespace {

Cell failed_to_run(Cell c, const ProcessResult& r, const std::string& what) {
  c.verdict = r.timed_out ? "timeout" : "crash";
  c.evidence =
      what + (r.timed_out ? ": the check did not finish within its time limit" : ": " + r.err + r.out);
  c.match = false;
  return c;
}

/// The location a report points at: the last model step, a blocked thread, or the first TSan
/// frame inside the repository.
std::string location_of(const Cell& c) {
  // A deadlock shows where the last thread went to sleep; otherwise the last step in the
  // project's own code (not Relacy's context.hpp, not the adapter in models/src).
  auto ours = [](const TraceStep& s) {
    return s.location.find('/') != std::string::npos && s.location.rfind("models/src/", 0) != 0;
  };
  if (c.verdict == "deadlock")
    for (auto it = c.trace.rbegin(); it != c.trace.rend(); ++it)
      if (ours(*it) && it->event.find("blocking current thread") != std::string::npos) return it->location;
  for (auto it = c.trace.rbegin(); it != c.trace.rend(); ++it)
    if (ours(*it)) return it->location;
  static const std::regex blocked(R"(blocked in \S+ at (\S+:\d+))");
  static const std::regex invariant(R"(\((\S+\.hpp:\d+)\))");
  static const std::regex frame(R"(#\d+ .* /\S*?((?:primitives|models|stress|examples)/\S+?):(\d+))");
  std::smatch m;
  if (std::regex_search(c.evidence, m, frame)) return m[1].str() + ":" + m[2].str();
  if (std::regex_search(c.evidence, m, blocked)) return m[1];
  if (std::regex_search(c.evidence, m, invariant)) return m[1];
  return "";
}

}  // namespace

Cell run_check(const Row& row, const std::string& checker, const Options& opt) {
  Cell c;
  c.id = row.id;
  c.checker = checker;
  c.expected = row.expected.at(checker);
  const std::string& bin = opt.bin.of(checker);
  if (checker == "model") {
    // Every strategy runs with the same effort on every row, and each one's verdict is kept. A
    // defect found by any strategy is a detection — bounded search finds a capacity-one queue
    // deadlock in 193 executions that 100,000 random executions miss, and only the random
    // scheduler injects spurious wake-ups — as long as no strategy reports something the row
    // does not expect; a correct form must pass every strategy. A strategy that runs out of
    // time has no verdict and never erases another's finding.
    struct Strategy {
      std::string name;
      std::vector<std::string> args;
    };
    const std::vector<Strategy> strategies = {
        {"bound 2", {bin, "run", row.id, "--strategy", "bound", "--bound", "2"}},
        {"random", {bin, "run", row.id, "--strategy", "random", "--iterations", "100000"}}};
    std::vector<std::string> outputs;
    for (const auto& s : strategies) {
      const ProcessResult r = run_process(s.args, opt.check_timeout);
      c.seconds += r.seconds;
      StrategyResult sr;
      sr.name = s.name;
      sr.seconds = r.seconds;
      if (r.timed_out) {
        sr.verdict = "timeout";
      } else if (!r.started || r.signal != 0 || (r.exit_code != 0 && r.exit_code != 1)) {
        sr.verdict = "crash";
      } else {
        sr.verdict = first_word(field(r.out, "verdict"));
        if (sr.verdict.empty()) sr.verdict = "crash";
        sr.replay = field(r.out, "replay");
        const std::string ex = field(r.out, "executions");
        if (!ex.empty()) sr.executions = std::stoll(ex);
      }
      outputs.push_back(r.timed_out ? s.name + ": the check did not finish within its time limit\n"
                                    : r.out + (sr.verdict == "crash" ? r.err : ""));
      c.strategies.push_back(sr);
    }
    const bool expect_defect = !satisfies("pass", c.expected);
    // The cell's verdict and evidence: the first strategy whose verdict is a finding (or, for a
    // correct form, the first that did not pass); else the first strategy's pass.
    std::size_t primary = 0;
    bool found = false;
    for (std::size_t i = 0; i < c.strategies.size() && !found; ++i) {
      const std::string& v = c.strategies[i].verdict;
      if (v != "pass" && v != "timeout") {
        primary = i;
        found = true;
      }
    }
    if (!found)
      for (std::size_t i = 0; i < c.strategies.size(); ++i)
        if (c.strategies[i].verdict == "timeout") {
          primary = i;
          break;
        }
    const StrategyResult& p = c.strategies[primary];
    c.verdict = p.verdict;
    c.evidence = outputs[primary];
    c.trace = parse_trace(outputs[primary]);
    c.replay = p.replay;
    c.executions = p.executions;
    const std::string ex = field(outputs[primary], "executions");
    if (auto in = ex.find(" in "); in != std::string::npos)
      c.detection_seconds = std::stod(ex.substr(in + 4));
    bool all_pass = true;
    bool any_expected = false;
    bool any_unexpected = false;
    for (const auto& s : c.strategies) {
      if (s.verdict != "pass") all_pass = false;
      if (s.verdict == "pass" || s.verdict == "timeout") continue;
      (satisfies(s.verdict, c.expected) ? any_expected : any_unexpected) = true;
    }
    c.match = expect_defect ? (any_expected && !any_unexpected) : all_pass;
    if (!c.match) {
      c.evidence += "\nper strategy:";
      for (const auto& s : c.strategies) c.evidence += " " + s.name + " gave " + s.verdict + ";";
      c.evidence += "\n";
      for (std::size_t i = 0; i < outputs.size(); ++i)
        if (i != primary) c.evidence += "\n" + outputs[i];
    }
  } else {
    const ProcessResult run = run_process({bin, "run", row.id}, opt.check_timeout);
    c.seconds = run.seconds;
    if (!run.started || run.timed_out || run.signal != 0 || (run.exit_code != 0 && run.exit_code != 1))
      return failed_to_run(c, run, checker);
    c.verdict = first_word(field(run.out, "verdict"));
    c.evidence = run.out;
    c.replay = field(run.out, "re-run");
    if (auto p = c.replay.find("   ("); p != std::string::npos) c.replay = c.replay.substr(0, p);
    const std::string found = field(run.out, "found");
    static const std::regex after(R"(after ([0-9.]+) s)");
    std::smatch m;
    if (std::regex_search(found, m, after)) c.detection_seconds = std::stod(m[1]);
    c.match = satisfies(c.verdict, c.expected);
    if (opt.rate_runs > 0 && c.expected.find("(p)") != std::string::npos) {
      const ProcessResult measure =
          run_process({bin, "measure", row.id, "--runs", std::to_string(opt.rate_runs)}, opt.check_timeout);
      c.seconds += measure.seconds;
      static const std::regex rate(R"((\d+/\d+) detected)");
      if (std::regex_search(measure.out, m, rate)) c.rate = m[1];
    }
  }
  c.location = location_of(c);
  return c;
}

}  // namespace itc::verify
