"""The seed notebook in one command, and SQL over the table, checked by independent readers."""

from __future__ import annotations

import csv
import io
import json

from braid_cli import run
from join_oracle import current_metadata
from duckdb_iceberg import connect_with_iceberg

DEVICE_SUMMARY = """SELECT device_type, COUNT(*) AS total_actions, COUNT(DISTINCT user_id) AS unique_users,
       COUNT(purchase_amount) AS purchase_count, COALESCE(SUM(purchase_amount), 0) AS total_revenue
FROM demo.unified_activity GROUP BY device_type ORDER BY total_revenue DESC"""


def test_demo_twice_on_one_warehouse(tmp_path):
    first = run("demo", "--warehouse", str(tmp_path))
    assert "All validations passed!" in first.stdout
    assert "Activity Summary by Device:" in first.stdout
    assert "Conversion Rate by Action Type:" in first.stdout
    rows_1 = int(run("sql", "--warehouse", str(tmp_path), "--format", "csv",
                     "SELECT COUNT(*) FROM demo.unified_activity").stdout.split()[-1])
    second = run("demo", "--warehouse", str(tmp_path))
    assert "All validations passed!" in second.stdout
    rows_2 = int(run("sql", "--warehouse", str(tmp_path), "--format", "csv",
                     "SELECT COUNT(*) FROM demo.unified_activity").stdout.split()[-1])
    assert rows_2 > rows_1 > 0
    snaps = run("table", "snapshots", "demo.unified_activity", "--warehouse", str(tmp_path)).stdout
    assert snaps.count("append") == 2
    files = list(csv.reader(io.StringIO(run("table", "files", "demo.unified_activity",
                                            "--warehouse", str(tmp_path), "--format",
                                            "csv").stdout)))
    assert files[0][:3] == ["file_path", "record_count", "file_size_in_bytes"]
    assert sum(int(f[1]) for f in files[1:]) == rows_2
    describe = run("table", "describe", "demo.unified_activity", "--warehouse", str(tmp_path)).stdout
    assert "event_timestamp" in describe and "timestamptz" in describe


def test_sql_device_summary_equals_independent_duckdb(tmp_path):
    run("demo", "--warehouse", str(tmp_path), "--events", "500")
    out = run("sql", "--warehouse", str(tmp_path), "--format", "csv", DEVICE_SUMMARY).stdout
    got = list(csv.reader(io.StringIO(out)))
    # DuckDB over the table's live Parquet files, found by DuckDB's own Iceberg reader.
    con = connect_with_iceberg()
    meta = current_metadata(tmp_path, "demo", "unified_activity")
    files = [r[0] for r in con.execute(
        f"SELECT file_path FROM iceberg_metadata('{meta}') WHERE status <> 'DELETED'").fetchall()]
    files = [f.removeprefix("file://") for f in files]
    expected = con.execute(DEVICE_SUMMARY.replace(
        "demo.unified_activity", f"read_parquet({files!r})")).fetchall()
    assert got[0] == ["device_type", "total_actions", "unique_users", "purchase_count",
                      "total_revenue"]
    assert len(got) - 1 == len(expected)
    for g, e in zip(got[1:], expected):
        assert g[0] == e[0] and [int(x) for x in g[1:4]] == list(e[1:4])
        assert abs(float(g[4]) - e[4]) < 1e-6


def test_validate_fails_on_an_empty_table_and_cleanup_drops(tmp_path):
    out = run("demo", "--warehouse", str(tmp_path), "--cleanup").stdout
    assert "Cleanup completed" in out
    assert not (tmp_path / "demo" / "unified_activity").exists()
    run("sql", "--warehouse", str(tmp_path), "SELECT 1")  # an empty warehouse still answers


def test_sql_errors_are_one_clear_line(tmp_path):
    run("demo", "--warehouse", str(tmp_path))
    proc = run("sql", "--warehouse", str(tmp_path), "SELECT nope FROM demo.unified_activity",
               check=False)
    assert proc.returncode != 0
    assert "nope" in proc.stderr and proc.stderr.startswith("braid sql:")
    proc = run("table", "describe", "demo.missing", "--warehouse", str(tmp_path), check=False)
    assert proc.returncode != 0 and "demo.missing" in proc.stderr


def test_pyiceberg_reads_the_same_rows(tmp_path):
    from pyiceberg.table import StaticTable
    run("demo", "--warehouse", str(tmp_path), "--events", "300")
    meta = current_metadata(tmp_path, "demo", "unified_activity")
    arrow = StaticTable.from_metadata(str(meta)).scan().to_arrow()
    out = run("sql", "--warehouse", str(tmp_path), "--format", "csv",
              "SELECT COUNT(*), COUNT(purchase_amount), COUNT(DISTINCT user_id) "
              "FROM demo.unified_activity").stdout.splitlines()[-1].split(",")
    assert arrow.num_rows == int(out[0])
    assert arrow.column("purchase_amount").null_count == arrow.num_rows - int(out[1])
    assert len(set(arrow.column("user_id").to_pylist())) == int(out[2])
    assert str(arrow.schema.field("event_timestamp").type) == "timestamp[us, tz=UTC]"


def test_validate_against_source_finds_a_removed_row(tmp_path):
    import duckdb
    from braid_cli import EmbeddedBroker
    broker = EmbeddedBroker()
    try:
        run("produce", "--bootstrap", broker.bootstrap, "--events", "300", "--seed", "5",
            "--malformed-fraction", "0.05")
        common = ["--bootstrap", broker.bootstrap, "--warehouse", str(tmp_path)]
        run("join", *common, "--drain")
        ok = run("validate", *common, "--against-source")
        assert "0 missing, 0 extra" in ok.stdout and "PASS" in ok.stdout
        # A data file changed behind the table's back is refused, never read.
        data = sorted((tmp_path / "demo" / "unified_activity" / "data").glob("*.parquet"))
        assert len(data) == 1
        saved = data[0].read_bytes()
        data[0].write_bytes(saved + b"tampered")
        bad = run("validate", *common, "--against-source", check=False)
        assert bad.returncode == 1 and "changed outside the table" in bad.stderr
        assert "PASS" not in bad.stdout
        data[0].write_bytes(saved)
        # Source records the table does not reflect: one more action and its session give one
        # row that the batch query has and the table lacks.
        from confluent_kafka import Producer
        from datetime import datetime, timezone
        ts = datetime.now(timezone.utc).replace(tzinfo=None).isoformat()
        p = Producer({"bootstrap.servers": broker.bootstrap})
        p.produce("user_actions", json.dumps({"user_id": "audit_u", "session_id": "audit_s",
                                              "action": "view", "page_url": "/x",
                                              "timestamp": ts}).encode())
        p.produce("sessions", json.dumps({"session_id": "audit_s", "user_id": "audit_u",
                                          "device": "mobile", "timestamp": ts}).encode())
        assert p.flush(30) == 0
        bad = run("validate", *common, "--against-source", check=False)
        assert bad.returncode == 1
        assert "1 missing, 0 extra" in bad.stdout and "FAIL" in bad.stdout
        assert "missing: (" in bad.stdout and "audit_u" in bad.stdout
    finally:
        broker.stop()
