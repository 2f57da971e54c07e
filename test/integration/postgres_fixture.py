"""A throwaway PostgreSQL cluster for the SQL catalog tests.

initdb + pg_ctl in a temp directory, on a free loopback port, run as an unprivileged user
(PostgreSQL refuses to run as root: as root the cluster belongs to `nobody`). Password
authentication (scram-sha-256) on TCP, so tests can check a wrong password is refused.
Prerequisite: test/peers/install-postgres.sh (Debian's postgresql package).
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def pg_bin() -> Path | None:
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if all(os.access(f"{d}/{tool}", os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(d)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """start() initialises and starts the cluster; stop() stops it and deletes its files."""

    user = "braid"

    def __init__(self):
        self.bin = pg_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed: run test/peers/install-postgres.sh")
        self.password = "pw-" + secrets.token_hex(8)
        self.host = "127.0.0.1"
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="braid-pg-"))
        self.data = self.dir / "data"
        self.owner = "nobody" if os.geteuid() == 0 else None

    def _run(self, *args: str, **kw) -> subprocess.CompletedProcess:
        cmd = [*(["runuser", "-u", self.owner, "--"] if self.owner else []), *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True,
                              cwd=self.dir, **kw)

    def start(self) -> None:
        pwfile = self.dir / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self.owner:
            uid = pwd.getpwnam(self.owner).pw_uid
            os.chown(self.dir, uid, -1)
            os.chown(pwfile, uid, -1)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", self.user,
                  f"--pwfile={pwfile}", "--auth-local=trust", "--auth-host=scram-sha-256",
                  "-E", "UTF8", "--no-sync")
        pwfile.unlink()
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"),
                  "-w", "-t", "30", "start", "-o",
                  f"-p {self.port} -c listen_addresses={self.host} "
                  f"-c unix_socket_directories={self.dir} -c fsync=off")
        deadline = time.monotonic() + 20
        while True:
            try:
                self.connect("postgres").close()
                return
            except Exception:  # noqa: BLE001 - keep polling until the deadline
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                          "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def connect(self, database: str):
        import psycopg2
        conn = psycopg2.connect(host=self.host, port=self.port, user=self.user,
                                password=self.password, dbname=database, connect_timeout=5)
        conn.autocommit = True
        return conn

    def create_database(self, name: str) -> None:
        conn = self.connect("postgres")
        try:
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()

    def uri(self, database: str, driver: str = "postgresql+psycopg2", password: str | None = None) -> str:
        pw = self.password if password is None else password
        return f"{driver}://{self.user}:{pw}@{self.host}:{self.port}/{database}"
