"""DuckDB reads an Iceberg table (written by pyiceberg) with the offline extension."""

import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog

from duckdb_iceberg import connect_with_iceberg


def test_duckdb_reads_pyiceberg_table(tmp_path):
    warehouse = tmp_path / "wh"
    warehouse.mkdir()
    catalog = SqlCatalog("t", uri=f"sqlite:///{tmp_path}/cat.db",
                         warehouse=f"file://{warehouse}")
    catalog.create_namespace("ns")
    data = pa.table({"id": pa.array([1, 2, 3], pa.int64()),
                     "name": pa.array(["a", "b", "c"])})
    table = catalog.create_table("ns.people", schema=data.schema)
    table.append(data)

    con = connect_with_iceberg()
    rows = con.execute("SELECT id, name FROM iceberg_scan(?) ORDER BY id",
                       [table.metadata_location]).fetchall()
    assert rows == [(1, "a"), (2, "b"), (3, "c")]
    # nothing was downloaded: the extension comes from the duckdb_ext wheel
    path = con.execute("SELECT install_path FROM duckdb_extensions() "
                       "WHERE extension_name = 'iceberg'").fetchone()[0]
    assert "duckdb_ext" in path
