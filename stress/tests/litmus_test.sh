#!/usr/bin/env bash
# The litmus mode of the stress runner (stress/src/litmus_runner.hpp): store buffering with
# acquire/release is found on real threads in under 5 s, every time, with the jcstress-style
# table as evidence; its seq_cst twin passes its whole budget (at least 100 runs, i.e. 100
# batches of fresh States, and 2 s); a pass still reports its INTERESTING outcomes.
set -uo pipefail
runner="$1"
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

for attempt in 1 2 3 4 5; do
  out=$("$runner" run litmus/store_buffering --budget 5 --cap 5); rc=$?
  [ "$rc" -eq 0 ] && grep -q '^verdict    assertion  (as expected)' <<<"$out" ||
    { fail "attempt $attempt: store buffering not found within 5 s (status $rc): $out"; continue; }
  seconds=$(sed -n 's/^found      in run [0-9]* after \([0-9.]*\) s$/\1/p' <<<"$out")
  awk -v s="${seconds:-99}" 'BEGIN { exit !(s < 5) }' || fail "attempt $attempt: found after ${seconds:-?} s: $out"
  grep -Eq '^  outcome +count +frequency +grade +description$' <<<"$out" || fail "no outcome table: $out"
  grep -Eq '^  0, 0 +[1-9][0-9]* +[<0-9.]+% +FORBIDDEN +both actors saw 0' <<<"$out" ||
    fail "the forbidden outcome is not counted in the table: $out"
  grep -q '^forbidden outcome 0, 0 observed: first in run [0-9]* (one run is one batch), trial [0-9]*' <<<"$out" ||
    fail "the forbidden outcome is not named: $out"
  grep -q "^re-run     $(realpath "$runner") run litmus/store_buffering --budget 5 " <<<"$out" ||
    fail "no re-run line: $out"
  echo "ok: attempt $attempt: store buffering found after $seconds s"
done

out=$("$runner" run litmus/store_buffering_seq_cst); rc=$?
[ "$rc" -eq 0 ] && grep -q '^verdict    pass  (as expected)' <<<"$out" || fail "seq_cst twin (status $rc): $out"
runs=$(sed -n 's/^runs       \([0-9]*\) in .*/\1/p' <<<"$out")
[ "${runs:-0}" -ge 100 ] || fail "seq_cst twin ran ${runs:-no} runs, fewer than 100: $out"
grep -Eq '^  0, 0 +0 +0.00% +FORBIDDEN' <<<"$out" || fail "seq_cst twin: the forbidden row is not 0: $out"
grep -Eq '^litmus: 2 actors in persistent threads, [0-9]+ batches of 1000 cache-line padded States, [1-9][0-9]* trials' \
  <<<"$out" || fail "seq_cst twin: no trial count: $out"
echo "ok: seq_cst twin passed $runs runs"

out=$("$runner" run litmus/message_passing_acquire_release); rc=$?
[ "$rc" -eq 0 ] && grep -q '^verdict    pass' <<<"$out" && grep -Eq '^  0, 1 +[0-9]+ +[<0-9.]+% +INTERESTING' <<<"$out" ||
  fail "message passing twin: no pass with its INTERESTING row (status $rc): $out"
echo "ok: a pass shows the table with its INTERESTING row"
exit $status
