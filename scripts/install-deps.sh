#!/usr/bin/env bash
# Installs, from Debian's packages, what building and testing onlyoffice-exporter needs.
# Usage: scripts/install-deps.sh [build] [dev] [stack] [test]   (default: build test)
#   build  what compiling the exporter and the DocService stand-in needs (the quick start's build)
#   dev    what the tests, lint and fuzzing compile with
#   stack  the real servers the quick start runs
#   drill  the stack and what scripts/drill.sh needs besides
#   test   dev, stack and everything else the tests start or check with
# Runs apt-get as root, or through sudo. Installs only what is missing.
set -euo pipefail

# What building needs (README, "Dependencies", says why each is there).
BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  prometheus-cpp-dev libcivetweb-dev libcurl4-openssl-dev nlohmann-json3-dev libspdlog-dev
  libhiredis-dev libpq-dev libyaml-cpp-dev libssl-dev
)
DEV_PACKAGES=(
  catch2 clang-format clang-tidy
  clang libclang-rt-14-dev  # tests/fuzz/run.sh: clang and its libFuzzer runtime
)
# What scripts/drill.sh adds to the stack: it reads the rules to shorten them.
DRILL_PACKAGES=(python3-yaml)
# What scripts/quickstart.sh runs: the stack, Prometheus and Alertmanager.
STACK_PACKAGES=(redis-server postgresql util-linux rabbitmq-server python3-pika podman runc busybox-static nginx
  prometheus prometheus-alertmanager curl python3)
# The real servers the tests start, one group per backend.
REDIS_PACKAGES=(redis-server redis-tools prometheus-redis-exporter openssl)
PROMETHEUS_PACKAGES=(prometheus curl python3)
RABBITMQ_PACKAGES=(rabbitmq-server python3-pika)
DOCKER_PACKAGES=(docker.io podman runc busybox-static socat curl)
DOCUMENTSERVER_PACKAGES=(nginx prometheus-blackbox-exporter)  # nginx in front of the DocService stand-in; the bench peer
NGINX_PACKAGES=(nginx prometheus-nginx-exporter)  # real nginx (stub_status, error logs); bench_nginx's peer
# initdb, postgres, psql; setpriv runs them as `postgres` when the tests run as root.
POSTGRES_PACKAGES=(postgresql postgresql-client util-linux openssl prometheus-postgres-exporter)  # bench_postgres's peer
ALERTING_PACKAGES=(prometheus-alertmanager)
DEPLOY_PACKAGES=(systemd docker-compose python3-yaml debootstrap)  # systemd-analyze; compose config; the image test's base
LOAD_PACKAGES=(wrk)  # the load test: 50 concurrent clients scraping /metrics

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build test)
# Duplicates between groups are harmless: dpkg-query asks once per name below.

wanted=()
for group in "${groups[@]}"; do
  case "$group" in
    build) wanted+=("${BUILD_PACKAGES[@]}") ;;
    dev) wanted+=("${DEV_PACKAGES[@]}") ;;
    stack) wanted+=("${STACK_PACKAGES[@]}") ;;
    drill) wanted+=("${STACK_PACKAGES[@]}" "${DRILL_PACKAGES[@]}") ;;
    test)
      wanted+=("${DEV_PACKAGES[@]}" "${STACK_PACKAGES[@]}" "${DRILL_PACKAGES[@]}" "${REDIS_PACKAGES[@]}"
        "${PROMETHEUS_PACKAGES[@]}" "${RABBITMQ_PACKAGES[@]}" "${DOCKER_PACKAGES[@]}"
        "${DOCUMENTSERVER_PACKAGES[@]}" "${NGINX_PACKAGES[@]}" "${POSTGRES_PACKAGES[@]}" "${ALERTING_PACKAGES[@]}"
        "${DEPLOY_PACKAGES[@]}" "${LOAD_PACKAGES[@]}") ;;
    *) echo "install-deps.sh: unknown group '$group' (build, dev, stack, drill, test)" >&2; exit 2 ;;
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
