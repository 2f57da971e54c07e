"""braid's SQL (JDBC) catalog against pyiceberg's SqlCatalog on the same database.

braid writes a table through `--catalog-property type=sql` (SQLite file, then a real
PostgreSQL cluster from postgres_fixture.py); pyiceberg loads it from the same database and
reads the same rows braid's own `braid sql` reads; pyiceberg appends and braid sees the rows; a
database pyiceberg initialised is used by braid; pyiceberg appends while braid commits and
nothing is lost. Connection errors are one line naming host:port and the database, without the
password.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import CommitFailedException

from braid_cli import EmbeddedBroker, run
from postgres_fixture import PostgresServer, pg_bin

TABLE = "demo.unified_activity"
COLUMNS = ["user_id", "session_id", "action_type", "page_url", "purchase_amount", "product_id",
           "device_type"]


def catalog_flags(uri: str, warehouse: Path, *extra: str) -> list[str]:
    flags = ["--catalog-property", "type=sql", "--catalog-property", f"uri={uri}",
             "--catalog-property", f"warehouse={warehouse}"]
    for e in extra:
        flags += ["--catalog-property", e]
    return flags


def braid_join(bootstrap: str, flags: list[str], *extra: str) -> str:
    return run("join", "--bootstrap", bootstrap, "--drain", *flags, *extra).stdout


def braid_rows(flags: list[str], where: str = "") -> Counter:
    out = run("sql", "--format", "json", *flags,
              f"SELECT {', '.join(COLUMNS)} FROM {TABLE} {where}").stdout
    return Counter(tuple(r[c] for c in COLUMNS) for r in json.loads(out))


def braid_count(flags: list[str]) -> int:
    out = run("sql", "--format", "json", *flags, f"SELECT count(*) AS n FROM {TABLE}").stdout
    return int(json.loads(out)[0]["n"])


def pyiceberg_rows(table) -> Counter:
    return Counter(tuple(r[c] for c in COLUMNS) for r in table.scan().to_arrow().to_pylist())


def py_batch(table, tag: str, n: int) -> pa.Table:
    """n rows in the table's own Arrow schema, user_id py-<tag>-<i>."""
    schema = table.schema().as_arrow()
    now = 1_737_022_830_000_000
    cols = {f.name: [] for f in schema}
    for i in range(n):
        row = {"user_id": f"py-{tag}-{i}", "session_id": f"s-{tag}", "action_type": "click",
               "page_url": "https://shop.example.com/py", "purchase_amount": float(i),
               "product_id": None, "device_type": "pyiceberg",
               "event_timestamp": now + i, "processing_time": now}
        for f in schema:
            cols[f.name].append(row.get(f.name))
    return pa.Table.from_pydict(cols, schema=schema)


def append_with_retry(catalog: SqlCatalog, rows_of, attempts: int = 50) -> int:
    """Appends, reloading and retrying when another writer committed first; returns retries."""
    for attempt in range(attempts):
        table = catalog.load_table(TABLE)
        try:
            table.append(rows_of(table))
            return attempt
        except CommitFailedException:
            time.sleep(0.01)
    raise AssertionError(f"pyiceberg append lost the race {attempts} times")


@pytest.fixture(scope="module")
def postgres():
    if pg_bin() is None:
        pytest.fail("PostgreSQL is missing: run test/peers/install-postgres.sh")
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def broker():
    b = EmbeddedBroker()
    try:
        run("produce", "--bootstrap", b.bootstrap, "--events", "60", "--seed", "11")
        yield b
    finally:
        b.stop()


def backend(kind: str, tmp_path: Path, request) -> dict:
    """braid's and pyiceberg's URIs for a fresh catalog database of `kind`."""
    if kind == "sqlite":
        db = tmp_path / "catalog.db"
        return {"braid": f"sqlite:///{db}", "pyiceberg": f"sqlite:///{db}", "props": [], "db": db}
    pg: PostgresServer = request.getfixturevalue("postgres")
    name = f"cat_{tmp_path.name[-12:].lower().replace('-', '_')}"
    pg.create_database(name)
    # braid in Java's JDBC form with jdbc.user / jdbc.password; pyiceberg through SQLAlchemy.
    return {"braid": f"jdbc:postgresql://{pg.host}:{pg.port}/{name}",
            "props": [f"jdbc.user={pg.user}", f"jdbc.password={pg.password}"],
            "pyiceberg": pg.uri(name), "pg": pg, "name": name}


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_pyiceberg_and_braid_share_a_table(kind, tmp_path, broker, request):
    be = backend(kind, tmp_path, request)
    warehouse = tmp_path / "wh"
    flags = catalog_flags(be["braid"], warehouse, *be["props"])
    braid_join(broker.bootstrap, flags)

    # pyiceberg finds braid's table in the same database and reads the rows braid reads.
    cat = SqlCatalog("default", uri=be["pyiceberg"], warehouse=f"file://{warehouse}")
    assert ("demo",) in cat.list_namespaces()
    assert set(cat.list_tables("demo")) == {("demo", "unified_activity"),
                                            ("demo", "unified_activity_rejects")}
    table = cat.load_table(TABLE)
    assert table.metadata.location == f"file://{warehouse}/demo/unified_activity"
    name = table.metadata_location.rsplit("/", 1)[1]
    assert name.endswith(".metadata.json") and int(name.split("-")[0]) >= 1  # 00000 = created
    ours = braid_rows(flags)
    assert sum(ours.values()) > 50
    assert pyiceberg_rows(table) == ours

    # pyiceberg appends; braid sees its rows next to its own.
    table.append(py_batch(table, "a", 7))
    assert braid_count(flags) == sum(ours.values()) + 7
    assert sum(braid_rows(flags, "WHERE device_type = 'pyiceberg'").values()) == 7
    after = cat.load_table(TABLE)
    assert int(after.metadata_location.rsplit("/", 1)[1].split("-")[0]) == int(name.split("-")[0]) + 1

    # braid commits again on top of pyiceberg's snapshot (a second join run adds nothing new
    # but the table it loads is pyiceberg's latest), and pyiceberg still reads everything.
    run("produce", "--bootstrap", broker.bootstrap, "--events", "20", "--seed", "12")
    braid_join(broker.bootstrap, flags)
    final = cat.load_table(TABLE)
    rows = pyiceberg_rows(final)
    assert rows == braid_rows(flags)
    assert sum(c for r, c in rows.items() if r[6] == "pyiceberg") == 7
    assert sum(rows.values()) > sum(ours.values()) + 7
    # Every snapshot is an ancestor of the current one: no commit was lost.
    chain, snap = [], final.current_snapshot()
    while snap is not None:
        chain.append(snap.snapshot_id)
        snap = final.snapshot_by_id(snap.parent_snapshot_id) if snap.parent_snapshot_id else None
    assert len(chain) == len(final.metadata.snapshots)


def test_catalog_rows_match_pyicebergs_layout(tmp_path, broker):
    db = tmp_path / "catalog.db"
    warehouse = tmp_path / "wh"
    braid_join(broker.bootstrap, catalog_flags(f"sqlite:///{db}", warehouse, "name=prod"))
    con = sqlite3.connect(db)
    rows = con.execute("SELECT catalog_name, table_namespace, table_name, metadata_location, "
                       "previous_metadata_location, iceberg_type FROM iceberg_tables "
                       "ORDER BY table_name").fetchall()
    ns = con.execute("SELECT * FROM iceberg_namespace_properties").fetchall()
    con.close()
    assert [r[:3] for r in rows] == [("prod", "demo", "unified_activity"),
                                     ("prod", "demo", "unified_activity_rejects")]
    assert all(r[5] == "TABLE" for r in rows)
    assert rows[0][3].startswith(f"file://{warehouse}/demo/unified_activity/metadata/00001-")
    assert rows[0][4].startswith(f"file://{warehouse}/demo/unified_activity/metadata/00000-")
    assert ns == [("prod", "demo", "exists", "true")]
    # Under another catalog name the table is not there, and the error says which name holds it.
    proc = run("table", "describe", TABLE, *catalog_flags(f"sqlite:///{db}", warehouse), check=False)
    assert proc.returncode == 1
    assert 'catalog "default"' in proc.stderr and "name=prod" in proc.stderr, proc.stderr
    assert "unified_activity" in run("table", "describe", TABLE,
                                     *catalog_flags(f"sqlite:///{db}", warehouse, "name=prod")).stdout


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_braid_uses_a_database_pyiceberg_initialised(kind, tmp_path, broker, request):
    be = backend(kind, tmp_path, request)
    warehouse = tmp_path / "wh"
    cat = SqlCatalog("default", uri=be["pyiceberg"], warehouse=f"file://{warehouse}")
    cat.create_namespace("demo")
    other = cat.create_table("demo.from_pyiceberg",
                             schema=pa.schema([("id", pa.int64()), ("name", pa.string())]))
    other.append(pa.table({"id": [1, 2, 3], "name": ["a", "b", "c"]}))

    flags = catalog_flags(be["braid"], warehouse, *be["props"])
    out = run("sql", "--format", "json", *flags,
              "SELECT sum(id) AS s, count(*) AS n FROM demo.from_pyiceberg").stdout
    assert json.loads(out) == [{"s": 6, "n": 3}]
    braid_join(broker.bootstrap, flags)
    assert set(cat.list_tables("demo")) == {("demo", "from_pyiceberg"), ("demo", "unified_activity"),
                                            ("demo", "unified_activity_rejects")}
    assert pyiceberg_rows(cat.load_table(TABLE)) == braid_rows(flags)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_concurrent_commits_lose_nothing(kind, tmp_path, request, caplog):
    """pyiceberg appends in a loop while braid commits every 200 ms; all rows of both stay."""
    be = backend(kind, tmp_path, request)
    warehouse = tmp_path / "wh"
    flags = catalog_flags(be["braid"], warehouse, *be["props"])
    b = EmbeddedBroker()
    try:
        # The same runs into a file-catalog table, alone: what braid's rows must be. (Run
        # boundaries matter: records of a later batch can be late for an earlier run.)
        reference = tmp_path / "reference"

        def both_join(*extra: str) -> None:
            braid_join(b.bootstrap, flags, *extra)
            run("join", "--bootstrap", b.bootstrap, "--drain", "--warehouse",
                str(reference), *extra)

        run("produce", "--bootstrap", b.bootstrap, "--events", "40", "--seed", "5")
        both_join()  # creates the table
        cat = SqlCatalog("default", uri=be["pyiceberg"], warehouse=f"file://{warehouse}")
        stop, appended, retries, errors = threading.Event(), [], [], []

        def appender():
            try:
                i = 0
                while not stop.is_set() or i < 5:
                    retries.append(append_with_retry(cat, lambda t, i=i: py_batch(t, str(i), 3)))
                    appended.append(3)
                    i += 1
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(repr(e))

        thread = threading.Thread(target=appender)
        thread.start()
        try:
            for seed in (6, 7, 8):
                run("produce", "--bootstrap", b.bootstrap, "--events", "150", "--seed", str(seed))
                both_join("--commit-interval", "200ms")
        finally:
            stop.set()
            thread.join(timeout=120)
    finally:
        b.stop()
    assert not errors, errors
    final = cat.load_table(TABLE)
    rows = pyiceberg_rows(final)
    assert rows == braid_rows(flags)
    py_rows = Counter({r: c for r, c in rows.items() if r[6] == "pyiceberg"})
    assert sum(py_rows.values()) == sum(appended) and len(appended) >= 5
    # braid's rows are exactly those of the same runs into a table nobody else writes.
    ref = run("sql", "--format", "json", "--warehouse", str(reference),
              f"SELECT {', '.join(COLUMNS)} FROM {TABLE}").stdout
    expected = Counter(tuple(r[c] for c in COLUMNS) for r in json.loads(ref))
    assert rows - py_rows == expected
    ids = [s.snapshot_id for s in final.metadata.snapshots]
    assert len(ids) == len(set(ids))
    lost_races = sum("concurrent update" in r.getMessage() for r in caplog.records) + sum(retries)
    print(f"{kind}: {len(appended)} pyiceberg appends ({lost_races} lost a race and retried), "
          f"{len(ids)} snapshots, {sum(rows.values())} rows")


def test_wrong_password_is_one_line_without_the_password(postgres, tmp_path):
    postgres.create_database("pwcheck")
    secret = "Wr0ngPassw0rd-7731"
    uri = postgres.uri("pwcheck", driver="postgresql", password=secret)
    proc = run("sql", *catalog_flags(uri, tmp_path / "wh"), "SELECT 1", check=False)
    assert proc.returncode == 1
    err = proc.stderr.strip()
    assert "\n" not in err, err
    assert f"127.0.0.1:{postgres.port}" in err and '"pwcheck"' in err, err
    assert "password authentication failed" in err, err
    assert secret not in err and secret not in proc.stdout
    assert postgres.password not in err
    # The same through jdbc.password.
    proc = run("sql", *catalog_flags(f"jdbc:postgresql://127.0.0.1:{postgres.port}/pwcheck",
                                     tmp_path / "wh", "jdbc.user=braid", f"jdbc.password={secret}"),
               "SELECT 1", check=False)
    assert proc.returncode == 1 and secret not in proc.stderr and "\n" not in proc.stderr.strip()


def test_unreachable_postgres_is_one_line(tmp_path):
    from postgres_fixture import free_port
    port = free_port()
    proc = run("sql", *catalog_flags(f"postgresql://braid:s3cret-x@127.0.0.1:{port}/nowhere",
                                     tmp_path / "wh"), "SELECT 1", check=False, timeout=60)
    assert proc.returncode == 1
    err = proc.stderr.strip()
    assert "\n" not in err and f"127.0.0.1:{port}" in err and '"nowhere"' in err, err
    assert "s3cret-x" not in err


def test_bad_catalog_settings_are_one_line(tmp_path):
    # Settings that are wrong exit 2 like bad flags; a database that cannot be opened exits 1.
    for uri, needle, code in [("sqlite:///:memory:", "in-memory", 2), ("mysql://h/db", '"mysql"', 2),
                              (f"sqlite:///{tmp_path}/no/such/dir/c.db", "no/such/dir/c.db", 1)]:
        proc = run("sql", *catalog_flags(uri, tmp_path / "wh"), "SELECT 1", check=False)
        err = proc.stderr.strip()
        assert proc.returncode == code and "\n" not in err and needle in err, (uri, err)
    proc = run("sql", "--catalog-property", "type=sql", "SELECT 1", check=False)
    assert proc.returncode == 2 and '"uri"' in proc.stderr


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_two_braid_processes_commit_to_one_table(kind, tmp_path, request):
    """Two `braid join` processes (different topics and pipeline ids) on one table at once."""
    import subprocess
    from braid_cli import binary
    be = backend(kind, tmp_path, request)
    flags = catalog_flags(be["braid"], tmp_path / "wh", *be["props"])
    b = EmbeddedBroker()
    try:
        pipelines = {}
        for p, seed in (("a", 21), ("b", 22)):
            topics = [f"--topic-{t}={t}_{p}" for t in ("actions", "purchases", "sessions")]
            run("produce", "--bootstrap", b.bootstrap, "--events", "300", "--seed", str(seed), *topics)
            pipelines[p] = ["--bootstrap", b.bootstrap, "--until-caught-up", "--pipeline-id", p,
                            "--commit-interval", "100ms", *topics]
        # Each pipeline alone, into its own file-catalog table: the expected rows.
        expected = Counter()
        for p, args in pipelines.items():
            run("join", *args, "--warehouse", str(tmp_path / f"ref_{p}"))
            out = run("sql", "--format", "json", "--warehouse", str(tmp_path / f"ref_{p}"),
                      f"SELECT {', '.join(COLUMNS)} FROM {TABLE}").stdout
            expected.update(tuple(r[c] for c in COLUMNS) for r in json.loads(out))
        # The catalog tables exist before the race (braid sql reads only: it creates nothing).
        SqlCatalog("default", uri=be["pyiceberg"], warehouse=f"file://{tmp_path}/wh")
        procs = [subprocess.Popen([binary(), "join", *args, *flags], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for args in pipelines.values()]
        results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
        for p in procs:
            p.stdout.close()
            p.stderr.close()
    finally:
        b.stop()
    assert all(code == 0 for code, _ in results), results
    assert braid_rows(flags) == expected
    cat = SqlCatalog("default", uri=be["pyiceberg"], warehouse=f"file://{tmp_path}/wh")
    table = cat.load_table(TABLE)
    assert pyiceberg_rows(table) == expected
    ids = {s.summary.additional_properties.get("braid.pipeline-id") for s in table.metadata.snapshots}
    assert {"a", "b"} <= ids
