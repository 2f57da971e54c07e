#!/usr/bin/env bash
# Installs the test peers into ${BRAID_CACHE:-<repo>/.cache}:
#   $CACHE/kafka/libs   Apache Kafka broker + tools jars (Maven Central, see kafka-pom.xml)
#   $CACHE/m2           Maven local repository used to fetch them
#   $CACHE/venv         Python venv with test/peers/requirements.txt
# Idempotent: each part writes a marker holding the hash of its inputs and is
# skipped when the marker matches, so a warm run takes well under a second.
# Usage: test/peers/setup.sh [--force]
set -euo pipefail

PEERS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$PEERS/../.." && pwd)"
CACHE="${BRAID_CACHE:-$REPO/.cache}"
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"
# Keep the cache out of git even without a root .gitignore entry.
[ -f "$CACHE/.gitignore" ] || echo '*' > "$CACHE/.gitignore"

FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1

log() { echo "[setup] $*" >&2; }

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

up_to_date() { # marker expected-hash
  [ "$FORCE" = 0 ] && [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]
}

# --- system tools (present on the project image; installed if missing) -----
need_pkgs=()
command -v java >/dev/null || need_pkgs+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need_pkgs+=(maven)
command -v kcat >/dev/null || need_pkgs+=(kcat)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_pkgs+=(python3-venv)
# Headless Chromium renders braid's status page (test_status_page.py).
command -v chromium >/dev/null || need_pkgs+=(chromium)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "apt-get install ${need_pkgs[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
  else
    log "missing system packages: ${need_pkgs[*]} (install them, then re-run)"
    exit 1
  fi
fi

# --- PostgreSQL (the SQL catalog tests' server) ---------------------------------
"$PEERS/install-postgres.sh"

# --- Kafka broker jars --------------------------------------------------------
KAFKA_DIR="$CACHE/kafka"
KAFKA_MARK="$KAFKA_DIR/.installed"
kafka_hash="$(hash_of "$PEERS/kafka-pom.xml")"
if up_to_date "$KAFKA_MARK" "$kafka_hash"; then
  log "kafka jars up to date ($KAFKA_DIR/libs)"
else
  log "fetching kafka jars from Maven Central ..."
  rm -rf "$KAFKA_DIR/libs.tmp"
  mkdir -p "$KAFKA_DIR"
  if ! mvn -q -B -Dstyle.color=never -f "$PEERS/kafka-pom.xml" \
      -Dmaven.repo.local="$CACHE/m2" \
      dependency:copy-dependencies \
      -DincludeScope=runtime \
      -DoutputDirectory="$KAFKA_DIR/libs.tmp" > "$KAFKA_DIR/mvn.log" 2>&1; then
    cat "$KAFKA_DIR/mvn.log" >&2
    log "mvn failed (log: $KAFKA_DIR/mvn.log)"
    exit 1
  fi
  ls "$KAFKA_DIR/libs.tmp"/kafka_2.13-*.jar >/dev/null
  rm -rf "$KAFKA_DIR/libs"
  mv "$KAFKA_DIR/libs.tmp" "$KAFKA_DIR/libs"
  echo "$kafka_hash" > "$KAFKA_MARK"
  log "kafka jars installed: $(ls "$KAFKA_DIR/libs" | wc -l) jars"
fi

# --- Python venv ----------------------------------------------------------------
VENV="$CACHE/venv"
VENV_MARK="$VENV/.installed"
venv_hash="$(hash_of "$PEERS/requirements.txt")"
if up_to_date "$VENV_MARK" "$venv_hash" && [ -x "$VENV/bin/python" ]; then
  log "venv up to date ($VENV)"
else
  log "installing python venv ..."
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
      -r "$PEERS/requirements.txt"
  "$VENV/bin/python" -c 'import confluent_kafka, kafka, pyiceberg, pyarrow, fastavro, duckdb, moto, pytest'
  echo "$venv_hash" > "$VENV_MARK"
  log "venv installed"
fi

# --- S3Proxy (S3 server for test/integration/test_s3_storage.py) ------------------
BRAID_CACHE="$CACHE" "$PEERS/install-s3proxy.sh"

# --- Iceberg REST catalog fixture and Nessie (REST catalog tests) ------------------
"$PEERS/install-iceberg-rest.sh"
"$PEERS/install-nessie.sh"

# --- Spark (only on request: `make test-spark`, or BRAID_SPARK=1) --------------------
if [ "${BRAID_SPARK:-0}" = 1 ]; then
  BRAID_CACHE="$CACHE" "$PEERS/install-spark.sh"
fi
