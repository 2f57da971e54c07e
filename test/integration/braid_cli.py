"""Running the braid binary from tests: the path, a broker process, JSON records read back."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def binary() -> str:
    return os.environ.get("BRAID_BINARY") or str(REPO / "build" / "braid")


def run(*args: str, timeout: float = 120, check: bool = True, **kw) -> subprocess.CompletedProcess:
    """Runs `braid ARGS`, returns the completed process (text mode)."""
    proc = subprocess.run([binary(), *args], capture_output=True, text=True, timeout=timeout, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"braid {' '.join(args)} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


class EmbeddedBroker:
    """`braid broker` in a subprocess; `bootstrap` is the first line it prints."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen([binary(), "broker", "--listen", "127.0.0.1:0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.bootstrap = self.proc.stdout.readline().strip()
        if not self.bootstrap:
            raise AssertionError(f"braid broker printed no address: {self.proc.stderr.read()}")

    def stop(self) -> int:
        self.proc.terminate()
        return self.proc.wait(timeout=10)


def read_topic(bootstrap: str, topic: str, timeout: float = 30) -> list[dict]:
    """Every record value of `topic`, parsed as JSON, read with kcat to the end."""
    out = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", topic, "-e", "-q", "-f", "%s\\n"],
                         capture_output=True, text=True, timeout=timeout, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line]


def read_log(bootstrap: str, topic: str, timeout: float = 30) -> dict:
    """What `topic` holds, read with kcat to the end: {(topic, partition, offset): value bytes}."""
    out = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", topic, "-e", "-q",
                          "-f", "%p %o %s\\n"],
                         capture_output=True, text=True, timeout=timeout, check=True).stdout
    log = {}
    for line in out.splitlines():
        if line:
            partition, offset, value = line.split(" ", 2)
            log[(topic, int(partition), int(offset))] = value.encode()
    return log


def wait_for(predicate, timeout: float = 30, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()
