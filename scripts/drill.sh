#!/usr/bin/env bash
# The 502 drill (tools/drill/drill.py): every cause of a 502 injected for real into the quick
# start's stack, with the shipped rules and routing, and a healthy phase in which nothing may
# page. Installs what it needs, builds like the quick start, prints the table.
#
#   scripts/drill.sh                  the full run (over an hour: every for: as shipped)
#   scripts/drill.sh --fast           every for:, range and wait divided by 10 (CI: minutes)
#   scripts/drill.sh --json rows.json also the rows as JSON
#   --no-build                        the binaries already built (OOE_EXPORTER_BINARY ...)
#   --causes a,b                      only these (and "healthy")
set -euo pipefail
cd "$(dirname "$0")/.."
build=true
arguments=()
for argument in "$@"; do
  if [ "$argument" = --no-build ]; then build=false; else arguments+=("$argument"); fi
done
if $build; then
  scripts/install-deps.sh build stack drill
  cmake --preset user >/dev/null
  cmake --build --preset user -j "$(nproc)"
fi
exec python3 tools/drill/drill.py ${arguments[@]+"${arguments[@]}"}
