"""braid as a service against a real Kafka (issue: one writer per pipeline, no silent loss,
scheduled runs, crash-proof): every test ends by checking the table against DESIGN §2's query
over the records braid did not reject, so a lost or duplicated row fails it."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

from braid_cli import binary, read_log, run, wait_for
from join_oracle import RandomStreams, current_metadata
from kafka_fixture import KafkaBroker, free_port
from pipeline_check import check_join, produce

CRASH_POINTS = ["after-checkpoint", "after-data-file", "after-manifest", "after-manifest-list",
                "before-commit", "before-version-hint", "after-commit", "between-tables",
                "before-group-offsets", "after-staged-files"]


def make_topics(new_topic) -> dict[str, str]:
    return {name: new_topic(partitions=3, prefix=name) for name in ("actions", "purchases",
                                                                       "sessions")}


def join_args(bootstrap: str, warehouse: Path, topics: dict[str, str], *extra: str) -> list[str]:
    return ["join", "--bootstrap", bootstrap, "--warehouse", str(warehouse),
            "--topic-actions", topics["actions"], "--topic-purchases", topics["purchases"],
            "--topic-sessions", topics["sessions"], *extra]


def start_join(bootstrap, warehouse, topics, *extra, env=None) -> subprocess.Popen:
    return subprocess.Popen([binary(), *join_args(bootstrap, warehouse, topics, *extra)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


def split(records: dict, parts: int) -> list[dict]:
    out = []
    for i in range(parts):
        out.append({k: v[len(v) * i // parts: len(v) * (i + 1) // parts] for k, v in records.items()})
    return out


def metadata_versions(warehouse: Path) -> int:
    meta = warehouse / "demo" / "unified_activity" / "metadata"
    return len(list(meta.glob("v*.metadata.json"))) if meta.exists() else 0


def table_properties(warehouse: Path, table: str = "unified_activity") -> dict:
    return json.loads(current_metadata(warehouse, "demo", table).read_text())["properties"]


def test_two_writers_continuous_leave_one_runs_rows(kafka, new_topic, tmp_path):
    topics = make_topics(new_topic)
    first, rest = split(RandomStreams(5, events=600).records(), 2)
    sent = produce(kafka.bootstrap, topics, first, 3, 5)
    a = start_join(kafka.bootstrap, tmp_path, topics, "--commit-interval", "1s")
    wait_for(lambda: metadata_versions(tmp_path) >= 2, timeout=60)
    b = start_join(kafka.bootstrap, tmp_path, topics, "--commit-interval", "1s")
    time.sleep(3)
    sent.update(produce(kafka.bootstrap, topics, rest, 3, 6))
    deadline = time.monotonic() + 60
    while a.poll() is None and b.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    stopped = [p for p in (a, b) if p.poll() is not None]
    assert len(stopped) == 1, "neither writer noticed the other"
    loser = stopped[0]
    survivor = b if loser is a else a
    err = loser.stderr.read()
    # Progress lines come before; the error is the last line, and one line.
    last = err.strip().splitlines()[-1]
    assert loser.returncode == 1 and last.startswith("braid join: another writer"), err
    assert err.count("another writer") == 1, err
    survivor.send_signal(signal.SIGTERM)
    assert survivor.wait(30) == 0
    run(*join_args(kafka.bootstrap, tmp_path, topics, "--drain"))
    check_join(tmp_path, "demo", topics, sent)


def test_two_bounded_writers_never_duplicate(kafka, new_topic, tmp_path):
    topics = make_topics(new_topic)
    sent = produce(kafka.bootstrap, topics, RandomStreams(8, events=3000).records(), 3, 8)
    # Small buffers make many commits, so the two runs overlap.
    procs = [start_join(kafka.bootstrap, tmp_path, topics, "--drain", "--max-buffer-bytes", "64KiB")
             for _ in range(2)]
    codes = [p.wait(120) for p in procs]
    errs = [p.stderr.read() for p in procs]
    assert 0 in codes, errs
    for code, err in zip(codes, errs):
        assert code == 0 or "another writer" in err, err
    check_join(tmp_path, "demo", topics, sent)


def test_rows_past_an_eighth_of_the_budget_are_written_before_their_commit(kafka, new_topic,
                                                                            tmp_path):
    # Rows reaching an eighth of --max-buffer-bytes are written as data files at once and added
    # by the next commit (so memory does not follow the output); the output since a commit
    # reaching the budget commits. Both show in the snapshots; the table stays exact.
    topics = make_topics(new_topic)
    sent = produce(kafka.bootstrap, topics, RandomStreams(9, events=3000).records(), 3, 9)
    run(*join_args(kafka.bootstrap, tmp_path, topics, "--drain", "--max-buffer-bytes", "32KiB"))
    meta = json.loads(current_metadata(tmp_path, "demo", "unified_activity").read_text())
    added = [int(s["summary"].get("added-data-files", "0")) for s in meta["snapshots"]]
    assert len(added) >= 3, f"the budget never made it commit: {added}"
    assert max(added) >= 4, f"no commit added rows written before it: {added}"
    rows, _, _ = check_join(tmp_path, "demo", topics, sent)
    assert rows > 1000


def test_transactional_input_bounded_run_finishes(kafka, new_topic, tmp_path):
    topics = make_topics(new_topic)
    records = RandomStreams(13, events=400).records()
    p = Producer({"bootstrap.servers": kafka.bootstrap, "transactional.id": f"tx-{time.time_ns()}"})
    p.init_transactions(30)
    sent = {}
    rng = random.Random(13)

    def send(chunk: dict, keep: bool):
        p.begin_transaction()
        for logical, recs in chunk.items():
            for value, fate in recs:
                def on_delivery(err, msg, vf=(value, fate)):
                    assert err is None, err
                    if keep:
                        sent[(msg.topic(), msg.partition(), msg.offset())] = vf
                p.produce(topics[logical], value=value, partition=rng.randrange(3),
                          on_delivery=on_delivery)
        p.flush(30)
        if keep:
            p.commit_transaction(30)
        else:
            p.abort_transaction(30)

    parts = split(records, 3)
    send(parts[0], True)
    send(parts[0], False)  # an aborted copy: read_committed must never deliver it
    send(parts[1], True)
    send(parts[1], False)
    send(parts[2], True)  # every partition now ends with a commit marker
    # Before the fix this never ended: the last offset is a marker that is never delivered.
    run(*join_args(kafka.bootstrap, tmp_path, topics, "--until-caught-up"), timeout=60)
    run(*join_args(kafka.bootstrap, tmp_path, topics, "--drain"), timeout=60)
    check_join(tmp_path, "demo", topics, sent)


def test_a_topic_of_many_partitions_starts_and_ends_at_each_partitions_own_offsets(kafka, new_topic,
                                                                                 tmp_path):
    # braid asks for the partitions' offsets 16 at a time: 40 partitions take three rounds, and
    # a range given to the wrong partition would end a bounded run too early or too late.
    partitions = {"actions": 40, "purchases": 3, "sessions": 3}
    topics = {name: new_topic(partitions=n, prefix=name) for name, n in partitions.items()}
    first, rest = split(RandomStreams(23, events=400).records(), 2)
    sent = produce(kafka.bootstrap, topics, first, partitions, 23, cover=True)
    run(*join_args(kafka.bootstrap, tmp_path, topics, "--until-caught-up"), timeout=120)
    sent.update(produce(kafka.bootstrap, topics, rest, partitions, 24))
    run(*join_args(kafka.bootstrap, tmp_path, topics, "--drain"), timeout=120)
    check_join(tmp_path, "demo", topics, sent)


def test_offsets_lost_to_retention_stop_the_run_unless_skipped(kafka, new_topic, tmp_path):
    topics = make_topics(new_topic)
    first, rest = split(RandomStreams(21, events=300).records(), 2)
    produce(kafka.bootstrap, topics, first, 3, 21)
    run(*join_args(kafka.bootstrap, tmp_path, topics, "--until-caught-up"))
    produce(kafka.bootstrap, topics, rest, 3, 22)
    # Retention removes every actions record written so far, read or not.
    cons = Consumer({"bootstrap.servers": kafka.bootstrap, "group.id": "watermarks"})
    ends = [TopicPartition(topics["actions"], part,
                           cons.get_watermark_offsets(TopicPartition(topics["actions"], part),
                                                      timeout=10)[1])
            for part in range(3)]
    cons.close()
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap})
    for f in admin.delete_records(ends).values():
        f.result(30)
    before = metadata_versions(tmp_path)
    proc = run(*join_args(kafka.bootstrap, tmp_path, topics, "--until-caught-up"), check=False)
    assert proc.returncode == 1
    line = proc.stderr.strip()
    assert len(line.splitlines()) == 1 and "retention" in line and topics["actions"] in line, line
    assert "--on-data-loss=skip" in line and "pipeline-id" not in line
    assert metadata_versions(tmp_path) == before, "a failed run committed"
    out = run(*join_args(kafka.bootstrap, tmp_path, topics, "--until-caught-up",
                         "--on-data-loss=skip")).stdout
    assert "Skipped" in out and "lost to retention" in out
    props = table_properties(tmp_path)
    skipped = [v for k, v in props.items() if k.endswith(".data-loss")]
    assert skipped and topics["actions"] in skipped[0]


def test_three_bounded_runs_then_drain_equal_one_drained_run(kafka, new_topic, tmp_path):
    topics = make_topics(new_topic)
    sent = {}
    for i, part in enumerate(split(RandomStreams(11, events=600).records(), 3)):
        sent.update(produce(kafka.bootstrap, topics, part, 3, 100 + i))
        out = run(*join_args(kafka.bootstrap, tmp_path, topics, "--until-caught-up",
                             "--idle-timeout", "2m")).stdout
        assert ("Resumed from the last commit" in out) == (i > 0)
    # The state crossed the run boundaries: purchases of one run joined actions of the last.
    out = run(*join_args(kafka.bootstrap, tmp_path, topics, "--drain")).stdout
    assert "Resumed from the last commit" in out
    check_join(tmp_path, "demo", topics, sent)


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_crash_point_recovers_to_the_batch_answer(kafka, new_topic, tmp_path, point):
    topics = make_topics(new_topic)
    sent = produce(kafka.bootstrap, topics, RandomStreams(31, events=500).records(), 3, 31)
    # Many small commits: the crash hits the second pass through the point.
    proc = start_join(kafka.bootstrap, tmp_path, topics, "--drain", "--max-buffer-bytes", "16KiB",
                      env={"BRAID_CRASH_AT": f"{point}:2"})
    assert proc.wait(60) == -signal.SIGKILL, f"{point} was never reached: {proc.stderr.read()}"
    run(*join_args(kafka.bootstrap, tmp_path, topics, "--drain"))
    check_join(tmp_path, "demo", topics, sent)


def test_full_disk_fails_cleanly_and_restart_is_exact(kafka, new_topic, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs (a real full disk) needs root")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)]).returncode:
        pytest.skip("this machine cannot mount a tmpfs")
    try:
        topics = make_topics(new_topic)
        sent = produce(kafka.bootstrap, topics, RandomStreams(41, events=600).records(), 3, 41)
        warehouse = mnt / "wh"
        # Leave a little room: the first commits land, a later one hits ENOSPC part-way.
        filler = mnt / "filler"
        with open(filler, "wb") as f:
            f.write(b"\0" * (3 * 1024 * 1024 - 200 * 1024))
        proc = run(*join_args(kafka.bootstrap, warehouse, topics, "--drain", "--max-buffer-bytes",
                              "8KiB"), check=False)
        assert proc.returncode == 1, proc.stdout
        last = proc.stderr.strip().splitlines()[-1]
        assert "No space left" in last and proc.stderr.count("No space left") == 1, proc.stderr
        filler.unlink()
        run(*join_args(kafka.bootstrap, warehouse, topics, "--drain"))
        check_join(warehouse, "demo", topics, sent)
    finally:
        subprocess.run(["umount", "-l", str(mnt)])


def test_sigterm_stops_a_hot_key_run_promptly_within_its_memory_budget(kafka, new_topic, tmp_path):
    topics = make_topics(new_topic)
    # The notebook's 10 users and 20 sessions: each key holds thousands of events per window and
    # the output explodes; the buffer bound must keep memory flat anyway.
    run("produce", "--bootstrap", kafka.bootstrap, "--events", "100000", "--users", "10",
        "--sessions", "20", "--span", "10m", "--topic-actions", topics["actions"],
        "--topic-purchases", topics["purchases"], "--topic-sessions", topics["sessions"],
        timeout=120)
    budget = 64 << 20
    proc = start_join(kafka.bootstrap, tmp_path, topics, "--max-buffer-bytes", "64MiB")
    peak = 0
    deadline = time.monotonic() + 25
    while time.monotonic() < deadline and proc.poll() is None:
        status = Path(f"/proc/{proc.pid}/status").read_text()
        peak = max(peak, int(next(l.split()[1] for l in status.splitlines()
                                  if l.startswith("VmHWM"))) * 1024)
        time.sleep(0.5)
    assert proc.poll() is None, proc.stderr.read()
    assert metadata_versions(tmp_path) >= 2, "the buffer bound never made it commit"
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0, proc.stderr.read()
    took = time.monotonic() - t0
    print(f"peak RSS {peak >> 20} MiB with a {budget >> 20} MiB buffer; SIGTERM to exit {took:.1f}s")
    assert took < 10
    # The engine, DuckDB and librdkafka's fetch queues take a fixed part; rows stay in budget.
    assert peak < budget + (320 << 20), f"peak RSS {peak >> 20} MiB"


def test_broker_outage_turns_no_on_time_record_late(tmp_path):
    broker = KafkaBroker(port=free_port(), workdir=tmp_path / "kafka")
    broker.start()
    try:
        for t in ("actions", "purchases", "sessions"):
            broker.create_topic(t, partitions=2)
        topics = {t: t for t in ("actions", "purchases", "sessions")}
        stop = threading.Event()
        sent = {}
        lock = threading.Lock()

        def producer():
            # Real-time, in event-time order: every record is on time.
            # Idempotent, so that a batch retried through the outage is written once (the
            # oracle below reads the log, so a duplicate would not fail the test, but could
            # arrive 30 s late).
            p = Producer({"bootstrap.servers": broker.bootstrap, "linger.ms": 5,
                          "message.timeout.ms": 300000, "enable.idempotence": True})
            rng = random.Random(3)
            n = 0
            while not stop.is_set():
                now = time.time()
                ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1e6):06d}"
                u, s = f"user_{rng.randint(1, 20)}", f"session_{rng.randint(1, 30)}"
                recs = [("sessions", {"session_id": s, "user_id": u, "device": "mobile", "timestamp": ts}),
                        ("actions", {"user_id": u, "session_id": s, "action": "view", "page_url": "/",
                                     "timestamp": ts})]
                if n % 2 == 0:
                    recs.append(("purchases", {"user_id": u, "session_id": s, "product_id": "p1",
                                               "amount": 9.5, "timestamp": ts}))
                for topic, rec in recs:
                    value = json.dumps(rec).encode()

                    def cb(err, msg, v=value):
                        if err is None:
                            with lock:
                                sent[(msg.topic(), msg.partition(), msg.offset())] = (v, "ok")
                    p.produce(topic, value=value, partition=rng.randrange(2), on_delivery=cb)
                p.poll(0)
                n += 1
                time.sleep(0.05)
            p.flush(120)

        th = threading.Thread(target=producer)
        th.start()
        join = start_join(broker.bootstrap, tmp_path / "wh", topics, "--commit-interval", "1s")
        time.sleep(8)
        broker.stop_process()
        time.sleep(30)
        broker.restart_process()
        time.sleep(15)
        stop.set()
        th.join(180)
        time.sleep(3)
        join.send_signal(signal.SIGTERM)
        assert join.wait(60) == 0
        err = join.stderr.read()
        assert "waiting for the broker" in err, err[-2000:]
        run(*join_args(broker.bootstrap, tmp_path / "wh", topics, "--drain"), timeout=120)
        # The batch meaning is over what the topics hold. Every acknowledged record must be there;
        # a record the producer retried through the outage may be there twice.
        log = {}
        for t in topics.values():
            log.update(read_log(broker.bootstrap, t))
        missing = [k for k, (v, _) in sent.items() if log.get(k) != v]
        assert not missing, f"acknowledged records not in the log: {missing[:3]}"
        unacknowledged = sorted(set(log) - set(sent))
        sent.update({k: (log[k], "ok") for k in unacknowledged})
        rows, rejects, late = check_join(tmp_path / "wh", "demo", topics, sent)
        assert late == 0 and rejects == 0 and rows > 100
    finally:
        broker.stop()


def test_twenty_random_kills_while_a_producer_writes(kafka, new_topic, tmp_path):
    # `make soak-kills` runs it with BRAID_KILLS=200.
    n_kills = int(os.environ.get("BRAID_KILLS", "20"))
    topics = make_topics(new_topic)
    parts = split(RandomStreams(77, events=100 * n_kills).records(), n_kills)
    sent = {}
    rng = random.Random(77)
    lock = threading.Lock()

    def producer():
        for i, part in enumerate(parts):
            got = produce(kafka.bootstrap, topics, part, 3, 1000 + i)
            with lock:
                sent.update(got)
            time.sleep(2.0)

    th = threading.Thread(target=producer)
    th.start()
    kills = 0
    for _ in range(n_kills):
        proc = start_join(kafka.bootstrap, tmp_path, topics, "--commit-interval", "1s",
                          "--idle-timeout", "10m")
        time.sleep(rng.uniform(1.0, 3.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
    th.join(600)
    assert kills == n_kills
    assert metadata_versions(tmp_path) >= 5, "the killed runs never committed"
    run(*join_args(kafka.bootstrap, tmp_path, topics, "--drain"), timeout=120)
    check_join(tmp_path, "demo", topics, sent)
