#!/usr/bin/env bash
# Installs what braid needs to build: Debian packages and DuckDB's prebuilt C library.
# Idempotent: a second run only checks. DuckDB is pinned and verified by checksum.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${BRAID_CACHE:-$repo/.cache}

packages=(cmake g++ make pkg-config librdkafka-dev libsimdjson-dev libcurl4-openssl-dev
          libtomlplusplus-dev libcli11-dev libfmt-dev nlohmann-json3-dev libsqlite3-dev libpq-dev
          libgtest-dev libbenchmark-dev libssl-dev zlib1g-dev liblz4-dev libzstd-dev
          libsnappy-dev libcpp-httplib-dev kcat
          unzip)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# DuckDB 1.4.4 (LTS): libduckdb.so from @duckdb/node-bindings-linux-x64, duckdb.h from duckdb.
duck=$cache/duckdb-1.4.4
if [[ ! -f $duck/libduckdb.so || ! -f $duck/duckdb.h ]]; then
  echo "setup: fetching DuckDB 1.4.4 from npm" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent @duckdb/node-bindings-linux-x64@1.4.4-r.4 duckdb@1.4.4 >/dev/null)
  sha256sum -c --quiet - <<SUMS
732fac4dc6b8f198870b9c4bb6ddf13544466daca00ad28ba2f1d80de5d7aa4b  $tmp/duckdb-node-bindings-linux-x64-1.4.4-r.4.tgz
5bb967dcbcd517670ba5f169f238fb9d6787e53752c60ebe24386169d76941ed  $tmp/duckdb-1.4.4.tgz
SUMS
  mkdir -p "$duck"
  tar -xzf "$tmp/duckdb-node-bindings-linux-x64-1.4.4-r.4.tgz" -C "$tmp" package/libduckdb.so
  mv "$tmp/package/libduckdb.so" "$duck/"
  tar -xzf "$tmp/duckdb-1.4.4.tgz" -C "$tmp" package/src/duckdb/src/include/duckdb.h
  mv "$tmp/package/src/duckdb/src/include/duckdb.h" "$duck/"
fi

# uPlot 1.6.32 (npm, pinned): the status page's charts, embedded in the binary (no CDN).
uplot=$cache/uplot-1.6.32
if [[ ! -f $uplot/uPlot.iife.min.js || ! -f $uplot/uPlot.min.css ]]; then
  echo "setup: fetching uPlot 1.6.32 from npm" >&2
  utmp=$(mktemp -d)
  (cd "$utmp" && npm pack --silent uplot@1.6.32 >/dev/null)
  sha256sum -c --quiet - <<SUMS
4b8a8191e425658e3ea8c8c1314b0fc679c861ee3a1af2b20c7b16ba50b5133d  $utmp/uplot-1.6.32.tgz
SUMS
  tar -xzf "$utmp/uplot-1.6.32.tgz" -C "$utmp" package/dist/uPlot.iife.min.js package/dist/uPlot.min.css package/LICENSE
  mkdir -p "$uplot"
  mv "$utmp/package/dist/uPlot.iife.min.js" "$utmp/package/dist/uPlot.min.css" "$utmp/package/LICENSE" "$uplot/"
  rm -rf "$utmp"
fi

# DuckDB's httpfs extension for 1.4.4, so `braid sql` reads s3:// Parquet directly: the PyPI
# wheel duckdb-ext-httpfs holds the same build DuckDB serves; checked by its pinned sha256.
httpfs=$duck/extensions/httpfs.duckdb_extension
if [[ ! -f $httpfs ]]; then
  echo "setup: fetching DuckDB's httpfs extension 1.4.4 from PyPI" >&2
  py=$cache/venv/bin/python
  [[ -x $py ]] || py=python3
  wtmp=$(mktemp -d)
  "$py" -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
      --platform manylinux_2_28_x86_64 -d "$wtmp" duckdb-ext-httpfs==1.4.4.20260205
  sha256sum -c --quiet - <<SUMS
c5ea47d6804910747e7816198168ce4ac100ca5f748d6a0e55ead994aa047329  $wtmp/duckdb_ext_httpfs-1.4.4.20260205-py3-none-manylinux_2_28_x86_64.whl
SUMS
  mkdir -p "$duck/extensions"
  unzip -q -o -j "$wtmp/duckdb_ext_httpfs-1.4.4.20260205-py3-none-manylinux_2_28_x86_64.whl" \
      duckdb_ext/extensions/v1.4.4/linux_amd64/httpfs.duckdb_extension -d "$wtmp/x"
  mv "$wtmp/x/httpfs.duckdb_extension" "$httpfs.tmp" && mv "$httpfs.tmp" "$httpfs"
  rm -rf "$wtmp"
fi
