"""`braid broker` and `braid produce`: the seed's shape on the topics, read back by
independent clients, against the embedded broker and against a real Apache Kafka."""

from __future__ import annotations

import socket
import subprocess
import time
from datetime import datetime

import pytest
from confluent_kafka import Consumer
from kafka import KafkaConsumer

from braid_cli import EmbeddedBroker, read_topic, run

TOPICS = ("user_actions", "purchases", "sessions")


@pytest.fixture(scope="module")
def embedded():
    broker = EmbeddedBroker("--partitions", "3")
    yield broker
    assert broker.stop() == 0


def assert_seed_shape(bootstrap: str, actions_topic="user_actions", purchases_topic="purchases",
                      sessions_topic="sessions", events=50):
    actions = read_topic(bootstrap, actions_topic)
    purchases = read_topic(bootstrap, purchases_topic)
    sessions = read_topic(bootstrap, sessions_topic)
    assert len(actions) == events
    assert len(purchases) == int(events * 0.6)
    # The seed's JSON, field for field and in the seed's order.
    assert all(list(a) == ["user_id", "session_id", "action", "page_url", "timestamp"]
               for a in actions)
    assert all(list(p) == ["user_id", "session_id", "product_id", "amount", "timestamp"]
               for p in purchases)
    assert all(list(s) == ["session_id", "user_id", "device", "timestamp"] for s in sessions)
    pairs = {(a["user_id"], a["session_id"]) for a in actions}
    assert {(p["user_id"], p["session_id"]) for p in purchases} <= pairs
    session_pairs = [(s["user_id"], s["session_id"]) for s in sessions]
    assert len(session_pairs) == len(set(session_pairs)) == len(pairs)
    assert set(session_pairs) == pairs
    for rec in actions + purchases + sessions:
        ts = datetime.fromisoformat(rec["timestamp"])  # isoformat(), zone-less
        assert ts.tzinfo is None
    assert {a["action"] for a in actions} <= {"view", "click", "scroll", "search"}
    assert {s["device"] for s in sessions} <= {"mobile", "desktop", "tablet"}
    assert all(19.99 <= p["amount"] <= 499.99 for p in purchases)
    assert {a["user_id"] for a in actions} <= {f"user_{i}" for i in range(1, 11)}
    assert {a["session_id"] for a in actions} <= {f"session_{i}" for i in range(1, 21)}
    return actions, purchases, sessions


def test_broker_prints_its_address_first(embedded):
    host, port = embedded.bootstrap.rsplit(":", 1)
    assert host == "127.0.0.1" and int(port) > 0


def test_produce_writes_the_seed_shape(embedded):
    out = run("produce", "--bootstrap", embedded.bootstrap, "--events", "50", "--seed", "7").stdout
    assert "50 actions" in out and "30 purchases" in out
    actions, _, sessions = assert_seed_shape(embedded.bootstrap)
    assert f"{len(sessions)} unique sessions" in out


def test_same_seed_same_events(embedded):
    def fields(bootstrap):
        return [{k: v for k, v in a.items() if k != "timestamp"}
                for a in read_topic(bootstrap, "user_actions")]
    a = EmbeddedBroker()
    b = EmbeddedBroker()
    try:
        run("produce", "--bootstrap", a.bootstrap, "--events", "200", "--seed", "11")
        run("produce", "--bootstrap", b.bootstrap, "--events", "200", "--seed", "11")
        assert sorted(map(str, fields(a.bootstrap))) == sorted(map(str, fields(b.bootstrap)))
    finally:
        a.stop()
        b.stop()


def test_kafka_python_consumer_group_reads_embedded(embedded):
    run("produce", "--bootstrap", embedded.bootstrap, "--events", "40", "--seed", "3",
        "--topic-actions", "kp_actions", "--topic-purchases", "kp_purchases",
        "--topic-sessions", "kp_sessions")
    consumer = KafkaConsumer("kp_actions", bootstrap_servers=embedded.bootstrap,
                             group_id="braid-test", auto_offset_reset="earliest",
                             enable_auto_commit=False)
    got = []
    deadline = time.monotonic() + 60
    try:
        while len(got) < 40 and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                got.extend(records)
        consumer.commit()
    finally:
        consumer.close()
    assert len(got) == 40
    assert len({(r.partition, r.offset) for r in got}) == 40
    assert all(r.key is None for r in got)


def test_fixed_listen_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([__import__("braid_cli").binary(), "broker", "--listen",
                             f"127.0.0.1:{port}"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == f"127.0.0.1:{port}"
        run("produce", "--bootstrap", f"127.0.0.1:{port}", "--events", "10", "--seed", "1")
        c = Consumer({"bootstrap.servers": f"127.0.0.1:{port}", "group.id": "fixed",
                      "auto.offset.reset": "earliest"})
        c.subscribe(["user_actions"])
        got = 0
        deadline = time.monotonic() + 30
        while got < 10 and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is not None and m.error() is None:
                got += 1
        c.close()
        assert got == 10
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_listen_port_taken_is_refused(embedded):
    port = embedded.bootstrap.rsplit(":", 1)[1]
    proc = run("broker", "--listen", f"127.0.0.1:{port}", check=False, timeout=10)
    assert proc.returncode != 0
    assert "cannot listen" in proc.stderr


def test_unreachable_broker_fails_fast():
    start = time.monotonic()
    proc = run("produce", "--bootstrap", "127.0.0.1:1", "--events", "5", check=False, timeout=40)
    assert time.monotonic() - start < 30
    assert proc.returncode == 1
    assert "cannot reach Kafka at 127.0.0.1:1" in proc.stderr
    assert proc.stderr.count("\n") == 1  # one clear line, no librdkafka log noise


@pytest.mark.parametrize("bad", ["-5", "abc", "1.5"])
def test_bad_event_counts_are_refused_before_sending(embedded, bad):
    before = len(read_topic(embedded.bootstrap, "user_actions"))
    proc = run("produce", "--bootstrap", embedded.bootstrap, "--events", bad, check=False)
    assert proc.returncode == 2
    assert "--events" in proc.stderr and "whole number" in proc.stderr
    assert len(read_topic(embedded.bootstrap, "user_actions")) == before


def test_unknown_command_and_flag():
    proc = run("frobnicate", check=False)
    assert proc.returncode == 2 and "unknown command" in proc.stderr
    proc = run("produce", "--no-such-flag", check=False)
    assert proc.returncode == 2 and "--no-such-flag" in proc.stderr


def test_every_command_has_help_with_an_example():
    top = run("--help").stdout
    commands = [line.split()[0] for line in top.split("Subcommands:")[1].splitlines()
                if line.strip() and not line.startswith("Run ")]
    assert "broker" in commands and "produce" in commands
    for c in commands:
        assert "Example" in run(c, "--help").stdout, c


def test_real_kafka_gets_the_same_shape(kafka):
    prefix = f"real{int(time.time() * 1000) % 100000}"
    names = [f"{prefix}_{t}" for t in TOPICS]
    run("produce", "--bootstrap", kafka.bootstrap, "--events", "50", "--seed", "7",
        "--partitions", "3", "--topic-actions", names[0], "--topic-purchases", names[1],
        "--topic-sessions", names[2])
    md = kafka.admin().list_topics(timeout=10)
    for n in names:
        assert len(md.topics[n].partitions) == 3  # created by braid with --partitions
    assert_seed_shape(kafka.bootstrap, *names)
    # A consumer group of kafka-python reads them too.
    consumer = KafkaConsumer(names[0], bootstrap_servers=kafka.bootstrap, group_id="braid-real",
                             auto_offset_reset="earliest", enable_auto_commit=False)
    got = 0
    deadline = time.monotonic() + 60
    try:
        while got < 50 and time.monotonic() < deadline:
            got += sum(len(r) for r in consumer.poll(timeout_ms=500).values())
    finally:
        consumer.close()
    assert got == 50


def test_produce_is_fast_enough_for_millions(embedded):
    # Not a timing test: checks that a large run completes and counts right (the speed is
    # measured by the benchmark). The embedded broker keeps ~100k messages per partition.
    out = run("produce", "--bootstrap", embedded.bootstrap, "--events", "100000", "--users",
              "1000", "--sessions", "5000", "--topic-actions", "big_a", "--topic-purchases",
              "big_p", "--topic-sessions", "big_s", timeout=120).stdout
    assert "100000 actions" in out and "60000 purchases" in out
