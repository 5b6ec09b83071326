#!/usr/bin/env bash
# clang-format (check only) and clang-tidy over the project's own C++ sources.
# Usage: scripts/lint.sh BUILD_DIR   (a configured build with compile_commands.json)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:?usage: scripts/lint.sh BUILD_DIR}
mapfile -t sources < <(git ls-files -co --exclude-standard -- '*.cpp' '*.h' | grep -v '^build/')
clang-format --dry-run --Werror "${sources[@]}"
echo "clang-format: ${#sources[@]} files formatted"
mapfile -t units < <(printf '%s\n' "${sources[@]}" | grep -E '^(exporter|collectors|tools)/.*\.cpp$')
# run-clang-tidy exits non-zero on findings; keep its report and judge by it, not by the pipe.
report=$(run-clang-tidy -p "$build_dir" -quiet -j "$(nproc)" "${units[@]}" 2>/dev/null || true)
if grep -E 'error:|warning:' <<<"$report"; then
  echo "clang-tidy: findings above"
  exit 1
fi
echo "clang-tidy: ${#units[@]} files clean"
