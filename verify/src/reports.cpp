// The five report formats, written together and atomically (see write_reports).
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "reports_internal.hpp"
#include "verify.hpp"

#ifndef ITC_VERSION
#error "ITC_VERSION (the CMake project's version) is set by verify/CMakeLists.txt"
#endif

namespace itc::verify {
namespace fs = std::filesystem;

nlohmann::json to_json(const Cell& c) {
  nlohmann::json j = {{"id", c.id},
                      {"checker", c.checker},
                      {"verdict", c.verdict},
                      {"expected", c.expected},
                      {"match", c.match},
                      {"seconds", c.seconds},
                      {"replay", c.replay},
                      {"evidence", c.evidence},
                      {"location", c.location},
                      {"rate", c.rate}};
  j["detection_seconds"] = c.detection_seconds ? nlohmann::json(*c.detection_seconds) : nlohmann::json();
  j["executions"] = c.executions ? nlohmann::json(*c.executions) : nlohmann::json();
  j["strategies"] = nlohmann::json::array();
  for (const auto& s : c.strategies)
    j["strategies"].push_back(
        {{"name", s.name},
         {"verdict", s.verdict},
         {"executions", s.executions ? nlohmann::json(*s.executions) : nlohmann::json()},
         {"seconds", s.seconds},
         {"replay", s.replay}});
  j["trace"] = nlohmann::json::array();
  for (const auto& s : c.trace)
    j["trace"].push_back({{"step", s.step},
                          {"thread", s.thread},
                          {"location", s.location},
                          {"function", s.function},
                          {"event", s.event}});
  j["locks"] = nlohmann::json::array();
  for (const auto& l : c.locks)
    j["locks"].push_back(
        {{"thread", l.thread}, {"holds", l.holds}, {"waits_for", l.waits_for}, {"held_by", l.held_by}});
  j["defect_location"] = c.defect_location;
  j["scenario_source"] = c.scenario_source;
  return j;
}

Cell cell_from_json(const nlohmann::json& j) {
  Cell c;
  c.id = j.at("id");
  c.checker = j.at("checker");
  c.verdict = j.at("verdict");
  c.expected = j.at("expected");
  c.match = j.at("match");
  c.seconds = j.at("seconds");
  c.replay = j.value("replay", "");
  c.evidence = j.value("evidence", "");
  c.location = j.value("location", "");
  c.rate = j.value("rate", "");
  if (j.contains("detection_seconds") && !j["detection_seconds"].is_null())
    c.detection_seconds = j["detection_seconds"].get<double>();
  if (j.contains("executions") && !j["executions"].is_null()) c.executions = j["executions"].get<long long>();
  for (const auto& s : j.value("trace", nlohmann::json::array()))
    c.trace.push_back({s.at("step"), s.at("thread"), s.at("location"), s.at("function"), s.at("event")});
  for (const auto& s : j.value("strategies", nlohmann::json::array())) {
    StrategyResult r;
    r.name = s.at("name");
    r.verdict = s.at("verdict");
    if (s.contains("executions") && !s["executions"].is_null())
      r.executions = s["executions"].get<long long>();
    r.seconds = s.value("seconds", 0.0);
    r.replay = s.value("replay", "");
    c.strategies.push_back(r);
  }
  for (const auto& l : j.value("locks", nlohmann::json::array()))
    c.locks.push_back(
        {l.value("thread", 0), l.value("holds", ""), l.value("waits_for", ""), l.value("held_by", "")});
  c.defect_location = j.value("defect_location", "");
  c.scenario_source = j.value("scenario_source", "");
  return c;
}

namespace detail {

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char ch : s) {
    switch (ch) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&apos;";
        break;
      default:
        // Control characters are not allowed in XML 1.0 (except tab, newline, return).
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
          o += ' ';
        else
          o += ch;
    }
  }
  return o;
}

/// An expectation without its note: "assertion|—" of "assertion|— (E9)", "hang" of "hang (p)".
std::string expected_verdicts(const std::string& expected) {
  return expected.substr(0, expected.find(" ("));
}

std::string cell_label(const Cell& c) {
  std::string s = c.verdict;
  if (!c.rate.empty()) s += " " + c.rate;
  if (!c.strategies.empty() && c.verdict != "pass" && c.verdict != "timeout" && c.verdict != "inconclusive")
    s += " (" + found_by(c) + ")";
  // A pass that matches a broken row's "—" (the checker is not expected to see the defect) or
  // "assertion|—" (it may miss it within its budget: the deep rows) names the expectation it
  // matched, so that a broken row's bare "pass" is not read as "this code is correct".
  if (c.match && c.verdict == "pass") {
    const std::string expected = expected_verdicts(c.expected);
    if (!expected.empty() && expected != "pass") s += " (" + expected + ")";
  }
  return s;
}

/// Every model strategy's verdict, executions and time, one line.
std::string strategies_text(const Cell& c) {
  std::string out;
  for (const auto& s : c.strategies) {
    if (!out.empty()) out += "; ";
    out += s.name + ": " + s.verdict;
    if (s.executions) out += fmt::format(" ({} executions, {:.2f} s)", *s.executions, s.seconds);
  }
  return out;
}

constexpr const char* kStrategyLegend =
    "model cells: which strategies found it — b2 bounded search (bound 2), r random search, p3 PCT "
    "(depth 3; p4 depth 4, on deep rows); a defect found by any strategy is a detection, a correct form must "
    "pass every strategy";

const Cell* find_cell(const std::vector<Cell>& cells, const std::string& id, const std::string& checker) {
  for (const auto& c : cells)
    if (c.id == id && c.checker == checker) return &c;
  return nullptr;
}

std::vector<std::string> checkers_in(const std::vector<Cell>& cells) {
  std::vector<std::string> out;
  for (const auto& k : kCheckers)
    if (std::any_of(cells.begin(), cells.end(), [&](const Cell& c) { return c.checker == k; }))
      out.push_back(k);
  return out;
}

const Row* find_row(const std::vector<Row>& rows, const std::string& id) {
  for (const auto& r : rows)
    if (r.id == id) return &r;
  return nullptr;
}

bool is_correct_form(const Row& r) {
  // Every checker must pass it (lock/correct's "defect" column describes what it does).
  return !r.expected.empty() && std::all_of(r.expected.begin(), r.expected.end(),
                                            [](const auto& e) { return satisfies("pass", e.second); });
}

/// "file:line" -> {file, line}; line 0 when there is none.
std::pair<std::string, int> split_location(const std::string& location) {
  const auto p = location.rfind(':');
  if (p == std::string::npos || p + 1 >= location.size() ||
      location.find_first_not_of("0123456789", p + 1) != std::string::npos)
    return {location, 0};
  return {location.substr(0, p), std::atoi(location.c_str() + p + 1)};
}

/// The verdict a row's checker was expected to give, in words: "deadlock", "assertion or crash".
std::string expected_words(const std::string& expected) {
  const std::string e = expected_verdicts(expected);
  if (e == "—") return "pass";
  std::string out;
  std::size_t at = 0;
  for (auto bar = e.find('|'); bar != std::string::npos; at = bar + 1, bar = e.find('|', at))
    out += e.substr(at, bar - at) + " or ";
  return out + e.substr(at);
}

/// A location inside itc's own library or the checkers' machinery: where a mistake shows, not
/// where it is (queue.hpp's join(), lock.hpp's acquire_slow, tsan_annotations.hpp).
bool library_internal(const std::string& location) {
  const std::string file = split_location(location).first;
  if (file.rfind("primitives/include/itc/broken/", 0) == 0) return false;  // a broken primitive: the defect
  return file.empty() || file.rfind("primitives/include/itc/", 0) == 0 || file.rfind("models/src/", 0) == 0 ||
         file.rfind("stress/src/", 0) == 0 || file.rfind("models/include/", 0) == 0 ||
         file.rfind("relacy/", 0) == 0 || file.find("tsan_annotations") != std::string::npos ||
         file.front() == '/';
}

std::string cell_state(const Cell& c) {
  return !c.match ? "mismatch" : c.verdict != "pass" ? "detected" : "pass";
}

namespace {

std::string field_of(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key, 0) == 0 && line.size() > key.size() && line[key.size()] == ' ') {
      auto v = line.substr(key.size());
      v.erase(0, v.find_first_not_of(' '));
      return v;
    }
  return "";
}

}  // namespace

std::string evidence_line(const Cell& c) {
  std::istringstream in(c.evidence);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  if (c.verdict == "timeout" || c.verdict == "crash")
    for (const auto& l : lines)
      if (!l.empty() && l.rfind("scenario ", 0) != 0) return l;
  for (const auto& l : lines)
    if (l.find("WARNING: ThreadSanitizer:") != std::string::npos) return l.substr(l.find("WARNING:"));
  if (c.checker == "model") {
    if (const std::string d = field_of(c.evidence, "detail"); !d.empty()) return d;
  } else {
    for (std::size_t i = 0; i + 1 < lines.size(); ++i)
      if (lines[i] == "evidence" && lines[i + 1] != "ThreadSanitizer report") return lines[i + 1];
  }
  for (const char* key : {"runs", "executions", "found"})
    if (const std::string v = field_of(c.evidence, key); !v.empty()) return std::string(key) + " " + v;
  for (const auto& l : lines)
    if (!l.empty()) return l;
  return "";
}

std::string seconds_text(double s) {
  if (s < 0.0005) return "< 1 ms";
  if (s < 1) return fmt::format("{:.0f} ms", s * 1e3);
  return fmt::format("{:.2f} s", s);
}

std::string rerun_command(const Cell& c) {
  return c.replay.empty() ? "itc-verify repro " + c.id + " --checker " + c.checker : c.replay;
}

const std::vector<std::pair<std::string, std::string>>& legend() {
  static const std::vector<std::pair<std::string, std::string>> entries = {
      {"—",
       "in an expected cell: this checker is not expected to see the defect, so it must pass (what it "
       "really gave is shown all the same)"},
      {"a|b", "either verdict is the expected one"},
      {"pass (—), pass (assertion|—)",
       "a broken row's pass that matches its expectation: this checker is not expected to see the "
       "defect (—), or may miss it within its budget (assertion|—: the deep rows, "
       "models/CATALOG.md E9). It is no evidence that the code is correct; the other checkers' "
       "cells of the row say what finds the defect"},
      {"(p)",
       "a probabilistic detection: real threads find it in at least 95 of 100 runs within the "
       "scenario's default budget; the measured rate is shown"},
      {"3/3", "detection rate: found in 3 of 3 extra runs (--rate-runs)"},
      {"b2+r+p3",
       "model cells: the strategies that found it — b2 bounded search (bound 2), r random "
       "search, p3 PCT (depth 3; p4 depth 4, on deep rows); a defect found by any strategy is a "
       "detection, a correct "
       "form must pass every strategy"},
      {"0.012 s", "time until the checker found the defect (the strategy or run that found it)"},
      {"ok / ✅", "the verdict is the catalog's expected one"},
      {"BAD / ❌",
       "the verdict is not the expected one: a missed detection, a correct form flagged, "
       "another defect, or no verdict"},
      {"timeout", "the check gave no verdict within its time limit (or the --budget was used up)"},
      {"inconclusive", "a model search stopped at its cap without a failure: no verdict"},
      {"hang", "stress: no thread made progress for the watchdog's interval (a deadlock on real threads)"},
      {"deadlock", "model: every thread is blocked"},
      {"assertion", "an invariant of the scenario failed"},
      {"error", "itc raised the error its Python model raises (task_done() too many times, ...)"},
  };
  return entries;
}

}  // namespace detail
using namespace detail;

namespace {

std::string junit(const std::vector<Cell>& cells) {
  const auto failures = std::count_if(cells.begin(), cells.end(), [](const Cell& c) { return !c.match; });
  double total = 0;
  for (const auto& c : cells) total += c.seconds;
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << fmt::format("<testsuites name=\"itc-verify\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n",
                   cells.size(), failures, total);
  for (const auto& checker : checkers_in(cells)) {
    std::vector<const Cell*> mine;
    for (const auto& c : cells)
      if (c.checker == checker) mine.push_back(&c);
    const auto f = std::count_if(mine.begin(), mine.end(), [](const Cell* c) { return !c->match; });
    o << fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">\n", checker, mine.size(), f);
    for (const Cell* c : mine) {
      o << fmt::format("    <testcase classname=\"itc.{}\" name=\"{}\" time=\"{:.3f}\">\n", checker,
                       xml_escape(c->id), c->seconds);
      if (!c->match)
        o << fmt::format("      <failure message=\"{}\" type=\"verdict-mismatch\">{}</failure>\n",
                         xml_escape("expected " + c->expected + ", got " + c->verdict),
                         xml_escape(c->evidence));
      o << fmt::format(
          "      <system-out>{}</system-out>\n",
          xml_escape("verdict: " + cell_label(*c) + " (expected " + c->expected + ")\nreplay: " + c->replay));
      o << "    </testcase>\n";
    }
    o << "  </testsuite>\n";
  }
  o << "</testsuites>\n";
  return o.str();
}

/// The line where a scenario's definition starts ("// file:line" heads Cell::scenario_source).
std::string definition_location(const Cell& c) {
  if (c.scenario_source.rfind("// ", 0) != 0) return "";
  return c.scenario_source.substr(3, c.scenario_source.find('\n') - 3);
}

/// Where a result points: the defect's line (the `// DEFECT` line of the scenario or of its
/// broken primitive); for a correct form (no defect), the line the checker points at if it is
/// the scenario's own code, else the scenario's definition; never a line the evidence does not
/// give (then the file alone).
std::pair<std::string, int> result_location(const Row* row, const Cell& c) {
  if (!c.defect_location.empty()) return split_location(c.defect_location);
  if (!c.location.empty() && !library_internal(c.location)) return split_location(c.location);
  if (const std::string d = definition_location(c); !d.empty()) return split_location(d);
  return {row ? row->source : std::string(), 0};
}

/// The help of a scenario's rule, as text and as Markdown.
std::pair<std::string, std::string> rule_help(const Row& r) {
  if (is_correct_form(r)) {
    const std::string text = "The correct form of " + r.origin +
                             ": every checker must pass it. A checker that reports a defect here "
                             "found a bug in the primitive (or the checker); its evidence is in report.html.";
    return {text, text};
  }
  return {"Defect: " + r.defect + "\nFix: " + r.fix + "\nOrigin: " + r.origin,
          "**Defect:** " + r.defect + "\n\n**Fix:** " + r.fix + "\n\n*Origin:* " + r.origin};
}

nlohmann::json sarif(const std::vector<Row>& rows, const std::vector<Cell>& cells,
                     const ReportOptions& options) {
  // For code scanning: an alert is a cell that did not match — a missed detection, a correct form
  // flagged, another defect than the catalog's, a check without a verdict. Expected detections
  // are the catalog demonstrating its mistakes: `kind: "pass"`, `level: "none"` (no alert), or
  // left out. Each result points at the defect's line, not at the library line it shows in.
  nlohmann::json rules = nlohmann::json::array();
  std::map<std::string, std::size_t> rule_index;
  for (const auto& r : rows) {
    rule_index[r.id] = rules.size();
    const auto [text, md] = rule_help(r);
    const std::string family = r.id.substr(0, r.id.find('/'));
    rules.push_back(
        {{"id", r.id},
         {"name", r.id},
         {"shortDescription", {{"text", is_correct_form(r) ? "correct form: " + r.origin : r.defect}}},
         {"fullDescription",
          {{"text", is_correct_form(r)
                        ? "The correct form of " + r.origin + "; no checker may report a defect."
                        : r.defect + " (" + r.origin + "). Fix: " + r.fix}}},
         {"help", {{"text", text}, {"markdown", md}}},
         {"defaultConfiguration", {{"level", "error"}}},
         {"properties", {{"tags", {"concurrency", family}}}}});
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& c : cells) {
    const Row* row = find_row(rows, c.id);
    const bool detection = c.match && c.verdict != "pass";
    if (c.match && !detection) continue;  // a correct form that passed: nothing to say
    if (detection && !options.sarif_expected) continue;
    const auto [uri, line] = result_location(row, c);
    std::string text;
    if (detection) {
      text = fmt::format("{} found the expected {} ({}).", c.checker, c.verdict, row ? row->defect : c.id);
    } else if (c.verdict == "timeout") {
      text = fmt::format("{} gave no verdict: the check ran out of time (expected {}).", c.checker,
                         expected_words(c.expected));
    } else if (row && is_correct_form(*row)) {
      text = fmt::format("{} reports {} in the correct form {}: every checker must pass it.", c.checker,
                         c.verdict, c.id);
    } else if (c.verdict == "pass") {
      text = fmt::format("{} missed the defect ({}): expected {}, got pass.", c.checker,
                         row ? row->defect : c.id, expected_words(c.expected));
    } else {
      text = fmt::format("{} reports {}, expected {} ({}).", c.checker, c.verdict, expected_words(c.expected),
                         row ? row->defect : c.id);
    }
    if (!c.location.empty() && c.location != uri + ":" + std::to_string(line))
      text += " The checker points at " + c.location + ".";
    text += " Re-run: " + rerun_command(c);
    nlohmann::json physical = {{"artifactLocation", {{"uri", uri}, {"uriBaseId", "%SRCROOT%"}}}};
    if (line > 0) physical["region"] = {{"startLine", line}};
    nlohmann::json result = {{"ruleId", c.id},
                             {"kind", detection ? "pass" : "fail"},
                             {"level", detection                ? "none"
                                       : c.verdict == "timeout" ? "warning"
                                                                : "error"},
                             {"message", {{"text", text}}},
                             {"locations", nlohmann::json::array({{{"physicalLocation", physical}}})},
                             {"partialFingerprints", {{"itcCell/v1", c.id + "|" + c.checker}}},
                             {"properties",
                              {{"checker", c.checker},
                               {"verdict", c.verdict},
                               {"expected", c.expected},
                               {"match", c.match},
                               {"replay", c.replay}}}};
    if (auto it = rule_index.find(c.id); it != rule_index.end()) result["ruleIndex"] = it->second;
    // Where the checker saw it, when that is elsewhere (a library line): a related location.
    if (const auto [file, at] = split_location(c.location);
        !file.empty() && file.front() != '/' && at > 0 && c.location != uri + ":" + std::to_string(line))
      result["relatedLocations"] =
          nlohmann::json::array({{{"id", 1},
                                  {"message", {{"text", "where " + c.checker + " saw it"}}},
                                  {"physicalLocation",
                                   {{"artifactLocation", {{"uri", file}, {"uriBaseId", "%SRCROOT%"}}},
                                    {"region", {{"startLine", at}}}}}}});
    results.push_back(result);
  }
  return {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", nlohmann::json::array(
                   {{{"tool",
                      {{"driver",
                        {{"name", "itc-verify"},
                         {"version", tool_version()},
                         {"semanticVersion", tool_version()},
                         {"rules", rules}}}}},
                     {"originalUriBaseIds",
                      {{"%SRCROOT%", {{"description", {{"text", "the root of the catalog's project"}}}}}}},
                     {"columnKind", "unicodeCodePoints"},
                     {"results", results}}})}};
}

/// Text inside a Markdown table cell or inline code: no pipe or newline breaks the table.
std::string md_cell(std::string s) {
  for (std::size_t p = s.find('|'); p != std::string::npos; p = s.find('|', p + 2)) s.replace(p, 1, "\\|");
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

/// `text` as inline code, with a fence longer than any run of backticks inside it.
std::string md_code(const std::string& text) {
  std::size_t longest = 0, run = 0;
  for (char ch : text) longest = std::max(longest, run = ch == '`' ? run + 1 : 0);
  const std::string fence(longest + 1, '`');
  const bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
  return fence + (pad ? " " : "") + text + (pad ? " " : "") + fence;
}

std::string markdown(const std::vector<Row>& rows, const std::vector<Cell>& cells) {
  // The CI job summary: what did not match first, each with the line of evidence that says what
  // happened and the command that re-runs it; then the matrix and its legend.
  const auto checkers = checkers_in(cells);
  std::vector<const Cell*> bad;
  for (const auto& r : rows)
    for (const auto& k : checkers)
      if (const Cell* c = find_cell(cells, r.id, k); c != nullptr && !c->match) bad.push_back(c);
  std::ostringstream o;
  o << "## itc-verify: detection matrix\n\n"
    << (bad.empty() ? fmt::format("**Every cell matches its expected verdict ({} cells).**", cells.size())
                    : fmt::format("**{} of {} cells do not match.**", bad.size(), cells.size()))
    << "\n\n";
  if (!bad.empty()) {
    o << "### Cells that do not match\n\n";
    for (const Cell* c : bad) {
      const Row* row = find_row(rows, c->id);
      o << "- ❌ " << md_code(c->id) << " · **" << c->checker << "**: got " << md_code(cell_label(*c))
        << ", expected " << md_code(c->expected);
      if (row != nullptr)
        o << " — " << (is_correct_form(*row) ? "the correct form: every checker must pass it" : row->defect);
      o << "\n";
      if (const std::string e = evidence_line(*c); !e.empty()) o << "  - evidence: " << md_code(e) << "\n";
      if (!c->defect_location.empty()) o << "  - defect at " << md_code(c->defect_location) << "\n";
      if (!c->location.empty() && c->location != c->defect_location)
        o << "  - the checker points at " << md_code(c->location) << "\n";
      o << "  - re-run: "
        << (c->replay.empty() ? "(none: the checker printed no re-run line)" : md_code(c->replay)) << "\n";
    }
    o << "\n";
  }
  o << "### Matrix\n\n| scenario |";
  for (const auto& k : checkers) o << " " << k << " |";
  o << "\n|---|";
  for (size_t i = 0; i < checkers.size(); ++i) o << "---|";
  o << "\n";
  // Rows with a mismatch first, then the rest in catalog order.
  for (const bool mismatching : {true, false})
    for (const auto& r : rows) {
      bool any = false, row_bad = false;
      std::ostringstream line;
      line << "| " << md_code(r.id) << " |";
      for (const auto& k : checkers) {
        const Cell* c = find_cell(cells, r.id, k);
        if (c == nullptr) {
          line << " |";
          continue;
        }
        any = true;
        row_bad = row_bad || !c->match;
        line << " " << (c->match ? "✅" : "❌") << " " << md_cell(cell_label(*c));
        if (!c->match) line << " (expected " << md_cell(c->expected) << ")";
        if (c->detection_seconds && c->verdict != "pass")
          line << fmt::format(", {:.3f} s", *c->detection_seconds);
        line << " |";
      }
      if (any && row_bad == mismatching) o << line.str() << "\n";
    }
  o << "\n<details><summary>Legend</summary>\n\n| symbol | meaning |\n|---|---|\n";
  for (const auto& [symbol, meaning] : legend())
    o << "| " << md_code(symbol) << " | " << md_cell(meaning) << " |\n";
  o << "\n</details>\n\nThe full evidence of every cell is in `report.html`; `itc-verify repro <id> "
       "--checker <c>` "
       "prints it again.\n";
  return o.str();
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream f(p);
  f << text;
  f.close();
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

}  // namespace

std::string matrix_text(const std::vector<Row>& rows, const std::vector<Cell>& cells,
                        const std::vector<std::string>& checkers) {
  // Columns sized to the data (an id or a cell of any length keeps the table aligned), two
  // spaces between them; widths count code points, so "—" is one column, not three bytes.
  auto width = [](const std::string& s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
  };
  auto text_of = [](const Cell& c) {
    std::string text = std::string(c.match ? "ok  " : "BAD ") + cell_label(c);
    if (c.detection_seconds && c.verdict != "pass") text += fmt::format(" {:.2f}s", *c.detection_seconds);
    if (!c.match) text += " (want " + c.expected + ")";
    return text;
  };
  std::vector<std::pair<std::string, std::vector<std::string>>> table;  // shown rows: id, cells
  std::size_t id_width = width("scenario");
  std::vector<std::size_t> widths;
  for (const auto& k : checkers) widths.push_back(width(k));
  for (const auto& r : rows) {
    std::vector<std::string> line;
    bool any = false;
    for (const auto& k : checkers) {
      const Cell* c = find_cell(cells, r.id, k);
      any = any || c != nullptr;
      line.push_back(c == nullptr ? "" : text_of(*c));
    }
    if (!any) continue;
    id_width = std::max(id_width, width(r.id));
    for (std::size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], width(line[i]));
    table.emplace_back(r.id, std::move(line));
  }
  std::ostringstream o;
  auto put_line = [&](const std::string& first, const std::vector<std::string>& rest) {
    std::string line = first + std::string(id_width - width(first) + 2, ' ');
    for (std::size_t i = 0; i < rest.size(); ++i)
      line += rest[i] + (i + 1 < rest.size() ? std::string(widths[i] - width(rest[i]) + 2, ' ') : "");
    while (!line.empty() && line.back() == ' ') line.pop_back();
    o << line << "\n";
  };
  put_line("scenario", checkers);
  for (const auto& [id, line] : table) put_line(id, line);
  if (std::find(checkers.begin(), checkers.end(), "model") != checkers.end()) o << kStrategyLegend << "\n";
  return o.str();
}

const char* tool_version() {
  return ITC_VERSION;
}

void write_reports(const std::string& dir, const std::vector<Row>& rows, const std::vector<Cell>& cells,
                   const nlohmann::json& meta, const ReportOptions& options) {
  const fs::path target = fs::absolute(dir);
  const fs::path tmp =
      target.parent_path() / (target.filename().string() + ".tmp-" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  nlohmann::json all = meta;
  all["cells"] = nlohmann::json::array();
  for (const auto& c : cells) all["cells"].push_back(to_json(c));
  all["catalog"] = nlohmann::json::array();
  for (const auto& r : rows)
    all["catalog"].push_back({{"id", r.id},
                              {"origin", r.origin},
                              {"defect", r.defect},
                              {"fix", r.fix},
                              {"source", r.source},
                              {"threads", r.threads},
                              {"expected", r.expected}});
  all["summary"] = {
      {"cells", cells.size()},
      {"mismatches", std::count_if(cells.begin(), cells.end(), [](const Cell& c) { return !c.match; })}};
  write_file(tmp / "results.json", all.dump(2) + "\n");
  write_file(tmp / "junit.xml", junit(cells));
  write_file(tmp / "results.sarif", sarif(rows, cells, options).dump(2) + "\n");
  write_file(tmp / "summary.md", markdown(rows, cells));
  write_file(tmp / "report.html", html_report(rows, cells, meta));
  fs::remove_all(target);
  fs::rename(tmp, target);
}

}  // namespace itc::verify
