#!/usr/bin/env bash
# Installs S3Proxy 4.1.0 (Maven Central org.gaul:s3proxy) into ${BRAID_CACHE:-<repo>/.cache}/s3proxy/lib.
# S3Proxy's own build imports the Jackson 3 BOM; without that import Maven resolves
# jackson-annotations 2.x and S3Proxy fails at start (ClassNotFoundException JsonSerializeAs).
# Idempotent: a marker holding the hash of the POM skips a finished install.
# Usage: test/peers/install-s3proxy.sh [--force]
set -euo pipefail
PEERS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$PEERS/../.." && pwd)"
CACHE="${BRAID_CACHE:-$REPO/.cache}"
DIR="$CACHE/s3proxy"
MARK="$DIR/.installed"
mkdir -p "$DIR"

POM='<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>braid.peers</groupId><artifactId>s3proxy-run</artifactId><version>1</version><packaging>pom</packaging>
<dependencyManagement><dependencies><dependency><groupId>tools.jackson</groupId><artifactId>jackson-bom</artifactId>
  <version>3.2.2</version><type>pom</type><scope>import</scope></dependency></dependencies></dependencyManagement>
<dependencies><dependency><groupId>org.gaul</groupId><artifactId>s3proxy</artifactId><version>4.1.0</version></dependency></dependencies>
</project>'
want="$(printf '%s' "$POM" | sha256sum | cut -c1-16)"
if [ "${1:-}" != "--force" ] && [ -f "$MARK" ] && [ "$(cat "$MARK")" = "$want" ] && [ -d "$DIR/lib" ]; then
  echo "[setup] s3proxy up to date ($DIR/lib)" >&2
  exit 0
fi
echo "[setup] fetching S3Proxy 4.1.0 from Maven Central ..." >&2
printf '%s\n' "$POM" > "$DIR/pom.xml"
rm -rf "$DIR/lib.tmp"
if ! mvn -q -B -Dstyle.color=never -f "$DIR/pom.xml" -Dmaven.repo.local="$CACHE/m2" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$DIR/lib.tmp" \
    > "$DIR/mvn.log" 2>&1; then
  cat "$DIR/mvn.log" >&2
  echo "[setup] mvn failed fetching S3Proxy (log: $DIR/mvn.log)" >&2
  exit 1
fi
ls "$DIR/lib.tmp"/s3proxy-4.1.0.jar >/dev/null
rm -rf "$DIR/lib"
mv "$DIR/lib.tmp" "$DIR/lib"
echo "$want" > "$MARK"
echo "[setup] s3proxy installed: $(ls "$DIR/lib" | wc -l) jars" >&2
