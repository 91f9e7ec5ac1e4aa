#!/usr/bin/env bash
# Lock identity in the model checker (itc::Lock's on_lock hook, itc/platform/lock_events.hpp):
#   1. lock/abba is `lock_order_inversion` under every strategy, with both acquisition sites —
#      the scenario's own acquire() lines, not lock.hpp — and the deadlock it causes; the
#      `locks` block names, for each thread, the lock it holds and the one it waits for, and
#      who holds that; the replay reproduces it; lock/correct passes;
#   2. a deadlock on one non-reentrant Lock names the thread itself as the holder;
#   3. a deadlock's final step is in the lane of a thread that is blocked, never in the lane of
#      a thread that had already finished (Relacy logs it where the last thread ended).
set -euo pipefail
model="$1"
src="$(cd "$(dirname "$0")/../.." && pwd)"
fail() { echo "FAIL: $*" >&2; exit 1; }
scenario=models/scenarios/lock.hpp
first=$(grep -n 'first.acquire();' "$src/$scenario" | cut -d: -f1)
second=$(grep -n 'second.acquire();' "$src/$scenario" | cut -d: -f1)
[ -n "$first" ] && [ -n "$second" ] || fail "cannot find the acquire() lines in $scenario"

for strategy in "bound --bound 2" random pct full; do
  out=$("$model" run lock/abba --strategy $strategy) || fail "lock/abba ($strategy): $out"
  grep -q '^verdict    lock_order_inversion' <<<"$out" || fail "lock/abba ($strategy) is not an inversion: $out"
  detail=$(grep '^detail ' <<<"$out")
  grep -q "$scenario:$first" <<<"$detail" || fail "lock/abba ($strategy): no first site $scenario:$first: $detail"
  grep -q "$scenario:$second" <<<"$detail" || fail "lock/abba ($strategy): no second site $scenario:$second: $detail"
  ! grep -q 'primitives/include/itc/lock.hpp' <<<"$detail" || fail "lock/abba ($strategy): lock.hpp in the sites: $detail"
  grep -q 'and the deadlock it causes' <<<"$detail" || fail "lock/abba ($strategy): the deadlock is not named: $detail"
  for t in 0 1; do
    grep -qE "^locks      T$t holds Lock#[0-9]+ \(acquired $scenario:$first move_holding\); waits for Lock#[0-9]+ \(at $scenario:$second move_holding\), held by T$((1 - t))\$" <<<"$out" ||
      fail "lock/abba ($strategy): no locks line for T$t: $out"
  done
  last=$(grep -E '^ *[0-9]+  T[0-9] \|' <<<"$out" | tail -1)
  grep -q 'DEADLOCK' <<<"$last" || fail "lock/abba ($strategy): the trace does not end in the deadlock: $last"
  replay=$(grep '^replay ' <<<"$out" | sed 's/^replay *//')
  again=$(eval "$replay") || fail "the replay of $strategy failed: $again"
  grep -q '^verdict    lock_order_inversion' <<<"$again" || fail "the replay of $strategy lost the inversion: $again"
  "$model" run lock/correct --strategy $strategy --quiet >/dev/null || fail "lock/correct ($strategy) did not pass"
  echo "ok: $strategy: lock/abba is an inversion at $scenario:$first/$second with its deadlock; lock/correct passes"
done

out=$("$model" run lock/relock_nonreentrant --strategy bound) || fail "relock_nonreentrant: $out"
grep -q '^verdict    deadlock' <<<"$out" || fail "relock_nonreentrant is not a deadlock: $out"
grep -qE '^locks      T([0-9]) holds Lock#1 \(acquired models/scenarios/lock.hpp:[0-9]+ add\); waits for Lock#1 \(at models/scenarios/lock.hpp:[0-9]+ log_size\), held by T\1$' <<<"$out" ||
  fail "relock_nonreentrant: the thread is not named as the holder of the lock it waits for: $out"
echo "ok: a relocked Lock names its own holder"

# The final DEADLOCK step is in the lane of a thread that never finished.
for id in queue/no_shutdown queue/missing_task_done lock/relock_nonreentrant; do
  out=$("$model" run "$id" --strategy bound) || fail "$id: $out"
  steps=$(grep -E '^ *[0-9]+  T[0-9]+ \|' <<<"$out")
  last=$(tail -1 <<<"$steps")
  grep -q 'DEADLOCK' <<<"$last" || fail "$id: the trace does not end in DEADLOCK: $last"
  lane=$(sed -E 's/^ *[0-9]+  (T[0-9]+) .*/\1/' <<<"$last")
  if grep -E "^ *[0-9]+  $lane \|.*\[THREAD FINISHED\]" <<<"$steps" >/dev/null; then
    fail "$id: DEADLOCK is in the lane of $lane, which had finished: $last"
  fi
  ! grep -q 'fiber_proc_impl: DEADLOCK' <<<"$last" || fail "$id: DEADLOCK at Relacy's fiber_proc_impl: $last"
  echo "ok: $id: DEADLOCK in the lane of blocked thread $lane"
done
