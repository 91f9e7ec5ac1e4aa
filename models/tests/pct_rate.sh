#!/usr/bin/env bash
# PCT's measured detection rate on a depth-2 kernel must meet the paper's bound 1/(n*k^(d-1))
# (with 99% confidence), and the kernel's locked twin must never fail.
set -euo pipefail
kernels="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$("$kernels" rate kernel/check_then_use_depth2 --strategy pct --depth 2 --iterations 10000) ||
  fail "the measured rate is below the bound:"$'\n'"$out"
echo "$out"
grep -q '^result     the measured rate meets the PCT bound' <<<"$out" || fail "no result line"
# Depth 1 (no change point) cannot order the clear between check and use: it must not find it.
out1=$("$kernels" rate kernel/check_then_use_depth2 --strategy pct --depth 1 --iterations 2000) || true
grep -q '^rate       0 of 2000 ' <<<"$out1" || fail "depth 1 found a depth-2 bug:"$'\n'"$out1"
twin=$("$kernels" rate kernel/check_then_use_locked --strategy pct --depth 2 --iterations 10000) || true
grep -q '^rate       0 of 10000 ' <<<"$twin" || fail "the locked twin failed:"$'\n'"$twin"
echo "ok: depth 1 finds nothing, the locked twin never fails"
