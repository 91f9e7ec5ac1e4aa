// The five report formats, written together and atomically (see write_reports).
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "verify.hpp"

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
  return c;
}

namespace {

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

std::string cell_label(const Cell& c) {
  std::string s = c.verdict;
  if (!c.rate.empty()) s += " " + c.rate;
  if (!c.strategies.empty() && c.verdict != "pass" && c.verdict != "timeout" && c.verdict != "inconclusive")
    s += " (" + found_by(c) + ")";
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
    "(depth 3); a defect found by any strategy is a detection, a correct form must pass every strategy";

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

nlohmann::json sarif(const std::vector<Row>& rows, const std::vector<Cell>& cells) {
  // One rule per catalog scenario; one result per cell in which a checker reported a defect,
  // at the source line the checker points to. Expected detections are "note"s (the catalog
  // demonstrating a mistake); a mismatch is an "error".
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : rows)
    rules.push_back(
        {{"id", r.id},
         {"name", r.id},
         {"shortDescription", {{"text", r.defect == "—" ? "correct form of " + r.origin : r.defect}}},
         {"fullDescription", {{"text", "Tutorial origin: " + r.origin + ". Fix: " + r.fix}}},
         {"help", {{"text", "Fix: " + r.fix}}}});
  nlohmann::json results = nlohmann::json::array();
  for (const auto& c : cells) {
    if (c.verdict == "pass" && c.match) continue;
    std::string uri = c.location.substr(0, c.location.rfind(':'));
    int line = 1;
    if (auto p = c.location.rfind(':'); p != std::string::npos)
      line = std::max(1, std::atoi(c.location.c_str() + p + 1));
    if (uri.empty()) {
      for (const auto& r : rows)
        if (r.id == c.id) uri = r.source;
    }
    nlohmann::json result = {
        {"ruleId", c.id},
        {"level", c.match ? "note" : "error"},
        {"message",
         {{"text", fmt::format("{}: {} (expected {}){}. Reproduce: {}", c.checker, c.verdict, c.expected,
                               c.match ? "" : " — MISMATCH", c.replay.empty() ? "n/a" : c.replay)}}},
        {"locations",
         nlohmann::json::array({{{"physicalLocation",
                                  {{"artifactLocation", {{"uri", uri}, {"uriBaseId", "%SRCROOT%"}}},
                                   {"region", {{"startLine", line}}}}}}})},
        {"properties", {{"checker", c.checker}, {"verdict", c.verdict}, {"expected", c.expected}}}};
    results.push_back(result);
  }
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", nlohmann::json::array({{{"tool",
                                            {{"driver",
                                              {{"name", "itc-verify"},
                                               {"informationUri", "https://example.invalid/itc"},
                                               {"version", "0.1.0"},
                                               {"rules", rules}}}}},
                                           {"results", results}}})}};
}

std::string markdown(const std::vector<Row>& rows, const std::vector<Cell>& cells) {
  const auto checkers = checkers_in(cells);
  const auto mismatches = std::count_if(cells.begin(), cells.end(), [](const Cell& c) { return !c.match; });
  std::ostringstream o;
  o << "## itc-verify: detection matrix\n\n"
    << (mismatches == 0 ? "**Every cell matches its expected verdict.**"
                        : fmt::format("**{} of {} cells do not match.**", mismatches, cells.size()))
    << "\n\n| scenario |";
  for (const auto& k : checkers) o << " " << k << " |";
  o << "\n|---|";
  for (size_t i = 0; i < checkers.size(); ++i) o << "---|";
  o << "\n";
  for (const auto& r : rows) {
    bool any = false;
    std::ostringstream line;
    line << "| `" << r.id << "` |";
    for (const auto& k : checkers) {
      const Cell* c = find_cell(cells, r.id, k);
      if (c == nullptr) {
        line << " |";
        continue;
      }
      any = true;
      line << " " << (c->match ? "✅" : "❌") << " " << cell_label(*c);
      if (!c->match) line << " (expected " << c->expected << ")";
      if (c->detection_seconds && c->verdict != "pass")
        line << fmt::format(", {:.3f} s", *c->detection_seconds);
      line << " |";
    }
    if (any) o << line.str() << "\n";
  }
  if (std::find(checkers.begin(), checkers.end(), "model") != checkers.end())
    o << "\n" << kStrategyLegend << ".\n";
  return o.str();
}

std::string html(const std::vector<Row>& rows, const std::vector<Cell>& cells, const nlohmann::json& meta) {
  const auto checkers = checkers_in(cells);
  const auto mismatches = std::count_if(cells.begin(), cells.end(), [](const Cell& c) { return !c.match; });
  std::ostringstream o;
  o << R"(<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>itc-verify report</title><style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table.matrix{border-collapse:collapse;font-size:14px}
.matrix td,.matrix th{border:1px solid #ccc;padding:4px 8px;text-align:left}
.ok{background:#e6f4ea}.bad{background:#fce8e6;font-weight:bold}.pass{color:#666}
code{font-family:ui-monospace,monospace}
.lanes{display:grid;gap:0;font-family:ui-monospace,monospace;font-size:12px;margin:8px 0 24px 0;border:1px solid #ccc}
.lanes div{padding:2px 6px;border-bottom:1px solid #eee;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.lanes .head{background:#333;color:#fff;font-weight:bold;position:sticky;top:0}
.lanes .step{color:#888;text-align:right}
.lanes .ev{background:#eef3fd;border-left:3px solid #4a7bd0}
.lanes .fail{background:#fce8e6;border-left:3px solid #c5221f;font-weight:bold}
h2{margin-top:2em}
</style></head><body>
)";
  o << "<h1>itc-verify: detection matrix</h1>\n<p>"
    << (mismatches == 0 ? "Every cell matches its expected verdict."
                        : fmt::format("{} of {} cells do not match.", mismatches, cells.size()))
    << " Generated " << xml_escape(meta.value("generated", "")) << ".</p>\n";
  o << "<table class=\"matrix\"><tr><th>scenario</th>";
  for (const auto& k : checkers) o << "<th>" << k << "</th>";
  o << "<th>defect</th></tr>\n";
  for (const auto& r : rows) {
    std::ostringstream tr;
    bool any = false;
    tr << "<tr><td><code>" << xml_escape(r.id) << "</code></td>";
    for (const auto& k : checkers) {
      const Cell* c = find_cell(cells, r.id, k);
      if (c == nullptr) {
        tr << "<td></td>";
        continue;
      }
      any = true;
      tr << "<td class=\"" << (c->match ? (c->verdict == "pass" ? "ok pass" : "ok") : "bad")
         << "\" title=\"expected " << xml_escape(c->expected)
         << (c->strategies.empty() ? "" : " — " + xml_escape(strategies_text(*c))) << "\">"
         << xml_escape(cell_label(*c));
      if (!c->match) tr << " (expected " << xml_escape(c->expected) << ")";
      if (c->detection_seconds && c->verdict != "pass")
        tr << fmt::format(" <small>{:.3f}s</small>", *c->detection_seconds);
      tr << "</td>";
    }
    tr << "<td>" << xml_escape(r.defect) << "</td></tr>\n";
    if (any) o << tr.str();
  }
  o << "</table>\n<p><small>" << kStrategyLegend << ".</small></p>\n";
  // Every failing model cell: its interleaving as one lane per thread.
  for (const auto& c : cells) {
    if (c.trace.empty()) continue;
    unsigned threads = 0;
    for (const auto& s : c.trace) threads = std::max(threads, static_cast<unsigned>(s.thread) + 1);
    o << "<h2 id=\"" << xml_escape(c.id) << "\"><code>" << xml_escape(c.id) << "</code> — "
      << xml_escape(c.checker) << ": " << xml_escape(c.verdict) << "</h2>\n";
    if (!c.strategies.empty()) o << "<p>" << xml_escape(strategies_text(c)) << "</p>\n";
    o << "<p>Replay: <code>" << xml_escape(c.replay) << "</code></p>\n";
    o << "<div class=\"lanes\" style=\"grid-template-columns:4em repeat(" << threads
      << ",minmax(14em,1fr))\">";
    o << "<div class=\"head\">step</div>";
    for (unsigned t = 0; t < threads; ++t) o << "<div class=\"head\">thread " << t << "</div>";
    for (size_t i = 0; i < c.trace.size(); ++i) {
      const auto& s = c.trace[i];
      const bool last = i + 1 == c.trace.size();
      o << "<div class=\"step\">" << s.step << "</div>";
      for (unsigned t = 0; t < threads; ++t) {
        if (static_cast<int>(t) == s.thread) {
          const std::string file = s.location.substr(s.location.rfind('/') + 1);
          o << "<div class=\"" << (last ? "fail" : "ev") << "\" title=\""
            << xml_escape(s.location + " " + s.function) << "\">"
            << xml_escape(file + " " + s.function + ": " + s.event) << "</div>";
        } else {
          o << "<div></div>";
        }
      }
    }
    o << "</div>\n";
  }
  o << "</body></html>\n";
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

void write_reports(const std::string& dir, const std::vector<Row>& rows, const std::vector<Cell>& cells,
                   const nlohmann::json& meta) {
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
  write_file(tmp / "results.sarif", sarif(rows, cells).dump(2) + "\n");
  write_file(tmp / "summary.md", markdown(rows, cells));
  write_file(tmp / "report.html", html(rows, cells, meta));
  fs::remove_all(target);
  fs::rename(tmp, target);
}

}  // namespace itc::verify
