#!/usr/bin/env bash
# --seed must change which schedules a random search explores: the failing executions found
# with different seeds must not all be the same interleaving.
set -euo pipefail
runner="$1"
declare -A traces
for seed in 1 2 3 4 5; do
  out=$("$runner" run queue/if_not_while --strategy random --seed "$seed") || true
  traces["$(sed -n '/^trace/,/^replay/p' <<<"$out" | grep -v '^replay' | md5sum)"]=1
done
echo "distinct failing interleavings over 5 seeds: ${#traces[@]}"
[ "${#traces[@]}" -ge 2 ] || { echo "FAIL: every seed produced the same interleaving" >&2; exit 1; }
# The same seed twice must give the same interleaving (determinism).
a=$("$runner" run queue/if_not_while --strategy random --seed 9 | sed -n '/^trace/,$p') || true
b=$("$runner" run queue/if_not_while --strategy random --seed 9 | sed -n '/^trace/,$p') || true
[ "$a" = "$b" ] || { echo "FAIL: seed 9 is not deterministic" >&2; exit 1; }
