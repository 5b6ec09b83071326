#!/usr/bin/env bash
# Builds the release preset and runs the benchmarks named (default: all that exist), printing
# their figures. Benchmarks never fail on a timing; they exit non-zero only when they could not
# run. Usage: scripts/bench.sh [redis] [rabbitmq] [docker] [documentserver] [nginx] [postgres]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build test
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for program in build/release/bench/bench_*; do names+=("${program##*/bench_}"); done
fi
for name in "${names[@]}"; do
  if [ -x "build/release/bench/bench_$name" ]; then
    "build/release/bench/bench_$name"
  elif [ -x "bench/$name/run.sh" ]; then
    "bench/$name/run.sh"
  else
    echo "bench.sh: no benchmark named '$name'" >&2
    exit 2
  fi
done
