"""A real single-node Apache Kafka broker (KRaft, combined broker+controller)
for integration tests and benchmarks.

The jars come from test/peers/setup.sh (``$BRAID_CACHE/kafka/libs``, default
``<repo>/.cache/kafka/libs``). Each broker gets a fresh temporary log dir,
formatted with a random cluster id, and listens on free loopback ports.

    with KafkaBroker() as kafka:
        kafka.create_topic("orders", partitions=3)
        producer = confluent_kafka.Producer({"bootstrap.servers": kafka.bootstrap})

Run as a script (that is what test/peers/kafka-broker.sh does) it starts a
broker in the foreground, prints the bootstrap address as the first stdout
line and runs until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import atexit
import base64
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

START_TIMEOUT_S = 60.0
STARTED_MARKER = "Kafka Server started"


def cache_dir() -> Path:
    return Path(os.environ.get("BRAID_CACHE") or (REPO / ".cache")).resolve()


def kafka_libs() -> Path:
    return Path(os.environ.get("BRAID_KAFKA_LIBS") or (cache_dir() / "kafka" / "libs"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def random_cluster_id() -> str:
    # Kafka's Uuid text form: 16 random bytes, url-safe base64 without padding.
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    java = shutil.which("java")
    if not java:
        raise RuntimeError("java not found (install a JRE 17+, see test/peers/setup.sh)")
    return java


def _die_with_parent():
    # Linux: SIGKILL the broker if the process that started it dies, so a
    # killed pytest run leaves no orphan JVM behind.
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except Exception:
        pass


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "<no file>"


LOG4J2_TEMPLATE = """\
status = error
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = {log_file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = {level}
rootLogger.appenderRef.file.ref = FILE
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
logger.raftserver.name = kafka.server.KafkaRaftServer
logger.raftserver.level = INFO
"""


class KafkaBroker:
    """One KRaft node with roles broker+controller on 127.0.0.1.

    Attributes once started: ``bootstrap`` ("127.0.0.1:PORT"), ``port``,
    ``controller_port``, ``workdir`` (config, ``server.log``, ``data/``).
    """

    def __init__(
        self,
        port: int | None = None,
        workdir: str | os.PathLike | None = None,
        heap: str = "512m",
        extra_config: dict | None = None,
        start_timeout: float = START_TIMEOUT_S,
        keep_workdir: bool | None = None,
        log_level: str = "INFO",
        die_with_parent: bool = True,
    ):
        self._fixed_port = port
        self._given_workdir = Path(workdir) if workdir else None
        self.heap = heap
        self.extra_config = dict(extra_config or {})
        self.start_timeout = start_timeout
        if keep_workdir is None:
            keep_workdir = bool(os.environ.get("BRAID_KEEP_KAFKA_LOGS"))
        self.keep_workdir = keep_workdir
        self.log_level = log_level
        # PR_SET_PDEATHSIG fires when the *thread* that started the broker
        # exits: pass False when starting it from a short-lived thread.
        self.die_with_parent = die_with_parent
        self.libs = kafka_libs()
        self.workdir: Path | None = None
        self.port: int | None = None
        self.controller_port: int | None = None
        self.cluster_id: str | None = None
        self.proc: subprocess.Popen | None = None

    # -- public API -----------------------------------------------------------

    @property
    def bootstrap(self) -> str:
        if self.port is None:
            raise RuntimeError("broker not started")
        return f"127.0.0.1:{self.port}"

    @property
    def server_log(self) -> Path:
        return self.workdir / "server.log"

    def __enter__(self) -> "KafkaBroker":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> "KafkaBroker":
        if self.proc is not None:
            return self
        if not list(self.libs.glob("kafka_2.13-*.jar")):
            raise RuntimeError(
                f"no Kafka jars in {self.libs}: run test/peers/setup.sh first"
            )
        if self._given_workdir:
            self.workdir = self._given_workdir
            self.workdir.mkdir(parents=True, exist_ok=True)
        else:
            self.workdir = Path(tempfile.mkdtemp(prefix="braid-kafka-"))
        atexit.register(self.stop)
        # A port picked by free_port() can be taken before the JVM binds it:
        # retry with new ports on a bind failure (not when the port is fixed).
        attempts = 1 if self._fixed_port else 3
        for attempt in range(attempts):
            try:
                self._start_once()
                return self
            except _BindError:
                self._kill()
                if attempt == attempts - 1:
                    msg = f"kafka could not bind its ports:\n{_tail(self.server_log)}"
                    self.stop()
                    raise RuntimeError(msg) from None
            except BaseException:
                self.stop()
                raise
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (clean shutdown), SIGKILL after ``timeout`` s, remove workdir."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._killpg(proc)
        if proc is not None:
            self._close_output()
        if self.workdir and not self.keep_workdir and not self._given_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def stop_process(self, timeout: float = 30.0) -> None:
        """Clean shutdown that keeps the log dir and ports, for restart_process (an outage)."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._killpg(proc)
        self._close_output()

    def restart_process(self) -> None:
        """Starts the broker stopped by stop_process again on the same ports and data."""
        assert self.proc is None and self.workdir is not None
        if self.server_log.exists():
            self.server_log.unlink()
        self._out = open(self.workdir / "stdout-restart.log", "wb")
        props = self.workdir / "server.properties"
        self.proc = subprocess.Popen(
            self._java_cmd("kafka.Kafka", self.heap) + [str(props)],
            stdin=subprocess.DEVNULL, stdout=self._out, stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if self.die_with_parent else None,
            cwd=self.workdir,
        )
        self._wait_ready()

    def kill(self) -> None:
        """SIGKILL the broker at once (crash); the workdir is kept until stop()."""
        self._kill()

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def admin(self, **conf):
        from confluent_kafka.admin import AdminClient

        return AdminClient({"bootstrap.servers": self.bootstrap, **conf})

    def create_topic(
        self,
        name: str,
        partitions: int = 3,
        config: dict | None = None,
        timeout: float = 30.0,
    ) -> str:
        """Create ``name`` and wait until every partition has a leader."""
        from confluent_kafka.admin import NewTopic

        admin = self.admin()
        futures = admin.create_topics(
            [NewTopic(name, num_partitions=partitions, replication_factor=1,
                      config=dict(config or {}))],
            operation_timeout=timeout,
            request_timeout=timeout,
        )
        futures[name].result(timeout)
        deadline = time.monotonic() + timeout
        while True:
            md = admin.list_topics(name, timeout=5)
            t = md.topics.get(name)
            if (t is not None and t.error is None and len(t.partitions) == partitions
                    and all(p.leader >= 0 for p in t.partitions.values())):
                return name
            if time.monotonic() > deadline:
                raise TimeoutError(f"topic {name} not ready: {t}")
            time.sleep(0.1)

    def delete_topic(self, name: str, timeout: float = 30.0) -> None:
        admin = self.admin()
        admin.delete_topics([name], operation_timeout=timeout)[name].result(timeout)

    # -- internals ------------------------------------------------------------

    def _config(self) -> dict:
        p, c = self.port, self.controller_port
        conf = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{c}",
            "listeners": f"PLAINTEXT://127.0.0.1:{p},CONTROLLER://127.0.0.1:{c}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{p}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self.workdir / "data"),
            "num.partitions": "3",
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "3",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "3",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "true",
            "delete.topic.enable": "true",
            "num.network.threads": "2",
            "num.io.threads": "4",
            "num.recovery.threads.per.data.dir": "1",
        }
        conf.update({k: str(v) for k, v in self.extra_config.items()})
        return conf

    def _java_cmd(self, main: str, heap: str, short_lived: bool = False) -> list[str]:
        # short-lived tools start faster with C1 only and the serial GC
        jit = (["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"] if short_lived
               else ["-Xms128m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20"])
        return [
            _java(),
            f"-Xmx{heap}",
            *jit,
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.workdir / 'log4j2.properties'}",
            "-cp",
            str(self.libs / "*"),
            main,
        ]

    def _start_once(self) -> None:
        self.port = self._fixed_port or free_port()
        self.controller_port = free_port()
        while self.controller_port == self.port:
            self.controller_port = free_port()
        self.cluster_id = random_cluster_id()

        data = self.workdir / "data"
        shutil.rmtree(data, ignore_errors=True)
        props = self.workdir / "server.properties"
        props.write_text("".join(f"{k}={v}\n" for k, v in self._config().items()))
        (self.workdir / "log4j2.properties").write_text(
            LOG4J2_TEMPLATE.format(log_file=self.server_log, level=self.log_level))
        if self.server_log.exists():
            self.server_log.unlink()

        fmt = subprocess.run(
            self._java_cmd("kafka.tools.StorageTool", "256m", short_lived=True)
            + ["format", "-t", self.cluster_id, "-c", str(props)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
        )
        if fmt.returncode != 0:
            raise RuntimeError(f"kafka storage format failed:\n{fmt.stdout}")

        self._out = open(self.workdir / "stdout.log", "wb")
        self.proc = subprocess.Popen(
            self._java_cmd("kafka.Kafka", self.heap) + [str(props)],
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if self.die_with_parent else None,
            cwd=self.workdir,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        started = False
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = _tail(self.server_log, 60)
                if "BindException" in log or "Address already in use" in log:
                    raise _BindError()
                raise RuntimeError(
                    f"kafka exited with {self.proc.returncode} during start-up\n"
                    f"--- server.log ---\n{log}\n"
                    f"--- stdout ---\n{_tail(self.workdir / 'stdout.log')}")
            if not started:
                try:
                    started = STARTED_MARKER in self.server_log.read_text(errors="replace")
                except OSError:
                    pass
            if started and self._answers():
                return
            time.sleep(0.2)
        raise TimeoutError(
            f"kafka did not start within {self.start_timeout:.0f}s\n"
            f"--- server.log ---\n{_tail(self.server_log, 60)}")

    def _answers(self) -> bool:
        try:
            from confluent_kafka.admin import AdminClient
        except ImportError:  # no venv: the log line and an open port will do
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False
        try:
            md = AdminClient({"bootstrap.servers": self.bootstrap}).list_topics(timeout=2)
            return len(md.brokers) > 0
        except Exception:
            return False

    def _kill(self) -> None:
        if self.proc is not None:
            self._killpg(self.proc)
            self.proc = None
            self._close_output()

    @staticmethod
    def _killpg(proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def _close_output(self) -> None:
        out = getattr(self, "_out", None)
        if out is not None:
            out.close()
            self._out = None


class _BindError(Exception):
    pass


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Run a single-node KRaft Kafka broker in the foreground; "
                    "prints the bootstrap address as the first stdout line.")
    ap.add_argument("--port", type=int, default=None, help="broker port (default: free port)")
    ap.add_argument("--workdir", default=None, help="config/log dir (default: fresh temp dir, removed on exit)")
    ap.add_argument("--heap", default="512m")
    ap.add_argument("--keep", action="store_true", help="keep the temp workdir on exit")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="extra broker config (repeatable)")
    args = ap.parse_args(argv)
    extra = dict(kv.split("=", 1) for kv in args.set)

    broker = KafkaBroker(port=args.port, workdir=args.workdir, heap=args.heap,
                         extra_config=extra, keep_workdir=args.keep or None)

    stop = {"now": False}

    def on_signal(signum, frame):
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    broker.start()
    print(broker.bootstrap, flush=True)
    print(f"kafka broker up: bootstrap={broker.bootstrap} workdir={broker.workdir} "
          f"(server.log there); Ctrl-C / SIGTERM stops it", file=sys.stderr, flush=True)
    rc = 0
    try:
        while not stop["now"]:
            if not broker.is_running():
                print(f"kafka exited unexpectedly:\n{_tail(broker.server_log)}", file=sys.stderr)
                rc = 1
                break
            time.sleep(0.5)
    finally:
        broker.stop()
    return rc


if __name__ == "__main__":
    sys.exit(main())
