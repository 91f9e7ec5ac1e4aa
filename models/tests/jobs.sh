#!/usr/bin/env bash
# --jobs J splits a random or PCT search over J processes: the same executions in total, the
# merged verdict, and a failure's replay line reproduces it in one process.
set -euo pipefail
runner="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }
for strategy in random pct; do
  out=$("$runner" run queue/correct --strategy $strategy --iterations 20000 --jobs 2 --quiet) ||
    fail "queue/correct --jobs 2 ($strategy): $out"
  grep -q '^executions 20000 in' <<<"$out" || fail "the jobs did not run the 20000 executions between them: $out"
  grep -q '^strategy   .*, 2 jobs' <<<"$out" || fail "no jobs on the strategy line: $out"
  first=$("$runner" run condition/notify_wrong_waiter --strategy $strategy --jobs 2) ||
    fail "condition/notify_wrong_waiter --jobs 2 ($strategy) was not found: $first"
  replay=$(grep '^replay ' <<<"$first" | sed 's/^replay *//')  # names the binary that printed it
  [ -n "$replay" ] || fail "no replay line with --jobs 2 ($strategy)"
  second=$(eval "$replay") || true
  [ "$(grep '^verdict' <<<"$first")" = "$(grep '^verdict' <<<"$second")" ] || fail "replay changed the verdict"
  grep -q '^executions 1 ' <<<"$second" || fail "the replay ran more than one execution"
  t1=$(sed -n '/^trace/,/^replay/p' <<<"$first" | grep -v '^replay')
  t2=$(sed -n '/^trace/,/^replay/p' <<<"$second" | grep -v '^replay')
  [ "$t1" = "$t2" ] || fail "trace differs on replay of a --jobs 2 failure ($strategy)"
  echo "ok: --jobs 2 $strategy: 20000 executions merged; failure replayed: $replay"
done
