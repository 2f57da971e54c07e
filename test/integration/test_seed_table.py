"""After a bounded run of the seed pipeline, the table passes an independent reader: the
metadata the spec requires, Avro manifests with field ids and their metadata keys, Parquet
files with field ids 1-9 and UTC-adjusted timestamps, counts equal everywhere, sizes exact."""

from __future__ import annotations

import json
import os
from pathlib import Path

import fastavro
import pyarrow.parquet as pq
import pytest

from braid_cli import EmbeddedBroker, run
from join_oracle import current_metadata

STANDARD_SUMMARY = ["added-data-files", "added-records", "added-files-size", "total-data-files",
                    "total-records", "total-files-size", "total-delete-files",
                    "total-position-deletes", "total-equality-deletes"]


def local(uri: str) -> Path:
    assert uri.startswith("file:///"), uri
    return Path(uri.removeprefix("file://"))


def all_have_field_ids(schema: dict) -> list[str]:
    """Names of record fields in an Avro schema that lack a field-id."""
    missing = []

    def walk(t, path):
        if isinstance(t, list):
            for x in t:
                walk(x, path)
        elif isinstance(t, dict):
            if t.get("type") == "record":
                for f in t["fields"]:
                    if "field-id" not in f:
                        missing.append(f"{path}.{f['name']}")
                    walk(f["type"], f"{path}.{f['name']}")
            elif t.get("type") == "array":
                walk(t["items"], path)
            elif t.get("type") == "map":
                walk(t["values"], path)
    walk(schema, "")
    return missing


@pytest.fixture(scope="module")
def seed_table(tmp_path_factory):
    wh = tmp_path_factory.mktemp("seedwh")
    broker = EmbeddedBroker()
    try:
        run("produce", "--bootstrap", broker.bootstrap, "--events", "2000", "--users", "50",
            "--sessions", "80", "--seed", "9", "--malformed-fraction", "0.02")
        run("join", "--bootstrap", broker.bootstrap, "--warehouse", str(wh), "--drain")
    finally:
        broker.stop()
    return wh


@pytest.mark.parametrize("table", ["unified_activity", "unified_activity_rejects"])
def test_seed_table_passes_an_independent_reader(seed_table, table):
    meta_path = current_metadata(seed_table, "demo", table)
    md = json.loads(meta_path.read_text())
    for key in ["format-version", "table-uuid", "location", "last-sequence-number",
                "last-updated-ms", "last-column-id", "schemas", "current-schema-id",
                "partition-specs", "default-spec-id", "last-partition-id", "sort-orders",
                "default-sort-order-id", "snapshots", "snapshot-log", "metadata-log", "refs"]:
        assert key in md, key
    assert md["format-version"] == 2 and "schema" not in md and "partition-spec" not in md
    assert md["location"].startswith("file:///")
    assert md["last-column-id"] == (9 if table == "unified_activity" else 7)
    assert md["current-snapshot-id"] == md["refs"]["main"]["snapshot-id"]
    snap = next(s for s in md["snapshots"] if s["snapshot-id"] == md["current-snapshot-id"])
    assert snap["summary"]["operation"] == "append"
    for key in STANDARD_SUMMARY:
        assert isinstance(snap["summary"][key], str), key
    assert snap["summary"]["braid.pipeline-id"] == "demo.unified_activity"

    # Manifest list and manifests, read by fastavro with their own schemas.
    mlist = local(snap["manifest-list"])
    with open(mlist, "rb") as f:
        reader = fastavro.reader(f)
        meta = {k: v.decode() if isinstance(v, bytes) else v for k, v in reader.metadata.items()}
        assert all_have_field_ids(reader.writer_schema) == []
        manifests = list(reader)
    assert meta["format-version"] == "2" and meta["snapshot-id"] == str(snap["snapshot-id"])
    assert meta["sequence-number"] == str(snap["sequence-number"])
    total_rows = 0
    for m in manifests:
        path = local(m["manifest_path"])
        assert m["manifest_length"] == os.path.getsize(path)
        with open(path, "rb") as f:
            r = fastavro.reader(f)
            mmeta = {k: v.decode() if isinstance(v, bytes) else v for k, v in r.metadata.items()}
            assert all_have_field_ids(r.writer_schema) == []
            entries = list(r)
        assert mmeta["format-version"] == "2" and mmeta["content"] == "data"
        assert json.loads(mmeta["partition-spec"]) == [] and mmeta["partition-spec-id"] == "0"
        assert json.loads(mmeta["schema"])["type"] == "struct" and "schema-id" in mmeta
        added = 0
        for e in entries:
            df = e["data_file"]
            assert e["status"] == 1 and e["sequence_number"] is None
            file = local(df["file_path"])
            assert df["file_format"] == "PARQUET" and df["content"] == 0
            assert df["file_size_in_bytes"] == os.path.getsize(file)
            pf = pq.ParquetFile(file)
            assert df["record_count"] == pf.metadata.num_rows
            added += df["record_count"]
            schema = pf.schema_arrow
            ids = [int(schema.field(i).metadata[b"PARQUET:field_id"]) for i in range(len(schema))]
            assert ids == list(range(1, len(schema) + 1))
            for name in ("event_timestamp", "processing_time"):
                assert str(schema.field(name).type) == "timestamp[us, tz=UTC]"
                col = pf.schema.column(schema.get_field_index(name))
                assert col.logical_type.to_json().find('"isAdjustedToUTC": true') >= 0
        assert m["added_rows_count"] == added
        total_rows += added
    assert total_rows == int(snap["summary"]["total-records"]) > 0
