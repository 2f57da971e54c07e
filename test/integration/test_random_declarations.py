"""Random declared pipelines against a real Kafka: for each seed, random streams, key arities,
field types, nested paths, time formats, join kinds, windows and output columns
(random_declaration.py); an independent producer; braid's table equals the declaration's
batch query computed by DuckDB over the records braid accepted, and the rejects table holds
exactly the malformed and late records. `make test` runs 4 seeds; BRAID_RANDOM_DECLARATIONS=50
runs 50 (a soak), from BRAID_RANDOM_DECLARATIONS_FIRST (1). A failure prints the seed and the
declaration (pytest shows it)."""

from __future__ import annotations

import os
import random
from collections import Counter

import pytest

from braid_cli import run
from join_oracle import normalize, read_table_columns
from pipeline_check import REJECT_COLUMNS, produce, sort_fates
from random_declaration import BASE_US, Records, batch_query, declare
from test_declared_pipeline import assert_same_rows

FIRST_SEED = int(os.environ.get("BRAID_RANDOM_DECLARATIONS_FIRST", "1"))
SEEDS = range(FIRST_SEED, FIRST_SEED + int(os.environ.get("BRAID_RANDOM_DECLARATIONS", "4")))


@pytest.mark.parametrize("seed", SEEDS)
def test_random_declaration_equals_its_batch_query(kafka, new_topic, tmp_path, seed):
    rng = random.Random(seed)
    decl = declare(rng)
    data = Records(rng, decl)
    values = {s.name: data.values(s) for s in decl.streams}
    topics = {s.name: new_topic(partitions=s.partitions, prefix=s.name) for s in decl.streams}
    partitions = {s.name: s.partitions for s in decl.streams}
    config = tmp_path / "pipeline.toml"
    config.write_text(decl.toml(topics, kafka.bootstrap, str(tmp_path)))
    restart = rng.random() < 0.5
    print(f"seed {seed}, {'restart' if restart else 'one drain'}; declaration:\n{config.read_text()}")

    if restart:
        # Half the span first, bounded; then the rest and the late records, drained. Every
        # record of the second half is later than any of the first, by more than any delay
        # minus the disorder, so only the late ones can be late; they lie below the first
        # run's watermark (every partition holds an on-time record of the first half).
        split = BASE_US + data.span // 2
        first = {k: [(v, f) for v, f, us in vs if f != "late" and us < split] for k, vs in values.items()}
        rest = {k: [(v, f) for v, f, us in vs if f == "late" or us >= split] for k, vs in values.items()}
        assert all(sum(1 for _, f in first[k] if f == "ok") >= n for k, n in partitions.items()), \
            "the generator left a partition without a first-half record"
        sent = produce(kafka.bootstrap, topics, first, partitions, seed, cover=True)
        run("join", "--config", str(config), "--until-caught-up")
        sent.update(produce(kafka.bootstrap, topics, rest, partitions, seed + 1))
        assert "Resumed from the last commit" in run("join", "--config", str(config), "--drain").stdout
    else:
        # One backlog: whether a record sent far back is late depends on the order braid reads
        # the partitions in; such a record is then either rejected as late or joined like any.
        sent = produce(kafka.bootstrap, topics, {k: [(v, f) for v, f, _ in vs] for k, vs in values.items()},
                       partitions, seed)
        run("join", "--config", str(config), "--drain")

    rejects = read_table_columns(tmp_path, "rnd", "joined_rejects", REJECT_COLUMNS)
    accepted, rejected = sort_fates(rejects, topics, sent, late_rejected=restart)
    # A malformed record is on time: its reason is what is wrong with it, never `late`.
    assert all(rejected[k] != "late" for k, (_, f) in sent.items() if f == "malformed"), rejected
    expected = batch_query(decl, data.meant, accepted)
    got = Counter(normalize(r) for r in read_table_columns(tmp_path, "rnd", "joined", [n for _, _, n in decl.columns]))
    assert_same_rows(got, expected)
    # The comparison means something: the table is not empty, and rejects were tested.
    assert sum(expected.values()) > 0
    assert sum(1 for _, f in sent.values() if f == "malformed") > 0
