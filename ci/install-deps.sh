#!/usr/bin/env bash
# Installs what itc needs to build and test, and nothing when it is all there.
#
#   ci/install-deps.sh [base|bench|verify|all]   (default: base)
#
# Debian 12 packages only. Runs apt-get as root (or through sudo); prints what it installs.
# Every `make` target that needs a tool calls this first, so a fresh machine needs no set-up.
set -euo pipefail

profile="${1:-base}"

# libclang-rt-14-dev: clang's sanitizer runtimes (the asan and tsan trees); llvm-14: the
# llvm-symbolizer that turns their reports' addresses into file:line (clang only recommends it).
# chromium: the verify.report_html test loads report.html in it, headless.
base=(cmake ninja-build make g++ clang libclang-rt-14-dev llvm-14 googletest libgtest-dev libgmock-dev
      libcli11-dev nlohmann-json3-dev libfmt-dev
      relacy-dev python3 clang-format clang-tidy chromium)
bench=(libbenchmark-dev libconcurrentqueue-dev libtbb-dev python3-matplotlib)
verify=(libcli11-dev nlohmann-json3-dev libfmt-dev)

case "$profile" in
  base) wanted=("${base[@]}") ;;
  bench) wanted=("${base[@]}" "${bench[@]}") ;;
  verify) wanted=("${base[@]}" "${verify[@]}") ;;
  all) wanted=("${base[@]}" "${bench[@]}" "${verify[@]}") ;;
  *) echo "install-deps: unknown profile '$profile' (base, bench, verify, all)" >&2; exit 2 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
