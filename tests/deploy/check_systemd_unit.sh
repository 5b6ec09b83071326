#!/usr/bin/env bash
# systemd-analyze verify on deploy/systemd/onlyoffice-exporter.service, with ExecStart pointed at
# this build's binary (verify checks that the command exists and is executable).
set -euo pipefail
binary=${1:?usage: check_systemd_unit.sh EXPORTER_BINARY}
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|/usr/local/bin/onlyoffice-exporter|$binary|" deploy/systemd/onlyoffice-exporter.service \
  >"$dir/onlyoffice-exporter.service"
output=$(systemd-analyze verify "$dir/onlyoffice-exporter.service" 2>&1) || {
  echo "$output"
  exit 1
}
if [ -n "$output" ]; then
  echo "$output"
  exit 1
fi
echo "systemd-analyze verify: no findings"
