"""A declared pipeline writing a partitioned table (examples/ad-attribution.toml, partitioned by
day(event_timestamp) and bucket(4, user_id)) against a real Kafka: pyiceberg, DuckDB's iceberg
extension, `braid sql` and Spark (where installed) read the same rows; every data file holds
one partition, by pyiceberg's own transforms; a filtered pyiceberg scan plans exactly the
files of the partitions the filter selects; the manifest list summarizes the partitions; a
small target_file_size cuts files and compaction merges them within each day; a table that
exists with another spec is refused."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from pathlib import Path

import fastavro
import pytest
from pyiceberg.expressions import And, EqualTo, GreaterThanOrEqual, LessThan
from pyiceberg.table import StaticTable
from pyiceberg.transforms import BucketTransform, DayTransform
from pyiceberg.types import StringType, TimestamptzType

from braid_cli import REPO, run
from duckdb_iceberg import connect_with_iceberg
from join_oracle import current_metadata
from pipeline_check import produce
from test_declared_pipeline import COLUMNS, ad_records, declared_config

EXAMPLE = REPO / "examples" / "ad-attribution.toml"
DAY_ONLY = 'partition_by = ["day(event_timestamp)"]'
SPEC = 'partition_by = ["day(event_timestamp)", "bucket(4, user_id)"]'
UTC = dt.timezone.utc


def key(row) -> tuple:
    """A row as a comparable tuple, timestamps as UTC microseconds."""
    out = []
    for v in row:
        if isinstance(v, dt.datetime):
            v = v if v.tzinfo else v.replace(tzinfo=UTC)
            v = round(v.timestamp() * 1_000_000)
        elif isinstance(v, float):
            v = round(v, 6)
        out.append(v)
    return tuple(out)


def pipeline(kafka, new_topic, tmp_path: Path, text: str) -> Path:
    """Runs the declared pipeline `text` over a fresh set of on-time ad records; returns its file."""
    topics = {name: new_topic(partitions=2, prefix=name) for name in ("impressions", "clicks", "conversions")}
    records = {k: [r for r in v if r[1] == "ok"] for k, v in ad_records(31, impressions=400).items()}
    produce(kafka.bootstrap, topics, records, 2, 31)
    config = declared_config(tmp_path, topics, kafka.bootstrap, text)
    run("join", "--config", str(config), "--drain")
    return config


@pytest.fixture
def partitioned(kafka, new_topic, tmp_path):
    assert DAY_ONLY in EXAMPLE.read_text(), "the example is partitioned by day(event_timestamp)"
    config = pipeline(kafka, new_topic, tmp_path, EXAMPLE.read_text().replace(DAY_ONLY, SPEC))
    return {"config": config, "warehouse": tmp_path,
            "metadata": str(current_metadata(tmp_path, "ads", "attributed_impressions"))}


def test_readers_agree_and_each_file_holds_one_partition(partitioned):
    meta = json.loads(Path(partitioned["metadata"]).read_text())
    assert meta["partition-specs"] == [{"spec-id": 0, "fields": [
        {"name": "event_timestamp_day", "transform": "day", "source-id": 9, "field-id": 1000},
        {"name": "user_id_bucket", "transform": "bucket[4]", "source-id": 2, "field-id": 1001}]}]
    assert meta["default-spec-id"] == 0 and meta["last-partition-id"] == 1001

    table = StaticTable.from_metadata(partitioned["metadata"])
    arrow = table.scan(selected_fields=tuple(COLUMNS)).to_arrow()
    by_pyiceberg = Counter(key(r.values()) for r in arrow.to_pylist())
    assert sum(by_pyiceberg.values()) > 300

    con = connect_with_iceberg()
    cols = ", ".join(COLUMNS)
    by_duckdb = Counter(key(r) for r in con.execute(f"SELECT {cols} FROM iceberg_scan(?)",
                                                     [partitioned["metadata"]]).fetchall())
    assert by_duckdb == by_pyiceberg

    out = run("sql", "--config", str(partitioned["config"]), "--format", "json",
              f"SELECT {cols} FROM ads.attributed_impressions").stdout
    by_braid = Counter()
    for r in json.loads(out):
        values = [r[c] for c in COLUMNS]
        for i in (5, 8):  # click_time, event_timestamp come back as text
            if values[i] is not None:
                values[i] = dt.datetime.fromisoformat(values[i].replace(" ", "T"))
        by_braid[key(values)] += 1
    assert by_braid == by_pyiceberg

    # Every file's rows lie in its partition, by pyiceberg's own day and bucket transforms.
    day = DayTransform().transform(TimestamptzType())
    bucket = BucketTransform(4).transform(StringType())
    tasks = list(table.scan().plan_files())
    partitions = set()
    for task in tasks:
        p = task.file.partition
        partitions.add((p[0], p[1]))
        path = task.file.file_path.removeprefix("file://")
        rows = con.execute("SELECT user_id, epoch_us(event_timestamp) FROM read_parquet(?)", [path]).fetchall()
        assert len(rows) == task.file.record_count
        assert {(day(us), bucket(user)) for user, us in rows} == {(p[0], p[1])}, path
    assert len(partitions) >= 8  # three days, four buckets: files were split


def test_filtered_scans_plan_only_the_selected_partitions(partitioned):
    table = StaticTable.from_metadata(partitioned["metadata"])
    every = list(table.scan().plan_files())
    days = sorted({t.file.partition[0] for t in every})
    assert len(days) >= 3
    second = days[1]
    start = dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(days=second)
    in_day = And(GreaterThanOrEqual("event_timestamp", start.isoformat()),
                 LessThan("event_timestamp", (start + dt.timedelta(days=1)).isoformat()))
    planned = {t.file.file_path for t in table.scan(row_filter=in_day).plan_files()}
    assert planned == {t.file.file_path for t in every if t.file.partition[0] == second}
    assert 0 < len(planned) < len(every)
    rows = table.scan(row_filter=in_day, selected_fields=("event_timestamp",)).to_arrow().to_pylist()
    assert rows and all(start <= r["event_timestamp"] < start + dt.timedelta(days=1) for r in rows)

    # A key filter plans the files of its bucket only: the partition prunes what the user_id
    # bounds of mixed-user files could not.
    bucket = BucketTransform(4).transform(StringType())
    planned = {t.file.file_path for t in table.scan(row_filter=EqualTo("user_id", "u7")).plan_files()}
    assert planned == {t.file.file_path for t in every if t.file.partition[1] == bucket("u7")}

    # The manifest list summarizes each manifest's partitions: the days as 4-byte ints.
    snapshot = table.metadata.current_snapshot()
    with open(snapshot.manifest_list.removeprefix("file://"), "rb") as f:
        manifests = list(fastavro.reader(f))
    for m in manifests:
        day_summary, bucket_summary = m["partitions"]
        assert not day_summary["contains_null"]
        lo, hi = (int.from_bytes(day_summary[k], "little", signed=True) for k in ("lower_bound", "upper_bound"))
        with open(m["manifest_path"].removeprefix("file://"), "rb") as mf:
            entries = list(fastavro.reader(mf))
        # fastavro reads the day through its logicalType, as a date.
        got = [(e["data_file"]["partition"]["event_timestamp_day"] - dt.date(1970, 1, 1)).days for e in entries]
        assert (lo, hi) == (min(got), max(got))
        assert 0 <= int.from_bytes(bucket_summary["upper_bound"], "little") < 4


def test_target_file_size_cuts_files_and_a_respec_is_refused(kafka, new_topic, tmp_path):
    text = EXAMPLE.read_text().replace(DAY_ONLY, DAY_ONLY + '\ntarget_file_size = "8KiB"')
    config = pipeline(kafka, new_topic, tmp_path, text)
    metadata = current_metadata(tmp_path, "ads", "attributed_impressions")
    meta = json.loads(metadata.read_text())
    assert meta["properties"]["write.target-file-size-bytes"] == "8192"
    table = StaticTable.from_metadata(str(metadata))
    tasks = list(table.scan().plan_files())
    # A row is over 80 bytes uncompressed, so no file may hold 100 rows; a day has more.
    rows_per_day = Counter()
    for t in tasks:
        rows_per_day[t.file.partition[0]] += t.file.record_count
    assert max(rows_per_day.values()) > 100, rows_per_day
    assert all(t.file.record_count < 100 for t in tasks), [t.file.record_count for t in tasks]
    assert all(t.file.file_size_in_bytes < 8192 for t in tasks)

    # `braid table compact` merges each day's files into one, never across days; every reader
    # still reads the same rows.
    before = Counter(key(r.values()) for r in table.scan(selected_fields=tuple(COLUMNS)).to_arrow().to_pylist())
    run("table", "compact", "ads.attributed_impressions", "--warehouse", str(tmp_path), "--target-file-size", "1MiB")
    metadata = current_metadata(tmp_path, "ads", "attributed_impressions")
    table = StaticTable.from_metadata(str(metadata))
    tasks = list(table.scan().plan_files())
    assert sorted(t.file.partition[0] for t in tasks) == sorted(rows_per_day)
    assert Counter(key(r.values()) for r in table.scan(selected_fields=tuple(COLUMNS)).to_arrow().to_pylist()) == before
    con = connect_with_iceberg()
    assert Counter(key(r) for r in con.execute(f"SELECT {', '.join(COLUMNS)} FROM iceberg_scan(?)",
                                               [str(metadata)]).fetchall()) == before

    # Declaring another spec for the existing table: refused by name, exit 2, table unchanged.
    respec = config.read_text().replace(DAY_ONLY, 'partition_by = ["hour(event_timestamp)"]')
    config.write_text(respec)
    proc = run("join", "--config", str(config), "--drain", check=False)
    assert proc.returncode == 2, proc.stderr
    assert "is partitioned by day(event_timestamp)" in proc.stderr and "hour(event_timestamp)" in proc.stderr
    assert current_metadata(tmp_path, "ads", "attributed_impressions") == metadata


def test_bad_partition_by_exits_2_before_anything_is_created(kafka, new_topic, tmp_path):
    topics = {name: new_topic(partitions=1, prefix=name) for name in ("impressions", "clicks", "conversions")}
    for spec, what in (('["day(placement)"]', 'column "placement" is string'),
                       ('["bucket(0, user_id)"]', 'bucket count "0"'),
                       ('["day(ts)"]', '"ts" is not an output column')):
        text = EXAMPLE.read_text().replace(DAY_ONLY, f"partition_by = {spec}")
        line = next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith("partition_by"))
        config = declared_config(tmp_path, topics, kafka.bootstrap, text)
        proc = run("join", "--config", str(config), "--drain", check=False)
        assert proc.returncode == 2, proc.stderr
        assert f"{config.name}:{line}: output.partition_by" in proc.stderr and what in proc.stderr, proc.stderr
        assert not (tmp_path / "ads").exists()


def test_a_rest_catalog_creates_and_serves_the_partitioned_table(kafka, new_topic, tmp_path):
    """Through Apache Iceberg's REST fixture: the server keeps braid's spec, braid appends by it,
    pyiceberg reads the rows and prunes by day."""
    from rest_fixture import RestFixture

    server = RestFixture("file", tmp_path / "rest").start()
    try:
        text = EXAMPLE.read_text().replace('type = "file"\nwarehouse = "warehouse"', f'type = "rest"\nuri = "{server.uri}"')
        assert 'type = "rest"' in text
        pipeline(kafka, new_topic, tmp_path, text)
        table = server.pyiceberg().load_table("ads.attributed_impressions")
        spec = table.spec()
        assert [(f.name, str(f.transform), f.source_id) for f in spec.fields] == [("event_timestamp_day", "day", 9)]
        every = list(table.scan().plan_files())
        days = sorted({t.file.partition[0] for t in every})
        assert len(days) >= 3
        out = run("sql", "--catalog-property", "type=rest", "--catalog-property", f"uri={server.uri}",
                  "--format", "csv", "SELECT count(*) AS n FROM ads.attributed_impressions").stdout
        assert int(out.strip().splitlines()[-1]) == table.scan().to_arrow().num_rows > 300
        start = dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(days=days[0])
        first_day = LessThan("event_timestamp", (start + dt.timedelta(days=1)).isoformat())
        planned = {t.file.file_path for t in table.scan(row_filter=first_day).plan_files()}
        assert planned == {t.file.file_path for t in every if t.file.partition[0] == days[0]}
    finally:
        server.stop()


@pytest.mark.spark
@pytest.mark.skipif(os.environ.get("BRAID_SPARK") != "1",
                    reason="Spark interop is slow and needs ~450 MB: run with BRAID_SPARK=1 after "
                           "test/peers/install-spark.sh")
def test_spark_reads_the_partitioned_table(partitioned):
    from test_spark import spark_session

    session = spark_session("braid-partitioned", "wh", {
        "type": "hadoop", "warehouse": f"file://{partitioned['warehouse']}"})
    try:
        df = session.sql(f"SELECT {', '.join(COLUMNS)} FROM wh.ads.attributed_impressions")
        by_spark = Counter(key(tuple(r)) for r in df.collect())
        table = StaticTable.from_metadata(partitioned["metadata"])
        by_pyiceberg = Counter(key(r.values())
                               for r in table.scan(selected_fields=tuple(COLUMNS)).to_arrow().to_pylist())
        assert by_spark == by_pyiceberg
        parts = session.sql("SELECT partition.event_timestamp_day, partition.user_id_bucket, record_count "
                            "FROM wh.ads.attributed_impressions.files").collect()
        assert sum(r[2] for r in parts) == sum(by_pyiceberg.values())
        assert len({(r[0], r[1]) for r in parts}) >= 8
    finally:
        session.stop()
