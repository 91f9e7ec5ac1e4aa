#!/usr/bin/env bash
# Every strategy stops at its caps (--iterations, --max-seconds) and then says so: verdict
# `inconclusive`, how many executions, which cap, the progress made — never nothing.
set -uo pipefail
runner="$1"
status=0
check() {  # check <what> <grep pattern>... -- <itc-model args>
  local what="$1"; shift
  local patterns=()
  while [ "$1" != "--" ]; do patterns+=("$1"); shift; done; shift
  local out rc
  out=$("$runner" "$@"); rc=$?
  for p in "${patterns[@]}"; do
    if ! grep -qE "$p" <<<"$out"; then echo "FAIL: $what: no '$p' in:"; echo "$out"; status=1; return; fi
  done
  echo "ok: $what (exit $rc)"
}
# Bounded search of barrier/correct needs ~800,000 executions: 1000 is a cap, and it is obeyed.
check "bound stops at --iterations" '^verdict    inconclusive' '^detail     inconclusive after 1000 executions: the execution cap' \
      'of the search tree explored' '^executions 1000 in' -- run barrier/correct --strategy bound --iterations 1000 --quiet
check "full search stops at --max-seconds" '^verdict    inconclusive' 'the time cap was reached \(1 s\)' \
      -- run condition/correct --strategy full --max-seconds 1 --quiet
check "pct stops at --max-seconds" '^verdict    inconclusive' 'the time cap was reached \(1 s\)' \
      'before the 1000000000 executions asked for' -- run barrier/correct --strategy pct --iterations 1000000000 --max-seconds 1 --quiet
check "random within its caps passes" '^verdict    pass' '^executions 5000 in' \
      -- run queue/correct --strategy random --iterations 5000 --max-seconds 60 --quiet
# An inconclusive search is never the expected verdict: exit status 1.
"$runner" run barrier/correct --strategy bound --iterations 10 --quiet >/dev/null
[ $? -eq 1 ] || { echo "FAIL: inconclusive must exit 1"; status=1; }
exit $status
