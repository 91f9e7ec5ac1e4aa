#!/usr/bin/env bash
# Lock-order tracking (TSan's semantics in the model): a cycle in the acquisition graph of the
# whole search is `lock_order_inversion` with both acquisition sites — inside one execution
# (replayable), or across executions when no single execution takes both orders; the same
# locks always taken in one order pass.
set -euo pipefail
kernels="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }
for strategy in "bound --bound 2" random pct full; do
  out=$("$kernels" run kernel/abba_mutex --strategy $strategy) || fail "abba_mutex ($strategy): $out"
  grep -q '^verdict    lock_order_inversion' <<<"$out" || fail "abba_mutex ($strategy): $out"
  grep -qE 'T0 took models/tests/kernels/pct_kernels.hpp:[0-9]+ then .*; T1 takes ' <<<"$out" ||
    fail "abba_mutex ($strategy): no acquisition sites: $out"
  replay=$(grep '^replay ' <<<"$out" | sed 's/^replay *//')  # names the binary that printed it
  again=$(eval "$replay") || true
  grep -q '^verdict    lock_order_inversion' <<<"$again" || fail "the replay of $strategy lost the inversion"
  grep -q '^executions 1 ' <<<"$again" || fail "the replay of $strategy ran more than one execution"
  out=$("$kernels" run kernel/abba_across_executions --strategy $strategy) || fail "across ($strategy): $out"
  grep -q '^detail     lock order inversion across executions: execution [0-9]* took .* (T0); execution [0-9]* took .* (T1); no execution deadlocked' <<<"$out" ||
    fail "across ($strategy): $out"
  "$kernels" run kernel/ab_ab --strategy $strategy --quiet >/dev/null || fail "ab_ab ($strategy) did not pass"
  echo "ok: $strategy: inversion in one execution (replayed), across executions, and the one-order twin passes"
done
