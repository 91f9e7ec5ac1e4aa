#!/usr/bin/env bash
# The model column of the detection matrix: every catalog scenario under bounded (bound 2) and
# random (100000 executions) search, graded against its expected verdict.
#   models/matrix.sh [path/to/itc-model]      exit 0 only if every cell matches
set -uo pipefail
runner="${1:-build/gcc/models/itc-model}"
[ -x "$runner" ] || { echo "matrix: $runner not built (make test-gcc builds it)" >&2; exit 2; }
printf '%-32s %-11s %-24s %-24s\n' "scenario" "expected" "bound 2" "random 100k"
mismatches=0
for id in $("$runner" list --ids); do
  expected=$("$runner" list | awk -F'\t' -v id="$id" '$1 == id {print $2}')
  cells=()
  for args in "--strategy bound --bound 2" "--strategy random --iterations 100000"; do
    out=$("$runner" run "$id" $args --quiet); rc=$?
    verdict=$(awk '/^verdict/ {print $2}' <<<"$out")
    execs=$(awk '/^executions/ {print $2}' <<<"$out")
    secs=$(awk '/^executions/ {print $4}' <<<"$out")
    mark="ok"; [ "$rc" -eq 0 ] || { mark="MISMATCH"; mismatches=$((mismatches + 1)); }
    cells+=("$(printf '%s %s (%s ex, %ss)' "$mark" "$verdict" "$execs" "$secs")")
  done
  printf '%-32s %-11s %-24s %-24s\n' "$id" "$expected" "${cells[0]}" "${cells[1]}"
done
echo
[ "$mismatches" -eq 0 ] && echo "every model cell matches" || echo "$mismatches model cell(s) do not match"
[ "$mismatches" -eq 0 ]
