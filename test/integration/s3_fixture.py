"""S3Proxy 4.1.0 (filesystem backend, SigV4 enforced) on a free loopback port, for tests.

The jars come from test/peers/install-s3proxy.sh (``$BRAID_CACHE/s3proxy/lib``). Each server
gets a fresh temporary data directory and a known key/secret. ``stop()`` then ``start()``
brings the same server back on the same port with the same data (fault tests).

    with S3Proxy() as s3:
        s3.create_bucket("wh")
        s3.client().put_object(Bucket="wh", Key="k", Body=b"v")
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from kafka_fixture import cache_dir, free_port

START_TIMEOUT_S = 60.0


def s3proxy_libs() -> Path:
    return cache_dir() / "s3proxy" / "lib"


class S3Proxy:
    def __init__(self, access_key: str = "braidtestkey", secret_key: str = "braid-test-secret-Zq8"):
        self.access_key = access_key
        self.secret_key = secret_key
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.dir = Path(tempfile.mkdtemp(prefix="braid-s3proxy-"))
        (self.dir / "data").mkdir()
        self.log_path = self.dir / "s3proxy.log"
        self.proc: subprocess.Popen | None = None
        self._write_config()

    def _write_config(self) -> None:
        (self.dir / "s3proxy.conf").write_text(
            "s3proxy.authorization=aws-v2-or-v4\n"
            f"s3proxy.endpoint={self.endpoint}\n"
            f"s3proxy.identity={self.access_key}\n"
            f"s3proxy.credential={self.secret_key}\n"
            "jclouds.provider=filesystem\n"
            f"jclouds.filesystem.basedir={self.dir / 'data'}\n"
            "jclouds.identity=unused\njclouds.credential=unused\n")
        (self.dir / "logback.xml").write_text(
            '<configuration><appender name="O" class="ch.qos.logback.core.ConsoleAppender"><encoder>'
            "<pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder></appender>"
            '<root level="WARN"><appender-ref ref="O"/></root></configuration>')

    def start(self) -> "S3Proxy":
        if not (s3proxy_libs() / "s3proxy-4.1.0.jar").exists():
            raise RuntimeError(f"no S3Proxy jars in {s3proxy_libs()}: run test/peers/setup.sh")
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            ["java", "-Xmx256m", f"-Dlogback.configurationFile={self.dir / 'logback.xml'}",
             "-cp", f"{s3proxy_libs()}/*", "org.gaul.s3proxy.Main",
             "--properties", str(self.dir / "s3proxy.conf")],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"S3Proxy exited {self.proc.returncode}: {self.log_path.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"S3Proxy not ready on {self.endpoint} after {START_TIMEOUT_S}s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "S3Proxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def client(self):
        import boto3
        from botocore.config import Config
        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key, region_name="us-east-1",
                            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}))

    def create_bucket(self, name: str) -> str:
        self.client().create_bucket(Bucket=name)
        return name

    def properties(self, bucket: str, prefix: str = "wh") -> dict[str, str]:
        """Iceberg catalog properties for a warehouse in `bucket`."""
        return {"warehouse": f"s3://{bucket}/{prefix}", "s3.endpoint": self.endpoint,
                "s3.access-key-id": self.access_key, "s3.secret-access-key": self.secret_key,
                "s3.region": "us-east-1", "s3.path-style-access": "true"}

    def env(self) -> dict[str, str]:
        """The AWS environment variables naming this server, added to os.environ."""
        return {**os.environ, "AWS_ENDPOINT_URL_S3": self.endpoint, "AWS_ACCESS_KEY_ID": self.access_key,
                "AWS_SECRET_ACCESS_KEY": self.secret_key, "AWS_REGION": "us-east-1"}
