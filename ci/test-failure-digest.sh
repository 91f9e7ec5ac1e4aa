#!/bin/sh
# Test of ci/failure-digest.sh against a real CTest log: a tiny CTest project with a passing test
# whose output looks like a failure, a gtest-style failure buried in 500 lines, a shuffled run's
# seed line, a failure with no marker at all, and a CTest timeout. The digest must name each
# failure, show its reason, and show nothing of the passing test.
set -eu
digest="$(cd "$(dirname "$0")" && pwd)/failure-digest.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(digest_fixture NONE)
enable_testing()
add_test(NAME passes COMMAND sh -c "echo 'passing_test.cpp:1: Failure (looks like one)'")
add_test(NAME buried COMMAND sh -c "seq 1 250; echo 'queue_test.cpp:405: Failure'; echo 'Expected: (a) < (b), actual: 12 vs 10'; seq 251 500; exit 1")
add_test(NAME shuffled COMMAND sh -c "echo '[ shuffle  ] seed 4242: rerun with t --gtest_random_seed=4242'; seq 1 300; echo 'x_test.cpp:9: Failure'; exit 1")
add_test(NAME unmarked COMMAND sh -c "seq 1 100; echo 'the last word'; exit 3")
add_test(NAME times_out COMMAND sh -c "echo 'waiting forever'; sleep 30")
set_tests_properties(times_out PROPERTIES TIMEOUT 1)
CMAKE
cmake -S "$work" -B "$work/build" >/dev/null
ctest --test-dir "$work/build" >/dev/null 2>&1 && { echo "FAIL: the fixture's tests should fail"; exit 1; }
out=$("$digest" "$work/build") && { echo "FAIL: the digest should exit non-zero"; exit 1; }
echo "$out"
check() { echo "$out" | grep -q -- "$1" || { echo "FAIL: the digest lacks: $1"; exit 1; }; }
check "build: buried"
check "queue_test.cpp:405: Failure"
check "actual: 12 vs 10"
check "seed 4242: rerun with"
check "x_test.cpp:9: Failure"
check "build: unmarked"
check "the last word"
check "build: times_out"
check "waiting forever"
if echo "$out" | grep -q "passing_test\|: passes"; then echo "FAIL: the digest shows a passing test"; exit 1; fi
lines=$(echo "$out" | wc -l)
[ "$lines" -lt 40 ] || { echo "FAIL: the digest is $lines lines long"; exit 1; }
# A later green run leaves CTest's LastTestsFailed.log behind: nothing stale is reported.
ctest --test-dir "$work/build" -R '^passes$' >/dev/null
stale=$("$digest" "$work/build") || { echo "FAIL: after a green run the digest reports: $stale"; exit 1; }
"$digest" /nonexistent || { echo "FAIL: a tree without failures must exit 0"; exit 1; }
echo "failure digest: ok"
