#!/usr/bin/env bash
# The deep family's claims (models/README.md, "The deep family"), checked cheaply: every broken
# deep/ row is found by PCT within itc-verify's budget (100000 executions) at the depth the
# README's table gives, the replay line it prints reproduces that failure in one execution, and
# every correct twin passes PCT at that depth (bound 2 and random: the generated model tests;
# the rates against PCT's bound: deep_table_test.sh).
set -euo pipefail
model="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }
# row, PCT depth (stack_aba's three preemptions are three change points: depth 4)
for spec in "deep/depth2_four_threads 2" "deep/late_worker_six_threads 2" "deep/starved_tag_wrap 2" \
            "deep/stack_aba 4" "deep/ring_wraparound_lost_wakeup 3" "deep/seqlock_two_writers 3"; do
  set -- $spec
  id=$1 depth=$2
  out=$("$model" run "$id" --strategy pct --depth "$depth" --iterations 100000 --quiet) ||
    fail "PCT depth $depth did not find $id:"$'\n'"$out"
  replay=$(sed -n 's/^replay *//p' <<<"$out")
  [ -n "$replay" ] || fail "no replay line for $id"
  again=$(cd / && eval "$replay --quiet") || fail "replay of $id did not fail as expected:"$'\n'"$again"
  [ "$(grep '^verdict' <<<"$out")" = "$(grep '^verdict' <<<"$again")" ] || fail "replay of $id changed the verdict"
  grep -q '^executions 1 ' <<<"$again" || fail "replay of $id ran more than one execution"
  twin="${id}_correct"
  "$model" run "$twin" --strategy pct --depth "$depth" --iterations 20000 --quiet >/dev/null ||
    fail "$twin failed under PCT depth $depth"
  echo "ok: $id found by PCT depth $depth in $(awk '/^executions/ {print $2}' <<<"$out") executions, replayed; $twin passes"
done
