#!/usr/bin/env bash
# promtool checks and unit-tests every rule file; amtool checks the Alertmanager example and
# that each severity reaches the receiver it must.
set -euo pipefail
cd "$(dirname "$0")/../.."

promtool check rules alerts/*.rules.yml
(cd alerts/tests && promtool test rules ./*.test.yml)
amtool check-config alerts/alertmanager.yml

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
