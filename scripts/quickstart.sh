#!/usr/bin/env bash
# The README's first Quick start command: on a fresh Debian 12 machine, installs what is needed,
# builds the exporter, starts a real local stack and the exporter watching it, says where to
# look, and stops everything cleanly on Ctrl-C. A second run starts from a clean slate.
#
#   scripts/quickstart.sh            build, start, print the summary, run until Ctrl-C
#   scripts/quickstart.sh --check    the same, but stop after the summary (exit 1 if unhealthy)
#   --no-build                       use the binaries already built (tests pass them in)
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
EXPORTER=${OOE_EXPORTER_BINARY:-$ROOT/build/user/exporter/onlyoffice-exporter}
STANDIN=${OOE_STANDIN_BINARY:-$ROOT/build/user/tools/documentserver-standin/documentserver-standin}
FIXTURES=${OOE_DOCUMENTSERVER_FIXTURES:-$ROOT/../shared/fixtures/documentserver/docservice-9.4.0}
POSTGRES_SCHEMA=${OOE_POSTGRES_SCHEMA:-$ROOT/../shared/fixtures/postgresql/docservice-9.4.0-schema.sql}
PROJECT=onlyoffice  # the compose project the containers are named after
# What scripts/drill.sh changes (the rules and routing are the shipped ones by default; the
# drill points the receivers at its own webhook and, with --fast, shortens every for:).
RULES_DIR=${OOE_QUICKSTART_RULES_DIR:-$ROOT/alerts}
ALERTMANAGER_CONFIG=${OOE_QUICKSTART_ALERTMANAGER_CONFIG:-$ROOT/alerts/alertmanager.yml}
NGINX_READ_TIMEOUT=${OOE_QUICKSTART_NGINX_READ_TIMEOUT:-60s}  # Document Server leaves nginx's default
SCRAPE_INTERVAL=${OOE_QUICKSTART_SCRAPE_INTERVAL:-5s}
read -r -a EXTRA_EXPORTER_FLAGS <<<"${OOE_QUICKSTART_EXPORTER_FLAGS:-}"

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

# Podman refuses a runroot over 50 characters and a unix socket path has at most 107, so its
# run-time files go to a short directory named after $STATE (wherever a checkout lives).
SHORT_STATE=/tmp/ooe-qs-$(printf %s "$STATE" | sha256sum | cut -c1-12)
# Podman with everything under $STATE: its own storage, runc, cgroupfs, no registry.
PODMAN=(podman --root "$STATE/podman/root" --runroot "$SHORT_STATE/runroot"
  --tmpdir "$STATE/podman/tmp" --runtime runc --cgroup-manager cgroupfs --events-backend file)

# Stops whatever an earlier run left (its pids are in $STATE/pids), then removes its files.
stop_all() {
  if [ -d "$STATE/podman/root" ]; then
    "${PODMAN[@]}" rm -f -a -t 0 >/dev/null 2>&1 || true
  fi
  if [ -f "$STATE/pids" ]; then
    while read -r pid name; do
      if kill -0 "$pid" 2>/dev/null; then
        # PostgreSQL's SIGTERM waits for its clients to leave (the exporter keeps a connection):
        # SIGINT is its fast shutdown, which ends them.
        signal=TERM
        [ "$name" != postgres ] || signal=INT
        kill -s "$signal" "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        echo "stopped $name ($pid)"
      fi
    done < <(tac "$STATE/pids")
  fi
  # What Podman left mounted (overlay layers, shm), deepest first, so rm never walks into it.
  for dir in "$STATE" "$SHORT_STATE"; do
    [ -d "$dir" ] || continue
    awk -v prefix="$dir/" 'index($2, prefix) == 1 {print $2}' /proc/self/mounts | sort -r |
      while read -r target; do umount -l "$target" 2>/dev/null || true; done
  done
  rm -rf "$STATE" "$SHORT_STATE"
}

start() {  # name command... : runs it in the background, logs in $STATE/NAME.log
  local name=$1
  shift
  "$@" >>"$STATE/$name.log" 2>&1 &
  echo "$! $name" >>"$STATE/pids"
  # The command again, for whoever restarts it (scripts/drill.sh stops and starts components).
  mkdir -p "$STATE/commands"
  printf '%q ' "$@" >"$STATE/commands/$name"
}

# KEY=VALUE lines of $STATE/stack.env: where each part of the stack listens.
stack_env() { printf '%s=%q\n' "$1" "$2" >>"$STATE/stack.env"; }

stop_all >/dev/null
mkdir -p "$STATE" "$SHORT_STATE"
[ "$EXPORTER_ADDRESS" != auto ] || EXPORTER_ADDRESS=127.0.0.1:$(free_port)

if $build; then
  log "Installing packages (Debian) and building the exporter and the DocService stand-in"
  scripts/install-deps.sh build stack
  # The user preset: optimised, only these two programs, and no -Werror (a compiler's new
  # warning must not stop a user; CI builds every preset developers use with -Werror).
  cmake --preset user >/dev/null
  cmake --build --preset user -j "$(nproc)"
fi
[ -x "$EXPORTER" ] || die "no exporter binary at $EXPORTER (run without --no-build)"
[ -x "$STANDIN" ] || die "no documentserver-standin at $STANDIN (run without --no-build)"
[ -f "$FIXTURES/healthcheck-ok.body" ] || die "no Document Server replies in $FIXTURES"
[ -f "$POSTGRES_SCHEMA" ] || die "no Document Server schema at $POSTGRES_SCHEMA"

trap 'echo; log "Stopping"; stop_all; exit 0' INT TERM
trap 'stop_all >/dev/null' EXIT

log "Starting Redis"
REDIS_PORT=$(free_port)
start redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$STATE" --maxmemory 256mb
stack_env REDIS_PORT "$REDIS_PORT"
wait_for_port "$REDIS_PORT" 10 || die "redis-server did not start: $(tail -3 "$STATE/redis.log")"

log "Starting PostgreSQL with Document Server's schema"
POSTGRES_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$POSTGRES_BIN/postgres" ] || die "no PostgreSQL server in /usr/lib/postgresql/*/bin"
POSTGRES_PORT=$(free_port)
POSTGRES_DATA=$STATE/postgres/data
POSTGRES_SOCKETS=$SHORT_STATE/postgres  # a unix socket path has at most 107 characters
mkdir -p "$POSTGRES_DATA" "$POSTGRES_SOCKETS"
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then  # PostgreSQL refuses to run as root
  as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  chown -R postgres: "$STATE/postgres" "$POSTGRES_SOCKETS"
fi
"${as_postgres[@]}" "$POSTGRES_BIN/initdb" -D "$POSTGRES_DATA" -U postgres --auth=trust -E UTF8 \
  --no-sync --no-instructions >"$STATE/postgres-initdb.log" 2>&1 ||
  die "initdb failed: $(tail -3 "$STATE/postgres-initdb.log")"
# The superuser over the socket only; the exporter's role with its password over TCP.
printf 'local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n' >"$POSTGRES_DATA/pg_hba.conf"
start postgres "${as_postgres[@]}" "$POSTGRES_BIN/postgres" -D "$POSTGRES_DATA" -p "$POSTGRES_PORT" \
  -k "$POSTGRES_SOCKETS" -c listen_addresses=127.0.0.1 -c fsync=off
stack_env POSTGRES_PORT "$POSTGRES_PORT"
stack_env POSTGRES_SOCKETS "$POSTGRES_SOCKETS"
for _ in $(seq 1 100); do
  "$POSTGRES_BIN/pg_isready" -q -h "$POSTGRES_SOCKETS" -p "$POSTGRES_PORT" && break
  sleep 0.1
done
psql_postgres() { psql -X -q -v ON_ERROR_STOP=1 -h "$POSTGRES_SOCKETS" -p "$POSTGRES_PORT" -U postgres "$@"; }
psql_postgres -c 'CREATE DATABASE onlyoffice' >/dev/null 2>&1 ||
  die "postgres did not start: $(tail -3 "$STATE/postgres.log")"
psql_postgres -d onlyoffice -f "$POSTGRES_SCHEMA" >/dev/null || die "loading $POSTGRES_SCHEMA failed"
# The monitoring role the README describes: pg_monitor and SELECT on the two tables, no more.
head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$STATE/postgres-password"
psql_postgres -d onlyoffice >/dev/null <<SQL || die "creating the exporter's role failed"
CREATE ROLE exporter LOGIN PASSWORD '$(cat "$STATE/postgres-password")' IN ROLE pg_monitor;
GRANT SELECT ON task_result, doc_changes TO exporter;
SQL

log "Starting RabbitMQ with Document Server's queues"
AMQP_PORT=$(free_port)
RABBITMQ_PORT=$(free_port)
mkdir -p "$STATE/rabbitmq"
printf 'listeners.tcp.default = 127.0.0.1:%s\nmanagement.tcp.port = %s\nmanagement.tcp.ip = 127.0.0.1\n' \
  "$AMQP_PORT" "$RABBITMQ_PORT" >"$STATE/rabbitmq/rabbitmq.conf"
echo '[rabbitmq_management].' >"$STATE/rabbitmq/enabled_plugins"
# The node script itself, not Debian's wrapper (which switches to the rabbitmq user).
start rabbitmq env HOME="$STATE/rabbitmq" RABBITMQ_NODENAME="quickstart-$AMQP_PORT@localhost" \
  RABBITMQ_NODE_PORT="$AMQP_PORT" RABBITMQ_DIST_PORT="$(free_port)" \
  RABBITMQ_MNESIA_BASE="$STATE/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$STATE/rabbitmq/log" \
  RABBITMQ_CONFIG_FILE="$STATE/rabbitmq/rabbitmq.conf" \
  RABBITMQ_ENABLED_PLUGINS_FILE="$STATE/rabbitmq/enabled_plugins" \
  RABBITMQ_PID_FILE="$STATE/rabbitmq/pid" /usr/lib/rabbitmq/bin/rabbitmq-server
RABBITMQ_API=http://127.0.0.1:$RABBITMQ_PORT/api
stack_env RABBITMQ_API "$RABBITMQ_API"
stack_env AMQP_PORT "$AMQP_PORT"
stack_env RABBITMQ_NODENAME "quickstart-$AMQP_PORT@localhost"
for _ in $(seq 1 240); do
  curl -fs -u guest:guest "$RABBITMQ_API/overview" >/dev/null && break
  sleep 0.25
done
curl -fs -u guest:guest "$RABBITMQ_API/overview" >/dev/null ||
  die "rabbitmq-server did not start: $(tail -3 "$STATE/rabbitmq.log")"
# docservice's and the converters' topology: conversions, their dead letters, pub/sub.
curl -fsS -u guest:guest -H 'Content-Type: application/json' -X POST "$RABBITMQ_API/definitions" \
  -d @- >/dev/null <<'JSON' || die "declaring Document Server's queues failed"
{"exchanges": [
  {"name": "ds.exchangeconvertdead", "vhost": "/", "type": "fanout", "durable": true,
   "auto_delete": false, "arguments": {}},
  {"name": "ds.pubsub", "vhost": "/", "type": "fanout", "durable": true, "auto_delete": false,
   "arguments": {}}],
 "queues": [
  {"name": "ds.converttask", "vhost": "/", "durable": true, "auto_delete": false,
   "arguments": {"x-max-priority": 10, "x-message-ttl": 900000,
                 "x-dead-letter-exchange": "ds.exchangeconvertdead"}},
  {"name": "ds.convertdead", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {}},
  {"name": "ds.convertresponse", "vhost": "/", "durable": true, "auto_delete": false,
   "arguments": {}},
  {"name": "ds.delayed", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {}}],
 "bindings": [
  {"source": "ds.exchangeconvertdead", "vhost": "/", "destination": "ds.convertdead",
   "destination_type": "queue", "routing_key": "", "arguments": {}}]}
JSON
# A converter consuming ds.converttask, as FileConverter does (Debian's python3-pika).
start converter /usr/bin/python3 -c '
import sys, pika
channel = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", int(sys.argv[1]))).channel()
channel.basic_consume("ds.converttask", lambda ch, method, props, body: ch.basic_ack(method.delivery_tag))
channel.start_consuming()' "$AMQP_PORT"

log "Starting a Podman API service with the $PROJECT compose project's containers"
ROOTFS=$STATE/podman/rootfs
mkdir -p "$ROOTFS/bin" "$ROOTFS/tmp" "$ROOTFS/etc" "$ROOTFS/proc" "$ROOTFS/sys" "$ROOTFS/dev"
cp /bin/busybox "$ROOTFS/bin/busybox"
for applet in sh sleep dd cat true head; do ln -s busybox "$ROOTFS/bin/$applet"; done
echo 'root:x:0:0:root:/:/bin/sh' >"$ROOTFS/etc/passwd"
PODMAN_SOCKET=$SHORT_STATE/podman.sock
stack_env PODMAN_SOCKET "$PODMAN_SOCKET"
stack_env PODMAN "${PODMAN[*]}"
start podman "${PODMAN[@]}" system service --time=0 "unix://$PODMAN_SOCKET"
for _ in $(seq 1 100); do
  curl -fs --unix-socket "$PODMAN_SOCKET" http://localhost/_ping >/dev/null && break
  sleep 0.1
done
curl -fs --unix-socket "$PODMAN_SOCKET" http://localhost/_ping >/dev/null ||
  die "podman system service did not start: $(tail -3 "$STATE/podman.log")"
tar -C "$ROOTFS" -c . | "${PODMAN[@]}" import - localhost/busybox:quickstart >/dev/null
run_container() {  # service cpus memory command...
  local service=$1 cpus=$2 memory=$3
  shift 3
  "${PODMAN[@]}" run -d --name "$PROJECT-$service-1" --network none \
    --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --cpus "$cpus" --memory "$memory" \
    --label "com.docker.compose.project=$PROJECT" --label "com.docker.compose.service=$service" \
    localhost/busybox:quickstart "$@" >/dev/null || die "podman run $PROJECT-$service-1 failed"
}
# Small real workloads: a little CPU every second, some memory held, an idle database.
run_container documentserver 0.5 256m \
  sh -c 'while :; do i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 1; done'
run_container converter 0.5 128m sh -c 'dd if=/dev/zero bs=1M count=32 2>/dev/null | sleep 86400'
run_container postgresql 0.5 128m sleep 86400

log "Starting nginx as Document Server configures it, in front of the DocService stand-in"
STANDIN_PORT=$(free_port)
NGINX_PORT=$(free_port)
# Document Server's log directory as the packaged image lays it out (/var/log/onlyoffice): the
# inner nginx's error log, docservice's out.log (the stand-in writes it), the converter's.
DS_LOGS=$STATE/logs/documentserver
mkdir -p "$DS_LOGS/docservice" "$DS_LOGS/converter"
touch "$DS_LOGS/converter/out.log"
stack_env DS_LOG_DIR "$STATE/logs"
# JWT on, as Document Server has it since 7.2, with a secret of this run's own (never an example
# one: the exporter pages on that).
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$STATE/jwt-secret"
start documentserver-standin "$STANDIN" --listen "127.0.0.1:$STANDIN_PORT" --fixtures "$FIXTURES" \
  --jwt-secret-file "$STATE/jwt-secret" --log-file "$DS_LOGS/docservice/out.log"
stack_env STANDIN_PORT "$STANDIN_PORT"
stack_env NGINX_PORT "$NGINX_PORT"
wait_for_port "$STANDIN_PORT" 10 ||
  die "the stand-in did not start: $(tail -3 "$STATE/documentserver-standin.log")"
mkdir -p "$STATE/nginx/www/web-apps/apps/api/documents"
# The file every editor's page loads first (the real one is Document Server's API script).
printf 'window.DocsAPI = window.DocsAPI || {};\n' >"$STATE/nginx/www/web-apps/apps/api/documents/api.js"
user_line=""
[ "$(id -u)" -ne 0 ] || user_line="user root;"  # workers as nobody could not enter $STATE
sed -e "s|@USER@|$user_line|" -e "s|@PREFIX@|$STATE/nginx|g" -e "s|@LISTEN@|127.0.0.1:$NGINX_PORT|" \
  -e "s|@UPSTREAM@|127.0.0.1:$STANDIN_PORT|" -e "s|@READ_TIMEOUT@|$NGINX_READ_TIMEOUT|" \
  -e "s|@ERROR_LOG@|$DS_LOGS/nginx.error.log|" \
  tools/documentserver-standin/nginx.conf.in >"$STATE/nginx/nginx.conf"
start nginx nginx -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" -e "$DS_LOGS/nginx.error.log" \
  -g 'daemon off;'
wait_for_port "$NGINX_PORT" 10 || die "nginx did not start: $(tail -3 "$STATE/nginx.log")"

log "Starting the edge proxy (deploy/compose's) in front of Document Server's nginx"
EDGE_PORT=$(free_port)
EDGE_STATUS_PORT=$(free_port)
stack_env EDGE_PORT "$EDGE_PORT"
mkdir -p "$STATE/edge"
# The compose stack's own file; Document Server's address stands in for its name (the compose
# network's DNS at 127.0.0.11 is not here, and an address in the variable needs no lookup).
{
  printf '%s\nworker_processes 1;\npid %s/nginx.pid;\nevents { worker_connections 1024; }\nhttp {\n' \
    "$user_line" "$STATE/edge"
  printf '  access_log off;\n'
  for temp in client_body proxy fastcgi uwsgi scgi; do printf '  %s_temp_path %s/%s;\n' "$temp" "$STATE/edge" "$temp"; done
  sed -e "s|listen 80;|listen 127.0.0.1:$EDGE_PORT;|" -e "s|listen 8080;|listen 127.0.0.1:$EDGE_STATUS_PORT;|" \
    -e "s|http://documentserver;|http://127.0.0.1:$NGINX_PORT;|" deploy/compose/nginx/documentserver.conf
  printf '}\n'
} >"$STATE/edge/nginx.conf"
start edge nginx -p "$STATE/edge" -c "$STATE/edge/nginx.conf" -e "$STATE/edge/error.log" \
  -g 'daemon off;'
wait_for_port "$EDGE_PORT" 10 || die "the edge nginx did not start: $(tail -3 "$STATE/edge.log")"

log "Writing the exporter's configuration"
cat >"$STATE/exporter.yml" <<YAML
# onlyoffice-exporter configuration written by scripts/quickstart.sh
collectors:
  redis:
    targets:
      - name: documentserver-redis
        address: redis://127.0.0.1:$REDIS_PORT
  postgres:
    targets:
      - name: documentserver-postgres
        dsn: host=127.0.0.1 port=$POSTGRES_PORT dbname=onlyoffice user=exporter
        password_file: $STATE/postgres-password
  rabbitmq:
    targets:
      - name: documentserver-rabbitmq
        url: http://127.0.0.1:$RABBITMQ_PORT
        username: guest
        password_env: QUICKSTART_RABBITMQ_PASSWORD
  docker:
    targets:
      - name: podman
        host: unix://$PODMAN_SOCKET
        label_filter: com.docker.compose.project=$PROJECT
  documentserver:
    targets:
      - name: documentserver
        url: http://127.0.0.1:$NGINX_PORT
        docservice_url: http://127.0.0.1:$STANDIN_PORT
        jwt_secret_file: $STATE/jwt-secret
        log_dir: $STATE/logs
      - name: edge
        url: http://127.0.0.1:$EDGE_PORT
        commands: []
        security_probes: false
  nginx:
    targets:
      - name: documentserver
        status_url: http://127.0.0.1:$NGINX_PORT/stub_status
      - name: edge
        status_url: http://127.0.0.1:$EDGE_STATUS_PORT/stub_status
YAML

log "Starting the exporter on $EXPORTER_ADDRESS"
start exporter env QUICKSTART_RABBITMQ_PASSWORD=guest "$EXPORTER" \
  --config.file="$STATE/exporter.yml" --web.listen-address="$EXPORTER_ADDRESS" \
  ${EXTRA_EXPORTER_FLAGS[@]+"${EXTRA_EXPORTER_FLAGS[@]}"}
wait_for_port "${EXPORTER_ADDRESS##*:}" 10 ||
  die "the exporter did not start: $(tail -3 "$STATE/exporter.log")"

log "Starting Prometheus with the bundled rules, and Alertmanager with the bundled routing"
ALERTMANAGER_PORT=$(free_port)
PROMETHEUS_PORT=$(free_port)
mkdir -p "$STATE/alertmanager" "$STATE/prometheus"
stack_env EXPORTER_ADDRESS "$EXPORTER_ADDRESS"
stack_env ALERTMANAGER_PORT "$ALERTMANAGER_PORT"
stack_env PROMETHEUS_PORT "$PROMETHEUS_PORT"
start alertmanager prometheus-alertmanager --config.file="$ALERTMANAGER_CONFIG" \
  --storage.path="$STATE/alertmanager" --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" \
  --cluster.listen-address=
{
  printf 'global:\n  scrape_interval: %s\n  evaluation_interval: %s\nrule_files:\n' \
    "$SCRAPE_INTERVAL" "$SCRAPE_INTERVAL"
  for rules in "$RULES_DIR"/*.rules.yml; do printf '  - %s\n' "$rules"; done
  printf 'alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ["127.0.0.1:%s"]\n' \
    "$ALERTMANAGER_PORT"
  printf 'scrape_configs:\n  - job_name: onlyoffice-exporter\n    static_configs:\n'
  printf '      - targets: ["%s"]\n' "$EXPORTER_ADDRESS"
} >"$STATE/prometheus/prometheus.yml"
start prometheus prometheus --config.file="$STATE/prometheus/prometheus.yml" \
  --storage.tsdb.path="$STATE/prometheus/data" --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
wait_for_port "$PROMETHEUS_PORT" 20 ||
  die "prometheus did not start: $(tail -3 "$STATE/prometheus.log")"
wait_for_port "$ALERTMANAGER_PORT" 20 ||
  die "alertmanager did not start: $(tail -3 "$STATE/alertmanager.log")"

# The converter's consumer and the first container stats take a few seconds to show.
for _ in $(seq 1 30); do
  metrics=$(curl -fsS "http://$EXPORTER_ADDRESS/metrics") || die "cannot scrape the exporter"
  grep -q '^rabbitmq_queue_consumers{.*queue="ds.converttask".*} 1$' <<<"$metrics" &&
    [ "$(grep -c '^container_running{.*} 1$' <<<"$metrics")" -eq 3 ] && break
  sleep 1
done
healthy=true
report() {  # label ok(true|false) detail
  if [ "$2" = true ]; then
    printf '  %-40s OK   %s\n' "$1" "$3"
  else
    printf '  %-40s FAIL %s\n' "$1" "$3"
    healthy=false
  fi
}
sample() {  # metric [text the series must contain]: its value, or "absent"
  awk -v name="$1" -v filter="${2:-}" '
    (index($1, name "{") == 1 || $1 == name) && index($1, filter) {print $2; found = 1; exit}
    END {if (!found) print "absent"}' <<<"$metrics"
}
check() {  # label metric filter expected
  local got
  got=$(sample "$2" "$3")
  report "$1" "$([ "$got" = "$4" ] && echo true || echo false)" "($2${3:+ $3} = $got)"
}
prometheus_value() {  # PromQL: the first value, or "absent"
  curl -fsG "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "absent")' \
      2>/dev/null || echo absent
}

cat <<SUMMARY

onlyoffice-exporter is running against a real local stack.
  Exporter       http://$EXPORTER_ADDRESS/   (metrics: /metrics)
  Prometheus     http://127.0.0.1:$PROMETHEUS_PORT/   (alerts: /alerts)
  Alertmanager   http://127.0.0.1:$ALERTMANAGER_PORT/
  RabbitMQ       http://127.0.0.1:$RABBITMQ_PORT/   (guest / guest)
  PostgreSQL     psql -h $POSTGRES_SOCKETS -p $POSTGRES_PORT -U postgres onlyoffice
  Document Server (nginx in front of the stand-in)   http://127.0.0.1:$NGINX_PORT/healthcheck
  Edge proxy in front of it                          http://127.0.0.1:$EDGE_PORT/healthcheck
  Document Server's logs                             $STATE/logs/documentserver/
  Logs           $STATE/*.log

Health:
SUMMARY
check "Document Server through nginx" onlyoffice_documentserver_healthcheck_up 'target="documentserver",via="nginx"' 1
check "docservice" onlyoffice_documentserver_healthcheck_up 'via="docservice"' 1
check "Redis" redis_up "" 1
check "PostgreSQL" pg_up "" 1
check "Document Server's schema in PostgreSQL" onlyoffice_documentserver_database_table_present \
  'table="task_result"' 1
check "RabbitMQ" rabbitmq_up "" 1
check "Converters on ds.converttask" rabbitmq_queue_consumers 'queue="ds.converttask"' 1
running=$(grep -c '^container_running{.*} 1$' <<<"$metrics" || true)
report "Containers running ($PROJECT project)" "$([ "$running" -eq 3 ] && echo true || echo false)" \
  "($running of 3)"
check "Document Server through the edge proxy" onlyoffice_documentserver_healthcheck_up \
  'target="edge",via="nginx"' 1
check "nginx of Document Server (stub_status)" nginx_up 'target="documentserver"' 1
check "Edge nginx (stub_status)" nginx_up 'target="edge"' 1
followed=$(grep -c '^onlyoffice_documentserver_log_file_open{.*} 1$' <<<"$metrics" || true)
report "Document Server's logs followed" "$([ "$followed" -eq 3 ] && echo true || echo false)" \
  "($followed of 3 in $STATE/logs)"
check "nginx upstream failures counted" onlyoffice_nginx_upstream_failures_total 'reason="refused"' 0
for collector in redis postgres rabbitmq docker documentserver nginx; do
  check "Collector $collector" onlyoffice_exporter_collector_success "collector=\"$collector\"" 1
done
target_up=absent
for _ in $(seq 1 40); do
  target_up=$(prometheus_value 'up{job="onlyoffice-exporter"}')
  [ "$target_up" = 1 ] && break
  sleep 0.5
done
report "Prometheus scrapes the exporter" "$([ "$target_up" = 1 ] && echo true || echo false)" \
  "(up = $target_up)"
rules=$(curl -fs "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/rules" |
  python3 -c 'import json, sys; print(sum(len(g["rules"]) for g in json.load(sys.stdin)["data"]["groups"]))' \
    2>/dev/null || echo 0)
report "Prometheus rules loaded" "$([ "$rules" -gt 0 ] && echo true || echo false)" "($rules rules)"
ready=$(curl -fs -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ALERTMANAGER_PORT/-/ready" || true)
report "Alertmanager ready" "$([ "$ready" = 200 ] && echo true || echo false)" "(HTTP $ready)"

if $check_only; then
  $healthy || exit 1
  exit 0
fi
echo
log "Press Ctrl-C to stop everything."
sleep infinity &
echo "$! sleep" >>"$STATE/pids"  # so stop_all ends it too
wait $!
