#!/usr/bin/env bash
# The whole test suite, from a clean checkout on Debian 12: installs what it needs, builds with
# the asan (ASan+UBSan) and debug presets, and runs every test against real local servers.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh build test

for preset in asan debug; do
  echo "==> $preset: configure, build, test"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$(nproc)"
  ctest --preset "$preset" --timeout 900 --no-label-summary
done
