#!/usr/bin/env bash
# Builds deploy/docker/Dockerfile with Podman on a local Debian 12 base image made with
# debootstrap (no registry is reachable here), runs the image against a real redis-server and
# scrapes it: build info, redis_up 1, the non-root uid, the health check (and that it can fail),
# no compiler in the runtime image; prints the image size and the time taken.
# The base image's tarball and Podman's layers are cached under OOE_DEPLOY_CACHE (default
# /var/cache/onlyoffice-exporter-tests), so only changed layers are rebuilt on this machine; on a
# fresh machine everything is made from nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)
log() { printf '[%3ds] %s\n' $(($(date +%s) - started)) "$*"; }
die() { echo "check_image: $*" >&2; exit 1; }

cache=${OOE_DEPLOY_CACHE:-/var/cache/onlyoffice-exporter-tests}
mkdir -p "$cache/podman"
exec 9>"$cache/image-test.lock"
flock 9  # one run at a time owns the cached storage
# Podman refuses a runroot longer than 50 characters.
[ ${#cache} -le 38 ] || die "OOE_DEPLOY_CACHE must be at most 38 characters: $cache"
PODMAN=(podman --root "$cache/podman/root" --runroot "$cache/podman/run"
  --tmpdir "$cache/podman/tmp" --runtime runc --cgroup-manager cgroupfs --events-backend file)
# Without the lock's descriptor: a container's conmon outlives the call and would hold the lock.
podman_() { "${PODMAN[@]}" "$@" 9>&-; }
BASE=localhost/onlyoffice-exporter-test/debian:bookworm-minbase
IMAGE=localhost/onlyoffice-exporter:test
name=ooe-image-test-$$

work=$(mktemp -d)
redis_pid=
cleanup() {
  # One at a time: `podman rm` of a missing name would leave the others running.
  for container in "$name" "$name-unhealthy"; do
    podman_ rm -f -t 0 "$container" >/dev/null 2>&1 || true
  done
  [ -z "$redis_pid" ] || kill "$redis_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# The base image: Debian 12 minbase with the official images' apt sources (updates, security)
# and the slim images' dpkg excludes (no docs, man pages or locales).
if ! podman_ image exists "$BASE"; then
  tarball=$cache/debian-bookworm-minbase.tar
  if [ ! -s "$tarball" ]; then
    log "debootstrap --variant=minbase bookworm"
    rootfs=$work/rootfs
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian \
      >"$work/debootstrap.log" 2>&1 ||
      { tail -20 "$work/debootstrap.log"; die "debootstrap failed"; }
    rm -f "$rootfs/etc/apt/sources.list"
    cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
    # What those excludes would have kept out of the base itself, as the slim images do.
    find "$rootfs/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete
    rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
      "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
      "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/*
    tar -C "$rootfs" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
  fi
  log "podman import $BASE"
  podman_ import --quiet "$tarball" "$BASE" >/dev/null
fi

# The build stage is tagged too, so pruning what earlier runs left keeps its layers (the build
# packages) as cache; the second build reuses them all.
log "podman build -f deploy/docker/Dockerfile"
for target in build final; do
  tag=$IMAGE
  options=()
  if [ "$target" = build ]; then tag=$IMAGE-build-stage; options=(--target build); fi
  podman_ build --format docker --network host --layers "${options[@]}" \
    --ignorefile deploy/docker/Dockerfile.dockerignore \
    --build-arg BUILD_IMAGE="$BASE" --build-arg RUNTIME_IMAGE="$BASE" \
    -f deploy/docker/Dockerfile -t "$tag" . >"$work/build.log" 2>&1 ||
    { tail -40 "$work/build.log"; die "podman build failed"; }
  cp "$work/build.log" "$cache/last-$target-build.log"
done
podman_ image prune -f >/dev/null
size=$(podman_ image inspect -f '{{.Size}}' "$IMAGE")
packages=$(podman_ run --rm --no-healthcheck --ulimit nofile=1024:1024 \
  --ulimit nproc=1024:1024 --network none --entrypoint cat "$IMAGE" \
  /usr/share/onlyoffice-exporter/runtime-packages | tr '\n' ' ')
log "image $IMAGE: $((size / 1024 / 1024)) MiB; runtime packages: $packages"

# Only runtime libraries: no compiler, no headers.
# shellcheck disable=SC2016
leftovers=$(podman_ run --rm --no-healthcheck --ulimit nofile=1024:1024 \
  --ulimit nproc=1024:1024 --network none --entrypoint bash "$IMAGE" -c \
  'command -v gcc g++ cc cmake make ninja; dpkg-query -W -f "\${Package}\n" | grep -E -- "-dev$"' ||
  true)
[ -z "$leftovers" ] || die "the runtime image carries build tools or headers: $leftovers"
user=$(podman_ image inspect -f '{{.Config.User}}' "$IMAGE")
[ "$user" = 10981:10981 ] || die "image user is '$user', not 10981:10981"

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  >"$work/redis.log" 2>&1 9>&- &
redis_pid=$!
cat >"$work/config.yml" <<EOF
collectors:
  redis:
    targets:
      - name: cache
        address: redis://127.0.0.1:$redis_port
  docker:
    enabled: false
  # Nothing listens there: a collector that fails, but one that needs libcurl and OpenSSL, which
  # the binary opens at run time, so the image must hold them or the exporter exits 1.
  rabbitmq:
    targets:
      - name: absent
        url: http://127.0.0.1:1
EOF
chmod 0644 "$work/config.yml"
chmod 0755 "$work"

# The listen address goes in the environment, as the Dockerfile says, so the health check follows.
# No systemd here to time health checks: `podman healthcheck run` runs them on demand.
port=$(free_port)
podman_ run -d --name "$name" --network host --health-interval disable \
  --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
  -e ONLYOFFICE_EXPORTER_WEB_LISTEN_ADDRESS="127.0.0.1:$port" \
  -v "$work/config.yml:/etc/onlyoffice-exporter/config.yml:ro" \
  "$IMAGE" --config.file=/etc/onlyoffice-exporter/config.yml >/dev/null 2>"$work/run.log" ||
  { cat "$work/run.log"; die "podman run failed"; }
metrics=
for _ in $(seq 1 100); do
  if metrics=$(curl -sf "http://127.0.0.1:$port/metrics"); then break; fi
  sleep 0.1
done
[ -n "$metrics" ] || { podman_ logs "$name" >&2 || true; die "no /metrics on :$port"; }
grep -q '^onlyoffice_exporter_build_info{' <<<"$metrics" ||
  die "no onlyoffice_exporter_build_info in the scrape"
grep -Eq '^redis_up\{[^}]*target="cache"[^}]*\} 1$' <<<"$metrics" ||
  die "redis_up is not 1: $(grep '^redis_up' <<<"$metrics")"
grep -Eq '^onlyoffice_exporter_collector_success\{collector="rabbitmq",target="absent"\} 0$' \
  <<<"$metrics" || die "no failed rabbitmq collection in the scrape (libcurl not loaded?)"
log "scraped: $(grep -c '^[a-z]' <<<"$metrics") samples, redis_up 1, build info present," \
  "an HTTP collector running"

pid=$(podman_ inspect -f '{{.State.Pid}}' "$name")
uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$pid/status")
gids=$(awk '/^Gid:/ {print $2, $3, $4, $5}' "/proc/$pid/status")
[ "$uids" = "10981 10981 10981 10981" ] || die "the exporter runs with uids $uids"
[ "$gids" = "10981 10981 10981 10981" ] || die "the exporter runs with gids $gids"
log "process $pid runs as uid and gid 10981"

podman_ healthcheck run "$name" || die "the image's health check fails on a serving exporter"
# A flag moves the listener away from the address the health check reads: it must fail.
podman_ run -d --name "$name-unhealthy" --network host --health-interval disable \
  --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
  -e ONLYOFFICE_EXPORTER_WEB_LISTEN_ADDRESS="127.0.0.1:$(free_port)" \
  -v "$work/config.yml:/etc/onlyoffice-exporter/config.yml:ro" "$IMAGE" \
  --config.file=/etc/onlyoffice-exporter/config.yml \
  --web.listen-address="127.0.0.1:$(free_port)" >/dev/null 2>"$work/run.log" ||
  { cat "$work/run.log"; die "podman run failed"; }
sleep 1
if podman_ healthcheck run "$name-unhealthy" >/dev/null 2>&1; then
  die "the health check passes although nothing listens where it asks"
fi
log "health check: healthy when serving, unhealthy when nothing answers"
log "passed in $(($(date +%s) - started)) s"
