"""Producing a RandomStreams input into a real Kafka and checking braid's tables against
DESIGN §2's query over every record braid did not reject (shared by the join and service tests)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from confluent_kafka import Producer

from join_oracle import normalize, oracle, read_table_columns, COLUMNS

REJECT_COLUMNS = ["topic", "partition", "offset", "reason"]


def produce(bootstrap: str, topics: dict[str, str], records, partitions: int | dict[str, int], rng_seed: int,
            cover: bool = False, producer_config: dict | None = None):
    """Sends records to explicit partitions; returns {(topic, partition, offset): (value, fate)}.
    `partitions` is one count for every topic or {logical topic: count}. With `cover`, the
    first on-time records of each topic go one to each partition, so that every partition has
    read an event time (an empty partition would hold the watermark back). `producer_config`
    adds to the producer's settings (e.g. its compression)."""
    import random
    rng = random.Random(rng_seed)
    sent = {}
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, **(producer_config or {})})

    def on_delivery(err, msg, value_fate):
        assert err is None, err
        sent[(msg.topic(), msg.partition(), msg.offset())] = value_fate

    for logical, recs in records.items():
        count = partitions[logical] if isinstance(partitions, dict) else partitions
        uncovered = list(range(count)) if cover else []
        for value, fate in recs:
            # Late records go where their key would; others spread over the partitions.
            partition = uncovered.pop(0) if fate == "ok" and uncovered else rng.randrange(count)
            p.produce(topics[logical], value=value, partition=partition,
                      on_delivery=lambda err, msg, vf=(value, fate): on_delivery(err, msg, vf))
            p.poll(0)
    assert p.flush(60) == 0
    return sent


def sort_fates(rejects, topics: dict[str, str], sent: dict, late_rejected: bool = True):
    """`rejects` (REJECT_COLUMNS rows) against what `produce` sent: every malformed record
    rejected, no on-time one, each late one rejected as `late` (with `late_rejected` False a
    late one may also be accepted: within one backlog whether it is late depends on the order
    the partitions are read), nothing rejected twice or that was not sent. Returns
    ({logical topic: [accepted value bytes]}, {(topic, partition, offset): reason})."""
    rejected = {(t, p, o): reason for t, p, o, reason in rejects}
    assert len(rejected) == len(rejects), "a record was rejected twice"
    assert not rejected.keys() - sent.keys(), f"rejects of records never sent: {list(rejected.keys() - sent.keys())[:3]}"
    for key, (value, fate) in sent.items():
        if fate == "malformed":
            assert key in rejected, f"malformed record {key} {value!r} not in rejects"
        if fate == "ok":
            assert key not in rejected, f"on-time record {key} {value!r} rejected: {rejected.get(key)}"
        if fate == "late" and (late_rejected or key in rejected):
            assert rejected.get(key) == "late", f"late record {key} {value!r}: {rejected.get(key)}"
    by_topic = {v: k for k, v in topics.items()}
    accepted = {logical: [] for logical in topics}
    for key, (value, _) in sent.items():
        if key not in rejected:
            accepted[by_topic[key[0]]].append(value)
    return accepted, rejected


def check_join(warehouse: Path, ns: str, topics: dict[str, str], sent: dict,
               purchase_window_s=120, session_window_s=120):
    rejects = read_table_columns(warehouse, ns, "unified_activity_rejects", REJECT_COLUMNS)
    rows = read_table_columns(warehouse, ns, "unified_activity", COLUMNS)
    return check_rows(rows, rejects, topics, sent, purchase_window_s, session_window_s)


def check_rows(rows, rejects, topics: dict[str, str], sent: dict, purchase_window_s=120,
               session_window_s=120, subset: bool = False):
    """`rows` (COLUMNS) and `rejects` (REJECT_COLUMNS) as read from the two tables by any reader
    (a local warehouse through DuckDB, a catalog through pyiceberg) against what `produce` sent:
    malformed records rejected, on-time ones not, and the rows equal to DESIGN §2's query over
    the accepted records (with `subset`, a sub-multiset of it: a bounded run has not emitted the
    rows still waiting for the watermark). Returns (rows, rejected records, late records)."""
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




def trickle(bootstrap: str, topics: dict[str, str], slices: list[dict], sent: dict, pause_s: float,
            rng_seed: int, stop=None):
    """Sends `slices` one after another with one producer, flushing each and pausing `pause_s`
    between them, so that records keep arriving through a continuous run's commits; records
    each delivered one in `sent` as `produce` does. Stops early when the `stop` event is set."""
    import random
    import time
    from confluent_kafka import Producer
    rng = random.Random(rng_seed)
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0})

    def delivered(err, msg, value_fate):
        assert err is None, err
        sent[(msg.topic(), msg.partition(), msg.offset())] = value_fate

    for part in slices:
        if stop is not None and stop.is_set():
            break
        for logical, recs in part.items():
            for value, fate in recs:
                p.produce(topics[logical], value=value, partition=rng.randrange(3),
                          on_delivery=lambda err, msg, vf=(value, fate): delivered(err, msg, vf))
        p.flush(30)
        time.sleep(pause_s)
    assert p.flush(60) == 0
