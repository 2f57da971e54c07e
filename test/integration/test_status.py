"""`braid status` against a real Kafka: each pipeline writing a table, its committed offsets
equal to the topics' ends after a bounded run, and its lag when records arrive after it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from braid_cli import REPO, run


def topic_ends(bootstrap: str, topic: str, partitions: int) -> dict[int, int]:
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "braid-status-test"})
    try:
        return {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                for p in range(partitions)}
    finally:
        c.close()


def fill(bootstrap: str, topic: str, partition: int, n: int) -> None:
    p = Producer({"bootstrap.servers": bootstrap})
    for i in range(n):
        p.produce(topic, value=f"filler {i}".encode(), partition=partition)
    assert p.flush(30) == 0


def status(warehouse: Path, *args: str, check: bool = True):
    proc = run("status", "demo.unified_activity", "--warehouse", str(warehouse), "--format",
               "json", *args, check=check)
    return json.loads(proc.stdout) if check else proc


def by_id(doc: dict) -> dict[str, dict]:
    return {p["pipeline_id"]: p for p in doc["pipelines"]}


def test_status_shows_offsets_lag_and_every_pipeline(kafka, new_topic, tmp_path):
    topics = {name: new_topic(partitions=2, prefix=name) for name in ("actions", "purchases",
                                                                       "sessions")}
    for name, topic in topics.items():
        for part in range(2):
            fill(kafka.bootstrap, topic, part, 5 + part)  # not events: all go to the rejects
    common = ["--bootstrap", kafka.bootstrap, "--warehouse", str(tmp_path),
              "--topic-actions", topics["actions"], "--topic-purchases", topics["purchases"],
              "--topic-sessions", topics["sessions"]]
    before = time.time()
    run("join", *common, "--drain")

    doc = status(tmp_path, "--bootstrap", kafka.bootstrap)
    assert doc["table"] == "demo.unified_activity"
    [p] = doc["pipelines"]
    assert p["pipeline_id"] == "demo.unified_activity" and p["commit_seq"] >= 1
    assert re.fullmatch(r".+:\d+", p["writer"]), p["writer"]
    assert 0 <= p["age_s"] <= time.time() - before + 5
    got = {(e["topic"], e["partition"]): e for e in p["partitions"]}
    assert set(got) == {(t, part) for t in topics.values() for part in range(2)}
    for topic in topics.values():
        for part, end in topic_ends(kafka.bootstrap, topic, 2).items():
            e = got[(topic, part)]
            assert e["offset"] == end == e["end_offset"] and e["lag"] == 0
    assert p["lag"] == 0

    # Records after the run: lag on that partition only.
    fill(kafka.bootstrap, topics["purchases"], 1, 7)
    p = by_id(status(tmp_path, "--bootstrap", kafka.bootstrap))["demo.unified_activity"]
    lags = {(e["topic"], e["partition"]): e["lag"] for e in p["partitions"]}
    assert lags.pop((topics["purchases"], 1)) == 7 and set(lags.values()) == {0}
    assert p["lag"] == 7

    # A second pipeline id writing the same table: both listed, each with its own offsets.
    run("join", *common, "--pipeline-id", "backfill", "--drain")
    pipelines = by_id(status(tmp_path, "--bootstrap", kafka.bootstrap))
    assert set(pipelines) == {"demo.unified_activity", "backfill"}
    assert pipelines["backfill"]["lag"] == 0 and pipelines["demo.unified_activity"]["lag"] == 7
    # Without --bootstrap: the offsets, no lag.
    plain = by_id(status(tmp_path))["backfill"]
    assert "lag" not in plain and all("end_offset" not in e for e in plain["partitions"])
    text = run("status", "demo.unified_activity", "--warehouse", str(tmp_path), "--bootstrap",
               kafka.bootstrap).stdout
    assert "demo.unified_activity: 2 pipelines" in text and "pipeline backfill" in text
    assert "lag          7 records" in text

    # A partition added to a topic since the last commit: the next run reads all of it.
    from confluent_kafka.admin import NewPartitions
    admin = kafka.admin()
    admin.create_partitions([NewPartitions(topics["sessions"], 3)])[topics["sessions"]].result(30)
    fill(kafka.bootstrap, topics["sessions"], 2, 4)
    p = by_id(status(tmp_path, "--bootstrap", kafka.bootstrap))["backfill"]
    added = [e for e in p["partitions"] if (e["topic"], e["partition"]) == (topics["sessions"], 2)]
    assert added == [{"topic": topics["sessions"], "partition": 2, "offset": None,
                      "end_offset": 4, "lag": 4}]
    assert p["lag"] == 4

    # The rejects table has the same pipelines, without a watermark.
    rej = json.loads(run("status", "demo.unified_activity_rejects", "--warehouse", str(tmp_path),
                         "--format", "json").stdout)
    assert {p["pipeline_id"] for p in rej["pipelines"]} == {"demo.unified_activity", "backfill"}
    assert all(p["watermark"] is None for p in rej["pipelines"])


def test_status_broker_failures_are_one_line(kafka, new_topic, tmp_path):
    topics = [new_topic(partitions=1, prefix=name) for name in ("a", "p", "s")]
    fill(kafka.bootstrap, topics[0], 0, 3)
    run("join", "--bootstrap", kafka.bootstrap, "--warehouse", str(tmp_path),
        "--topic-actions", topics[0], "--topic-purchases", topics[1], "--topic-sessions",
        topics[2], "--drain")
    started = time.monotonic()
    proc = status(tmp_path, "--bootstrap", "127.0.0.1:1", check=False)
    assert time.monotonic() - started < 30
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("braid status: ")
    assert "127.0.0.1:1" in proc.stderr
    kafka.delete_topic(topics[1])
    proc = status(tmp_path, "--bootstrap", kafka.bootstrap, check=False)
    assert proc.returncode == 1 and f'topic "{topics[1]}"' in proc.stderr
    assert "does not exist" in proc.stderr and proc.stderr.count("\n") == 1
    proc = status(tmp_path, "--bootstrap", kafka.bootstrap, "-X", "no.such.property=1",
                  check=False)
    assert proc.returncode == 2 and '"no.such.property"' in proc.stderr


def iceberg_tool(*args: str) -> None:
    path = os.environ.get("BRAID_ICEBERG_TOOL") or str(REPO / "build" / "tests" / "iceberg_tool")
    proc = subprocess.run([path, *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_status_of_other_tables(tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"n": 1}\n')
    # A table no braid pipeline wrote.
    iceberg_tool("write", str(tmp_path), "demo.plain", str(rows), "n:long")
    proc = run("status", "demo.plain", "--warehouse", str(tmp_path))
    assert proc.stdout == "no braid pipeline has committed to demo.plain\n"
    doc = json.loads(run("status", "demo.plain", "--warehouse", str(tmp_path), "--format",
                         "json", "--bootstrap", "127.0.0.1:1").stdout)
    assert doc["pipelines"] == []
    # A table written before braid kept its records in properties: found by its summaries.
    iceberg_tool("write", str(tmp_path), "demo.old", str(rows), "n:long",
                 "--summary", "braid.pipeline-id=old", "--summary", "braid.commit-seq=4",
                 "--summary", 'braid.offsets={"t":{"0":12,"1":3}}')
    [p] = json.loads(run("status", "demo.old", "--warehouse", str(tmp_path), "--format",
                         "json").stdout)["pipelines"]
    assert p["pipeline_id"] == "old" and p["commit_seq"] == 4 and p["writer"] is None
    assert [(e["topic"], e["partition"], e["offset"]) for e in p["partitions"]] == \
        [("t", 0, 12), ("t", 1, 3)]
    # A missing table.
    proc = run("status", "demo.nope", "--warehouse", str(tmp_path), check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "demo.nope" in proc.stderr
