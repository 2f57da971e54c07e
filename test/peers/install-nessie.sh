#!/usr/bin/env bash
# Installs Project Nessie 0.99.0's server (nessie-quarkus runner jar, Maven Central) into
# $CACHE/nessie/nessie-quarkus-runner.jar. Nessie needs Java >= 21: without one this prints why and
# skips (the Nessie tests then skip with the same reason). Idempotent (marker with the version).
# Usage: test/peers/install-nessie.sh [--force]
set -euo pipefail
PEERS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$PEERS/../.." && pwd)"
CACHE="${BRAID_CACHE:-$REPO/.cache}"
mkdir -p "$CACHE"; CACHE="$(cd "$CACHE" && pwd)"
VERSION=0.99.0
DIR="$CACHE/nessie"
MARK="$DIR/.installed"
log() { echo "[setup] $*" >&2; }
java21=""
for j in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64; do
  if [ -n "$j" ] && [ -x "$j/bin/java" ] && "$j/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
    java21="$j/bin/java"; break
  fi
done
if [ -z "$java21" ]; then
  log "SKIPPED nessie: no Java >= 21 found (set JAVA_HOME to one); the Nessie tests will skip"
  exit 0
fi
if [ "${1:-}" != "--force" ] && [ -f "$MARK" ] && [ "$(cat "$MARK")" = "$VERSION" ] && [ -f "$DIR/nessie-quarkus-runner.jar" ]; then
  log "nessie $VERSION up to date ($DIR)"
  exit 0
fi
log "fetching nessie-quarkus $VERSION runner jar (245 MB) from Maven Central ..."
mkdir -p "$DIR"
if ! mvn -q -B -Dstyle.color=never -Dmaven.repo.local="$CACHE/m2" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
    -Dartifact=org.projectnessie.nessie:nessie-quarkus:$VERSION:jar:runner \
    -DoutputDirectory="$DIR" -Dmdep.stripVersion=true > "$DIR/mvn.log" 2>&1; then
  cat "$DIR/mvn.log" >&2
  log "mvn failed (log: $DIR/mvn.log)"
  exit 1
fi
ls "$DIR"/nessie-quarkus*.jar >/dev/null
[ -f "$DIR/nessie-quarkus-runner.jar" ] || mv "$(ls "$DIR"/nessie-quarkus*.jar | head -1)" "$DIR/nessie-quarkus-runner.jar"
# Its jar stays in $CACHE/m2 too; keep one copy.
rm -f "$CACHE/m2/org/projectnessie/nessie/nessie-quarkus/$VERSION/"*.jar
echo "$java21" > "$DIR/java"
echo "$VERSION" > "$MARK"
log "nessie $VERSION installed ($DIR/nessie-quarkus-runner.jar)"
