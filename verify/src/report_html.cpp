// report.html: the matrix, the evidence of every cell, a compare view, a chart — one file that
// works offline (inline CSS, JS and SVG; no external resource).
#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "reports_internal.hpp"

namespace itc::verify::detail {
namespace {

std::string esc(const std::string& s) {
  return xml_escape(s);
}

/// Catalog text ("consumer never calls `task_done()`") as HTML: backtick spans become <code>.
std::string inline_code(const std::string& text) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto open = text.find('`', at);
    const auto close = open == std::string::npos ? std::string::npos : text.find('`', open + 1);
    if (close == std::string::npos) {
      out += esc(text.substr(at));
      break;
    }
    out +=
        esc(text.substr(at, open - at)) + "<code>" + esc(text.substr(open + 1, close - open - 1)) + "</code>";
    at = close + 1;
  }
  return out;
}

std::string slug(const std::string& id) {
  std::string s;
  for (char ch : id) s += std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' ? ch : '-';
  return s;
}

std::string family_of(const std::string& id) {
  return id.substr(0, id.find('/'));
}

std::string evidence_anchor(const Cell& c) {
  return "ev-" + c.checker + "-" + slug(c.id);
}

/// A command to paste, with a copy button.
std::string command(const std::string& cmd) {
  return "<div class=\"cmd\"><pre><code>" + esc(cmd) +
         "</code></pre><button type=\"button\" class=\"copy\">copy</button></div>";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string field(const std::string& text, const std::string& key) {
  for (const auto& line : lines_of(text))
    if (line.rfind(key, 0) == 0 && line.size() > key.size() && line[key.size()] == ' ') {
      auto v = line.substr(key.size());
      v.erase(0, v.find_first_not_of(' '));
      return v;
    }
  return "";
}

/// A duration for people, escaped for HTML.
std::string seconds_html(double s) {
  return esc(seconds_text(s));
}

/// A source location: itc's own library (primitives/include/itc/, not broken/) or the user's.
std::string location_html(const std::string& location) {
  const bool lib = library_internal(location);
  return "<code class=\"loc " + std::string(lib ? "lib" : "user") + "\" title=\"" +
         (lib ? "itc's library" : "the scenario's code") + "\">" + esc(location) + "</code>";
}

std::string raw_output(const std::string& text, const std::string& what = "the checker's full output") {
  if (text.empty()) return "";
  return "<details class=\"raw\"><summary>" + esc(what) + " (" + std::to_string(lines_of(text).size()) +
         " lines)</summary><pre>" + esc(text) + "</pre></details>\n";
}

// ---- model -------------------------------------------------------------------------------

std::string model_lanes(const Cell& c) {
  if (c.trace.empty()) return "";
  unsigned threads = 0;
  for (const auto& s : c.trace) threads = std::max(threads, static_cast<unsigned>(s.thread) + 1);
  // Relacy logs a deadlock in the lane of the last thread that ran; when that thread had
  // finished, the step belongs to a stuck thread: the one that went to sleep last.
  std::vector<int> lane(c.trace.size());
  std::vector<bool> finished(threads, false);
  std::vector<long> last(threads, -1);
  for (std::size_t i = 0; i < c.trace.size(); ++i) {
    const auto& s = c.trace[i];
    lane[i] = s.thread;
    if (s.event == "[THREAD FINISHED]") {
      finished[s.thread] = true;
    } else if (s.event.rfind("DEADLOCK", 0) == 0 && finished[s.thread]) {
      long stuck = -1;
      for (unsigned t = 0; t < threads; ++t)
        if (!finished[t] && last[t] > stuck) stuck = last[t];
      if (stuck >= 0) lane[i] = c.trace[static_cast<std::size_t>(stuck)].thread;
    } else {
      last[s.thread] = static_cast<long>(i);
    }
  }
  // A thread is stuck when it did not finish and its last step put it to sleep.
  std::set<std::size_t> stuck_steps;
  if (c.verdict == "deadlock")
    for (unsigned t = 0; t < threads; ++t)
      if (!finished[t] && last[t] >= 0 &&
          c.trace[static_cast<std::size_t>(last[t])].event.find("blocking") != std::string::npos)
        stuck_steps.insert(static_cast<std::size_t>(last[t]));
  std::ostringstream o;
  o << "<div class=\"lanes\" style=\"grid-template-columns:3.5em repeat(" << threads
    << ",minmax(16em,1fr))\">";
  o << "<div class=\"head\">step</div>";
  for (unsigned t = 0; t < threads; ++t) o << "<div class=\"head\">thread " << t << "</div>";
  for (std::size_t i = 0; i < c.trace.size(); ++i) {
    const auto& s = c.trace[i];
    const bool final_step = i + 1 == c.trace.size();
    o << "<div class=\"step\">" << s.step << "</div>";
    for (unsigned t = 0; t < threads; ++t) {
      if (static_cast<int>(t) != lane[i]) {
        o << "<div class=\"gap\"></div>";
        continue;
      }
      std::string cls = final_step ? "ev fail" : stuck_steps.count(i) ? "ev stuck" : "ev";
      // A DEADLOCK moved to a stuck thread's lane is shown where that thread went to sleep.
      const TraceStep& where =
          lane[i] != s.thread && last[static_cast<std::size_t>(lane[i])] >= 0
              ? c.trace[static_cast<std::size_t>(last[static_cast<std::size_t>(lane[i])])]
              : s;
      o << "<div class=\"" << cls << "\">" << location_html(where.location) << " <code class=\"fn\">"
        << esc(where.function) << "</code><br>" << esc(s.event);
      if (stuck_steps.count(i)) o << " <span class=\"tag\">stuck here</span>";
      if (final_step && lane[i] != s.thread)
        o << " <span class=\"tag\">Relacy logged it in thread " << s.thread
          << "'s lane, which had finished</span>";
      o << "</div>";
    }
  }
  o << "</div>\n";
  return o.str();
}

std::string model_evidence(const Cell& c) {
  std::ostringstream o;
  if (!c.strategies.empty()) {
    o << "<table "
         "class=\"facts\"><tr><th>strategy</th><th>verdict</th><th>executions</th><th>time</th><th>replay</"
         "th></tr>";
    for (const auto& s : c.strategies) {
      o << "<tr><td>" << esc(s.name) << "</td><td class=\"v-" << esc(s.verdict) << "\">" << esc(s.verdict)
        << "</td><td>" << (s.executions ? fmt::format("{}", *s.executions) : "") << "</td><td>"
        << fmt::format("{:.2f} s", s.seconds) << "</td><td>";
      if (!s.replay.empty() && s.replay != c.replay)
        o << "<details><summary>replay line</summary>" << command(s.replay) << "</details>";
      else if (!s.replay.empty())
        o << "below";
      o << "</td></tr>";
    }
    o << "</table>\n";
  }
  if (const std::string d = field(c.evidence, "detail"); !d.empty() && d != evidence_line(c))
    o << "<p><b>" << esc(d) << "</b></p>\n";
  if (!c.locks.empty()) {
    o << "<table class=\"facts locks\"><tr><th>thread</th><th>holds</th><th>waits for</th><th>held "
         "by</th></tr>";
    for (const auto& l : c.locks)
      o << "<tr><td>T" << l.thread << "</td><td>"
        << (l.holds.empty() ? "no itc lock" : "<code>" + esc(l.holds) + "</code>") << "</td><td>"
        << (l.waits_for.empty() ? "—" : "<code>" + esc(l.waits_for) + "</code>") << "</td><td>"
        << esc(l.held_by) << "</td></tr>";
    o << "</table>\n";
  }
  if (!c.trace.empty()) {
    o << "<p>The interleaving, one lane per thread (" << c.trace.size()
      << " steps; <code class=\"loc user\">the scenario's lines</code>, <code class=\"loc lib\">itc's "
         "library</code>):</p>\n"
      << model_lanes(c);
  }
  o << "<h4>Replay</h4>" << command(rerun_command(c));
  o << raw_output(c.evidence);
  return o.str();
}

// ---- stress and tsan ---------------------------------------------------------------------

struct Frame {
  std::string number, function, location, module;
};

Frame parse_frame(std::string text) {
  Frame f;
  static const std::regex head(R"(^\s*#(\d+) (.*)$)");
  std::smatch m;
  if (!std::regex_match(text, m, head)) return f;
  f.number = m[1];
  text = m[2];
  static const std::regex build_id(R"( \(BuildId: [0-9a-f]+\)$)");
  text = std::regex_replace(text, build_id, "");
  static const std::regex module(R"( \(([^()]+\+0x[0-9a-f]+)\)$)");
  if (std::regex_search(text, m, module)) {
    f.module = m[1];
    text = text.substr(0, static_cast<std::size_t>(m.position(0)));
  }
  const auto sp = text.rfind(' ');
  f.location = sp == std::string::npos ? text : text.substr(sp + 1);
  f.function = sp == std::string::npos ? "" : text.substr(0, sp);
  return f;
}

/// A frame in the catalog project's own code (relative path), not the checker's machinery.
bool project_frame(const Frame& f) {
  return !f.location.empty() && f.location.front() != '/' && f.location.front() != '<' &&
         f.location.rfind("stress/src/", 0) != 0 && f.location.rfind("models/src/", 0) != 0;
}

std::string frames_html(const std::vector<Frame>& frames) {
  // Frames down to the last one in the project's code are shown; the rest (the runner, the
  // standard library, the TSan runtime) fold into one line that expands.
  std::size_t shown = 0;
  for (std::size_t i = 0; i < frames.size(); ++i)
    if (project_frame(frames[i])) shown = i + 1;
  if (shown == 0) shown = std::min<std::size_t>(frames.size(), 3);
  auto row = [](const Frame& f) {
    // The scenario's own frames stand out from itc's library (tsan_annotations.hpp, lock.hpp).
    return "<tr class=\"" + std::string(project_frame(f) ? "mine" : "other") + "\"><td>#" + f.number +
           "</td><td>" +
           (project_frame(f) ? location_html(f.location) : "<code>" + esc(f.location) + "</code>") +
           "</td><td><code class=\"fn\">" + esc(f.function) + "</code></td></tr>";
  };
  std::string o = "<table class=\"frames\">";
  for (std::size_t i = 0; i < shown; ++i) o += row(frames[i]);
  o += "</table>";
  if (shown < frames.size()) {
    o += "<details><summary>" + std::to_string(frames.size() - shown) +
         " more frames (the runner, the standard library)</summary><table class=\"frames\">";
    for (std::size_t i = shown; i < frames.size(); ++i) o += row(frames[i]);
    o += "</table></details>";
  }
  return o;
}

/// TSan's report(s) in the evidence: the warning, each stack (the two accesses first, open),
/// the context blocks folded, the summary line.
std::string tsan_html(const std::string& evidence) {
  const auto lines = lines_of(evidence);
  std::ostringstream o;
  bool any = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto w = lines[i].find("WARNING: ThreadSanitizer:");
    if (w == std::string::npos) continue;
    any = true;
    o << "<div class=\"tsan\"><p class=\"warn\"><code>" << esc(lines[i].substr(w)) << "</code></p>\n";
    struct Block {
      std::string head;
      std::vector<std::string> text;
      std::vector<Frame> frames;
    };
    std::vector<Block> blocks;
    std::string summary;
    std::size_t j = i + 1;
    for (; j < lines.size(); ++j) {
      const std::string& l = lines[j];
      if (l.rfind("SUMMARY: ThreadSanitizer", 0) == 0) {
        summary = l;
        break;
      }
      if (l.find("WARNING: ThreadSanitizer:") != std::string::npos || l.rfind("re-run", 0) == 0) {
        --j;
        break;
      }
      if (l.find_first_not_of(' ') == std::string::npos) continue;
      if (l.find_first_not_of(' ') >= 4 && l.find('#') != std::string::npos && !blocks.empty()) {
        blocks.back().frames.push_back(parse_frame(l));
      } else if (l.rfind("  ", 0) == 0 && l.back() == ':') {
        blocks.push_back({l.substr(2, l.size() - 3), {}, {}});
      } else if (!blocks.empty() && blocks.back().frames.empty()) {
        blocks.back().text.push_back(l);
      } else {
        blocks.push_back({"", {l}, {}});
      }
    }
    i = j;
    std::ostringstream context;
    int stacks = 0;
    for (const auto& b : blocks) {
      const bool access = b.head.find(" by thread ") != std::string::npos ||
                          b.head.find(" by main thread") != std::string::npos ||
                          b.head.find("acquired here") != std::string::npos ||
                          b.head.find("acquired at") != std::string::npos;
      std::ostringstream one;
      one << "<div class=\"stack\">";
      if (!b.head.empty()) one << "<p><b>" << esc(b.head) << "</b></p>";
      for (const auto& t : b.text) one << "<p><code>" << esc(t) << "</code></p>";
      if (!b.frames.empty()) one << frames_html(b.frames);
      one << "</div>";
      if (access || b.head.empty()) {
        o << one.str();
        if (access) ++stacks;
      } else {
        context << one.str();
      }
    }
    if (!context.str().empty())
      o << "<details><summary>where the memory and the threads came from</summary>" << context.str()
        << "</details>";
    if (!summary.empty()) o << "<p><code>" << esc(summary) << "</code></p>";
    o << "</div>\n";
    (void)stacks;
  }
  return any ? o.str() : "";
}

std::string runner_evidence(const Cell& c) {
  std::ostringstream o;
  std::smatch m;
  static const std::regex seed_in_evidence(R"(\(seed (\d+)\))");
  static const std::regex seed_in_command(R"(--seed (\d+))");
  std::string seed;
  if (std::regex_search(c.evidence, m, seed_in_evidence) || std::regex_search(c.replay, m, seed_in_command))
    seed = m[1];
  o << "<table class=\"facts\">";
  if (!seed.empty()) o << "<tr><th>seed</th><td><code>" << esc(seed) << "</code></td></tr>";
  for (const char* key : {"checker", "found", "runs", "budget"})
    if (const std::string v = field(c.evidence, key); !v.empty())
      o << "<tr><th>" << key << "</th><td>" << esc(v) << "</td></tr>";
  if (!c.rate.empty())
    o << "<tr><th>detection rate</th><td>" << esc(c.rate) << " of the extra runs</td></tr>";
  o << "</table>\n";
  // The report's evidence block: the failing run and, per thread, where it is blocked and the
  // primitive's state there.
  const auto lines = lines_of(c.evidence);
  std::vector<std::string> block;
  bool inside = false;
  for (const auto& l : lines) {
    if (l == "evidence") {
      inside = true;
      continue;
    }
    if (l.rfind("re-run", 0) == 0) inside = false;
    if (inside) block.push_back(l);
  }
  static const std::regex thread_line(R"(^\s+thread (\d+): (.*)$)");
  static const std::regex blocked(R"(^blocked in (.+?) at (\S+:\d+)(?: \((.*?)\))?(?:, called from (.*))?$)");
  std::ostringstream threads;
  bool tsan_report = false;
  for (const auto& l : block) {
    if (l.find("ThreadSanitizer") != std::string::npos) tsan_report = true;
    if (tsan_report) continue;
    if (!std::regex_match(l, m, thread_line)) {
      if (!l.empty() && l != evidence_line(c)) o << "<p><b>" << esc(l) << "</b></p>\n";
      continue;
    }
    const std::string what = m[2];
    threads << "<tr><td>thread " << m[1] << "</td>";
    std::smatch b;
    if (std::regex_match(what, b, blocked))
      threads << "<td>blocked in <code>" << esc(b[1]) << "</code> at " << location_html(b[2]) << "</td><td>"
              << esc(b[3]) << "</td><td>" << (b[4].matched ? "<code>" + esc(b[4]) + "</code>" : "")
              << "</td></tr>";
    else
      threads << "<td colspan=\"3\">" << esc(what) << "</td></tr>";
  }
  if (!threads.str().empty())
    o << "<table class=\"facts threads\"><tr><th>thread</th><th>where</th><th>state</th><th>called "
         "from</th></tr>"
      << threads.str() << "</table>\n";
  o << tsan_html(c.evidence);
  o << "<h4>Re-run</h4>" << command(rerun_command(c));
  o << raw_output(c.evidence);
  return o.str();
}

// ---- the page ----------------------------------------------------------------------------

std::string verdict_badge(const Cell& c) {
  const std::string state = cell_state(c);
  return "<span class=\"badge " + state + "\">" + (state == "mismatch" ? "does not match" : "matches") +
         "</span>";
}

std::string evidence_section(const Cell& c) {
  std::ostringstream o;
  const std::string state = cell_state(c);
  o << "<section class=\"evidence " << state << "\" id=\"" << evidence_anchor(c) << "\" data-checker=\""
    << esc(c.checker) << "\" data-family=\"" << esc(family_of(c.id)) << "\" data-verdict=\"" << esc(c.verdict)
    << "\" data-state=\"" << state << "\">\n";
  // One line when folded: the checker, its verdict, and the line of evidence that says what happened.
  o << "<details class=\"body\"" << (state == "mismatch" ? " open" : "") << "><summary><h3><span class=\"k\">"
    << esc(c.checker) << "</span> " << esc(cell_label(c)) << " " << verdict_badge(c)
    << " <small>expected <code>" << esc(c.expected) << "</code>";
  if (c.detection_seconds && c.verdict != "pass") o << ", found after " << seconds_html(*c.detection_seconds);
  o << ", check took " << fmt::format("{:.1f} s", c.seconds) << "</small></h3> <span class=\"line\">"
    << esc(evidence_line(c)) << "</span></summary>\n";
  if (!c.location.empty()) o << "<p>The checker points at " << location_html(c.location) << ".</p>\n";
  o << (c.checker == "model" ? model_evidence(c) : runner_evidence(c));
  o << "</details></section>\n";
  return o.str();
}

/// A line diff (longest common subsequence) of two short texts: " ", "-", "+" and the line.
std::vector<std::pair<char, std::string>> line_diff(const std::vector<std::string>& a,
                                                    const std::vector<std::string>& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<unsigned>> lcs(n + 1, std::vector<unsigned>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::vector<std::pair<char, std::string>> out;
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      out.emplace_back(' ', a[i++]);
      ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.emplace_back('-', a[i++]);
    } else {
      out.emplace_back('+', b[j++]);
    }
  }
  return out;
}

const Cell* with_source(const std::vector<Cell>& cells, const std::string& id) {
  for (const auto& c : cells)
    if (c.id == id && !c.scenario_source.empty()) return &c;
  return nullptr;
}

std::string compact_trace(const Cell& c) {
  std::string o;
  for (const auto& s : c.trace)
    o += fmt::format("{:>5}  T{} | {}{} {}: {}\n", s.step, s.thread,
                     std::string(4 * static_cast<std::size_t>(s.thread), ' '), s.location, s.function,
                     s.event);
  return o;
}

std::string compare_view(const std::vector<Row>& rows, const std::vector<Cell>& cells,
                         const std::vector<std::string>& checkers) {
  std::ostringstream o;
  for (const auto& b : rows) {
    if (is_correct_form(b)) continue;
    const Row* a = find_row(rows, family_of(b.id) + "/correct");
    if (a == nullptr) continue;
    bool any = false;
    for (const auto& k : checkers) any = any || find_cell(cells, b.id, k) != nullptr;
    if (!any) continue;
    o << "<article class=\"compare\" id=\"cmp-" << slug(b.id) << "\" data-family=\"" << esc(family_of(b.id))
      << "\"><details><summary><code>" << esc(a->id) << "</code> vs <code>" << esc(b.id) << "</code> — "
      << inline_code(b.defect) << "</summary>\n";
    o << "<p><b>Fix:</b> " << inline_code(b.fix) << ". <i>" << esc(b.origin) << "</i></p>\n";
    o << "<table class=\"facts\"><tr><th>checker</th><th><code>" << esc(a->id) << "</code></th><th><code>"
      << esc(b.id) << "</code></th></tr>";
    for (const auto& k : checkers) {
      o << "<tr><th>" << k << "</th>";
      for (const Row* r : {a, &b}) {
        const Cell* c = find_cell(cells, r->id, k);
        if (c == nullptr) {
          o << "<td class=\"muted\">not run</td>";
          continue;
        }
        o << "<td class=\"" << cell_state(*c) << "\"><a href=\"#" << evidence_anchor(*c) << "\">"
          << esc(cell_label(*c)) << "</a>" << (c->match ? "" : " (expected " + esc(c->expected) + ")")
          << "</td>";
      }
      o << "</tr>";
    }
    o << "</table>\n";
    const Cell* sa = with_source(cells, a->id);
    const Cell* sb = with_source(cells, b.id);
    if (sa != nullptr && sb != nullptr) {
      o << "<h4>The code difference (the two scenario definitions)</h4><pre class=\"diff\">";
      for (const auto& [mark, text] : line_diff(lines_of(sa->scenario_source), lines_of(sb->scenario_source)))
        o << "<span class=\""
          << (mark == '+'   ? "add"
              : mark == '-' ? "del"
                            : "ctx")
          << "\">" << mark << " " << esc(text) << "</span>";
      o << "</pre>\n";
    } else {
      o << "<p class=\"muted\">The scenarios' source was not found when the matrix ran (results.json has no "
           "<code>scenario_source</code>): no code difference.</p>\n";
    }
    const Cell* defect = sb != nullptr ? sb : find_cell(cells, b.id, checkers.front());
    if (defect != nullptr && !defect->defect_location.empty())
      o << "<p>The defect is at " << location_html(defect->defect_location) << ".</p>\n";
    const Cell* model = find_cell(cells, b.id, "model");
    if (model != nullptr && !model->trace.empty())
      o << "<h4>The failing interleaving (model, <a href=\"#" << evidence_anchor(*model)
        << "\">as lanes</a>)</h4><pre class=\"trace\">" << esc(compact_trace(*model)) << "</pre>\n";
    o << "</details></article>\n";
  }
  return o.str();
}

constexpr double kResolution = 0.0005;  // a detection printed as "0.000 s" is drawn at 0.5 ms

/// Time to detection per checker: one strip per checker, a dot per detection on a log scale,
/// each dot a link to its evidence.
std::string detection_chart(const std::vector<Cell>& cells, const std::vector<std::string>& checkers) {
  std::map<std::string, std::vector<const Cell*>> by;
  double lo = 1e9, hi = 0;
  for (const auto& c : cells)
    if (c.verdict != "pass" && c.verdict != "timeout" && c.detection_seconds) {
      by[c.checker].push_back(&c);
      const double s = std::max(*c.detection_seconds, kResolution);
      lo = std::min(lo, s);
      hi = std::max(hi, s);
    }
  if (by.empty()) return "<p class=\"muted\">No detection with a measured time.</p>";
  int e0 = static_cast<int>(std::floor(std::log10(lo))), e1 = static_cast<int>(std::ceil(std::log10(hi)));
  if (e1 <= e0) e1 = e0 + 1;
  const double left = 90, width = 720, strip = 42, top = 10;
  auto x = [&](double s) { return left + width * (std::log10(std::max(s, kResolution)) - e0) / (e1 - e0); };
  std::ostringstream o;
  const double height = top + strip * static_cast<double>(checkers.size()) + 30;
  o << fmt::format(
      "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
      "xmlns=\"http://www.w3.org/2000/svg\"><title>time to detection per checker (log scale)</title>",
      left + width + 270, height, left + width + 270, height);
  for (int e = e0; e <= e1; ++e) {
    const double px = x(std::pow(10.0, e));
    o << fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" class=\"grid\"/>", px, top,
                     height - 24);
    o << fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"axis\" text-anchor=\"middle\">{}</text>", px,
                     height - 8, seconds_html(std::pow(10.0, e)));
  }
  double y = top + strip / 2;
  for (const auto& k : checkers) {
    o << fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"label\" text-anchor=\"end\">{}</text>", left - 10,
                     y + 4, k);
    auto& v = by[k];
    std::sort(v.begin(), v.end(),
              [](const Cell* p, const Cell* q) { return *p->detection_seconds < *q->detection_seconds; });
    std::size_t i = 0;
    for (const Cell* c : v) {
      const double jitter = (static_cast<double>(i++ % 5) - 2) * 5;
      o << fmt::format(
          "<a href=\"#{}\"><circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" class=\"dot {}\"><title>{} — {} after "
          "{}</title></circle></a>",
          evidence_anchor(*c), x(*c->detection_seconds), y + jitter, cell_state(*c), esc(c->id),
          esc(c->verdict), seconds_html(*c->detection_seconds));
    }
    if (!v.empty()) {
      const double median = *v[v.size() / 2]->detection_seconds;
      o << fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" class=\"median\"/>",
                       x(median), y - strip / 2 + 4, y + strip / 2 - 4);
      o << fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"axis\">n={} median {} max {}</text>",
                       left + width + 10, y + 4, v.size(), seconds_html(median),
                       seconds_html(*v.back()->detection_seconds));
    } else {
      o << fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"axis\">no detection</text>", left + width + 10,
                       y + 4);
    }
    y += strip;
  }
  o << "</svg>";
  return o.str();
}

constexpr const char* kStyle = R"(
:root{--ok:#e6f4ea;--bad:#fce8e6;--badfg:#a50e0e;--line:#d0d7de;--muted:#667}
body{font-family:system-ui,sans-serif;margin:0 2em 4em 2em;color:#1f2328;line-height:1.4}
header{position:sticky;top:0;background:#fff;z-index:5;border-bottom:1px solid var(--line);padding:.6em 0}
header h1{font-size:1.4em;margin:.2em 0}
nav a{margin-right:1em}
.status.bad{color:var(--badfg);font-weight:bold}.status.ok{color:#1a7f37;font-weight:bold}
.muted,.meta{color:var(--muted)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
pre{background:#f6f8fa;padding:.5em;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere;margin:.3em 0}
.filters{display:flex;gap:1.5em;flex-wrap:wrap;align-items:center;margin:.4em 0}
table.matrix{border-collapse:collapse;font-size:14px;margin:.5em 0}
.matrix td,.matrix th{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
.matrix tr.group th{background:#f6f8fa;font-weight:600}
td.mismatch,.badge.mismatch{background:var(--bad);color:var(--badfg);font-weight:bold}
td.detected{background:var(--ok)}td.pass{background:var(--ok);color:var(--muted)}
.matrix td a{color:inherit}
.badge{border-radius:3px;padding:0 6px;font-size:12px;font-weight:normal}.badge.detected,.badge.pass{background:var(--ok)}
.hidden-col{display:none}
.swatch{padding:0 6px;border:1px solid var(--line)}.swatch.detected{background:var(--ok)}
.swatch.mismatch{background:var(--bad);color:var(--badfg);font-weight:bold}
table.legend td{padding:2px 8px;vertical-align:top}
article.scenario{border-top:2px solid var(--line);margin-top:1em}
article.scenario>h2{font-size:1.15em;margin:.4em 0 .2em 0}article.scenario>h2 code{font-size:1em}article.scenario>p{margin:.2em 0}
section.evidence{margin:.5em 0 .5em 1em;border-left:4px solid var(--line);padding-left:.8em}
section.evidence.mismatch{border-left-color:#d1242f}
section.evidence:target{background:#fff8c5}
section.evidence h3{font-size:1.05em;margin:.2em 0;display:inline}
section.evidence summary{cursor:pointer;padding:.15em 0}
section.evidence summary .line{color:var(--muted);font-size:13px;margin-left:.5em;overflow-wrap:anywhere}
.k{display:inline-block;min-width:4em;font-weight:bold}
table.facts{border-collapse:collapse;font-size:13px;margin:.4em 0}
.facts td,.facts th{border:1px solid var(--line);padding:2px 6px;text-align:left;vertical-align:top}
.lanes{display:grid;font-size:12px;margin:8px 0 16px 0;border:1px solid var(--line)}
.lanes>div{padding:2px 6px;border-bottom:1px solid #eee;overflow-wrap:anywhere}
.lanes .head{background:#333;color:#fff;font-weight:bold;position:sticky;top:0}
.lanes .step{color:#888;text-align:right}
.lanes .ev{background:#eef3fd;border-left:3px solid #4a7bd0}
.lanes .stuck{background:#fff1d6;border-left:3px solid #bf8700}
.lanes .fail{background:var(--bad);border-left:3px solid #c5221f;font-weight:bold}
code.loc.user{color:#0b5394;font-weight:600}code.loc.lib{color:#666}
code.fn{color:#6f42c1;font-size:11.5px}
.tag{background:#bf8700;color:#fff;border-radius:3px;padding:0 4px;font-size:11px;font-weight:normal}
table.frames{border-collapse:collapse;font-size:12px}.frames td{padding:1px 6px;vertical-align:top}
.frames tr.mine{background:#eef3fd}.frames tr.other{color:var(--muted)}
.stack{margin:.3em 0 .6em 0}
.cmd{display:flex;gap:.5em;align-items:flex-start}.cmd pre{flex:1;margin:0}
button.copy{font-size:12px;cursor:pointer}
pre.diff .add{background:#e6ffec;display:block}pre.diff .del{background:#ffebe9;display:block}pre.diff .ctx{display:block}
svg.chart .grid{stroke:#ddd}svg.chart .axis{font-size:11px;fill:#555}svg.chart .label{font-size:13px;font-weight:bold}
svg.chart .dot{fill:#4a7bd0;fill-opacity:.75}svg.chart .dot.mismatch{fill:#d1242f}svg.chart .median{stroke:#000;stroke-width:2}
article.compare>details>summary{font-size:1.02em;padding:.2em 0}
)";

constexpr const char* kScript = R"(
(function(){
  var all=function(s,r){return Array.prototype.slice.call((r||document).querySelectorAll(s));};
  // Following a link opens every folded block around its target, and the target's own body.
  function openTarget(){
    var id=decodeURIComponent(location.hash.slice(1)); if(!id) return;
    var el=document.getElementById(id); if(!el) return;
    for(var p=el;p;p=p.parentElement) if(p.tagName==='DETAILS') p.open=true;
    all(':scope > details',el).forEach(function(d){d.open=true;});
    if(el.hidden){resetFilters();}
    el.scrollIntoView();
  }
  window.addEventListener('hashchange',openTarget);
  document.addEventListener('click',function(e){
    var b=e.target.closest&&e.target.closest('button.copy'); if(!b) return;
    var text=b.parentElement.querySelector('code').textContent;
    var done=function(){b.textContent='copied';setTimeout(function(){b.textContent='copy';},1500);};
    var fallback=function(){var t=document.createElement('textarea');t.value=text;document.body.appendChild(t);t.select();
      try{document.execCommand('copy');done();}catch(x){} t.remove();};
    if(navigator.clipboard&&window.isSecureContext) navigator.clipboard.writeText(text).then(done,fallback); else fallback();
  });
  var fam=document.getElementById('f-family'), ver=document.getElementById('f-verdict');
  function wanted(el,v){ if(v==='') return true; if(v==='mismatch'||v==='detected') return el.dataset.state===v; return el.dataset.verdict===v; }
  function apply(){
    var f=fam.value, v=ver.value, ks={};
    all('input.f-checker').forEach(function(c){ks[c.value]=c.checked;});
    all('.matrix [data-checker]').forEach(function(el){el.classList.toggle('hidden-col',!ks[el.dataset.checker]);});
    var shown=0;
    all('.matrix tr.row').forEach(function(tr){
      var ok=(f===''||tr.dataset.family===f)&&all('td.cell',tr).some(function(td){return ks[td.dataset.checker]&&wanted(td,v);});
      tr.hidden=!ok; if(ok) shown++;
    });
    all('section.evidence').forEach(function(s){s.hidden=!((f===''||s.dataset.family===f)&&ks[s.dataset.checker]&&wanted(s,v));});
    all('article.scenario').forEach(function(a){a.hidden=all('section.evidence',a).every(function(s){return s.hidden;});});
    all('article.compare').forEach(function(a){a.hidden=!(f===''||a.dataset.family===f);});
    document.getElementById('f-count').textContent=shown+' scenario(s) shown';
  }
  function resetFilters(){fam.value='';ver.value='';all('input.f-checker').forEach(function(c){c.checked=true;});apply();}
  all('.filters select, .filters input').forEach(function(el){el.addEventListener('change',apply);});
  document.getElementById('f-reset').addEventListener('click',resetFilters);
  document.getElementById('expand').addEventListener('click',function(){all('section.evidence details.body').forEach(function(d){d.open=true;});});
  document.getElementById('collapse').addEventListener('click',function(){all('section.evidence details.body').forEach(function(d){d.open=false;});});
  apply(); openTarget();
  document.documentElement.dataset.ready='1';
})();
)";

}  // namespace

std::string html_report(const std::vector<Row>& rows, const std::vector<Cell>& cells,
                        const nlohmann::json& meta) {
  const auto checkers = checkers_in(cells);
  std::vector<const Cell*> bad;
  for (const auto& r : rows)
    for (const auto& k : checkers)
      if (const Cell* c = find_cell(cells, r.id, k); c != nullptr && !c->match) bad.push_back(c);
  // Rows with a mismatch first, then the others in catalog order: the matrix and the evidence.
  std::vector<const Row*> order;
  for (const bool mismatching : {true, false})
    for (const auto& r : rows) {
      bool any = false, row_bad = false;
      for (const auto& k : checkers)
        if (const Cell* c = find_cell(cells, r.id, k)) {
          any = true;
          row_bad = row_bad || !c->match;
        }
      if (any && row_bad == mismatching) order.push_back(&r);
    }
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>itc-verify "
       "report</title><style>"
    << kStyle << "</style></head><body>\n<header><h1>itc-verify: detection matrix</h1>\n";
  if (bad.empty()) {
    o << "<p class=\"status ok\">Every cell matches its expected verdict (" << cells.size()
      << " cells).</p>\n";
  } else {
    o << "<p class=\"status bad\">" << bad.size() << " of " << cells.size() << " cells do not match: ";
    for (std::size_t i = 0; i < bad.size(); ++i)
      o << (i ? ", " : "") << "<a href=\"#" << evidence_anchor(*bad[i]) << "\"><code>" << esc(bad[i]->id)
        << "</code> · " << esc(bad[i]->checker) << "</a>";
    o << "</p>\n";
  }
  o << "<nav><a href=\"#matrix\">matrix</a><a href=\"#legend\">legend</a><a href=\"#chart\">time to "
       "detection</a>"
       "<a href=\"#compare\">compare</a><a href=\"#evidence\">evidence</a></nav>\n";
  std::set<std::string> families, verdicts;
  for (const auto& c : cells) {
    families.insert(family_of(c.id));
    verdicts.insert(c.verdict);
  }
  o << "<div class=\"filters\"><label>family <select id=\"f-family\"><option value=\"\">all</option>";
  for (const auto& f : families) o << "<option>" << esc(f) << "</option>";
  o << "</select></label><span>checker";
  for (const auto& k : checkers)
    o << " <label><input type=\"checkbox\" class=\"f-checker\" value=\"" << k << "\" checked> " << k
      << "</label>";
  o << "</span><label>verdict <select id=\"f-verdict\"><option value=\"\">all</option>"
       "<option value=\"mismatch\">does not match</option><option value=\"detected\">expected "
       "detection</option>";
  for (const auto& v : verdicts) o << "<option>" << esc(v) << "</option>";
  o << "</select></label><button type=\"button\" id=\"f-reset\">show all</button><span id=\"f-count\" "
       "class=\"muted\"></span>"
       "</div></header>\n";
  o << "<p class=\"meta\">itc-verify " << esc(tool_version()) << " · generated "
    << esc(meta.value("generated", "")) << " · checkers "
    << esc(fmt::format("{}", fmt::join(checkers, ", ")));
  if (meta.contains("shard") && meta["shard"].is_string())
    o << " · shard " << esc(meta["shard"].get<std::string>());
  if (meta.contains("missing_shards"))
    o << " · <b>PARTIAL: shards " << esc(meta["missing_shards"].dump()) << " missing</b>";
  o << "</p>\n";

  // The matrix.
  o << "<h2 id=\"matrix\">Matrix</h2>\n<p class=\"muted\">Every cell links to its evidence below; a row's id "
       "to the "
       "scenario, <i>compare</i> to the broken form beside its correct form.</p>\n";
  o << "<table class=\"matrix\"><thead><tr><th>scenario</th>";
  for (const auto& k : checkers) o << "<th data-checker=\"" << k << "\">" << k << "</th>";
  o << "<th>defect</th><th></th></tr></thead><tbody>\n";
  bool in_bad_group = false, in_ok_group = false;
  for (const Row* r : order) {
    bool row_bad = false;
    for (const auto& k : checkers)
      if (const Cell* c = find_cell(cells, r->id, k); c && !c->match) row_bad = true;
    if (row_bad && !in_bad_group) {
      o << "<tr class=\"group\"><th colspan=\"" << checkers.size() + 3
        << "\">Scenarios with a cell that does not match</th></tr>\n";
      in_bad_group = true;
    }
    if (!row_bad && !in_ok_group && in_bad_group) {
      o << "<tr class=\"group\"><th colspan=\"" << checkers.size() + 3
        << "\">Every other scenario</th></tr>\n";
      in_ok_group = true;
    }
    o << "<tr class=\"row\" data-family=\"" << esc(family_of(r->id)) << "\"><td><a href=\"#sc-" << slug(r->id)
      << "\"><code>" << esc(r->id) << "</code></a></td>";
    for (const auto& k : checkers) {
      const Cell* c = find_cell(cells, r->id, k);
      if (c == nullptr) {
        o << "<td data-checker=\"" << k << "\" class=\"muted\">not run</td>";
        continue;
      }
      o << "<td class=\"cell " << cell_state(*c) << "\" data-checker=\"" << k << "\" data-verdict=\""
        << esc(c->verdict) << "\" data-state=\"" << cell_state(*c) << "\" title=\"expected "
        << esc(c->expected) << (c->strategies.empty() ? "" : " — " + esc(strategies_text(*c)))
        << "\"><a href=\"#" << evidence_anchor(*c) << "\">" << (c->match ? "" : "✗ ") << esc(cell_label(*c))
        << "</a>";
      if (!c->match) o << "<br><small>expected " << esc(c->expected) << "</small>";
      if (c->detection_seconds && c->verdict != "pass")
        o << " <small>" << seconds_html(*c->detection_seconds) << "</small>";
      o << "</td>";
    }
    o << "<td>" << (is_correct_form(*r) ? "<i>correct form</i>" : inline_code(r->defect)) << "</td><td>";
    if (!is_correct_form(*r) && find_row(rows, family_of(r->id) + "/correct") != nullptr)
      o << "<a href=\"#cmp-" << slug(r->id) << "\">compare</a>";
    o << "</td></tr>\n";
  }
  o << "</tbody></table>\n";

  o << "<h2 id=\"legend\">Legend</h2>\n<table class=\"legend\">";
  for (const auto& [symbol, meaning] : legend())
    o << "<tr><td>"
      << (symbol.find("✅") != std::string::npos   ? "<span class=\"swatch detected\">ok</span>"
          : symbol.find("❌") != std::string::npos ? "<span class=\"swatch mismatch\">✗ BAD</span>"
                                                  : "<code>" + esc(symbol) + "</code>")
      << "</td><td>" << esc(meaning) << "</td></tr>";
  o << "</table>\n";

  o << "<h2 id=\"chart\">Time to detection</h2>\n<p class=\"muted\">One dot per detection (log scale; a red "
       "dot does "
       "not match); the black bar is the median. A dot links to its evidence.</p>\n"
    << detection_chart(cells, checkers) << "\n";

  o << "<h2 id=\"compare\">Compare: each broken form beside its correct form</h2>\n"
    << compare_view(rows, cells, checkers);

  o << "<h2 id=\"evidence\">Evidence</h2>\n<p><button type=\"button\" id=\"expand\">expand all</button> "
       "<button type=\"button\" id=\"collapse\">collapse all</button> <span class=\"muted\">Every cell's "
       "evidence; a "
       "cell that does not match is open.</span></p>\n";
  for (const Row* r : order) {
    o << "<article class=\"scenario\" id=\"sc-" << slug(r->id) << "\"><h2><code>" << esc(r->id)
      << "</code></h2>\n<p>"
      << (is_correct_form(*r)
              ? "<i>The correct form</i>: every checker must pass it."
              : "<b>Defect:</b> " + inline_code(r->defect) + "." +
                    (r->fix == "—" ? std::string() : " <b>Fix:</b> " + inline_code(r->fix) + "."))
      << " <i>" << esc(r->origin) << "</i>. Source <code>" << esc(r->source) << "</code>";
    const Cell* src = with_source(cells, r->id);
    if (src != nullptr && !src->defect_location.empty())
      o << "; the defect at " << location_html(src->defect_location);
    o << ".</p>\n";
    if (src != nullptr)
      o << "<details><summary>the scenario's definition</summary><pre>" << esc(src->scenario_source)
        << "</pre></details>\n";
    for (const auto& k : checkers)
      if (const Cell* c = find_cell(cells, r->id, k)) o << evidence_section(*c);
    o << "</article>\n";
  }
  o << "<script>" << kScript << "</script>\n</body></html>\n";
  return o.str();
}

}  // namespace itc::verify::detail
