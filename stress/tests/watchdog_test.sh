#!/usr/bin/env bash
# The watchdog tells a stuck program from a slow machine (stress/README.md, "The watchdog tells
# stuck from slow"):
#   1. a correct scenario whose process is repeatedly stopped (SIGSTOP) for longer than the
#      stall deadline and continued is never graded `hang`;
#   2. a correct scenario pinned to one core beside two busy loops on that core passes, and
#      takes a fair share of time, not minutes;
#   3. a real hang under the same load is still diagnosed within its deadline plus 2 s.
# The busy loops are this script's own children, ended by PID on every exit path.
set -uo pipefail
runner="$1"
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

busy_pids=()
stop_busy() {
  for p in "${busy_pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${busy_pids[@]}"; do wait "$p" 2>/dev/null; done
  busy_pids=()
}
trap stop_busy EXIT

# 1. Stopped and continued. The runner and its check process get their own session, so that
# one signal to the process group stops both, as a debugger, a job-control shell or an
# overloaded hypervisor would.
out_file=$(mktemp)
setsid "$runner" run condition/correct --seed 3 --min-runs 200 --budget 4 --stall-ms 500 >"$out_file" 2>&1 &
leader=$!
stops=0
sleep 0.3
while kill -0 "$leader" 2>/dev/null && [ "$stops" -lt 4 ]; do
  kill -STOP -- "-$leader" 2>/dev/null
  sleep 1.2 # more than twice the 500 ms stall deadline
  kill -CONT -- "-$leader" 2>/dev/null
  stops=$((stops + 1))
  sleep 0.3
done
wait "$leader"
rc=$?
out=$(cat "$out_file")
rm -f "$out_file"
if [ "$stops" -lt 2 ]; then
  fail "the check ended before it could be stopped twice ($stops stops): $out"
elif [ "$rc" -ne 0 ] || ! grep -q '^verdict    pass' <<<"$out"; then
  fail "stopped $stops times for 1.2 s with a 500 ms stall deadline, a correct scenario was not a pass: $out"
else
  echo "ok: stopped and continued $stops times, still a pass"
fi

# 2. and 3. Pinned to one core beside two busy loops on that core.
core=$(taskset -pc $$ | sed 's/.*: //; s/[,-].*//')
for _ in 1 2; do
  taskset -c "$core" bash -c 'while :; do :; done' &
  busy_pids+=($!)
done
start=$(date +%s.%N)
out=$(taskset -c "$core" "$runner" run counter/correct --seed 5 --min-runs 20 --budget 1); rc=$?
took=$(echo "$(date +%s.%N) - $start" | bc)
if [ "$rc" -ne 0 ] || ! grep -q '^verdict    pass' <<<"$out"; then
  fail "counter/correct on one core beside two busy loops: $out"
elif [ "$(echo "$took > 60" | bc)" -eq 1 ]; then
  fail "counter/correct (20 runs) on one core beside two busy loops took ${took} s"
else
  echo "ok: 20 runs on one core beside two busy loops pass in ${took} s"
fi

out=$(taskset -c "$core" "$runner" run queue/missing_task_done --seed 5 --stall-ms 1000); rc=$?
found=$(sed -n 's/^found      in run [0-9]* after \([0-9.]*\) s.*/\1/p' <<<"$out")
if [ "$rc" -ne 0 ] || ! grep -q '^verdict    hang' <<<"$out" || [ -z "$found" ]; then
  fail "queue/missing_task_done on one loaded core was not diagnosed as a hang: $out"
elif [ "$(echo "$found > 3.0" | bc)" -eq 1 ]; then
  fail "the hang was diagnosed after ${found} s: more than its 1 s deadline plus 2 s"
else
  echo "ok: a real hang on one loaded core is diagnosed after ${found} s (deadline 1 s)"
fi
stop_busy
exit $status
