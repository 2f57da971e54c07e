"""The end-to-end benchmark (`make bench`): braid's join against a real Kafka, next to kcat's
raw read of the same records and DuckDB's batch join of them.

    BRAID_BINARY=build/braid .cache/venv/bin/python bench/e2e.py [--events N] [--rounds 5] [--json OUT]

Steps: start a Kafka 4.1 broker (test/integration/kafka_fixture.py), `braid produce` the seed's
records, count them from the end offsets (R), wait until the last write is braid's idle timeout
(10 s) old (the readers then replay a backlog, as a daily run reads the day before), then time,
the two readers of the broker in turn for --rounds rounds (each one's fastest run counts),
  - kcat reading the three topics to their end, one byte of output per record (three kcats at
    once, then one after another; the faster is the figure),
  - DuckDB: JSON lines (dumped from the topics, untimed) → Parquet, then DESIGN §2's query
    → Parquet, in one process with every core (bench/duckdb_join.py),
  - `braid join --drain` into a fresh local warehouse (wall time, peak RSS, commits, rows).
records/s is R / wall seconds for each. The CPU seconds of braid's fastest run and of kcat's
fastest read are printed too: on two cores both readers keep both busy, so the ratio to kcat
follows the ratio of their CPU per record. braid's row count must equal DuckDB's: otherwise a
FAIL line and exit 1. The figures, the git commit, date, nproc and load go to --json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "test" / "integration"))

from kafka_fixture import KafkaBroker  # noqa: E402

TOPICS = ("user_actions", "purchases", "sessions")
IDLE_TIMEOUT_S = 10  # braid join's default --idle-timeout
TABLE = "demo.unified_activity"
DEFAULT_EVENTS = 2_000_000
# Per DEFAULT_EVENTS actions; scaled with --events unless given.
DEFAULT_USERS, DEFAULT_SESSIONS, DEFAULT_SPAN_S = 100_000, 200_000, 7200
GIB = 1 << 30
# Rounds of one kcat read and one braid run, in turn. Noise on a shared machine only slows a
# run, so each reader's fastest counts; of five it moves less from bench to bench than of three
# (three rounds gave 0.44, 0.50 and 0.57x kcat within one hour on one machine).
DEFAULT_ROUNDS = 5


@dataclass
class Run:
    returncode: int
    seconds: float
    max_rss: int  # bytes
    user_s: float = 0.0
    sys_s: float = 0.0
    page_faults: int = 0  # minor: first touches of fresh memory, which on a virtual machine
                          # can cost more than the work itself (see the braid line's note)


# -- arguments -----------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=DEFAULT_EVENTS, help="actions to produce")
    ap.add_argument("--users", type=int, help="distinct users (default: scaled with --events)")
    ap.add_argument("--sessions", type=int, help="distinct sessions (default: scaled)")
    ap.add_argument("--span", help="event-time spread, e.g. 2h (default: scaled)")
    ap.add_argument("--partitions", type=int, help="partitions per topic (default: braid produce's)")
    ap.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS,
                    help="kcat reads and braid runs, in turn (each reader's fastest counts)")
    ap.add_argument("--json", type=Path, help="results file (default bench/results/e2e-<events>.json)")
    args = ap.parse_args(argv)
    scale = args.events / DEFAULT_EVENTS
    args.users = args.users or max(1, round(DEFAULT_USERS * scale))
    args.sessions = args.sessions or max(1, round(DEFAULT_SESSIONS * scale))
    args.span = args.span or span_text(max(1, round(DEFAULT_SPAN_S * scale)))
    args.json = args.json or REPO / "bench" / "results" / f"e2e-{args.events}.json"
    return args


def span_text(seconds: int) -> str:
    """A duration as braid reads it: 2h, 12m or 90s."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def binary() -> str:
    return os.environ.get("BRAID_BINARY") or str(REPO / "build" / "braid")


# -- processes -----------------------------------------------------------------------------------

def measure(cmd: list[str], stdout=subprocess.DEVNULL, stderr=None) -> Run:
    """Runs cmd to its end: exit code, wall seconds, peak RSS, CPU seconds and page faults."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr)
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(proc.returncode, seconds, usage.ru_maxrss * 1024, usage.ru_utime, usage.ru_stime,
               usage.ru_minflt)


def check(cmd: list[str], **kw) -> str:
    """Runs cmd; its stdout, or an error with its stderr when it fails."""
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-4000:]}")
    return proc.stdout


# kcat's best settings for reading to the end: its 500 ms default fetch wait delays the last
# fetch of every partition (braid waits 50 ms), and a deeper prefetch queue helps it keep up.
KCAT_TUNING = ["-X", "fetch.wait.max.ms=10", "-X", "queued.min.messages=1000000"]


def kcat_cmd(bootstrap: str, topic: str, fmt: str) -> list[str]:
    return ["kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q",
            *KCAT_TUNING, "-f", fmt]


# -- steps ---------------------------------------------------------------------------------------

def produce(bootstrap: str, args: argparse.Namespace) -> float:
    cmd = [binary(), "produce", "--bootstrap", bootstrap, "--events", str(args.events),
           "--users", str(args.users), "--sessions", str(args.sessions), "--span", args.span,
           "--seed", "1"]
    if args.partitions:
        cmd += ["--partitions", str(args.partitions)]
    t0 = time.perf_counter()
    check(cmd)
    seconds = time.perf_counter() - t0
    # A bounded run counts a partition read to its end as idle once its last write is
    # --idle-timeout old; one written to more recently holds the watermark where its records
    # end, and the join state then keeps what the other partitions hold past that point (README,
    # "Three ways a run ends"). The generator writes two hours of event time in under a minute,
    # so its partitions end minutes of event time apart: a run started at once would wait for
    # them to turn idle (once the hold keeps 250,000 events in state) and measure that wait
    # instead of the replay of a backlog.
    time.sleep(IDLE_TIMEOUT_S)
    return seconds


def topic_counts(bootstrap: str) -> dict[str, int]:
    """Records per topic: the sum over its partitions of end offset − start offset."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "braid-bench",
                         "enable.auto.commit": False})
    try:
        counts = {}
        for topic in TOPICS:
            partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
            counts[topic] = sum(high - low for low, high in (
                consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
                for p in partitions))
        return counts
    finally:
        consumer.close()


def children_cpu_s() -> float:
    """User and system seconds of this process's ended and waited-for children so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def kcat_read(bootstrap: str, work: Path, concurrent: bool) -> tuple[float, int, float]:
    """kcat reads every topic to its end, printing one byte per record to a file (the count).
    Returns wall seconds over all topics, the records read and the kcats' CPU seconds."""
    outs = {t: work / f"kcat-{t}.out" for t in TOPICS}
    cpu0 = children_cpu_s()
    t0 = time.perf_counter()
    if concurrent:
        procs = []
        try:
            for topic, out in outs.items():
                with open(out, "wb") as f:
                    procs.append(subprocess.Popen(kcat_cmd(bootstrap, topic, r"\n"), stdout=f))
            codes = [p.wait() for p in procs]
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
    else:
        codes = []
        for topic, out in outs.items():
            with open(out, "wb") as f:
                codes.append(subprocess.run(kcat_cmd(bootstrap, topic, r"\n"), stdout=f).returncode)
    seconds = time.perf_counter() - t0
    cpu = children_cpu_s() - cpu0
    if any(codes):
        raise RuntimeError(f"kcat exited {codes}")
    read = sum(out.stat().st_size for out in outs.values())
    for out in outs.values():
        out.unlink()
    return seconds, read, cpu


def dump_topics(bootstrap: str, work: Path) -> dict[str, int]:
    """Each topic's record values as <topic>.jsonl in work (untimed); lines per topic."""
    lines = {}
    for topic in TOPICS:
        path = work / f"{topic}.jsonl"
        with open(path, "wb") as f:
            subprocess.run(kcat_cmd(bootstrap, topic, r"%s\n"), stdout=f, check=True)
        with open(path, "rb") as f:
            lines[topic] = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    return lines


def duckdb_join(work: Path) -> dict:
    out = work / "duckdb.json"
    with open(out, "w") as f:
        run = measure([sys.executable, str(REPO / "bench" / "duckdb_join.py"), str(work)],
                      stdout=f)
    if run.returncode != 0:
        raise RuntimeError(f"bench/duckdb_join.py exited {run.returncode}")
    return {**json.loads(out.read_text()), "max_rss": run.max_rss, "process_s": run.seconds}


def braid_join(bootstrap: str, work: Path) -> dict:
    warehouse = work / "warehouse"
    shutil.rmtree(warehouse, ignore_errors=True)  # each run starts the pipeline afresh
    log = work / "braid-join.log"
    with open(log, "w") as f:
        run = measure([binary(), "join", "--bootstrap", bootstrap, "--warehouse", str(warehouse),
                       "--drain"], stdout=f, stderr=subprocess.STDOUT)
    tail = log.read_text(errors="replace").strip().splitlines()[-3:]
    if run.returncode != 0:
        raise RuntimeError(f"braid join exited {run.returncode}:\n" + "\n".join(tail))
    return {"seconds": run.seconds, "max_rss": run.max_rss, "user_s": run.user_s,
            "sys_s": run.sys_s, "page_faults": run.page_faults, "log_tail": tail,
            **braid_table_facts(warehouse)}


def braid_table_facts(warehouse: Path) -> dict:
    """Commits (snapshots of the rows table), rows and rejects, as braid reads its tables."""
    where = ["--warehouse", str(warehouse)]
    snapshots = json.loads(check([binary(), "table", "snapshots", TABLE, *where,
                                  "--format", "json"]))
    counts = check([binary(), "sql", *where, "--format", "csv",
                    f"SELECT (SELECT count(*) FROM {TABLE}) AS rows_, "
                    f"(SELECT count(*) FROM {TABLE}_rejects) AS rejects"])
    rows, rejects = (int(v) for v in counts.strip().splitlines()[-1].split(","))
    return {"commits": len(snapshots), "rows": rows, "rejects": rejects}


# -- report --------------------------------------------------------------------------------------

def rate(records: int, seconds: float) -> float:
    return records / seconds if seconds > 0 else 0.0


def line(engine: str, what: str, records: int, seconds: float, rest: str = "") -> str:
    return (f"{engine:<7} {what:<13} {records:>11,} records {seconds:6.2f} s "
            f"{rate(records, seconds) / 1e6:6.2f} M records/s{rest}")


def report(r: dict) -> list[str]:
    total, kcat, duck, braid = r["records"]["total"], r["kcat"], r["duckdb"], r["braid"]
    return [
        line("kcat", "raw read", total, kcat["seconds"], f"  ({kcat['mode']}; best of "
             + ", ".join(f"{t:.2f}" for t in sorted(x for v in kcat["runs_s"].values() for x in v))
             + " s)"),
        line("duckdb", "batch join", total, duck["total_s"],
             f"  {duck['rows']:,} rows  peak {duck['max_rss'] / GIB:.2f} GiB"
             f"  (load {duck['load_s']:.2f} s + join {duck['join_s']:.2f} s)"),
        line("braid", "join --drain", total, braid["seconds"],
             f"  {braid['rows']:,} rows  peak RSS {braid['max_rss'] / GIB:.2f} GiB"
             f"  {braid['commits']} commits  (best of "
             + ", ".join(f"{t:.2f}" for t in braid["runs_s"]) + " s)"),
        f"braid   cpu {braid['user_s'] + braid['sys_s']:.2f} s (user {braid['user_s']:.2f} + "
        f"system {braid['sys_s']:.2f}), {braid['page_faults'] / 1000:.0f} k page faults;"
        f"  kcat cpu {kcat['cpu_s']:.2f} s in its fastest read",
        f"ratios  braid/kcat {r['ratios']['braid_kcat']:.2f}×  "
        f"braid/duckdb {r['ratios']['braid_duckdb']:.2f}×",
    ]


def ratios(total: int, kcat: dict, duck: dict, braid: dict) -> dict:
    braid_rate = rate(total, braid["seconds"])
    return {"braid_kcat": braid_rate / rate(total, kcat["seconds"]),
            "braid_duckdb": braid_rate / rate(total, duck["total_s"])}


def machine() -> dict:
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    return {"git_commit": head, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "nproc": os.cpu_count(), "loadavg_start": list(os.getloadavg()), "binary": binary()}


# -- main ----------------------------------------------------------------------------------------

def best_readers(bootstrap: str, work: Path, total: int, rounds: int) -> tuple[dict, dict]:
    """kcat's and braid's reads of the broker, in turn: `rounds` rounds of one kcat read (three
    topics side by side, then one after another, alternately) and one braid run (into a fresh
    warehouse). Each figure is its reader's fastest run. Taken in turn, a slow spell of the
    machine falls on both readers alike, not on one of them. Every braid run must write the same
    rows; the peak RSS reported is the highest of them."""
    kcat, cpu, done = {}, {}, []  # per mode: each read's wall and CPU seconds
    for i in range(rounds):
        mode, concurrent = (("3 concurrent", True), ("sequential", False))[i % 2]
        seconds, read, cpu_s = kcat_read(bootstrap, work, concurrent)
        if read != total:
            raise RuntimeError(f"kcat ({mode}) read {read} records, the topics hold {total}")
        kcat.setdefault(mode, []).append(seconds)
        cpu.setdefault(mode, []).append(cpu_s)
        done.append(braid_join(bootstrap, work))
    if len({d["rows"] for d in done}) != 1:
        raise RuntimeError(f"braid's runs wrote different row counts: {[d['rows'] for d in done]}")
    mode = min(kcat, key=lambda m: min(kcat[m]))
    best = min(done, key=lambda d: d["seconds"])
    fastest = kcat[mode].index(min(kcat[mode]))
    return ({"seconds": kcat[mode][fastest], "mode": mode, "runs_s": kcat,
             "cpu_s": cpu[mode][fastest]},
            {**best, "max_rss": max(d["max_rss"] for d in done),
             "runs_s": [d["seconds"] for d in done]})


def bench(args: argparse.Namespace, work: Path, result: dict) -> bool:
    with KafkaBroker(heap="1g") as kafka:
        b = kafka.bootstrap
        result["produce_s"] = produce(b, args)
        counts = topic_counts(b)
        total = sum(counts.values())
        result["records"] = {**counts, "total": total}
        print(f"setup   {args.events:,} actions, {args.users:,} users, {args.sessions:,} sessions,"
              f" span {args.span}: {total:,} records produced in {result['produce_s']:.1f} s",
              flush=True)
        # The two readers of the broker in turn, before DuckDB's batch join: its memory and its
        # 700 MB of JSON lines would otherwise come between kcat's runs and braid's.
        result["kcat"], result["braid"] = best_readers(b, work, total, args.rounds)
        lines = dump_topics(b, work)
        if lines != counts:
            raise RuntimeError(f"dumped {lines} records, the topics hold {counts}")
        result["duckdb"] = duckdb_join(work)
    result["ratios"] = ratios(total, result["kcat"], result["duckdb"], result["braid"])
    print("\n".join(report(result)))
    ok = result["braid"]["rows"] == result["duckdb"]["rows"]
    result["rows_match"] = ok
    print("rows    braid == duckdb: OK" if ok else
          f"rows    FAIL: braid wrote {result['braid']['rows']:,} rows, "
          f"DuckDB's query gives {result['duckdb']['rows']:,}")
    return ok


def on_sigterm(signum, frame):
    raise KeyboardInterrupt  # unwinds through the finally blocks: broker stopped, dirs removed


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, on_sigterm)
    result = {**machine(), "params": {"events": args.events, "users": args.users,
                                      "sessions": args.sessions, "span": args.span,
                                      "partitions": args.partitions, "rounds": args.rounds,
                                      "seed": 1}}
    work = Path(tempfile.mkdtemp(prefix="braid-bench-"))
    try:
        ok = bench(args, work, result)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"results {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
