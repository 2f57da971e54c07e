"""The notebook's lakehouse for tests: S3Proxy (s3_fixture) holding the warehouse, and Nessie 0.99
or Apache Iceberg's REST fixture as the catalog. Writes pipeline files whose [catalog] is the
notebook's Spark catalog settings pasted as they are, and reads tables back through pyiceberg's
RestCatalog with its S3 FileIO (an independent reader).

    s3 = S3Proxy().start(); nessie = NessieServer(work, s3, s3.create_bucket("lake"), java).start()
    path = pipeline_file(tmp_path, nessie_catalog(nessie), "ns", topics, bootstrap)
    run("join", "--config", str(path), "--drain", env=aws_env(s3))
    rows = read_rows(nessie_pyiceberg(nessie), "ns.unified_activity", COLUMNS)
"""

from __future__ import annotations

import os
from pathlib import Path

from nessie_fixture import NessieServer
from rest_fixture import RestFixture
from s3_fixture import S3Proxy


def nessie_catalog(server: NessieServer) -> dict[str, str]:
    """The notebook's `spark.sql.catalog.lakehouse.*` settings, with this machine's hosts.
    Credentials are not among them: the notebook sets AWS_ACCESS_KEY_ID/SECRET in the
    environment (see aws_env)."""
    return {"catalog-impl": "org.apache.iceberg.nessie.NessieCatalog", "uri": server.api_uri,
            "ref": "main", "authentication.type": "NONE", "warehouse": f"s3a://{server.bucket}/warehouse/",
            "io-impl": "org.apache.iceberg.aws.s3.S3FileIO", "s3.endpoint": server.s3.endpoint,
            "s3.path-style-access": "true"}


def rest_catalog(server: RestFixture) -> dict[str, str]:
    """An Iceberg REST catalog whose tables live on S3 (the fixture names the warehouse)."""
    return {"type": "rest", "uri": server.uri, "s3.endpoint": server.s3.endpoint,
            "s3.path-style-access": "true"}


def aws_env(s3: S3Proxy) -> dict[str, str]:
    """The environment the notebook sets for S3FileIO: region, key id and secret."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID=s3.access_key, AWS_SECRET_ACCESS_KEY=s3.secret_key)
    return env


def toml_value(v: str) -> str:
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def pipeline_file(dir: Path, catalog: dict[str, str], ns: str, topics: dict[str, str] | None = None,
                  bootstrap: str | None = None, name: str = "pipeline.toml") -> Path:
    """A pipeline file with the notebook's parameter names; [catalog] keys written bare
    (`s3.endpoint = "..."`), as a user pastes them."""
    lines = [f"database_name = {toml_value(ns)}", 'watermark_delay = "30 seconds"']
    if bootstrap:
        lines.append(f"kafka_bootstrap_servers = {toml_value(bootstrap)}")
    for logical, topic in (topics or {}).items():
        lines.append(f"topic_{logical} = {toml_value(topic)}")
    lines.append("\n[catalog]")
    lines += [f"{k} = {toml_value(v)}" for k, v in catalog.items()]
    path = dir / name
    path.write_text("\n".join(lines) + "\n")
    return path


def nessie_pyiceberg(server: NessieServer):
    from pyiceberg.catalog import load_catalog
    return load_catalog("nessie", type="rest", uri=server.iceberg_uri, **s3_fileio(server.s3))


def s3_fileio(s3: S3Proxy) -> dict[str, str]:
    return {"s3.endpoint": s3.endpoint, "s3.access-key-id": s3.access_key,
            "s3.secret-access-key": s3.secret_key, "s3.region": "us-east-1",
            "s3.path-style-access": "true", "py-io-impl": "pyiceberg.io.pyarrow.PyArrowFileIO"}


def read_rows(catalog, table: str, columns: list[str]) -> list[tuple]:
    """Every row of `table` (the selected columns, in order) through pyiceberg."""
    arrow = catalog.load_table(table).scan(selected_fields=tuple(columns)).to_arrow()
    return [tuple(r[c] for c in columns) for r in arrow.to_pylist()]
