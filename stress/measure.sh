#!/usr/bin/env bash
# Measures every broken form's detection rate and median time to detection on this machine,
# with chaos on and off, and prints the Markdown table that stress/README.md shows.
#
#   stress/measure.sh [runs-with-chaos-on] [runs-with-chaos-off] [id-glob]   (default 100, 20, all)
#
# Each run is one default check (`itc-stress run <id>`: the default 5 s budget, 1 s watchdog)
# with its own seed, in its own process. Takes 15-30 minutes on a 2-core machine.
set -euo pipefail
on_runs="${1:-100}"
off_runs="${2:-20}"
only="${3:-*}"
# Copies of the binaries, so that a rebuild during the measurement cannot change them under it.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "${STRESS_BIN:-build/gcc/stress/itc-stress}" "$work/itc-stress"
[ -x "${TSAN_BIN:-build/tsan/stress/itc-stress}" ] && cp "${TSAN_BIN:-build/tsan/stress/itc-stress}" "$work/itc-stress-tsan"
stress=$work/itc-stress
tsan=$work/itc-stress-tsan

cell() {  # binary id chaos runs -> "rate, median"
  local line
  line=$("$1" measure "$2" --chaos "$3" --runs "$4" | head -1)
  local rate median
  rate=$(sed -E 's/.*\t([0-9]+\/[0-9]+) detected.*/\1/' <<<"$line")
  median=$(sed -E 's/.*median time to detection (.*)$/\1/' <<<"$line")
  [ "$median" = "-" ] || median=$(awk '{printf "%.3f s", $1}' <<<"$median")
  printf '%s, %s' "$rate" "$median"
}

echo "| id | stress expects | chaos on ($on_runs runs) | chaos off ($off_runs runs) | tsan expects | tsan, chaos on ($off_runs runs) |"
echo "|---|---|---|---|---|---|"
"$stress" list --tsv | tail -n +2 | while IFS=$'\t' read -r id threads origin defect fix source model s_exp t_exp; do
  [[ "$id" == */correct ]] && continue   # correct forms pass every run (see the suites)
  [[ "$id" == $only ]] || continue
  on=$(cell "$stress" "$id" on "$on_runs")
  off=$(cell "$stress" "$id" off "$off_runs")
  t="-"
  [ -x "$tsan" ] && t=$(cell "$tsan" "$id" on "$off_runs")
  echo "| \`$id\` | $s_exp | $on | $off | $t_exp | $t |"
done
