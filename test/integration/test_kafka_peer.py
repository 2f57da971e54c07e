"""The Kafka test peer works: a real broker, three different clients."""

import shutil
import subprocess
import time

import pytest
from confluent_kafka import Producer
from kafka import KafkaConsumer

N = 100


def expected():
    return {f"key-{i}": f"value-{i}" for i in range(N)}


@pytest.fixture(scope="module")
def filled_topic(kafka):
    topic = kafka.create_topic("peer-check", partitions=3)
    delivered = []
    p = Producer({"bootstrap.servers": kafka.bootstrap, "acks": "all",
                  "enable.idempotence": True, "linger.ms": 5})
    for k, v in expected().items():
        p.produce(topic, key=k, value=v,
                  on_delivery=lambda err, msg: delivered.append((err, msg.partition())))
    assert p.flush(30) == 0
    assert len(delivered) == N
    assert all(err is None for err, _ in delivered)
    # keyed messages spread over all 3 partitions
    assert {part for _, part in delivered} == {0, 1, 2}
    return topic


def test_broker_metadata(kafka, filled_topic):
    md = kafka.admin().list_topics(timeout=10)
    assert len(md.brokers) == 1
    assert len(md.topics[filled_topic].partitions) == 3


def test_kafka_python_consumer_group(kafka, filled_topic):
    consumer = KafkaConsumer(
        filled_topic,
        bootstrap_servers=kafka.bootstrap,
        group_id="peer-check-group",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1000,
    )
    got = {}
    deadline = time.monotonic() + 60
    try:
        while len(got) < N and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=1000).values():
                for r in records:
                    got[r.key.decode()] = r.value.decode()
        consumer.commit()
        assert {tp.partition for tp in consumer.assignment()} == {0, 1, 2}
    finally:
        consumer.close()
    assert got == expected()


@pytest.mark.skipif(shutil.which("kcat") is None, reason="kcat not installed")
def test_kcat_reads_all(kafka, filled_topic):
    out = subprocess.run(
        ["kcat", "-C", "-e", "-q", "-b", kafka.bootstrap, "-t", filled_topic,
         "-f", "%p\t%k\t%s\n"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout
    rows = [line.split("\t") for line in out.splitlines()]
    assert len(rows) == N
    assert {k: v for _, k, v in rows} == expected()
    assert {p for p, _, _ in rows} == {"0", "1", "2"}


def test_auto_created_topic_has_3_partitions(kafka):
    p = Producer({"bootstrap.servers": kafka.bootstrap})
    p.produce("peer-auto-created", value=b"x")
    assert p.flush(30) == 0
    md = kafka.admin().list_topics("peer-auto-created", timeout=10)
    assert len(md.topics["peer-auto-created"].partitions) == 3
