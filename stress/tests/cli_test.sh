#!/usr/bin/env bash
# The stress runner's command line: a hang is diagnosed with the blocked threads and what they
# wait for, by the runner itself, and leaves no process behind; bad input gets one line and
# exit status 2.
set -uo pipefail
runner="$1"
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

out=$("$runner" run queue/missing_task_done --seed 42); rc=$?
[ "$rc" -eq 0 ] || fail "queue/missing_task_done: status $rc"
grep -q '^verdict    hang' <<<"$out" || fail "no hang verdict: $out"
grep -q 'thread 0: blocked in Queue::join() at primitives/include/itc/queue.hpp:' <<<"$out" || fail "blocked thread not named: $out"
grep -q 'tasks never marked done (put 200, task_done 0)' <<<"$out" || fail "queue state missing: $out"
grep -q 'thread 0: blocked in .*, called from models/scenarios/queue.hpp:[0-9]* (QueueBase::produce_and_join)' <<<"$out" ||
  fail "the scenario line that called join() is not named: $out"
grep -q "^re-run     $(realpath "$runner") run queue/missing_task_done --seed 42 --iterations 1 " <<<"$out" ||
  fail "no re-run line naming this binary and the failing run's seed: $out"
sleep 0.2
if pgrep -f -- "--child queue/missing_task_done 42 " >/dev/null; then fail "a check process was left behind"; fi
echo "ok: hang diagnosed, nothing left behind"

out=$("$runner" run queue/correct --seed 7 --chaos off --iterations 3 --stall-ms 200); rc=$?
[ "$rc" -eq 0 ] && grep -q '^checker    .*(chaos off, seed 7)' <<<"$out" && grep -q '^runs       3 ' <<<"$out" ||
  fail "queue/correct with chaos off: $out"
echo "ok: --chaos off and --stall-ms accepted"

out=$("$runner" repro counter/no_lock --budget 10); rc=$?
[ "$rc" -eq 0 ] && grep -Eq '^repro      reproduced [a-z_]+ after [0-9]+ attempts? in [0-9.]+ s' <<<"$out" ||
  fail "repro did not report attempts: $out"
echo "ok: repro reports attempts and time"

# repro's words and exit status agree (0: the catalog's verdict was reproduced — for a correct
# form, no failure), and it says how far it got while it runs instead of being silent.
stdout_file=$(mktemp)
err=$("$runner" repro queue/correct --budget 7 2>&1 >"$stdout_file"); rc=$?
out=$(cat "$stdout_file"); rm -f "$stdout_file"
[ "$rc" -eq 0 ] && grep -Eq '^repro      reproduced pass \(the expected verdict: no failure\) after [0-9]+ attempts in' <<<"$out" ||
  fail "repro of a correct form: status $rc, $out"
grep -Eq '^itc-stress: repro queue/correct: [0-9]+ runs in [0-9.]+ s, no failure yet' <<<"$err" ||
  fail "repro printed no progress while it ran: $err"
echo "ok: repro of a correct form reports progress, 'reproduced pass' and status 0"

# --version, and a --help with every subcommand, option default and exit status.
out=$("$runner" --version); rc=$?
[ "$rc" -eq 0 ] && grep -Eq "^$(basename "$runner") \(itc\) [0-9]+\.[0-9]+\.[0-9]+" <<<"$out" || fail "--version: $rc $out"
for args in "--help" "run --help" "repro queue/correct --help"; do
  out=$("$runner" $args); rc=$?
  for want in 'Exit status' 'repro <id>' 'measure <id>' '--budget SECONDS' 'default 2' 'default 60' '--stall-ms MS'; do
    grep -qF -- "$want" <<<"$out" || { fail "itc-stress $args does not show '$want': $out"; break; }
  done
  [ "$rc" -eq 0 ] || fail "itc-stress $args: status $rc"
done
echo "ok: --version and --help"

# Number parsing errors say what was expected.
expect_msg() {
  local want="$1" err rc; shift
  err=$("$runner" "$@" 2>&1 >/dev/null); rc=$?
  [ "$rc" -eq 2 ] && [ "$err" = "itc-stress: $want" ] || fail "itc-stress $* -> $rc: '$err' (want 'itc-stress: $want')"
}
expect_msg "--budget: expected a number of seconds more than 0 and at most 3600, got 'soon'" run queue/correct --budget soon
expect_msg "--seed: expected a whole number between 0 and 1152921504606846976, got 'abc'" run queue/correct --seed abc
expect_msg "--jobs: expected a whole number of checks at a time between 1 and 64, got '100000'" measure queue/correct --jobs 100000
echo "ok: number errors say what was expected"

expect2() {
  local err rc
  err=$("$runner" "$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" -ne 2 ] || [ "$(wc -l <<<"$err")" -ne 1 ] || ! grep -q '^itc-stress: ' <<<"$err"; then
    fail "itc-stress $* -> status $rc, stderr: $err"
  else
    echo "ok: itc-stress $* -> $err"
  fi
}
expect2 run no/such_scenario
expect2 run queue/correct --budget -1
expect2 run queue/correct --budget 0
expect2 run queue/correct --budget soon
expect2 run queue/correct --seed abc
expect2 run queue/correct --seed -3
expect2 run queue/correct --iterations 0
expect2 run queue/correct --chaos maybe
expect2 measure queue/correct --jobs 0
expect2 measure queue/correct --jobs 100000
expect2 run queue/correct --stall-ms 1
expect2 run
expect2 explode
exit $status
