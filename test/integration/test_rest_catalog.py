"""braid against real Iceberg REST catalogs: Apache Iceberg's REST fixture (file warehouse) and
Project Nessie 0.99 (S3 warehouse on S3Proxy). pyiceberg's RestCatalog is the independent
reader and the concurrent writer."""

from __future__ import annotations

import datetime

import pyarrow as pa
import pytest

from braid_cli import EmbeddedBroker, run
from nessie_fixture import NessieServer, nessie_jar, nessie_java
from rest_fixture import FaultProxy, RestFixture
from s3_fixture import S3Proxy, s3proxy_libs

EVENTS = 50


@pytest.fixture
def rest(tmp_path):
    server = RestFixture("file", tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def produced():
    """An embedded broker holding the seed generator's 3 topics (50 events each, seed 7)."""
    broker = EmbeddedBroker()
    try:
        run("produce", "--bootstrap", broker.bootstrap, "--events", str(EVENTS), "--seed", "7")
        yield broker
    finally:
        broker.stop()


def catalog_flags(uri: str, *extra: str) -> list[str]:
    flags = ["--catalog-property", "type=rest", "--catalog-property", f"uri={uri}"]
    for e in extra:
        flags += ["--catalog-property", e]
    return flags


def join(broker, uri: str, ns: str, *extra: str, check=True):
    return run("join", "--bootstrap", broker.bootstrap, "--namespace", ns, "--until-caught-up",
               *catalog_flags(uri, *extra), check=check, timeout=180)


def braid_count(uri: str, table: str) -> int:
    out = run("sql", *catalog_flags(uri), "--format", "csv", f"SELECT count(*) AS n FROM {table}").stdout
    return int(out.strip().splitlines()[-1])


def sample_rows(schema: pa.Schema, n: int, tag: str) -> pa.Table:
    """n rows fitting `schema`, strings tagged so they can be counted."""
    cols = {}
    for f in schema:
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type):
            cols[f.name] = [f"{tag}-{i}" for i in range(n)]
        elif pa.types.is_floating(f.type):
            cols[f.name] = [float(i) for i in range(n)]
        elif pa.types.is_timestamp(f.type):
            cols[f.name] = [datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)] * n
        else:
            cols[f.name] = [None] * n
    return pa.Table.from_pydict(cols, schema=schema)


def test_braid_writes_and_pyiceberg_reads_the_same_rows(rest, produced):
    join(produced, rest.uri, "rs1")
    cat = rest.pyiceberg()
    assert ("rs1",) in cat.list_namespaces()
    assert ("rs1", "unified_activity") in cat.list_tables("rs1")
    table = cat.load_table("rs1.unified_activity")
    rows = table.scan().to_arrow()
    n = braid_count(rest.uri, "rs1.unified_activity")
    # --until-caught-up commits the matched rows; actions still waiting for a purchase (the
    # watermark has not passed their window) are not rows yet, so fewer than EVENTS is right.
    assert n == rows.num_rows and n > 0
    assert len(table.history()) >= 1
    assert table.current_snapshot().summary.additional_properties.get("braid.pipeline-id") == "rs1.unified_activity"


def test_pyiceberg_appends_and_braid_sees_them(rest, produced):
    join(produced, rest.uri, "rs2")
    before = braid_count(rest.uri, "rs2.unified_activity")
    table = rest.pyiceberg().load_table("rs2.unified_activity")
    table.append(sample_rows(table.schema().as_arrow(), 7, "py"))
    assert braid_count(rest.uri, "rs2.unified_activity") == before + 7
    out = run("sql", *catalog_flags(rest.uri), "--format", "csv",
              "SELECT count(*) FROM rs2.unified_activity WHERE user_id LIKE 'py-%'").stdout
    assert out.strip().splitlines()[-1] == "7"


def test_commit_conflict_with_a_concurrent_pyiceberg_append_keeps_both(rest, produced, tmp_path):
    reference = RestFixture("file", tmp_path / "ref")
    (tmp_path / "ref").mkdir()
    reference.start()
    try:
        join(produced, reference.uri, "rs3")
        expected = braid_count(reference.uri, "rs3.unified_activity")
    finally:
        reference.stop()

    proxy = FaultProxy(rest.uri)
    try:
        def concurrent_append():
            table = rest.pyiceberg().load_table("rs3.unified_activity")
            table.append(sample_rows(table.schema().as_arrow(), 5, "rival"))
        proxy.before_commit = concurrent_append
        join(produced, proxy.uri, "rs3")
        assert proxy.before_commit is None, "the concurrent append ran"
        assert proxy.commits >= 2  # braid's first attempt lost, its retry won
    finally:
        proxy.stop()
    table = rest.pyiceberg().load_table("rs3.unified_activity")
    rows = table.scan().to_arrow()
    assert rows.num_rows == expected + 5
    assert sum(1 for u in rows.column("user_id").to_pylist() if u.startswith("rival-")) == 5


@pytest.mark.parametrize("fault", ["500-after-commit", "drop-after-commit"])
def test_unknown_commit_outcome_never_duplicates(rest, produced, tmp_path, fault):
    reference = RestFixture("file", tmp_path / "ref")
    (tmp_path / "ref").mkdir()
    reference.start()
    try:
        join(produced, reference.uri, "rs4")
        expected = braid_count(reference.uri, "rs4.unified_activity")
        expected_snapshots = len(reference.pyiceberg().load_table("rs4.unified_activity").snapshots())
    finally:
        reference.stop()

    proxy = FaultProxy(rest.uri, fault=fault)
    try:
        proc = join(produced, proxy.uri, "rs4")
        assert proc.returncode == 0
        assert proxy.commits >= 1
    finally:
        proxy.stop()
    table = rest.pyiceberg().load_table("rs4.unified_activity")
    assert table.scan().to_arrow().num_rows == expected
    assert len(table.snapshots()) == expected_snapshots
    assert braid_count(rest.uri, "rs4.unified_activity") == expected


def file_codecs(table) -> dict[str, str]:
    """Each live data file of a pyiceberg table → its Parquet codec, read by pyarrow."""
    import pyarrow.parquet as pq
    paths = table.inspect.files().column("file_path").to_pylist()
    return {p: pq.ParquetFile(p.removeprefix("file://")).metadata.row_group(0).column(0).compression
            for p in paths}


def test_the_tables_compression_set_by_pyiceberg_is_what_braid_writes(rest):
    broker = EmbeddedBroker()
    try:
        run("produce", "--bootstrap", broker.bootstrap, "--events", "40", "--seed", "3")
        join(broker, rest.uri, "rs5")
        table = rest.pyiceberg().load_table("rs5.unified_activity")
        first = file_codecs(table)
        assert first and set(first.values()) == {"ZSTD"}  # Iceberg's default codec

        with table.transaction() as tx:
            tx.set_properties({"write.parquet.compression-codec": "snappy"})
        run("produce", "--bootstrap", broker.bootstrap, "--events", "40", "--seed", "4")
        join(broker, rest.uri, "rs5")
        table = rest.pyiceberg().load_table("rs5.unified_activity")
        added = {p: c for p, c in file_codecs(table).items() if p not in first}
        assert added and set(added.values()) == {"SNAPPY"}
        assert table.scan().to_arrow().num_rows == braid_count(rest.uri, "rs5.unified_activity")

        # A codec braid cannot write stops the run before it reads, by name, one line.
        with table.transaction() as tx:
            tx.set_properties({"write.parquet.compression-codec": "lzo"})
        snapshots = len(table.snapshots())
        run("produce", "--bootstrap", broker.bootstrap, "--events", "10", "--seed", "5")
        proc = join(broker, rest.uri, "rs5", check=False)
        assert proc.returncode != 0
        lines = proc.stderr.strip().splitlines()
        assert 'write.parquet.compression-codec = "lzo"' in lines[-1], proc.stderr
        assert len(rest.pyiceberg().load_table("rs5.unified_activity").snapshots()) == snapshots
    finally:
        broker.stop()


def test_unreachable_catalog_is_one_line_and_exit_1():
    proc = run("sql", *catalog_flags("http://127.0.0.1:1", "token=do-not-print"), "SELECT 1",
               check=False, timeout=60)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "cannot reach the REST catalog at http://127.0.0.1:1" in lines[0]
    assert "do-not-print" not in proc.stderr + proc.stdout


def test_settings_braid_cannot_honour_are_refused_by_name(rest):
    proc = run("sql", *catalog_flags(rest.uri, "io-impl=org.apache.iceberg.gcp.gcs.GCSFileIO"),
               "SELECT 1", check=False)
    # A setting braid cannot honour is a configuration error: exit 2, like a bad flag.
    assert proc.returncode == 2 and 'io-impl "org.apache.iceberg.gcp.gcs.GCSFileIO"' in proc.stderr


# --- Nessie -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nessie(tmp_path_factory):
    java = nessie_java()
    if java is None:
        pytest.skip("Nessie needs Java >= 21 and none was found (install one, re-run test/peers/setup.sh)")
    if not nessie_jar().exists():
        pytest.skip(f"Nessie is not installed ({nessie_jar()}): run test/peers/setup.sh")
    if not (s3proxy_libs() / "s3proxy-4.1.0.jar").exists():
        pytest.fail(f"Nessie needs an S3 server and S3Proxy is not installed in {s3proxy_libs()}: "
                    "run test/peers/setup.sh")
    work = tmp_path_factory.mktemp("nessie")
    with S3Proxy() as s3:
        server = NessieServer(work, s3, s3.create_bucket("warehouse"), java).start()
        try:
            yield server
        finally:
            server.stop()


def nessie_flags(server: NessieServer, ref: str = "main") -> list[str]:
    """The notebook's Spark settings, pasted as they are."""
    props = {"catalog-impl": "org.apache.iceberg.nessie.NessieCatalog", "uri": server.api_uri,
             "ref": ref, "authentication.type": "NONE",
             "io-impl": "org.apache.iceberg.aws.s3.S3FileIO", "warehouse": f"s3a://{server.bucket}/",
             "s3.endpoint": server.s3.endpoint, "s3.path-style-access": "true",
             "s3.access-key-id": server.s3.access_key, "s3.secret-access-key": server.s3.secret_key,
             "s3.region": "us-east-1"}
    return [a for k, v in props.items() for a in ("--catalog-property", f"{k}={v}")]


def nessie_pyiceberg(server: NessieServer):
    from pyiceberg.catalog import load_catalog
    s3 = server.s3
    return load_catalog("nessie", type="rest", uri=server.iceberg_uri, **{
        "s3.endpoint": s3.endpoint, "s3.access-key-id": s3.access_key,
        "s3.secret-access-key": s3.secret_key, "s3.region": "us-east-1", "s3.path-style-access": "true"})


def test_nessie_tables_created_by_braid_are_listed_by_pyiceberg(nessie, produced):
    run("join", "--bootstrap", produced.bootstrap, "--namespace", "nb1", "--until-caught-up",
        *nessie_flags(nessie), timeout=180)
    cat = nessie_pyiceberg(nessie)
    assert ("nb1",) in cat.list_namespaces()
    assert ("nb1", "unified_activity") in cat.list_tables("nb1")
    table = cat.load_table("nb1.unified_activity")
    assert [f.name for f in table.schema().fields][:3] == ["user_id", "session_id", "action_type"]
    assert table.location().startswith(f"s3://{nessie.bucket}/")


def test_braid_describes_a_table_pyiceberg_created_in_nessie(nessie):
    cat = nessie_pyiceberg(nessie)
    cat.create_namespace_if_not_exists("nb2")
    schema = pa.schema([pa.field("id", pa.int64()), pa.field("name", pa.string())])
    created = cat.create_table("nb2.people", schema=schema)
    out = run("table", "describe", "nb2.people", *nessie_flags(nessie), "--format", "csv").stdout
    assert str(created.metadata.table_uuid) in out
    assert created.metadata_location in out and created.location() in out


def test_nessie_full_pipeline_over_s3(nessie, produced):
    """The notebook's stack end to end: a drained run equals DESIGN §2's query over the input,
    read back through Nessie by pyiceberg (S3 FileIO) and by braid."""
    from collections import Counter
    from braid_cli import read_topic
    from join_oracle import COLUMNS, normalize, oracle
    run("join", "--bootstrap", produced.bootstrap, "--namespace", "nb3", "--drain",
        *nessie_flags(nessie), timeout=180)
    expected = oracle(*(read_topic(produced.bootstrap, t) for t in ("user_actions", "purchases", "sessions")))
    table = nessie_pyiceberg(nessie).load_table("nb3.unified_activity")
    assert table.location().startswith(f"s3://{nessie.bucket}/")
    got = Counter(normalize(tuple(r[c] for c in COLUMNS))
                  for r in table.scan(selected_fields=tuple(COLUMNS)).to_arrow().to_pylist())
    assert got == expected and sum(got.values()) >= EVENTS
    out = run("sql", *nessie_flags(nessie), "--format", "csv",
              "SELECT count(*) FROM nb3.unified_activity").stdout
    assert int(out.strip().splitlines()[-1]) == sum(expected.values())
