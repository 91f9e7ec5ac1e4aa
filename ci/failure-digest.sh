#!/bin/sh
# Prints, for each failed test of the given build trees, the lines that say why it failed:
# gtest's "file:line: Failure" with what follows, sanitizer reports, "FAIL ..." lines (the docs
# check, the repository's shell tests) and the seed line of a shuffled run. A test whose output
# has none of those (a CTest timeout, a program of another kind) gets its last 15 lines.
# `make test` calls it last, so the reason for a red run is at the end of the log, where CI
# shows it, and not buried in a long test's output.
#   ci/failure-digest.sh build/tsan [build/asan ...]
set -u
# Exits 1 if it printed a failure. A name in LastTestsFailed.log whose entry in LastTest.log
# says "Test Passed." is left out: CTest keeps that file from an earlier run when a later one
# passes.
digest=$(for tree in "$@"; do
  failed="$tree/Testing/Temporary/LastTestsFailed.log"
  log="$tree/Testing/Temporary/LastTest.log"
  [ -s "$failed" ] && [ -f "$log" ] || continue
  # LastTestsFailed.log: one "<number>:<name>" per line.
  cut -d: -f2- "$failed" | while IFS= read -r name; do
    awk -v name="$name" -v tree="$tree" '
      index($0, "\"" name "\" start time:") == 1 { in_test = 1; next }
      in_test && /^<end of output>$/ { in_test = 0; done = 1; next }
      in_test && /^-+$/ && !started { started = 1; next }
      in_test && started {
        lines[++n] = $0
        if ($0 ~ /^\[ shuffle  \] seed /) solo[n] = 1
        if ($0 ~ /: Failure$|^FAIL[: ]|^WARNING: ThreadSanitizer|^==[0-9]+==ERROR: |runtime error: |^\[  FAILED  \] [^0-9]/)
          { marks[n] = 1; ++marked }
      }
      done && /^Test Passed\.$/ { exit }
      done && /^Test Failed\.$/ {
        print "---- " tree ": " name
        shown = 0
        for (i = 1; i <= n && shown < 80; ++i) {
          if (i in solo && i > last) { print "  " lines[i]; ++shown; last = i; continue }
          if (!(i in marks)) continue
          for (j = i; j <= n && j < i + 8 && shown < 80; ++j) {
            if (j > last) { print "  " lines[j]; ++shown; last = j }
          }
        }
        if (!marked) for (i = (n > 15 ? n - 14 : 1); i <= n; ++i) print "  " lines[i]
        if (shown >= 80) print "  [... more in " FILENAME "]"
        exit
      }
    ' "$log"
  done
done)
[ -n "$digest" ] || exit 0
printf '%s\n' "$digest"
exit 1
