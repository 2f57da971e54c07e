#!/usr/bin/env bash
# Installs PostgreSQL from Debian (the SQL catalog's server in test_sql_catalog.py) unless
# initdb, pg_ctl and postgres are already there. The tests start their own throwaway cluster
# (test/integration/postgres_fixture.py); the package's default cluster is not used.
# Usage: test/peers/install-postgres.sh
set -euo pipefail

log() { echo "[setup] $*" >&2; }

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && { echo "$d"; return 0; }
  done
  return 1
}

if dir="$(pg_bin)"; then
  log "postgresql present ($dir)"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  log "PostgreSQL is missing: install the Debian package postgresql (as root), then re-run"
  exit 1
fi
log "apt-get install postgresql"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
dir="$(pg_bin)"
log "postgresql installed ($dir)"
