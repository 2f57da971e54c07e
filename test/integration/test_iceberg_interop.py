"""Independent readers check the Iceberg tables braid writes, and braid reads theirs.

braid's side is driven through test/tools/iceberg_tool (built as build/tests/iceberg_tool, or
set BRAID_ICEBERG_TOOL): it writes rows to a table of a file catalog and dumps a table's rows.
The readers: pyiceberg (StaticTable on braid's metadata file, also with filters that prune by
the column bounds braid wrote), DuckDB's iceberg extension (iceberg_scan), fastavro (manifests
and manifest lists decoded with their embedded schemas). The other way round, pyiceberg writes
a table with its SqlCatalog over several appends and braid reads the same rows.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import os
import random
import subprocess
from pathlib import Path

import fastavro
import pyarrow as pa
import pytest
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.expressions import And, EqualTo, GreaterThanOrEqual, IsNull, LessThan
from pyiceberg.table import StaticTable

from duckdb_iceberg import connect_with_iceberg

REPO = Path(__file__).resolve().parents[2]
UTC = dt.timezone.utc

SCHEMA = ("user_id:string,session_id:string,action_type:string,page_url:string,"
          "purchase_amount:double,product_id:string,device_type:string,"
          "event_timestamp:timestamptz,processing_time:timestamptz")
COLUMNS = [c.split(":")[0] for c in SCHEMA.split(",")]
BASE_US = 1_737_022_830_000_000  # 2025-01-16T10:20:30Z


def tool() -> str:
    path = os.environ.get("BRAID_ICEBERG_TOOL") or str(REPO / "build" / "tests" / "iceberg_tool")
    if not Path(path).exists():
        pytest.fail(f"{path} is missing: build the iceberg_tool target (test/tools) or set BRAID_ICEBERG_TOOL")
    return path


def run_tool(*args: str) -> str:
    proc = subprocess.run([tool(), *map(str, args)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"iceberg_tool {' '.join(map(str, args))}\n{proc.stderr}"
    return proc.stdout


def seed_rows(n: int, seed: int) -> list[dict]:
    """Seed-shaped rows with NULLs, multi-byte text and URLs longer than 16 characters."""
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        ts = BASE_US + rnd.randrange(-3_600_000_000, 3_600_000_000)
        rows.append({
            "user_id": f"user_{rnd.randrange(50):03d}",
            "session_id": f"session_{rnd.randrange(200)}" if rnd.random() > 0.05 else None,
            "action_type": rnd.choice(["click", "view", "scroll", "añadir_al_carrito", "購入"]),
            "page_url": (f"https://shop.example.com/{rnd.choice(['cart', 'home', 'product'])}/{i}"
                         if rnd.random() > 0.1 else None),
            "purchase_amount": round(rnd.uniform(1, 500), 2) if rnd.random() > 0.5 else None,
            "product_id": f"prod_{rnd.randrange(100)}" if rnd.random() > 0.5 else None,
            "device_type": rnd.choice(["mobile", "desktop", "tablet"]),
            "event_timestamp": ts,
            "processing_time": BASE_US + 7_200_000_000 + seed,
        })
    return rows


def write(warehouse: Path, rows: list[dict], *extra: str) -> dict:
    path = warehouse.parent / f"rows-{len(list(warehouse.parent.glob('rows-*')))}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return json.loads(run_tool("write", warehouse, "demo.unified_activity", path, SCHEMA, *extra))


def micros(v) -> int | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return round(v.timestamp() * 1_000_000) if v.microsecond == 0 else \
            int(v.replace(microsecond=0).timestamp()) * 1_000_000 + v.microsecond
    return v


def normalize(row: dict) -> tuple:
    return tuple(micros(row[c]) if c.endswith(("_timestamp", "_time")) else row[c] for c in COLUMNS)


def as_set(rows) -> list[tuple]:
    return sorted(map(normalize, rows), key=repr)


@pytest.fixture
def braid_table(tmp_path):
    """A table written by braid: two appends, the second as three data files."""
    warehouse = tmp_path / "wh"
    first, second = seed_rows(300, 1), seed_rows(500, 2)
    s1 = write(warehouse, first, "--summary", "braid.pipeline-id=interop", "--summary", "braid.commit-seq=1")
    s2 = write(warehouse, second, "--files", "3", "--summary", "braid.pipeline-id=interop",
               "--summary", "braid.commit-seq=2")
    return {"warehouse": warehouse, "rows": first + second, "first": first, "snapshots": [s1, s2],
            "metadata": s2["metadata_location"]}


def test_pyiceberg_reads_braid_table(braid_table):
    table = StaticTable.from_metadata(braid_table["metadata"])
    assert table.format_version == 2
    assert as_set(table.scan().to_arrow().to_pylist()) == as_set(braid_table["rows"])

    # Time travel to the first snapshot.
    first_id = braid_table["snapshots"][0]["snapshot_id"]
    assert as_set(table.scan(snapshot_id=first_id).to_arrow().to_pylist()) == as_set(braid_table["first"])

    # Filters prune files by braid's bounds; a wrong bound would drop rows here.
    rows = braid_table["rows"]
    probes = [
        (EqualTo("user_id", "user_007"), lambda r: r["user_id"] == "user_007"),
        (EqualTo("action_type", "購入"), lambda r: r["action_type"] == "購入"),
        (GreaterThanOrEqual("event_timestamp", "2025-01-16T10:50:00+00:00"),
         lambda r: r["event_timestamp"] >= BASE_US + 1_770_000_000),
        (LessThan("purchase_amount", 100.0),
         lambda r: r["purchase_amount"] is not None and r["purchase_amount"] < 100.0),
        (And(IsNull("page_url"), EqualTo("device_type", "tablet")),
         lambda r: r["page_url"] is None and r["device_type"] == "tablet"),
        (GreaterThanOrEqual("page_url", "https://shop.example.com/product/4"),
         lambda r: r["page_url"] is not None and r["page_url"] >= "https://shop.example.com/product/4"),
    ]
    for expr, keep in probes:
        want = [r for r in rows if keep(r)]
        assert 0 < len(want) < len(rows), expr  # the probe selects something, not everything
        got = table.scan(row_filter=expr).to_arrow().to_pylist()
        assert as_set(got) == as_set(want), expr

    # Each append has its own processing_time, so the bounds let pyiceberg plan only its files.
    first_time = dt.datetime.fromtimestamp((BASE_US + 7_200_000_000 + 1) / 1e6, UTC).isoformat()
    assert len(list(table.scan(row_filter=EqualTo("processing_time", first_time)).plan_files())) == 1
    assert len(list(table.scan().plan_files())) == 4

    # Snapshot summaries carry Iceberg's totals and braid's keys.
    snapshots = table.metadata.snapshots
    assert len(snapshots) == 2
    summary = snapshots[-1].summary
    assert summary.operation.value == "append"
    assert summary["total-records"] == "800"
    assert summary["added-data-files"] == "3"
    assert summary["braid.commit-seq"] == "2"
    assert snapshots[-1].parent_snapshot_id == snapshots[0].snapshot_id

    # Per-file metrics as pyiceberg decodes them agree with the data.
    files = table.inspect.files().to_pylist()
    assert sum(f["record_count"] for f in files) == 800
    for f in files:
        assert f["file_size_in_bytes"] == os.path.getsize(f["file_path"].removeprefix("file://"))
        metrics = f["readable_metrics"]
        assert metrics["device_type"]["value_count"] == f["record_count"]
        assert metrics["device_type"]["lower_bound"] in {"desktop", "mobile", "tablet"}
    everything = table.inspect.entries().to_pylist()
    assert {e["status"] for e in everything} == {1}
    assert sorted({e["sequence_number"] for e in everything}) == [1, 2]


def test_duckdb_reads_braid_table(braid_table):
    con = connect_with_iceberg()
    con.execute("SET TimeZone='UTC'")
    got = con.execute(f"SELECT {', '.join(COLUMNS)} FROM iceberg_scan(?)", [braid_table["metadata"]])
    names = [d[0] for d in got.description]
    assert as_set(dict(zip(names, row)) for row in got.fetchall()) == as_set(braid_table["rows"])
    snapshots = con.execute("SELECT sequence_number FROM iceberg_snapshots(?) ORDER BY 1",
                            [braid_table["metadata"]]).fetchall()
    assert snapshots == [(1,), (2,)]
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM iceberg_scan(?))",
                             [braid_table["metadata"]]).fetchall())
    assert types["event_timestamp"] == "TIMESTAMP WITH TIME ZONE"
    assert types["purchase_amount"] == "DOUBLE"


def field_ids_everywhere(schema, path="") -> list[str]:
    """Paths of record fields without a field-id, and arrays without element-id or map type."""
    missing = []
    if isinstance(schema, list):
        for branch in schema:
            missing += field_ids_everywhere(branch, path)
    elif isinstance(schema, dict):
        if schema.get("type") == "record":
            for f in schema["fields"]:
                if "field-id" not in f:
                    missing.append(f"{path}.{f['name']}")
                missing += field_ids_everywhere(f["type"], f"{path}.{f['name']}")
        elif schema.get("type") == "array":
            if "element-id" not in schema and schema.get("logicalType") != "map":
                missing.append(path + "[]")
            missing += field_ids_everywhere(schema["items"], path + "[]")
    return missing


def test_fastavro_validates_manifests(braid_table):
    metadata_dir = braid_table["warehouse"] / "demo" / "unified_activity" / "metadata"
    metadata = json.loads((metadata_dir / "v3.metadata.json").read_text())
    lists = [s["manifest-list"] for s in metadata["snapshots"]]
    for list_location in lists:
        path = list_location.removeprefix("file://")
        with open(path, "rb") as fh:
            reader = fastavro.reader(fh)
            schema = json.loads(reader.metadata["avro.schema"])
            fastavro.parse_schema(schema)
            assert schema["name"] == "manifest_file"
            assert field_ids_everywhere(schema) == []
            assert reader.metadata["format-version"] == "2"
            assert reader.codec == "null"
            entries = list(reader)
        snapshot = next(s for s in metadata["snapshots"] if s["manifest-list"] == list_location)
        assert reader.metadata["snapshot-id"] == str(snapshot["snapshot-id"])
        assert reader.metadata["parent-snapshot-id"] == str(snapshot.get("parent-snapshot-id", "null"))
        assert reader.metadata["sequence-number"] == str(snapshot["sequence-number"])
        for m in entries:
            mpath = m["manifest_path"].removeprefix("file://")
            assert m["manifest_length"] == os.path.getsize(mpath)
            assert m["content"] == 0
            with open(mpath, "rb") as fh:
                mreader = fastavro.reader(fh)
                mschema = json.loads(mreader.metadata["avro.schema"])
                fastavro.parse_schema(mschema)
                assert mschema["name"] == "manifest_entry"
                assert field_ids_everywhere(mschema) == []
                meta = mreader.metadata
                assert meta["format-version"] == "2" and meta["content"] == "data"
                assert meta["partition-spec"] == "[]" and meta["partition-spec-id"] == "0"
                assert json.loads(meta["schema"])["fields"][0]["name"] == "user_id"
                for e in mreader:
                    assert e["status"] == 1
                    assert e["snapshot_id"] == m["added_snapshot_id"]
                    assert e["sequence_number"] is None and e["file_sequence_number"] is None
                    df = e["data_file"]
                    assert df["file_format"] == "PARQUET" and df["content"] == 0
                    assert df["file_size_in_bytes"] == os.path.getsize(df["file_path"].removeprefix("file://"))
                    assert {kv["key"] for kv in df["value_counts"]} == set(range(1, 10))
                    assert df["split_offsets"][0] == 4


def test_empty_commit_keeps_rows_and_records_summary(braid_table):
    out = json.loads(run_tool("commit-empty", braid_table["warehouse"], "demo.unified_activity",
                              "--summary", "braid.offsets={\"t\":{\"0\":42}}"))
    assert out["data_files"] == 0
    table = StaticTable.from_metadata(out["metadata_location"])
    assert table.metadata.snapshots[-1].summary["braid.offsets"] == '{"t":{"0":42}}'
    assert table.metadata.snapshots[-1].summary["added-data-files"] == "0"
    assert as_set(table.scan().to_arrow().to_pylist()) == as_set(braid_table["rows"])
    con = connect_with_iceberg()
    assert con.execute("SELECT count(*) FROM iceberg_scan(?)", [out["metadata_location"]]).fetchone() == (800,)


def test_braid_reads_pyiceberg_table(tmp_path):
    warehouse = tmp_path / "pywh"
    warehouse.mkdir()
    catalog = SqlCatalog("py", uri=f"sqlite:///{tmp_path}/cat.db", warehouse=f"file://{warehouse}")
    catalog.create_namespace("ns")
    arrow_schema = pa.schema([
        pa.field("id", pa.int64(), nullable=False), pa.field("name", pa.string()),
        pa.field("amount", pa.float64()), pa.field("at", pa.timestamp("us", tz="UTC")),
        pa.field("n", pa.int32()), pa.field("flag", pa.bool_()), pa.field("day", pa.date32()),
        pa.field("price", pa.decimal128(9, 2)),
    ])
    table = catalog.create_table("ns.events", schema=arrow_schema)
    expected = []
    snapshot_ids = []
    for batch in range(3):
        rows = [{"id": batch * 100 + i, "name": f"名前-{i}" if i % 3 else None, "amount": i * 1.25,
                 "at": dt.datetime(2025, 1, 16, 10, batch, i, 123456, tzinfo=UTC), "n": -i,
                 "flag": i % 2 == 0, "day": dt.date(2025, 1, 1 + batch),
                 "price": decimal.Decimal(f"{i}.{batch}5")} for i in range(10)]
        table.append(pa.Table.from_pylist(rows, schema=arrow_schema))
        expected += rows
        snapshot_ids.append(table.current_snapshot().snapshot_id)

    def dump(*extra):
        out = json.loads(run_tool("dump", table.metadata_location, *extra))
        return sorted(out, key=lambda r: r["id"])

    got = dump()
    assert len(got) == 30
    for want, row in zip(sorted(expected, key=lambda r: r["id"]), got):
        assert row["id"] == want["id"] and row["name"] == want["name"]
        assert math.isclose(row["amount"], want["amount"])
        assert row["at"] == want["at"].strftime("%Y-%m-%d %H:%M:%S.%f+00")
        assert row["n"] == want["n"] and row["flag"] == want["flag"]
        assert row["day"] == want["day"].isoformat()
        assert decimal.Decimal(str(row["price"])) == want["price"]
    assert len(dump("--snapshot", snapshot_ids[0])) == 10
    assert len(dump("--snapshot", snapshot_ids[1])) == 20
