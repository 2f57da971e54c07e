"""`braid join` against a real Kafka: the table equals DESIGN §2's query (computed by DuckDB)
over every record braid did not reject; malformed records are all in the rejects table and no
on-time record is rejected."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from confluent_kafka import Producer

from braid_cli import EmbeddedBroker, read_topic, run
from join_oracle import RandomStreams, normalize, oracle, read_table_columns, COLUMNS

REJECT_COLUMNS = ["topic", "partition", "offset", "reason"]


def produce(bootstrap: str, topics: dict[str, str], records, partitions: int, rng_seed: int):
    """Sends records to explicit partitions; returns {(topic, partition, offset): (value, fate)}."""
    import random
    rng = random.Random(rng_seed)
    sent = {}
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})

    def on_delivery(err, msg, value_fate):
        assert err is None, err
        sent[(msg.topic(), msg.partition(), msg.offset())] = value_fate

    for logical, recs in records.items():
        for value, fate in recs:
            # Late records go where their key would; others spread over the partitions.
            p.produce(topics[logical], value=value, partition=rng.randrange(partitions),
                      on_delivery=lambda err, msg, vf=(value, fate): on_delivery(err, msg, vf))
            p.poll(0)
    assert p.flush(60) == 0
    return sent


def check_join(warehouse: Path, ns: str, topics: dict[str, str], sent: dict,
               purchase_window_s=120, session_window_s=120):
    rejects = read_table_columns(warehouse, ns, "unified_activity_rejects", REJECT_COLUMNS)
    rows = read_table_columns(warehouse, ns, "unified_activity", COLUMNS)
    return check_rows(rows, rejects, topics, sent, purchase_window_s, session_window_s)


def check_rows(rows, rejects, topics: dict[str, str], sent: dict, purchase_window_s=120,
               session_window_s=120, subset: bool = False):
    """`rows` (COLUMNS) and `rejects` (REJECT_COLUMNS) as read from the two tables by any reader
    against what `produce` sent: malformed records rejected, on-time ones not, and the rows
    equal to DESIGN §2's query over the accepted records (with `subset`, a sub-multiset of it:
    a bounded run has not emitted the rows still waiting for the watermark)."""
    rejected = {(t, p, o): reason for t, p, o, reason in rejects}
    assert len(rejected) == len(rejects), "a record was rejected twice"
    for key, (value, fate) in sent.items():
        if fate == "malformed":
            assert key in rejected, f"malformed record {key} {value!r} not in rejects"
        if fate == "ok":
            assert key not in rejected, f"on-time record {key} rejected: {rejected.get(key)}"
    by_topic = {v: k for k, v in topics.items()}
    accepted = {"actions": [], "purchases": [], "sessions": []}
    for key, (value, fate) in sent.items():
        if key not in rejected:
            accepted[by_topic[key[0]]].append(json.loads(value))
    expected = oracle(accepted["actions"], accepted["purchases"], accepted["sessions"],
                      purchase_window_s, session_window_s)
    got = Counter(normalize(r) for r in rows)
    if subset:
        assert not got - expected, f"rows not in the batch query (duplicates?): {list((got - expected).items())[:3]}"
    else:
        assert got == expected, (f"table has {sum(got.values())} rows, the batch query "
                                 f"{sum(expected.values())}; extra {list((got - expected).items())[:3]}"
                                 f" missing {list((expected - got).items())[:3]}")
    late = sum(1 for r in rejected.values() if r == "late")
    return sum(got.values()), len(rejected), late


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bounded_join_equals_batch_query_on_real_kafka(kafka, new_topic, tmp_path, seed):
    topics = {name: new_topic(partitions=3, prefix=name) for name in ("actions", "purchases",
                                                                       "sessions")}
    streams = RandomStreams(seed, events=400)
    sent = produce(kafka.bootstrap, topics, streams.records(), 3, seed)
    out = run("join", "--bootstrap", kafka.bootstrap, "--warehouse", str(tmp_path),
              "--topic-actions", topics["actions"], "--topic-purchases", topics["purchases"],
              "--topic-sessions", topics["sessions"], "--drain").stdout
    assert "rows committed" in out
    rows, rejects, late = check_join(tmp_path, "demo", topics, sent)
    assert rows > 100
    malformed = sum(1 for _, f in sent.values() if f == "malformed")
    assert rejects >= malformed and late > 0


def test_seed_data_gives_the_seeds_answer(tmp_path):
    broker = EmbeddedBroker()
    try:
        run("produce", "--bootstrap", broker.bootstrap, "--events", "50", "--seed", "7")
        run("join", "--bootstrap", broker.bootstrap, "--warehouse", str(tmp_path),
            "--drain")
        actions = read_topic(broker.bootstrap, "user_actions")
        purchases = read_topic(broker.bootstrap, "purchases")
        sessions = read_topic(broker.bootstrap, "sessions")
    finally:
        broker.stop()
    rows = read_table_columns(tmp_path, "demo", "unified_activity", COLUMNS)
    assert Counter(normalize(r) for r in rows) == oracle(actions, purchases, sessions)
    # Every action has its session row; purchases joined; device never NULL.
    assert len({(r[0], r[1], r[7]) for r in rows}) == len({(a["user_id"], a["session_id"],
                                                             a["timestamp"]) for a in actions})
    assert all(r[6] is not None for r in rows)
    assert sum(1 for r in rows if r[4] is not None) >= 30
    assert read_table_columns(tmp_path, "demo", "unified_activity_rejects", ["topic"]) == []


def test_restarts_and_kill_9_neither_lose_nor_duplicate(kafka, new_topic, tmp_path):
    import signal
    import subprocess
    import time
    from braid_cli import binary
    topics = {name: new_topic(partitions=3, prefix=name) for name in ("actions", "purchases",
                                                                       "sessions")}
    records = RandomStreams(42, events=600).records()
    half = {k: v[: len(v) // 2] for k, v in records.items()}
    rest = {k: v[len(v) // 2:] for k, v in records.items()}
    sent = produce(kafka.bootstrap, topics, half, 3, 42)
    common = ["--bootstrap", kafka.bootstrap, "--warehouse", str(tmp_path),
              "--topic-actions", topics["actions"], "--topic-purchases", topics["purchases"],
              "--topic-sessions", topics["sessions"], "--commit-interval", "1s"]
    # A continuous run that stops on its own after a few commits.
    run("join", *common, "--duration", "4s")
    sent.update(produce(kafka.bootstrap, topics, rest, 3, 43))
    # A continuous run killed with SIGKILL after at least one commit.
    proc = subprocess.Popen([binary(), "join", *common], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(4)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # Then a bounded run finishes the input.
    out = run("join", *common, "--drain").stdout
    assert "Resumed from the last commit" in out
    check_join(tmp_path, "demo", topics, sent)
    snaps = run("table", "snapshots", "demo.unified_activity", "--warehouse", str(tmp_path)).stdout
    assert snaps.count("demo.unified_activity") >= 3  # commits from all three runs


def test_join_errors_are_clear(tmp_path):
    proc = run("join", "--bootstrap", "127.0.0.1:1", "--warehouse", str(tmp_path),
               "--drain", check=False, timeout=40)
    assert proc.returncode == 1 and "cannot reach Kafka at 127.0.0.1:1" in proc.stderr
    broker = EmbeddedBroker()
    try:
        proc = run("join", "--bootstrap", broker.bootstrap, "--warehouse", str(tmp_path),
                   "--topic-actions", "no_such_topic", "--drain", check=False)
        assert proc.returncode == 1 and 'topic "no_such_topic" does not exist' in proc.stderr
    finally:
        broker.stop()
    proc = run("join", "--watermark-delay", "soon", check=False)
    assert proc.returncode == 2 and "--watermark-delay" in proc.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('watermark_dely = "30s"\n')
    proc = run("join", "--config", str(bad), check=False)
    assert proc.returncode == 2 and 'unknown key "watermark_dely"' in proc.stderr
