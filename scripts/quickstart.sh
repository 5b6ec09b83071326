#!/usr/bin/env bash
# The README's first Quick start command: on a fresh Debian 12 machine, installs what is needed,
# builds the exporter, starts a real local stack and the exporter watching it, says where to
# look, and stops everything cleanly on Ctrl-C. A second run starts from a clean slate.
#
#   scripts/quickstart.sh            build, start, print the summary, run until Ctrl-C
#   scripts/quickstart.sh --check    the same, but stop after the summary (exit 1 if unhealthy)
#   --no-build                       use the binary already in build/release (tests use this)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

check_only=false
build=true
for argument in "$@"; do
  case "$argument" in
    --check) check_only=true ;;
    --no-build) build=false ;;
    *) echo "quickstart.sh: unknown argument '$argument' (--check, --no-build)" >&2; exit 2 ;;
  esac
done

STATE=${OOE_QUICKSTART_DIR:-/tmp/onlyoffice-exporter-quickstart}
EXPORTER_ADDRESS=${OOE_QUICKSTART_LISTEN:-127.0.0.1:10981}
EXPORTER=${OOE_EXPORTER_BINARY:-$ROOT/build/release/exporter/onlyoffice-exporter}

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'quickstart: %s\n' "$*" >&2; exit 1; }

# A port nobody listens on, from the kernel.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    shuf -i 20000-40000 -n 1
}

wait_for_port() {  # port seconds
  for _ in $(seq 1 $(($2 * 10))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# Stops whatever an earlier run left (its pids are in $STATE/pids), then removes its files.
stop_all() {
  if [ -f "$STATE/pids" ]; then
    while read -r pid name; do
      if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        echo "stopped $name ($pid)"
      fi
    done < <(tac "$STATE/pids")
  fi
  rm -rf "$STATE"
}

start() {  # name command... : runs it in the background, logs in $STATE/NAME.log
  local name=$1
  shift
  "$@" >"$STATE/$name.log" 2>&1 &
  echo "$! $name" >>"$STATE/pids"
}

stop_all >/dev/null
mkdir -p "$STATE"
[ "$EXPORTER_ADDRESS" != auto ] || EXPORTER_ADDRESS=127.0.0.1:$(free_port)

if $build; then
  log "Installing packages (Debian) and building the release binary"
  scripts/install-deps.sh build stack
  cmake --preset release >/dev/null
  cmake --build --preset release -j "$(nproc)"
fi
[ -x "$EXPORTER" ] || die "no exporter binary at $EXPORTER (run without --no-build)"

trap 'echo; log "Stopping"; stop_all; exit 0' INT TERM
trap 'stop_all >/dev/null' EXIT

log "Starting Redis"
REDIS_PORT=$(free_port)
start redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$STATE" --maxmemory 256mb
wait_for_port "$REDIS_PORT" 10 || die "redis-server did not start: $(tail -3 "$STATE/redis.log")"

log "Writing the exporter's configuration"
cat >"$STATE/exporter.yml" <<YAML
# onlyoffice-exporter configuration written by scripts/quickstart.sh
collectors:
  redis:
    targets:
      - name: documentserver-redis
        address: redis://127.0.0.1:$REDIS_PORT
YAML

log "Starting the exporter on $EXPORTER_ADDRESS"
start exporter "$EXPORTER" --config.file="$STATE/exporter.yml" \
  --web.listen-address="$EXPORTER_ADDRESS"
wait_for_port "${EXPORTER_ADDRESS##*:}" 10 ||
  die "the exporter did not start: $(tail -3 "$STATE/exporter.log")"

metrics=$(curl -fsS "http://$EXPORTER_ADDRESS/metrics") || die "cannot scrape the exporter"
value() { awk -v name="$1" '$1 ~ "^"name"([{]|$)" {print $2; exit}' <<<"$metrics"; }
healthy=true
summary() {  # label metric expected
  local got
  got=$(value "$2")
  if [ "$got" = "$3" ]; then
    printf '  %-28s OK   (%s = %s)\n' "$1" "$2" "$got"
  else
    printf '  %-28s FAIL (%s = %s, want %s)\n' "$1" "$2" "${got:-absent}" "$3"
    healthy=false
  fi
}

cat <<EOF

onlyoffice-exporter is running against a real local stack.
  Landing page  http://$EXPORTER_ADDRESS/
  Metrics       http://$EXPORTER_ADDRESS/metrics
  Logs          $STATE/*.log

Health:
EOF
summary "Redis" redis_up 1
summary "Redis collector" onlyoffice_exporter_collector_success 1

if $check_only; then
  $healthy || exit 1
  exit 0
fi
echo
log "Press Ctrl-C to stop everything."
sleep infinity &
echo "$! sleep" >>"$STATE/pids"  # so stop_all ends it too
wait $!
