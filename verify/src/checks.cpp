// Running one check: invoke the checker binary, grade its verdict, keep its evidence.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <tuple>

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

}  // namespace

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

std::string found_by(const Cell& c) {
  std::string out;
  for (const auto& s : c.strategies) {
    if (s.verdict != c.verdict) continue;
    // "bound 2" -> b2, "random" -> r, "pct 3" -> p3
    std::string shortname = s.name.substr(0, 1);
    if (auto sp = s.name.find(' '); sp != std::string::npos) shortname += s.name.substr(sp + 1);
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

std::optional<CheckerInfo> checker_info(const std::string& binary) {
  const ProcessResult r = run_process({binary, "info"}, 30);
  if (!r.started || r.timed_out || r.exit_code != 0) return std::nullopt;
  CheckerInfo info{field(r.out, "checker"), field(r.out, "catalog"), field(r.out, "source-root")};
  if (info.checker.empty()) return std::nullopt;
  return info;
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

std::vector<TraceStep> parse_trace(const std::string& out, const std::string& source_root) {
  // "   23  T1 |     primitives/include/itc/broken/queue_if_not_while.hpp:33 get: USER ASSERT ..."
  // A template function's name has commas, which the model checker's own split (Relacy's
  // "in <function>, <file>(<line>)") cuts at, printing
  //   "   40  T1 |     <rest of the name>, /abs/queue.hpp:569 pop_next<itc::BasicQueue<int: event"
  // The name is put back together here, whichever way round it arrives: its head (before the
  // file) and its rest (after the lane), joined by the ", " the cut removed. The file is the
  // first word followed by ":<line> " with nothing but a name before it.
  static const std::regex step(R"(^\s*(\d+)\s+T(\d+) \|\s*(?:(.*?), )?(\S+):(\d+) (.*)$)");
  std::string root = source_root;
  if (!root.empty() && root.back() != '/') root += '/';
  std::vector<TraceStep> trace;
  std::istringstream in(out);
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.rfind("trace", 0) == 0) {
      inside = true;
      continue;
    }
    // The lock table ("locks ...") comes before the trace; a "locks" line after it ends it too.
    if (line.rfind("replay", 0) == 0 || (inside && line.rfind("locks ", 0) == 0)) break;
    std::smatch m;
    if (!inside || !std::regex_match(line, m, step)) continue;
    const std::string rest = m[6];
    const auto colon = rest.find(": ");
    if (colon == std::string::npos) continue;
    std::string function = rest.substr(0, colon);
    if (m[3].matched) function += ", " + m[3].str();
    std::string file = m[4];
    if (!root.empty() && file.rfind(root, 0) == 0) file = file.substr(root.size());
    trace.push_back(
        {std::stoi(m[1]), std::stoi(m[2]), file + ":" + m[5].str(), function, rest.substr(colon + 2)});
  }
  return trace;
}

std::vector<ThreadLocks> parse_locks(const std::string& out) {
  // "locks      T1 holds Lock#2 (acquired f:40 g); waits for Lock#1 (at f:41 g), held by T0"
  // "locks      T0 holds no itc lock; waits for Lock#1 (at f:41 g), held by no thread"
  static const std::regex locks(
      R"(^locks\s+T(\d+) holds (.*?)(?:; waits for (.*), held by (T\d+|no thread))?$)");
  std::vector<ThreadLocks> all;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, locks)) continue;
    ThreadLocks t;
    t.thread = std::stoi(m[1]);
    t.holds = m[2] == "no itc lock" ? "" : m[2].str();
    t.waits_for = m[3];
    t.held_by = m[4];
    all.push_back(t);
  }
  return all;
}

namespace {

Cell failed_to_run(Cell c, const ProcessResult& r, const std::string& what) {
  c.verdict = r.timed_out ? "timeout" : "crash";
  c.evidence =
      what + (r.timed_out ? ": the check did not finish within its time limit" : ": " + r.err + r.out);
  c.match = false;
  return c;
}

/// The location a report points at, as "file:line" relative to the catalog's source root: the
/// last model step in one of the catalog project's files (where a thread went to sleep, for a
/// deadlock), the first TSan frame in them, a blocked thread's or a failed invariant's line.
/// Only a file that exists under the source root qualifies (a SARIF location is
/// %SRCROOT%-relative): when the evidence shows only itc's or Relacy's files, "" — the report
/// then points at the scenario's source file.
/// TSan frames the runtime could not give a file:line ("<null> (mybuffer-tsan+0x1a79b)": g++'s
/// libtsan symbolizes with libbacktrace, which misses some binaries' line tables) are resolved
/// with addr2line on the checker binary, inlined frames included, innermost first.
std::vector<std::string> unsymbolized_frames(const std::string& evidence, const std::string& binary) {
  std::vector<std::string> files;
  if (binary.empty()) return files;
  const std::string module = std::filesystem::path(binary).filename().string();
  static const std::regex frame(R"(#\d+ .* <null> \(([^+()]+)\+(0x[0-9a-f]+)\))");
  std::vector<std::string> args = {"addr2line", "-i", "-e", binary};
  for (auto it = std::sregex_iterator(evidence.begin(), evidence.end(), frame); it != std::sregex_iterator();
       ++it)
    if ((*it)[1] == module && args.size() < 64) args.push_back((*it)[2]);
  if (args.size() == 4) return files;
  const ProcessResult r = run_process(args, 30);
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (auto p = line.find(" (discriminator"); p != std::string::npos)
      files.push_back(line.substr(0, p));
    else
      files.push_back(line);
  return files;
}

std::string location_of(const Cell& c, const std::string& source_root, const std::string& binary) {
  auto in_project = [&](const std::string& location) {
    const std::string file = location.substr(0, location.rfind(':'));
    if (file.empty() || file.front() == '/' || source_root.empty()) return false;
    // The checkers' own adapters (the Relacy test suite's catch of an itc error, the stress
    // runner's thread body) are where a failure is reported, never where it is.
    if (file.rfind("models/src/", 0) == 0 || file.rfind("stress/src/", 0) == 0) return false;
    std::error_code ec;
    return std::filesystem::is_regular_file(std::filesystem::path(source_root) / file, ec);
  };
  if (c.verdict == "deadlock")
    for (auto it = c.trace.rbegin(); it != c.trace.rend(); ++it)
      if (in_project(it->location) && it->event.find("blocking current thread") != std::string::npos)
        return it->location;
  for (auto it = c.trace.rbegin(); it != c.trace.rend(); ++it)
    if (in_project(it->location)) return it->location;
  // TSan frames name absolute paths: the first one inside the source root, made relative.
  static const std::regex frame(R"(#\d+ .* (/[^\s:]+):(\d+))");  // file:line[:column]
  std::string root = source_root;
  if (!root.empty() && root.back() != '/') root += '/';
  for (auto it = std::sregex_iterator(c.evidence.begin(), c.evidence.end(), frame);
       it != std::sregex_iterator(); ++it) {
    const std::string file = (*it)[1];
    if (!root.empty() && file.rfind(root, 0) == 0) return file.substr(root.size()) + ":" + (*it)[2].str();
  }
  if (!root.empty() && c.checker == "tsan")
    for (const auto& where : unsymbolized_frames(c.evidence, binary))
      if (where.rfind(root, 0) == 0) return where.substr(root.size());
  static const std::regex blocked(R"(blocked in \S+ at (\S+:\d+))");
  static const std::regex invariant(R"(\((\S+\.hpp:\d+)\))");
  std::smatch m;
  if (std::regex_search(c.evidence, m, blocked) && in_project(m[1])) return m[1];
  if (std::regex_search(c.evidence, m, invariant) && in_project(m[1])) return m[1];
  return "";
}

/// The scenario's definition in the catalog project's sources: the `struct` around the line that
/// names `"<id>"`, searched in the row's source file, the catalog header's folder and (itc's own
/// tree) models/scenarios. `file` is relative to the source root; the struct is lines
/// [begin, end] (0-based) of `lines`, the whole file.
struct ScenarioText {
  std::string file;
  std::vector<std::string> lines;
  std::size_t begin = 0, end = 0;
};

/// The struct whose definition starts at or before `at` and ends at the next "};": [begin, end].
std::pair<std::size_t, std::size_t> struct_around(const std::vector<std::string>& lines, std::size_t at) {
  std::size_t begin = at;
  while (begin > 0 && lines[begin].rfind("struct ", 0) != 0) --begin;
  if (begin > 0 && lines[begin - 1].rfind("template", 0) == 0) --begin;
  std::size_t end = at;
  while (end + 1 < lines.size() && lines[end] != "};") ++end;
  return {begin, end};
}

std::optional<ScenarioText> find_scenario(const std::string& root, const std::string& catalog,
                                          const Row& row) {
  namespace fs = std::filesystem;
  if (root.empty()) return std::nullopt;
  std::vector<fs::path> files;
  std::error_code ec;
  if (!row.source.empty()) files.push_back(fs::path(root) / row.source);
  for (const fs::path& dir : {fs::path(catalog).parent_path(), fs::path(root) / "models" / "scenarios"}) {
    if (dir.empty() || !fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> found;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
      if (it->path().extension() == ".hpp") found.push_back(it->path());
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  for (const auto& file : files) {
    std::ifstream f(file);
    std::vector<std::string> lines;
    for (std::string l; std::getline(f, l);) lines.push_back(l);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].find("\"" + row.id + "\"") == std::string::npos) continue;
      ScenarioText t;
      t.file = file.lexically_relative(root).lexically_normal().string();
      std::tie(t.begin, t.end) = struct_around(lines, i);
      t.lines = std::move(lines);
      return t;
    }
  }
  return std::nullopt;
}

/// The struct as the reports and `compare` show it: "// file:line", then its lines.
std::string scenario_text(const ScenarioText& s) {
  std::string text = "// " + s.file + ":" + std::to_string(s.begin + 1) + "\n";
  for (std::size_t i = s.begin; i <= s.end && i < s.lines.size(); ++i) text += s.lines[i] + "\n";
  return text;
}

/// The line marked "DEFECT" in lines [begin, end] of `file` ("file:line"), else in the structs
/// that one derives from in the same file (`struct X : Base<P, ...>`: the mistake of
/// semaphore/release_without_acquire is in the base it shares with bounded_over_release); "".
std::string defect_marker(const std::string& file, const std::vector<std::string>& lines, std::size_t begin,
                          std::size_t end, int depth = 0) {
  for (std::size_t i = begin; i <= end && i < lines.size(); ++i)
    if (lines[i].find("DEFECT") != std::string::npos) return file + ":" + std::to_string(i + 1);
  if (depth > 3) return "";
  static const std::regex bases(R"(^struct \w+\s*:\s*(?:public\s+)?(\w+))");
  for (std::size_t i = begin; i <= end && i < lines.size(); ++i) {
    std::smatch m;
    if (!std::regex_search(lines[i], m, bases)) continue;
    for (std::size_t k = 0; k < lines.size(); ++k)
      if (lines[k].rfind("struct " + m[1].str() + " ", 0) == 0 || lines[k] == "struct " + m[1].str() + " {") {
        const auto [b, e] = struct_around(lines, k);
        return defect_marker(file, lines, b, e, depth + 1);
      }
    break;
  }
  return "";
}

/// The catalog header a checker binary was built from (`<binary> info`), asked once per binary.
std::string catalog_of(const std::string& binary) {
  static std::mutex mutex;
  static std::map<std::string, std::string> known;
  std::lock_guard<std::mutex> hold(mutex);
  if (auto it = known.find(binary); it != known.end()) return it->second;
  const auto info = checker_info(binary);
  return known[binary] = info ? info->catalog : "";
}

/// The source root made relative in a report's file paths (TSan's frames name absolute ones),
/// except on the lines that are commands to paste (re-run, replay), which stay as printed.
std::string relative_paths(const std::string& text, const std::string& source_root) {
  if (source_root.empty()) return text;
  std::string root = source_root;
  if (root.back() != '/') root += '/';
  std::string out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("re-run", 0) != 0 && line.rfind("replay", 0) != 0)
      for (auto p = line.find(root); p != std::string::npos; p = line.find(root, p))
        line.erase(p, root.size());
    out += line + "\n";
  }
  if (!text.empty() && text.back() != '\n' && !out.empty()) out.pop_back();
  return out;
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
    // Each search stops itself before the check's time limit and then says `inconclusive`,
    // rather than being killed and saying nothing.
    const std::string cap = std::to_string(static_cast<int>(std::max(5.0, opt.check_timeout * 0.8)));
    std::vector<Strategy> strategies = {
        {"bound 2", {bin, "run", row.id, "--strategy", "bound", "--bound", "2", "--max-seconds", cap}},
        {"random",
         {bin, "run", row.id, "--strategy", "random", "--iterations", "100000", "--max-seconds", cap}},
        {"pct 3",
         {bin, "run", row.id, "--strategy", "pct", "--depth", "3", "--iterations", "100000", "--max-seconds",
          cap}}};
    // A deep row (models/scenarios/deep.hpp) may need more change points than pct 3 has: the
    // Treiber-stack ABA's three preemptions are three change points, depth 4. Those rows are
    // small, so one more PCT search costs little.
    if (c.expected.find("(deep)") != std::string::npos)
      strategies.push_back({"pct 4",
                            {bin, "run", row.id, "--strategy", "pct", "--depth", "4", "--iterations",
                             "100000", "--max-seconds", cap}});
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
      if (v != "pass" && v != "timeout" && v != "inconclusive") {
        primary = i;
        found = true;
      }
    }
    if (!found)
      for (std::size_t i = 0; i < c.strategies.size(); ++i)
        if (c.strategies[i].verdict == "timeout" || c.strategies[i].verdict == "inconclusive") {
          primary = i;
          break;
        }
    const StrategyResult& p = c.strategies[primary];
    c.verdict = p.verdict;
    c.evidence = outputs[primary];
    c.trace = parse_trace(outputs[primary], opt.source_root);
    c.locks = parse_locks(outputs[primary]);
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
      if (s.verdict == "pass" || s.verdict == "timeout" || s.verdict == "inconclusive") continue;
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
  c.location = location_of(c, opt.source_root, bin);
  if (checker == "tsan") c.evidence = relative_paths(c.evidence, opt.source_root);
  // Where the defect is: the DEFECT line of the scenario's definition, else of its broken
  // primitive (the row's source, when the scenario only uses it).
  const auto scenario =
      find_scenario(opt.source_root, catalog_of(opt.bin.stress.empty() ? bin : opt.bin.stress), row);
  if (scenario) {
    c.defect_location = defect_marker(scenario->file, scenario->lines, scenario->begin, scenario->end);
    c.scenario_source = scenario_text(*scenario);
  }
  if (c.defect_location.empty() && !opt.source_root.empty() && (!scenario || scenario->file != row.source)) {
    std::ifstream f(std::filesystem::path(opt.source_root) / row.source);
    std::vector<std::string> lines;
    for (std::string l; std::getline(f, l);) lines.push_back(l);
    if (!lines.empty()) c.defect_location = defect_marker(row.source, lines, 0, lines.size() - 1);
  }
  return c;
}

std::string scenario_source(const std::string& source_root, const std::string& catalog, const Row& row) {
  const auto scenario = find_scenario(source_root, catalog, row);
  return scenario ? scenario_text(*scenario) : "";
}

}  // namespace itc::verify
