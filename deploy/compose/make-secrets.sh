#!/bin/sh
# Creates the secret files docker-compose.yml reads, each a random hex string (hex: the RabbitMQ
# password goes into Document Server's AMQP URI unescaped). Keeps files that exist already.
# Usage: ./make-secrets.sh [DIR]   (default: secrets/ next to this script; the compose file
# reads ONLYOFFICE_SECRETS_DIR, default ./secrets)
set -eu
dir=${1:-$(dirname "$0")/secrets}
mkdir -p "$dir"
# The directory keeps other host users out; the files themselves must be readable by the
# containers' own users (postgres, grafana, uid 10981), which see them bind-mounted as they are.
chmod 0700 "$dir"
for name in postgres_password postgres_exporter_password rabbitmq_password rabbitmq_exporter_password jwt_secret \
  grafana_admin_password; do
  if [ ! -s "$dir/$name" ]; then
    od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$dir/$name"
    echo "created $dir/$name"
  fi
  chmod 0644 "$dir/$name"
done
