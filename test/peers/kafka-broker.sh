#!/usr/bin/env bash
# Starts a single-node KRaft Kafka broker in the foreground on a free loopback
# port (or --port N) with a fresh temp log dir. The first stdout line is the
# bootstrap address ("127.0.0.1:PORT"); Ctrl-C / SIGTERM stops the broker and
# removes the dir (unless --keep). Other options: --heap 1g, --workdir DIR,
# --set key=value (extra broker config). Needs test/peers/setup.sh first.
#   e.g.  coproc K { test/peers/kafka-broker.sh; }; read -r BOOTSTRAP <&"${K[0]}"
set -euo pipefail
PEERS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$PEERS/../.." && pwd)"
CACHE="${BRAID_CACHE:-$REPO/.cache}"
PY="$CACHE/venv/bin/python"
[ -x "$PY" ] || PY=python3
exec "$PY" "$REPO/test/integration/kafka_fixture.py" "$@"
