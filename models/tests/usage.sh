#!/usr/bin/env bash
# The command line a new user meets: --version, a --help with every command, option, default and
# exit status, number errors that say what was expected, and progress on stderr while a long
# search runs.
set -uo pipefail
runner="$1"
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

out=$("$runner" --version); rc=$?
[ "$rc" -eq 0 ] && grep -Eq "^$(basename "$runner") \(itc\) [0-9]+\.[0-9]+\.[0-9]+" <<<"$out" || fail "--version: $rc $out"
for args in "--help" "run --help" "run queue/correct --help"; do
  out=$("$runner" $args); rc=$?
  [ "$rc" -eq 0 ] || fail "itc-model $args: status $rc"
  for want in 'Exit status' 'run <id>' 'rate <id>' '--strategy' 'default random' '--max-seconds S' 'default 240'\
              '--bound K' 'default 2' '--replay STATE'; do
    grep -qF -- "$want" <<<"$out" || { fail "itc-model $args does not show '$want': $out"; break; }
  done
done
echo "ok: --version and --help"

expect_msg() {
  local want="$1" err rc; shift
  err=$("$runner" "$@" 2>&1 >/dev/null); rc=$?
  [ "$rc" -eq 2 ] && [ "$err" = "itc-model: $want" ] || fail "itc-model $* -> $rc: '$err' (want 'itc-model: $want')"
}
expect_msg "--iterations: expected a whole number of executions between 1 and 1000000000, got '10x'" \
  run queue/correct --iterations 10x
expect_msg "--max-seconds: expected a whole number of seconds between 1 and 86400, got 'abc'" \
  run queue/correct --max-seconds abc
expect_msg "--bound: expected a whole number of preemptions between 1 and 16, got '17'" run queue/correct --bound 17
echo "ok: number errors say what was expected"

# A search that runs longer than 2 s says how far it got, on stderr (stdout stays the result).
err=$("$runner" run queue/correct --strategy random --iterations 1000000000 --max-seconds 4 2>&1 >/dev/null)
grep -Eq '^itc-model: queue/correct, random search \(seed 0\): [0-9]+ executions in [0-9.]+ s \([0-9]+/s\)' <<<"$err" ||
  fail "no progress line during a 4 s search: '$err'"
[ "$(wc -l <<<"$err")" -le 3 ] || fail "too many progress lines for 4 s: $err"
echo "ok: progress of a long search"
exit $status
