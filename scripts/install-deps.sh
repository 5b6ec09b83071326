#!/usr/bin/env bash
# Installs, from Debian's packages, what building and testing onlyoffice-exporter needs.
# Usage: scripts/install-deps.sh [build] [test] [stack]   (default: build test)
# Runs apt-get as root, or through sudo. Installs only what is missing.
set -euo pipefail

# What building needs (README, "Dependencies", says why each is there).
BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  prometheus-cpp-dev libcivetweb-dev libcurl4-openssl-dev nlohmann-json3-dev libspdlog-dev
  libhiredis-dev libyaml-cpp-dev libssl-dev catch2 clang-format clang-tidy
  clang libclang-rt-14-dev  # tests/fuzz/run.sh: clang and its libFuzzer runtime
)
# The real servers the tests start, one group per backend.
REDIS_PACKAGES=(redis-server redis-tools prometheus-redis-exporter openssl)
PROMETHEUS_PACKAGES=(prometheus curl python3)
RABBITMQ_PACKAGES=(rabbitmq-server python3-pika)
DOCKER_PACKAGES=(docker.io podman runc busybox-static socat curl)
DOCUMENTSERVER_PACKAGES=(nginx prometheus-blackbox-exporter)  # nginx in front of the DocService stand-in; the bench peer
ALERTING_PACKAGES=(prometheus-alertmanager)
DEPLOY_PACKAGES=(systemd docker-compose python3-yaml debootstrap)  # systemd-analyze; compose config; the image test's base
LOAD_PACKAGES=(wrk)  # the load test: 50 concurrent clients scraping /metrics

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build test)

wanted=()
for group in "${groups[@]}"; do
  case "$group" in
    build) wanted+=("${BUILD_PACKAGES[@]}") ;;
    test | stack)
      wanted+=("${REDIS_PACKAGES[@]}" "${PROMETHEUS_PACKAGES[@]}" "${RABBITMQ_PACKAGES[@]}"
        "${DOCKER_PACKAGES[@]}" "${DOCUMENTSERVER_PACKAGES[@]}" "${ALERTING_PACKAGES[@]}"
        "${DEPLOY_PACKAGES[@]}" "${LOAD_PACKAGES[@]}") ;;
    *) echo "install-deps.sh: unknown group '$group' (build, test, stack)" >&2; exit 2 ;;
  esac
done

missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "Installing: ${missing[*]}"
"${as_root[@]}" apt-get update -qq
# Packages that ship services (redis, rabbitmq, nginx, prometheus) must not start them here:
# the tests and the quick start run their own instances on free ports.
printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee /usr/sbin/policy-rc.d >/dev/null
"${as_root[@]}" chmod +x /usr/sbin/policy-rc.d
trap '"${as_root[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "${missing[@]}"
