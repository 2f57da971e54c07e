"""Apache Iceberg's REST catalog test server (RESTCatalogServer, Iceberg 1.10.1) for tests.

Installed by test/peers/install-iceberg-rest.sh into ${BRAID_CACHE:-.cache}/iceberg-rest/lib.
`RestFixture("file", workdir)` keeps tables in a local directory; `RestFixture("s3", workdir,
s3=server, bucket=name)` in a bucket of s3_fixture's S3Proxy (`server`, running).
Configuration is passed as CATALOG_* environment variables (the server strips CATALOG_, reads
"__" as "-" and "_" as "."). State lives in a SQLite file in `workdir` (the server's default,
an in-memory database, is per connection: under concurrent requests its pool opens a second,
empty one and answers 500 "no such table: iceberg_tables").
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def cache_dir() -> Path:
    return Path(os.environ.get("BRAID_CACHE", REPO / ".cache"))


def rest_libs() -> Path:
    return cache_dir() / "iceberg-rest" / "lib"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited {proc.returncode} before answering {url}:\n"
                               f"{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} after {timeout} s:\n{log.read_text()[-3000:]}")


class RestFixture:
    def __init__(self, mode: str, workdir: Path, s3=None, bucket: str | None = None):
        assert mode in ("file", "s3") and (mode == "file" or (s3 is not None and bucket))
        self.mode, self.workdir, self.s3, self.bucket = mode, Path(workdir), s3, bucket
        self.port = free_port()
        self.uri = f"http://127.0.0.1:{self.port}"
        self.warehouse = self.workdir / "rest-warehouse"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "RestFixture":
        if not list(rest_libs().glob("iceberg-open-api-*-test-fixtures.jar")):
            raise RuntimeError(f"no REST fixture jars in {rest_libs()}: run test/peers/setup.sh")
        env = dict(os.environ)
        env.update(CATALOG_REST_PORT=str(self.port), CATALOG_REST_HOST="127.0.0.1",
                   CATALOG_URI=f"jdbc:sqlite:file:{self.workdir / f'rest-catalog-{self.port}.db'}")
        if self.mode == "s3":
            env.update(CATALOG_WAREHOUSE=f"s3://{self.bucket}/fixture",
                       CATALOG_IO__IMPL="org.apache.iceberg.aws.s3.S3FileIO",
                       CATALOG_S3_ENDPOINT=self.s3.endpoint,
                       CATALOG_S3_PATH__STYLE__ACCESS="true",
                       CATALOG_S3_ACCESS__KEY__ID=self.s3.access_key,
                       CATALOG_S3_SECRET__ACCESS__KEY=self.s3.secret_key,
                       CATALOG_CLIENT_REGION="us-east-1", AWS_REGION="us-east-1")
        else:
            self.warehouse.mkdir(parents=True, exist_ok=True)
            env["CATALOG_WAREHOUSE"] = str(self.warehouse)
        self.log = self.workdir / f"iceberg-rest-{self.port}.log"
        java = shutil.which("java") or "java"
        self.proc = subprocess.Popen(
            [java, "-Xmx384m", "-cp", f"{rest_libs()}/*", "org.apache.iceberg.rest.RESTCatalogServer"],
            stdout=self.log.open("w"), stderr=subprocess.STDOUT, env=env, start_new_session=True)
        wait_http(self.uri + "/v1/config", self.proc, self.log)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def pyiceberg(self, uri: str | None = None):
        """pyiceberg's RestCatalog on this server (with S3 FileIO settings in s3 mode)."""
        from pyiceberg.catalog import load_catalog
        props = {}
        if self.mode == "s3":
            props = {"s3.endpoint": self.s3.endpoint, "s3.access-key-id": self.s3.access_key,
                     "s3.secret-access-key": self.s3.secret_key, "s3.region": "us-east-1",
                     "s3.path-style-access": "true", "py-io-impl": "pyiceberg.io.pyarrow.PyArrowFileIO"}
        return load_catalog("rest_fixture", type="rest", uri=uri or self.uri, **props)


class FaultProxy:
    """An HTTP proxy in front of a REST catalog that misbehaves on table commits
    (POST .../namespaces/{ns}/tables/{t}): `fault` is None (forward), "500-after-commit" (forward,
    then answer 500 whatever happened), or "drop-after-commit" (forward, then close the connection
    without an answer). `before_commit`, when set, runs once before the first commit is forwarded
    (to slip a concurrent writer in). `commits` counts commit requests seen."""

    def __init__(self, target: str, fault: str | None = None):
        import http.server
        import re
        import threading
        import urllib.error

        self.target, self.fault, self.commits, self.before_commit = target, fault, 0, None
        proxy = self
        # Nessie serves the REST API under /iceberg.
        commit_path = re.compile(r"^(/iceberg)?/v1/(.+/)?namespaces/[^/]+/tables/[^/?]+$")

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                is_commit = self.command == "POST" and commit_path.match(self.path.split("?")[0])
                if is_commit:
                    proxy.commits += 1
                    hook, proxy.before_commit = proxy.before_commit, None
                    if hook:
                        hook()
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
                req = urllib.request.Request(proxy.target + self.path, data=body, headers=headers, method=self.command)
                try:
                    with urllib.request.urlopen(req, timeout=30) as r:
                        status, payload = r.status, r.read()
                except urllib.error.HTTPError as e:
                    status, payload = e.code, e.read()
                # A server naming its own address (Nessie's /v1/config overrides `uri`) is
                # told to name the proxy, so that every call comes through it.
                payload = payload.replace(proxy.target.encode(), proxy.uri.encode())
                if is_commit and proxy.fault == "drop-after-commit":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if is_commit and proxy.fault == "500-after-commit":
                    status = 500
                    payload = b'{"error":{"message":"proxy lost the answer","type":"ServerError","code":500}}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = do_HEAD = forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.uri = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
