"""Project Nessie 0.99 (Iceberg REST under /iceberg) on free loopback ports, for tests.

Installed by test/peers/install-nessie.sh (needs Java >= 21; `nessie_java()` is None without one,
and the tests skip with that reason). Nessie's warehouses must be object stores, so it needs an
S3 server: any object with endpoint, access_key, secret_key and bucket attributes. Until the
shared S3 fixture lands, `S3ProxyServer` starts S3Proxy the way /work/shared/peers/start-s3proxy.sh
does (filesystem backend, signatures enforced); swap it for s3_fixture's server by passing that.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from rest_fixture import cache_dir, free_port, wait_http


def nessie_jar() -> Path:
    return cache_dir() / "nessie" / "nessie-quarkus-runner.jar"


def nessie_java() -> str | None:
    """A Java >= 21 to run Nessie, or None."""
    recorded = cache_dir() / "nessie" / "java"
    candidates = [recorded.read_text().strip()] if recorded.exists() else []
    candidates += ["/usr/lib/jvm/temurin-25-jdk-amd64/bin/java", "/usr/lib/jvm/java-21-openjdk-amd64/bin/java"]
    for java in candidates:
        if not java or not os.access(java, os.X_OK):
            continue
        out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
        try:
            major = int(out.split('"')[1].split(".")[0])
        except (IndexError, ValueError):
            continue
        if major >= 21:
            return java
    return None


class S3ProxyServer:
    """S3Proxy 4.1 from ${BRAID_CACHE}/s3proxy/lib on a free port, one bucket."""

    access_key, secret_key, bucket = "testkey", "testsecret", "warehouse"

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.proc = None

    @staticmethod
    def libs() -> Path:
        return cache_dir() / "s3proxy" / "lib"

    def start(self) -> "S3ProxyServer":
        data = self.workdir / "s3proxy-data"
        (data / self.bucket).mkdir(parents=True, exist_ok=True)
        conf = self.workdir / "s3proxy.conf"
        conf.write_text(
            "s3proxy.authorization=aws-v2-or-v4\n"
            f"s3proxy.endpoint={self.endpoint}\n"
            f"s3proxy.identity={self.access_key}\ns3proxy.credential={self.secret_key}\n"
            "jclouds.provider=filesystem\n"
            f"jclouds.filesystem.basedir={data}\n"
            "jclouds.identity=unused\njclouds.credential=unused\n")
        self.log = self.workdir / "s3proxy.log"
        self.proc = subprocess.Popen(
            [shutil.which("java") or "java", "-Xmx256m", "-cp", f"{self.libs()}/*", "org.gaul.s3proxy.Main",
             "--properties", str(conf)],
            stdout=self.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        self._wait()
        return self

    def _wait(self):
        import socket
        import time
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"s3proxy exited: {self.log.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("s3proxy did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


class NessieServer:
    def __init__(self, workdir: Path, s3, java: str):
        self.workdir, self.s3, self.java = Path(workdir), s3, java
        self.port, self.mgmt_port = free_port(), free_port()
        self.api_uri = f"http://127.0.0.1:{self.port}/api/v2"
        self.iceberg_uri = f"http://127.0.0.1:{self.port}/iceberg"
        self.proc = None

    def start(self) -> "NessieServer":
        s3 = self.s3
        self.log = self.workdir / "nessie.log"
        self.proc = subprocess.Popen(
            [self.java, "-Xmx512m",
             "-Dquarkus.http.host=127.0.0.1", f"-Dquarkus.http.port={self.port}",
             "-Dquarkus.management.host=127.0.0.1", f"-Dquarkus.management.port={self.mgmt_port}",
             "-Dnessie.version.store.type=IN_MEMORY",
             "-Dnessie.catalog.default-warehouse=warehouse",
             f"-Dnessie.catalog.warehouses.warehouse.location=s3://{s3.bucket}/",
             f"-Dnessie.catalog.service.s3.default-options.endpoint={s3.endpoint}",
             "-Dnessie.catalog.service.s3.default-options.path-style-access=true",
             "-Dnessie.catalog.service.s3.default-options.region=us-east-1",
             "-Dnessie.catalog.service.s3.default-options.access-key=urn:nessie-secret:quarkus:braid-s3",
             f"-Dbraid-s3.name={s3.access_key}", f"-Dbraid-s3.secret={s3.secret_key}",
             "-jar", str(nessie_jar())],
            stdout=self.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        wait_http(self.iceberg_uri + "/v1/config", self.proc, self.log, timeout=90)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
