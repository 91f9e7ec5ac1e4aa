#!/usr/bin/env bash
# models/tests/deep_table.sh, small (1 seed, 5000 executions): the table has every deep row,
# and every row's measured PCT rate meets its bound.
set -euo pipefail
out=$(bash "$(dirname "$0")/deep_table.sh" "$1" 1 5000)
echo "$out"
rows=$("$1" list | awk -F'\t' '$1 ~ /^deep\// && $1 !~ /_correct$/' | wc -l)
[ "$rows" -ge 5 ] || { echo "FAIL: only $rows deep rows" >&2; exit 1; }
meets=$(grep -c '(meets) |$' <<<"$out" || true)
[ "$meets" -eq "$rows" ] || { echo "FAIL: $meets of $rows deep rows meet PCT's bound" >&2; exit 1; }
echo "ok: $rows deep rows, every measured rate meets PCT's bound"
