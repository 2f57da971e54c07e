"""DuckDB with the iceberg extension, offline.

DuckDB normally downloads extensions at INSTALL/LOAD time; here there is no
internet. The PyPI packages ``duckdb-ext-iceberg`` / ``-avro`` / ``-httpfs``
(pinned in test/peers/requirements.txt, version 1.4.4.* to match duckdb 1.4.4)
ship the prebuilt binaries in DuckDB's own extension-directory layout:

    site-packages/duckdb_ext/extensions/v1.4.4/linux_amd64/iceberg.duckdb_extension

so pointing ``extension_directory`` at ``site-packages/duckdb_ext/extensions``
makes them "installed": ``LOAD iceberg`` works, and iceberg's dependency avro
(and httpfs, for s3:// paths) autoload from the same place. Autoinstall is
turned off so nothing ever tries the network.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb


def extension_dir() -> str:
    spec = importlib.util.find_spec("duckdb_ext")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("duckdb-ext-iceberg is not installed (test/peers/setup.sh)")
    for loc in spec.submodule_search_locations:
        d = Path(loc) / "extensions"
        if d.is_dir():
            return str(d)
    raise RuntimeError("duckdb_ext package has no extensions/ directory")


def connect_with_iceberg(database: str = ":memory:", **config) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the iceberg extension loaded (no network)."""
    conf = {
        "extension_directory": extension_dir(),
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "true",
        **config,
    }
    con = duckdb.connect(database, config=conf)
    con.execute("LOAD iceberg")
    return con
