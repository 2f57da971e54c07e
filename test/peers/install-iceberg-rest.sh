#!/usr/bin/env bash
# Installs Apache Iceberg's REST catalog test server (RESTCatalogServer, Iceberg 1.10.1) from Maven
# Central into $CACHE/iceberg-rest/lib (see iceberg-rest-pom.xml). Idempotent: skipped when the marker
# holds the pom's hash. Java 17 runs it: test/integration/rest_fixture.py starts it.
# Usage: test/peers/install-iceberg-rest.sh [--force]
set -euo pipefail
PEERS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$PEERS/../.." && pwd)"
CACHE="${BRAID_CACHE:-$REPO/.cache}"
mkdir -p "$CACHE"; CACHE="$(cd "$CACHE" && pwd)"
DIR="$CACHE/iceberg-rest"
MARK="$DIR/.installed"
hash="$(sha256sum < "$PEERS/iceberg-rest-pom.xml" | cut -c1-16)"
log() { echo "[setup] $*" >&2; }
if [ "${1:-}" != "--force" ] && [ -f "$MARK" ] && [ "$(cat "$MARK")" = "$hash" ]; then
  log "iceberg REST fixture up to date ($DIR/lib)"
  exit 0
fi
log "fetching the iceberg REST fixture jars from Maven Central ..."
mkdir -p "$DIR"
rm -rf "$DIR/lib.tmp"
if ! mvn -q -B -Dstyle.color=never -f "$PEERS/iceberg-rest-pom.xml" -Dmaven.repo.local="$CACHE/m2" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$DIR/lib.tmp" \
    > "$DIR/mvn.log" 2>&1; then
  cat "$DIR/mvn.log" >&2
  log "mvn failed (log: $DIR/mvn.log)"
  exit 1
fi
ls "$DIR/lib.tmp"/iceberg-open-api-*-test-fixtures.jar >/dev/null
rm -rf "$DIR/lib"
mv "$DIR/lib.tmp" "$DIR/lib"
echo "$hash" > "$MARK"
log "iceberg REST fixture installed: $(ls "$DIR/lib" | wc -l) jars"
