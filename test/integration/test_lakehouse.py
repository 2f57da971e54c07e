"""The notebook's own stack end to end: a real Kafka, `braid join` configured by a pipeline file
whose [catalog] is the notebook's Spark catalog settings pasted as they are, Nessie 0.99 (or
Apache Iceberg's REST fixture) as the catalog and S3Proxy (SigV4 enforced) as the object store.
pyiceberg's RestCatalog with S3 FileIO reads every table back; rows must equal DESIGN §2's query
(DuckDB) over the accepted input. Restarts, kill -9, an S3 outage mid-run and two writers with
one pipeline id must neither lose nor duplicate a row.

Nessie keeps snapshot history in its own commit log: the table metadata it serves lists only
the newest snapshot, so recovery and the one-writer check here rest on the table-properties
commit record (src/pipeline/pipeline_record.h), not on walking snapshots."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from braid_cli import binary, run
from join_oracle import COLUMNS, RandomStreams
from lakehouse import (aws_env, nessie_catalog, nessie_pyiceberg, pipeline_file, read_rows,
                       rest_catalog)
from nessie_fixture import NessieServer, nessie_jar, nessie_java
from pipeline_check import REJECT_COLUMNS, check_rows, produce
from rest_fixture import FaultProxy, RestFixture
from s3_fixture import S3Proxy, s3proxy_libs

TOPICS = ("actions", "purchases", "sessions")


@pytest.fixture(scope="module")
def s3():
    if not (s3proxy_libs() / "s3proxy-4.1.0.jar").exists():
        pytest.fail(f"no S3Proxy jars in {s3proxy_libs()}: run test/peers/setup.sh")
    with S3Proxy() as server:
        yield server


@pytest.fixture(scope="module")
def nessie(s3, tmp_path_factory):
    java = nessie_java()
    if java is None:
        pytest.skip("Nessie needs Java >= 21 and none was found (install one, re-run test/peers/setup.sh)")
    if not nessie_jar().exists():
        pytest.skip(f"Nessie is not installed ({nessie_jar()}): run test/peers/setup.sh")
    server = NessieServer(tmp_path_factory.mktemp("nessie"), s3, s3.create_bucket("openlakes"), java,
                          prefix="warehouse/").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def rest_s3(s3, tmp_path):
    import uuid
    server = RestFixture("s3", tmp_path, s3=s3, bucket=s3.create_bucket(f"rest-{uuid.uuid4().hex[:8]}")).start()
    try:
        yield server
    finally:
        server.stop()


def topics_for(new_topic) -> dict[str, str]:
    return {name: new_topic(partitions=3, prefix=name) for name in TOPICS}


def tables(catalog, ns: str):
    return (read_rows(catalog, f"{ns}.unified_activity", COLUMNS),
            read_rows(catalog, f"{ns}.unified_activity_rejects", REJECT_COLUMNS))


def braid_count(config, env, table: str) -> int:
    out = run("sql", "--config", str(config), "--format", "csv", f"SELECT count(*) FROM {table}",
              env=env).stdout
    return int(out.strip().splitlines()[-1])


def assert_no_secret(s3: S3Proxy, *texts: str):
    for t in texts:
        assert s3.secret_key not in t


def test_notebook_settings_on_nessie_over_s3_drain_equals_the_batch_query(kafka, new_topic, nessie, tmp_path):
    topics = topics_for(new_topic)
    sent = produce(kafka.bootstrap, topics, RandomStreams(5, events=400).records(), 3, 5)
    config = pipeline_file(tmp_path, nessie_catalog(nessie), "nbk", topics, kafka.bootstrap)
    env = aws_env(nessie.s3)
    out = run("join", "--config", str(config), "--drain", env=env, timeout=240)
    assert "rows committed" in out.stdout
    assert_no_secret(nessie.s3, out.stdout, out.stderr)

    cat = nessie_pyiceberg(nessie)
    table = cat.load_table("nbk.unified_activity")
    assert table.location().startswith(f"s3://{nessie.bucket}/warehouse/")
    rows, rejects = tables(cat, "nbk")
    n, rejected, _ = check_rows(rows, rejects, topics, sent)
    assert n > 100 and rejected > 0
    assert braid_count(config, env, "nbk.unified_activity") == n
    # The data files are on S3, not on a local disk.
    keys = [o["Key"] for o in nessie.s3.client().list_objects_v2(Bucket=nessie.bucket, Prefix="warehouse/")["Contents"]]
    assert any(k.endswith(".parquet") for k in keys)
    assert not (tmp_path / "warehouse").exists() and not (tmp_path / "s3a:").exists()

    report = run("report", "--config", str(config), env=env).stdout
    assert "Activity Summary by Device" in report and "Conversion Rate by Action Type" in report
    validate = run("validate", "--config", str(config), env=env)
    assert "FAIL" not in validate.stdout and f"joined {n} unified activity records" in validate.stdout
    assert f"INFO {rejected} rejected records" in validate.stdout
    assert_no_secret(nessie.s3, report, validate.stdout, validate.stderr)


def test_nessie_restart_continues_exactly_from_the_table_properties_record(kafka, new_topic, nessie, tmp_path):
    topics = topics_for(new_topic)
    records = RandomStreams(8, events=500).records()
    first = {k: v[: len(v) // 2] for k, v in records.items()}
    second = {k: v[len(v) // 2:] for k, v in records.items()}
    sent = produce(kafka.bootstrap, topics, first, 3, 8)
    config = pipeline_file(tmp_path, nessie_catalog(nessie), "nrs", topics, kafka.bootstrap)
    env = aws_env(nessie.s3)
    cat = nessie_pyiceberg(nessie)

    run("join", "--config", str(config), "--until-caught-up", env=env, timeout=240)
    table = cat.load_table("nrs.unified_activity")
    # Nessie serves only the newest snapshot: recovery cannot walk history.
    assert len(table.metadata.snapshots) == 1
    assert any(k.startswith("braid.pipeline.") for k in table.properties)
    rows1, _ = tables(cat, "nrs")
    check_rows(rows1, [], topics, {k: v for k, v in sent.items() if v[1] != "malformed"}, subset=True)

    sent.update(produce(kafka.bootstrap, topics, second, 3, 9))
    out = run("join", "--config", str(config), "--until-caught-up", env=env, timeout=240).stdout
    assert "Resumed from the last commit" in out
    rows2, rejects2 = tables(cat, "nrs")
    assert len(rows2) > len(rows1)
    check_rows(rows2, rejects2, topics, sent, subset=True)  # nothing twice, nothing invented

    out = run("join", "--config", str(config), "--drain", env=env, timeout=240).stdout
    assert "Resumed from the last commit" in out
    rows3, rejects3 = tables(cat, "nrs")
    check_rows(rows3, rejects3, topics, sent)


def test_nessie_kill_9_mid_run_then_drain_is_exact(kafka, new_topic, nessie, tmp_path):
    topics = topics_for(new_topic)
    sent = produce(kafka.bootstrap, topics, RandomStreams(13, events=600).records(), 3, 13)
    config = pipeline_file(tmp_path, nessie_catalog(nessie), "nk9", topics, kafka.bootstrap)
    env = aws_env(nessie.s3)
    cat = nessie_pyiceberg(nessie)
    proc = subprocess.Popen([binary(), "join", "--config", str(config), "--commit-interval", "500ms"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    # Kill it once a commit has landed (the table exists with a snapshot).
    deadline = time.monotonic() + 60
    committed = False
    while time.monotonic() < deadline and not committed:
        time.sleep(0.5)
        try:
            committed = cat.load_table("nk9.unified_activity").current_snapshot() is not None
        except Exception:  # noqa: BLE001 - not created yet
            committed = False
    time.sleep(0.7)  # and let it be in the middle of the next one
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert committed, "the continuous run committed nothing within 60 s"
    out = run("join", "--config", str(config), "--drain", env=env, timeout=240).stdout
    assert "Resumed from the last commit" in out
    rows, rejects = tables(cat, "nk9")
    check_rows(rows, rejects, topics, sent)


def test_rest_fixture_on_s3_drain_equals_the_batch_query(kafka, new_topic, rest_s3, tmp_path):
    topics = topics_for(new_topic)
    sent = produce(kafka.bootstrap, topics, RandomStreams(17, events=300).records(), 3, 17)
    config = pipeline_file(tmp_path, rest_catalog(rest_s3), "rfx", topics, kafka.bootstrap)
    env = aws_env(rest_s3.s3)
    run("join", "--config", str(config), "--drain", env=env, timeout=240)
    cat = rest_s3.pyiceberg()
    assert cat.load_table("rfx.unified_activity").location().startswith(f"s3://{rest_s3.bucket}/")
    rows, rejects = tables(cat, "rfx")
    n, _, _ = check_rows(rows, rejects, topics, sent)
    assert braid_count(config, env, "rfx.unified_activity") == n


# --- Faults ------------------------------------------------------------------------------------


def test_s3_stopped_during_a_continuous_run_then_restart_and_drain_is_exact(kafka, new_topic, s3, tmp_path):
    import uuid
    bucket = s3.create_bucket(f"fault-{uuid.uuid4().hex[:8]}")
    rest = RestFixture("s3", tmp_path, s3=s3, bucket=bucket).start()
    try:
        topics = topics_for(new_topic)
        records = RandomStreams(23, events=800).records()
        sent = produce(kafka.bootstrap, topics, {k: v[: len(v) // 2] for k, v in records.items()}, 3, 23)
        config = pipeline_file(tmp_path, rest_catalog(rest), "s3f", topics, kafka.bootstrap)
        env = aws_env(s3)
        cat = rest.pyiceberg()
        proc = subprocess.Popen([binary(), "join", "--config", str(config), "--commit-interval", "300ms"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.monotonic() + 60
        committed = False
        while time.monotonic() < deadline and not committed:
            try:
                committed = cat.load_table("s3f.unified_activity").current_snapshot() is not None
            except Exception:  # noqa: BLE001 - not created yet
                pass
            time.sleep(0.3)
        if not committed:
            proc.kill()
            pytest.fail(f"the continuous run committed nothing within 60 s: {proc.communicate()[1][-3000:]}")
        assert proc.poll() is None, proc.stderr.read()
        s3.stop()  # in the middle of the run's commits (one every 300 ms)
        # New input while the store is down: the run has rows to commit and cannot.
        sent.update(produce(kafka.bootstrap, topics, {k: v[len(v) // 2:] for k, v in records.items()}, 3, 24))
        time.sleep(4)
        outage_exit = proc.poll()
        s3.start()
        time.sleep(2)
        proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"braid join hung after the S3 outage: {err[-2000:]}")
        # Either its retries rode out the outage (still running then, exit 0 on SIGTERM) or it
        # stopped with one clear line naming the endpoint.
        print(f"S3 outage: exit {proc.returncode} (during the outage: {outage_exit}); {err.strip().splitlines()[-1:]}")
        if proc.returncode != 0:
            assert proc.returncode == 1, err
            assert s3.endpoint in err.strip().splitlines()[-1], err
        else:
            assert outage_exit is None
        assert_no_secret(s3, out, err)
        drained = run("join", "--config", str(config), "--drain", env=env, timeout=240).stdout
        assert "Resumed from the last commit" in drained
        rows, rejects = tables(cat, "s3f")
        check_rows(rows, rejects, topics, sent)
    finally:
        rest.stop()


def test_unreachable_rest_catalog_is_one_line_and_exit_1(kafka, new_topic, tmp_path, s3):
    # Kafka is reachable (braid checks it first): the catalog is what is missing.
    config = pipeline_file(tmp_path, {"type": "rest", "uri": "http://127.0.0.1:1", "credential": "id:do-not-print",
                                      "s3.endpoint": s3.endpoint}, "un", topics_for(new_topic), kafka.bootstrap)
    for args in (["join", "--drain"], ["report"], ["validate"]):
        proc = run(*args, "--config", str(config), check=False, timeout=90, env=aws_env(s3))
        assert proc.returncode == 1, (args, proc.stderr)
        lines = [line for line in proc.stderr.strip().splitlines() if "first run of pipeline" not in line]
        assert len(lines) == 1, proc.stderr
        assert "cannot reach the REST catalog at http://127.0.0.1:1" in lines[0], proc.stderr
        assert "do-not-print" not in proc.stdout + proc.stderr
        assert_no_secret(s3, proc.stdout, proc.stderr)


def test_two_writers_with_one_pipeline_id_on_rest_and_s3_leave_one_runs_rows(kafka, new_topic, rest_s3, tmp_path):
    topics = topics_for(new_topic)
    sent = produce(kafka.bootstrap, topics, RandomStreams(29, events=800).records(), 3, 29)
    config = pipeline_file(tmp_path, rest_catalog(rest_s3), "tw", topics, kafka.bootstrap)
    env = aws_env(rest_s3.s3)
    procs = [subprocess.Popen([binary(), "join", "--config", str(config), "--commit-interval", "200ms",
                               "--drain"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    results = [(p.wait(timeout=240), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    # Both start from nothing; the first commit wins and the other, seeing it, stops at once.
    assert codes == [0, 1], results
    loser = next(err for code, _, err in results if code == 1)
    # Its error is one line (after the run's informational first line).
    error = loser.strip().splitlines()[-1]
    assert error.startswith("braid join: another writer is committing for pipeline tw.unified_activity"), loser
    rows, rejects = tables(rest_s3.pyiceberg(), "tw")
    check_rows(rows, rejects, topics, sent)


def test_sql_catalog_with_an_s3_warehouse_as_the_readme_shows(kafka, new_topic, s3, tmp_path):
    import uuid
    from pyiceberg.catalog.sql import SqlCatalog
    from lakehouse import s3_fileio
    bucket = s3.create_bucket(f"sql-{uuid.uuid4().hex[:8]}")
    topics = topics_for(new_topic)
    sent = produce(kafka.bootstrap, topics, RandomStreams(31, events=300).records(), 3, 31)
    db = tmp_path / "catalog.db"
    catalog = {"type": "sql", "uri": f"sqlite:///{db}", "warehouse": f"s3://{bucket}/warehouse",
               "s3.endpoint": s3.endpoint, "s3.path-style-access": "true"}
    config = pipeline_file(tmp_path, catalog, "sq", topics, kafka.bootstrap)
    env = aws_env(s3)
    run("join", "--config", str(config), "--drain", env=env, timeout=240)
    cat = SqlCatalog("default", uri=f"sqlite:///{db}", warehouse=f"s3://{bucket}/warehouse", **s3_fileio(s3))
    assert cat.load_table("sq.unified_activity").location().startswith(f"s3://{bucket}/warehouse/")
    rows, rejects = tables(cat, "sq")
    n, _, _ = check_rows(rows, rejects, topics, sent)
    assert braid_count(config, env, "sq.unified_activity") == n


@pytest.mark.parametrize("fault", ["500-after-commit", "drop-after-commit"])
def test_nessie_lost_commit_answers_never_duplicate(kafka, new_topic, nessie, tmp_path, fault):
    """Every commit's answer is lost (a 500 or a dropped connection after Nessie applied it):
    braid reloads, finds its snapshot on main and goes on; nothing is committed twice."""
    topics = topics_for(new_topic)
    sent = produce(kafka.bootstrap, topics, RandomStreams(37, events=300).records(), 3, 37)
    proxy = FaultProxy(f"http://127.0.0.1:{nessie.port}", fault=fault)
    try:
        settings = {**nessie_catalog(nessie), "uri": f"{proxy.uri}/api/v2"}
        config = pipeline_file(tmp_path, settings, f"nf{len(fault)}", topics, kafka.bootstrap)
        run("join", "--config", str(config), "--drain", "--commit-interval", "300ms",
            env=aws_env(nessie.s3), timeout=240)
        assert proxy.commits >= 2  # rows and rejects, each through the fault
    finally:
        proxy.stop()
    rows, rejects = tables(nessie_pyiceberg(nessie), f"nf{len(fault)}")
    check_rows(rows, rejects, topics, sent)
