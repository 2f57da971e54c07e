"""`braid join` against a real Kafka: the table equals DESIGN §2's query (computed by DuckDB)
over every record braid did not reject; malformed records are all in the rejects table and no
on-time record is rejected."""

from __future__ import annotations

from collections import Counter

import pytest

from braid_cli import EmbeddedBroker, read_topic, run
from join_oracle import RandomStreams, normalize, oracle, read_table_columns, COLUMNS
from pipeline_check import check_join, produce

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


def join_with_each_reader(kafka, topics: dict[str, str], tmp_path, sent: dict):
    """braid's own fetch reader (the default over plaintext) and librdkafka's each join the
    topics into a warehouse of their own, whose tables must be the batch answer over `sent`."""
    import os
    for reader in ("braid", "librdkafka"):
        warehouse = tmp_path / reader
        run("join", "--bootstrap", kafka.bootstrap, "--warehouse", str(warehouse),
            "--topic-actions", topics["actions"], "--topic-purchases", topics["purchases"],
            "--topic-sessions", topics["sessions"], "--drain",
            env={**os.environ, "BRAID_KAFKA_READER": reader})
        rows, _, _ = check_join(warehouse, "demo", topics, sent)
        assert rows > 50, reader


@pytest.mark.parametrize("codec", ["none", "gzip", "snappy", "lz4", "zstd"])
def test_both_kafka_readers_give_the_batch_answer_for_every_codec(kafka, new_topic, tmp_path, codec):
    """braid's own fetch reader (the default over plaintext) and librdkafka's read the same
    records, whatever the producer compressed them with."""
    topics = {name: new_topic(partitions=3, prefix=name) for name in ("actions", "purchases",
                                                                       "sessions")}
    sent = produce(kafka.bootstrap, topics, RandomStreams(50 + len(codec), events=300).records(), 3,
                   7, producer_config={"compression.type": codec, "linger.ms": 20})
    join_with_each_reader(kafka, topics, tmp_path, sent)


def test_records_larger_than_a_fetch_per_partition_are_read(kafka, new_topic, tmp_path):
    """Some actions carry 3 MiB of an unknown field, so that their batches are larger than the
    2 MiB braid's fetch reader asks of a partition at a time: both readers read them all, and
    the table is the batch answer (the field is ignored)."""
    big = {"max.message.bytes": str(16 << 20)}
    topics = {name: new_topic(partitions=2, prefix=name, config=big)
              for name in ("actions", "purchases", "sessions")}
    records = RandomStreams(61, events=200).records()
    pad = "x" * (3 << 20)
    padded = 0
    for i, (value, fate) in enumerate(records["actions"]):
        if fate == "ok" and i % 40 == 0 and value.startswith(b"{"):
            records["actions"][i] = (b'{"pad":"' + pad.encode() + b'",' + value[1:], fate)
            padded += 1
    assert padded >= 3
    sent = produce(kafka.bootstrap, topics, records, 2, 11,
                   producer_config={"message.max.bytes": 16 << 20})
    assert max(len(v) for v, _ in sent.values()) > 3 << 20
    join_with_each_reader(kafka, topics, tmp_path, sent)


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
    assert not (tmp_path / "demo").exists(), "a run that cannot read created tables"
    # A warehouse directory the failed run would have made is not left behind, empty.
    proc = run("join", "--bootstrap", "127.0.0.1:1", "--warehouse", str(tmp_path / "new"),
               "--drain", check=False, timeout=40)
    assert proc.returncode == 1 and "cannot reach Kafka" in proc.stderr
    assert not (tmp_path / "new").exists(), "a failed run left an empty warehouse directory"
    broker = EmbeddedBroker()
    try:
        proc = run("join", "--bootstrap", broker.bootstrap, "--warehouse", str(tmp_path),
                   "--topic-actions", "no_such_topic", "--drain", check=False)
        assert proc.returncode == 1 and 'topic "no_such_topic" does not exist' in proc.stderr
        assert not (tmp_path / "demo").exists(), "a run that cannot read created tables"
        import os
        proc = run("join", "--bootstrap", broker.bootstrap, "--warehouse", str(tmp_path),
                   "--drain", check=False, env={**os.environ, "BRAID_KAFKA_READER": "kcat"})
        assert proc.returncode == 2 and 'BRAID_KAFKA_READER is "kcat"' in proc.stderr
        assert "librdkafka" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "demo").exists(), "a refused run created tables"
    finally:
        broker.stop()
    proc = run("join", "--watermark-delay", "soon", check=False)
    assert proc.returncode == 2 and "--watermark-delay" in proc.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('watermark_dely = "30s"\n')
    proc = run("join", "--config", str(bad), check=False)
    assert proc.returncode == 2 and 'unknown key "watermark_dely"' in proc.stderr
