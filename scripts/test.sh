#!/usr/bin/env bash
# The whole test suite, from a clean checkout on Debian 12: installs what it needs, builds with
# the asan (ASan+UBSan) and release presets, and runs every test against real local servers.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh build test

# asan runs every test under ASan+UBSan. release then builds everything optimised with warnings
# as errors (GCC warns at -O3 of what it never sees at -O0: a user's build must not be the first
# to meet it), and adds what only it has (clang-format and clang-tidy, real libFuzzer runs, the
# container image, the load test, which sanitizers would distort) and the cheap unit tests; the
# integration and end-to-end tests, already run under asan, are not run twice.
for preset in asan release; do
  echo "==> $preset: configure, build, test"
  # release leaves out the integration and end-to-end binaries it does not run (minutes of
  # compiling on two cores).
  options=()
  [ "$preset" = asan ] || options=(-DOOE_BUILD_INTEGRATION_TESTS=OFF)
  cmake --preset "$preset" "${options[@]}" >/dev/null
  cmake --build --preset "$preset" -j "$(nproc)"
  skip=()
  [ "$preset" = asan ] || skip=(--label-exclude 'integration|e2e')
  ctest --preset "$preset" --timeout 900 --no-label-summary "${skip[@]}"
done
