#!/usr/bin/env bash
# The deep family's measurement table (models/README.md, "The deep family"): for every broken
# deep/ row, the executions and seconds to the first failure for random search, bounded search
# with bound 2 and 3, and PCT with depth 1..4 — the median over 5 seeds for random and PCT (one
# run for bounded search, which is deterministic) — or "not found in N" when the search ended
# or reached its cap (100000 executions, 30 s) without a failure. Then PCT's measured rate at
# the row's depth against its bound 1/(n*k^(d-1)).
#
#   bash models/tests/deep_table.sh build/gcc/stress/itc-model [seeds [cap]]
#
# ctest model.cli.deep_table_test runs it with 1 seed and a cap of 5000 executions, and checks that
# every row's measured rate meets PCT's bound.
set -euo pipefail
model="$1"
seeds="${2:-5}"
cap="${3:-100000}"
rows=$("$model" list | awk -F'\t' '$1 ~ /^deep\// && $1 !~ /_correct$/ {print $1}')

# One search: "<executions> <seconds> <found 0|1>".
one() {
  local out ex
  out=$("$model" run "$@" --iterations "$cap" --max-seconds 30 --quiet 2>/dev/null) || true
  ex=$(awk '/^executions/ {print $2, $4}' <<<"$out")
  if grep -Eq '^verdict +(pass|inconclusive)' <<<"$out"; then echo "$ex 0"; else echo "$ex 1"; fi
}
# The median of the seeds' runs, or "not found in N" if any seed missed it.
cell() {
  local runs="" n=0 missed="" r
  for ((s = 0; s < seeds; ++s)); do
    r=$(one "$@" --seed "$s")
    [ "${r##* }" = 1 ] || missed="${r%% *}"
    runs+="$r"$'\n'
  done
  if [ -n "$missed" ]; then
    local found
    found=$(grep -c ' 1$' <<<"$runs" || true)
    echo "not found in $missed ($found of $seeds seeds found it)"
    return
  fi
  sort -n <<<"$runs" | awk -v m=$(((seeds + 1) / 2)) 'NR == m {printf "%d (%.3f s)", $1, $2}'
}
bounded() {
  local r
  r=$(one "$@")
  if [ "${r##* }" = 1 ]; then awk '{printf "%d (%.3f s)", $1, $2}' <<<"$r"; else echo "not found in ${r%% *}"; fi
}

echo "| row | random | bound 2 | bound 3 | pct d=1 | pct d=2 | pct d=3 | pct d=4 |"
echo "|---|---|---|---|---|---|---|---|"
for id in $rows; do
  printf '| %s | %s | %s | %s' "$id" "$(cell "$id" --strategy random)" \
    "$(bounded "$id" --strategy bound --bound 2)" "$(bounded "$id" --strategy bound --bound 3)"
  for d in 1 2 3 4; do printf ' | %s' "$(cell "$id" --strategy pct --depth "$d")"; done
  echo " |"
done
echo
echo "| row | depth | n | k (steps measured) | measured rate (99% lower bound) | PCT bound 1/(n*k^(d-1)) |"
echo "|---|---|---|---|---|---|"
for id in $rows; do
  # The smallest depth at which PCT finds the row (the row's depth for PCT).
  for d in 1 2 3 4; do
    out=$("$model" rate "$id" --strategy pct --depth "$d" --iterations "$cap" 2>/dev/null) || true
    grep -q '^rate       0 of' <<<"$out" || break
  done
  n=$(sed -n 's/^bound .*= 1\/(\([0-9]*\)\*.*/\1/p' <<<"$out")
  k=$(sed -n 's/^strategy .*k \([0-9]*\) steps.*/\1/p' <<<"$out")
  rate=$(sed -n 's/^rate  *[0-9]* of [0-9]* executions failed: \([0-9.]*\) (99% lower confidence bound \([0-9.]*\)).*/\1 (\2)/p' <<<"$out")
  bound=$(sed -n 's/^bound .* = \([0-9.]*\)$/\1/p' <<<"$out")
  verdict=$(grep -q '^result     the measured rate meets the PCT bound' <<<"$out" && echo "meets" || echo "BELOW")
  echo "| $id | $d | $n | $k | $rate | $bound ($verdict) |"
done
