// verify/src/reports_internal.hpp — what the report writers share (reports.cpp, report_html.cpp).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "verify.hpp"

namespace itc::verify::detail {

/// `&<>"'` escaped, control characters (other than tab and newlines) blanked: valid in XML
/// and HTML text and attributes.
std::string xml_escape(const std::string& s);

/// What a matrix cell shows: "deadlock (b2+r)", "assertion 3/3", "pass".
std::string cell_label(const Cell& c);

/// Every model strategy's verdict, executions and time, one line.
std::string strategies_text(const Cell& c);

const Cell* find_cell(const std::vector<Cell>& cells, const std::string& id, const std::string& checker);
const Row* find_row(const std::vector<Row>& rows, const std::string& id);
/// The checkers that have a cell, in kCheckers order.
std::vector<std::string> checkers_in(const std::vector<Cell>& cells);
bool is_correct_form(const Row& r);

/// A location inside itc's own library, Relacy or the checkers' machinery: where a mistake
/// shows, not where it is (queue.hpp's join(), lock.hpp's acquire_slow, tsan_annotations.hpp).
bool library_internal(const std::string& location);

/// "mismatch" (the cell does not match), "detected" (an expected detection) or "pass".
std::string cell_state(const Cell& c);

/// The catalog cell in words: "deadlock", "assertion or crash", "pass" (for "—").
std::string expected_words(const std::string& expected);

/// "file:line" -> {file, line}; line 0 when there is none.
std::pair<std::string, int> split_location(const std::string& location);

/// The one line of a cell's evidence that says what happened ("hang in run 0 (seed 1): no
/// progress for 1001 ms", "DEADLOCK (deadlock detected)", "WARNING: ThreadSanitizer: data race").
std::string evidence_line(const Cell& c);

/// A duration for people: "< 1 ms" (the checkers print milliseconds), "12 ms", "1.21 s".
std::string seconds_text(double s);

/// The command that re-runs a cell: the checker's own re-run line, else (a check that found
/// nothing, or gave no verdict) `itc-verify repro <id> --checker <checker>`.
std::string rerun_command(const Cell& c);

/// The legend of the matrix: {symbol, meaning}, for HTML and Markdown alike.
const std::vector<std::pair<std::string, std::string>>& legend();

/// report.html: one self-contained page (inline CSS and JS, no external resources).
std::string html_report(const std::vector<Row>& rows, const std::vector<Cell>& cells,
                        const nlohmann::json& meta);

}  // namespace itc::verify::detail
