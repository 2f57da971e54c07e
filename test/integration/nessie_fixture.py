"""Project Nessie 0.99 (Iceberg REST under /iceberg) on free loopback ports, for tests.

Installed by test/peers/install-nessie.sh (needs Java >= 21; `nessie_java()` is None without one,
and the tests skip with that reason). Nessie's warehouses must be object stores, so it runs on
s3_fixture's S3Proxy (signatures enforced) with its warehouse in one bucket of that server:

    with S3Proxy() as s3:
        nessie = NessieServer(workdir, s3, s3.create_bucket("lake"), java).start()
"""

from __future__ import annotations

import os
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


class NessieServer:
    def __init__(self, workdir: Path, s3, bucket: str, java: str, prefix: str = ""):
        """`s3`: an s3_fixture.S3Proxy (running); `bucket`: an existing bucket of it; the
        warehouse is s3://bucket/prefix (prefix empty or ending in '/')."""
        self.workdir, self.s3, self.bucket, self.java = Path(workdir), s3, bucket, java
        self.location = f"s3://{bucket}/{prefix}"
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
             f"-Dnessie.catalog.warehouses.warehouse.location={self.location}",
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
