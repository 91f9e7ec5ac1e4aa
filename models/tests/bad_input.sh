#!/usr/bin/env bash
# Bad input gets one clear line on stderr and exit status 2, never a crash.
set -uo pipefail
runner="$1"
status=0
expect2() {
  local err rc
  err=$("$runner" "$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" -ne 2 ] || [ "$(wc -l <<<"$err")" -ne 1 ] || ! grep -q '^itc-model: ' <<<"$err"; then
    echo "FAIL: itc-model $* -> status $rc, stderr: $err" >&2; status=1
  else
    echo "ok: itc-model $* -> $err"
  fi
}
expect2 run no/such_scenario
expect2 run 'queue/*'
expect2 run queue/correct --strategy sideways
expect2 run queue/correct --iterations 0
expect2 run queue/correct --iterations -5
expect2 run queue/correct --iterations 99999999999999999999
expect2 run queue/correct --iterations 10x
expect2 run queue/correct --bound 0
expect2 run queue/correct --replay 'not a state'
expect2 run queue/correct --replay ''
expect2 run queue/correct --seed abc
expect2 run queue/correct --frobnicate
expect2 run queue/correct --strategy pct --depth 0
expect2 run queue/correct --strategy pct --depth 99
expect2 run queue/correct --strategy bound --jobs 2
expect2 run queue/correct --spurious 9
expect2 run queue/correct --max-seconds 0
expect2 rate queue/correct --strategy random
expect2 run
expect2 dance
exit $status
