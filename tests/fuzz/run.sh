#!/usr/bin/env bash
# Builds the fuzz targets with clang and libFuzzer (ASan+UBSan) in BUILD_DIR and fuzzes each for
# SECONDS, seeded from the fixtures and tests/fuzz/corpus/<target>/. Prints per target the runs,
# exec/s, coverage and corpus size; fails on any crash, leak, UB, timeout or out-of-memory, and
# leaves the reproducer in BUILD_DIR/artifacts/<target>/ (copy it into corpus/<target>/ with the
# fix). Usage: tests/fuzz/run.sh SECONDS [BUILD_DIR] [TARGET...]
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:?usage: tests/fuzz/run.sh SECONDS [BUILD_DIR] [TARGET...]}
build_dir=${2:-$source_dir/build/fuzz}
shift $(($# < 2 ? $# : 2))

started=$SECONDS
cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-gline-tables-only -O1" -DOOE_FUZZ=ON >/dev/null
mapfile -t names < <(cut -f1 "$build_dir/tests/fuzz/seeds.tsv")
[ $# -eq 0 ] || names=("$@")
cmake --build "$build_dir" -j "$(nproc)" --target "${names[@]/#/fuzz_}" >/dev/null
echo "fuzz: clang build took $((SECONDS - started)) s"

# One fuzzer per core at a time (each is single-threaded), every target its full SECONDS.
fuzz_one() {
  local name=$1 seeds work artifacts log
  read -r -a seeds < <(awk -F'\t' -v name="$name" '$1 == name { print $2 }' \
    "$build_dir/tests/fuzz/seeds.tsv")
  work="$build_dir/corpus/$name"
  artifacts="$build_dir/artifacts/$name"
  mkdir -p "$work" "$artifacts"
  log="$build_dir/$name.log"
  # The first directory collects what the fuzzer finds; the seeds are only read. Inputs of up to
  # 64 KiB (the fixtures are smaller); 2 s or 2 GiB for one input is a hang or a leak.
  local status=0
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build_dir/tests/fuzz/fuzz_$name" -max_total_time="$seconds" -max_len=65536 -timeout=2 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$work" "${seeds[@]}" >"$log" 2>&1 || status=$?
  echo "$status" >"$build_dir/$name.status"
}
for name in "${names[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || true; done
  fuzz_one "$name" &
done
wait

failed=()
printf '%-28s %10s %8s %6s %7s\n' target runs exec/s cov corpus
for name in "${names[@]}"; do
  log="$build_dir/$name.log"
  if [ "$(cat "$build_dir/$name.status")" != 0 ]; then
    failed+=("$name")
    echo "fuzz: $name FAILED, its log:"
    grep -v '^#[0-9]' "$log" | tail -60
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
  corpus=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
  printf '%-28s %10s %8s %6s %7s\n' "$name" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${corpus:-?}"
done
echo "fuzz: ${#names[@]} targets, $seconds s each, $((SECONDS - started)) s in all"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]} (reproducers in $build_dir/artifacts/)"
  exit 1
fi
