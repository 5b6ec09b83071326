#!/usr/bin/env bash
# promtool checks and unit-tests every rule file; amtool checks the Alertmanager example and
# that each severity reaches the receiver it must.
set -euo pipefail
cd "$(dirname "$0")/../.."

promtool check rules alerts/*.rules.yml
(cd alerts/tests && promtool test rules ./*.test.yml)
amtool check-config alerts/alertmanager.yml alerts/alertmanager-receivers.example.yml

route() {  # expected receiver, then labels
  local expected=$1
  shift
  local got
  got=$(amtool config routes test --config.file=alerts/alertmanager.yml "$@" 2>/dev/null)
  if [ "$got" != "$expected" ]; then
    echo "routing $* went to '$got', want '$expected'" >&2
    exit 1
  fi
  echo "routing $*: $got"
}
route pager severity=critical alertname=DocumentServerDown
route ticket severity=warning alertname=ContainerCpuHigh
route blackhole severity=info alertname=Anything
route ticket alertname=NoSeverity

# The example with real receivers keeps the shipped routing and inhibitions.
python3 - <<'PY'
import yaml
shipped = yaml.safe_load(open("alerts/alertmanager.yml"))
example = yaml.safe_load(open("alerts/alertmanager-receivers.example.yml"))
for key in ("route", "inhibit_rules"):
    if shipped[key] != example[key]:
        raise SystemExit(f"alerts/alertmanager-receivers.example.yml: its {key} differs from alerts/alertmanager.yml")
print("alertmanager-receivers.example.yml: the shipped routes and inhibitions")
PY
