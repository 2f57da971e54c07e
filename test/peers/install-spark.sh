#!/usr/bin/env bash
# Installs Spark for test/integration/test_spark.py (the notebook's own engine), only when asked:
# test/peers/setup.sh calls it when BRAID_SPARK=1, and `make test-spark` calls it directly.
#   $CACHE/venv                 + pyspark 4.0.1 (PyPI)
#   $CACHE/spark/jars           iceberg-spark-runtime-4.0_2.13 and iceberg-aws-bundle 1.10.0
#                               (Maven Central, through $CACHE/m2)
# Idempotent (a marker holding the versions). Usage: test/peers/install-spark.sh [--force]
set -euo pipefail
PEERS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$PEERS/../.." && pwd)"
CACHE="${BRAID_CACHE:-$REPO/.cache}"
mkdir -p "$CACHE"; CACHE="$(cd "$CACHE" && pwd)"
PYSPARK=4.0.1
ICEBERG=1.10.0
DIR="$CACHE/spark"
MARK="$DIR/.installed"
WANT="pyspark=$PYSPARK iceberg=$ICEBERG"
log() { echo "[setup] $*" >&2; }
VENV="$CACHE/venv"
if [ ! -x "$VENV/bin/python" ]; then
  log "no venv at $VENV: run test/peers/setup.sh first"
  exit 1
fi
if [ "${1:-}" != "--force" ] && [ -f "$MARK" ] && [ "$(cat "$MARK")" = "$WANT" ] \
    && "$VENV/bin/python" -c 'import pyspark' 2>/dev/null; then
  log "spark up to date ($DIR)"
  exit 0
fi
mkdir -p "$DIR/jars"
if ! "$VENV/bin/python" -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$PYSPARK')" 2>/dev/null; then
  log "installing pyspark $PYSPARK from PyPI (~430 MB) ..."
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "pyspark==$PYSPARK"
fi
for artifact in org.apache.iceberg:iceberg-spark-runtime-4.0_2.13:$ICEBERG \
                org.apache.iceberg:iceberg-aws-bundle:$ICEBERG; do
  log "fetching $artifact from Maven Central ..."
  if ! mvn -q -B -Dstyle.color=never -Dmaven.repo.local="$CACHE/m2" \
      org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
      -Dartifact="$artifact" -DoutputDirectory="$DIR/jars" > "$DIR/mvn.log" 2>&1; then
    cat "$DIR/mvn.log" >&2
    log "mvn failed (log: $DIR/mvn.log)"
    exit 1
  fi
done
ls "$DIR/jars/iceberg-spark-runtime-4.0_2.13-$ICEBERG.jar" "$DIR/jars/iceberg-aws-bundle-$ICEBERG.jar" >/dev/null
echo "$WANT" > "$MARK"
log "spark installed: pyspark $PYSPARK, $(ls "$DIR/jars" | wc -l) jars in $DIR/jars"
