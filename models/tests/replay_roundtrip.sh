#!/usr/bin/env bash
# The replay line a failing run prints, pasted into a shell, must reproduce exactly that
# execution, for every strategy.
set -euo pipefail
runner="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }
for spec in "queue/if_not_while --strategy bound --bound 2" \
            "queue/if_not_while --strategy bound --bound 2 --spurious 0" \
            "queue/missing_task_done --strategy random --seed 3" \
            "counter/check_then_act --strategy full" \
            "condition/notify_wrong_waiter --strategy pct --depth 2 --seed 5" \
            "lock/abba --strategy pct --depth 3" \
            "condition/if_not_while --strategy bound --bound 1" \
            "condition/if_not_while --strategy random --spurious 2"; do
  first=$("$runner" run $spec) || true
  replay=$(grep '^replay ' <<<"$first" | sed 's/^replay *//')
  [ -n "$replay" ] || fail "no replay line for: $spec"
  # Pasted as printed, from another folder: it names this binary, not a bare "itc-model".
  case "$replay" in "$(realpath "$runner") run "*) ;; *) fail "replay line does not name $runner: $replay" ;; esac
  second=$(cd / && eval "$replay") || true
  v1=$(grep '^verdict' <<<"$first"); v2=$(grep '^verdict' <<<"$second")
  [ "$v1" = "$v2" ] || fail "verdict changed on replay of '$spec': '$v1' vs '$v2'"
  grep -q '^executions 1 ' <<<"$second" || fail "replay of '$spec' ran more than one execution"
  t1=$(sed -n '/^trace/,/^replay/p' <<<"$first" | grep -v '^replay')
  t2=$(sed -n '/^trace/,/^replay/p' <<<"$second" | grep -v '^replay')
  [ "$t1" = "$t2" ] || fail "trace differs on replay of '$spec'"
  echo "ok: $spec -> $(sed 's/ *(as expected)//' <<<"$v1")"
done
