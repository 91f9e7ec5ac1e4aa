#!/usr/bin/env bash
# Runs a tutorial program in Python and its itc C++ version, and fails unless they print the
# same lines. Registered by compare.cmake as example_matches_python.<name>; runnable by hand:
#
#   examples/compare_output.sh exact|unordered examples/python/<name>.py build/gcc/examples/<name>
#
#   exact      the lines must match in order: the program's synchronisation fixes the order
#   unordered  threads print in an order that depends on timing, so the sorted lines must match,
#              and so must the last line (main prints it after every thread is done)
#
# Exit status: 0 same output, 1 different output, 2 usage error or a program failed.
set -euo pipefail

if [ $# -ne 3 ] || { [ "$1" != exact ] && [ "$1" != unordered ]; }; then
  echo "usage: $0 exact|unordered <program.py> <binary>" >&2
  exit 2
fi
mode=$1 py=$2 bin=$3
command -v python3 >/dev/null || { echo "compare_output: python3 is not on PATH" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C  # one sort order, whatever the caller's locale

# Runs one program into $tmp/<tag>.out; a crash, a non-zero exit or a hang fails the comparison
# (the hang through timeout(1), so the report names the program rather than ctest's TIMEOUT).
run() {
  local tag=$1
  shift
  local status=0
  timeout 20 "$@" >"$tmp/$tag.out" || status=$?
  if [ "$status" -ne 0 ]; then
    [ "$status" -eq 124 ] && echo "compare_output: $tag timed out after 20 s: $*" >&2
    echo "compare_output: $tag exited with status $status: $*" >&2
    echo "--- $tag output so far:" >&2
    cat "$tmp/$tag.out" >&2
    exit 2
  fi
}

# PYTHONUNBUFFERED would make print() two unbuffered write()s, text then newline, and another
# thread's line could land between them; buffered, each print() reaches stdout whole.
run python env -u PYTHONUNBUFFERED python3 "$py"
run cxx "$bin"

if [ ! -s "$tmp/python.out" ]; then
  echo "compare_output: $py printed nothing" >&2
  exit 2
fi

same=true
if [ "$mode" = exact ]; then
  diff -u --label "python3 $py" --label "$bin" "$tmp/python.out" "$tmp/cxx.out" >"$tmp/diff" ||
    same=false
else
  sort "$tmp/python.out" >"$tmp/python.sorted"
  sort "$tmp/cxx.out" >"$tmp/cxx.sorted"
  diff -u --label "python3 $py (sorted)" --label "$bin (sorted)" \
    "$tmp/python.sorted" "$tmp/cxx.sorted" >"$tmp/diff" || same=false
  if [ "$(tail -n 1 "$tmp/python.out")" != "$(tail -n 1 "$tmp/cxx.out")" ]; then
    same=false
    {
      echo "last lines differ:"
      echo "  python3: $(tail -n 1 "$tmp/python.out")"
      echo "  c++:     $(tail -n 1 "$tmp/cxx.out")"
    } >>"$tmp/diff"
  fi
fi

if $same; then
  echo "same output ($mode):"
  cat "$tmp/cxx.out"
  exit 0
fi
echo "OUTPUT DIFFERS ($mode comparison)"
echo "--- python3 $py:"
cat "$tmp/python.out"
echo "--- $bin:"
cat "$tmp/cxx.out"
echo "--- diff:"
cat "$tmp/diff"
exit 1
