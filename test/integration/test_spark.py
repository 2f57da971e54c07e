"""Spark, the notebook's engine, on braid's lakehouse: PySpark 4.0.1 with the Iceberg 1.10.0
Spark runtime and AWS bundle, through Apache Iceberg's REST catalog fixture on S3Proxy.
Spark reads the table braid wrote and runs the notebook's two reports (the same numbers as
`braid report`); braid reads a table Spark wrote (`braid sql` count and sum equal Spark's).

Runs under `make test-spark`, which installs pyspark and the jars (test/peers/install-spark.sh);
in `make test` it is skipped with that reason unless BRAID_SPARK=1."""

from __future__ import annotations

import os
import uuid

import pytest

from braid_cli import EmbeddedBroker, run
from kafka_fixture import cache_dir
from lakehouse import aws_env, pipeline_file, rest_catalog
from rest_fixture import RestFixture
from s3_fixture import S3Proxy, s3proxy_libs

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(os.environ.get("BRAID_SPARK") != "1",
                       reason="Spark interop is slow and needs ~450 MB: run `make test-spark` "
                              "(or BRAID_SPARK=1 after test/peers/install-spark.sh)"),
]

ICEBERG = "1.10.0"


def spark_jars() -> list[str]:
    jars = cache_dir() / "spark" / "jars"
    return [str(jars / f"iceberg-spark-runtime-4.0_2.13-{ICEBERG}.jar"),
            str(jars / f"iceberg-aws-bundle-{ICEBERG}.jar")]


def spark_session(app: str, catalog: str, settings: dict[str, str]):
    """A local Spark session with the Iceberg runtime and one Iceberg catalog named `catalog`
    (`settings`: its properties without the spark.sql.catalog.<catalog>. prefix)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        pytest.fail("pyspark is not installed: run test/peers/install-spark.sh (make test-spark does)")
    missing = [j for j in spark_jars() if not os.path.exists(j)]
    if missing:
        pytest.fail(f"missing {missing}: run test/peers/install-spark.sh")
    prefix = f"spark.sql.catalog.{catalog}"
    builder = (SparkSession.builder.master("local[2]").appName(app)
               .config("spark.jars", ",".join(spark_jars()))
               .config("spark.driver.memory", "1g")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
               .config(prefix, "org.apache.iceberg.spark.SparkCatalog"))
    for key, value in settings.items():
        builder = builder.config(f"{prefix}.{key}", value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    if not (s3proxy_libs() / "s3proxy-4.1.0.jar").exists():
        pytest.fail(f"no S3Proxy jars in {s3proxy_libs()}: run test/peers/setup.sh")
    work = tmp_path_factory.mktemp("spark-lake")
    with S3Proxy() as s3:
        rest = RestFixture("s3", work, s3=s3, bucket=s3.create_bucket("lakehouse")).start()
        try:
            yield rest
        finally:
            rest.stop()


@pytest.fixture(scope="module")
def spark(lake):
    s3 = lake.s3
    session = spark_session("braid-spark-interop", "lakehouse", {
        "type": "rest",
        "uri": lake.uri,
        "io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        "s3.endpoint": s3.endpoint,
        "s3.path-style-access": "true",
        "s3.access-key-id": s3.access_key,
        "s3.secret-access-key": s3.secret_key,
        "client.region": "us-east-1",
    })
    try:
        yield session
    finally:
        session.stop()


def parse_table(text: str) -> list[list[str]]:
    """The rows of one of braid's text tables (header and rules dropped), cells stripped."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|") and "│" not in line:
            continue
        cells = [c.strip() for c in line.replace("│", "|").strip("|").split("|")]
        rows.append(cells)
    return rows[1:]  # the header


def braid_reports(config, env) -> tuple[list[list[str]], list[list[str]]]:
    out = run("report", "--config", str(config), env=env).stdout
    device, conversion = out.split("Conversion Rate by Action Type:")
    return parse_table(device), parse_table(conversion)


def num(v) -> str:
    """A number as braid's report prints it, for comparison (2 decimals for reals)."""
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)


def test_spark_runs_the_notebooks_reports_on_braids_table_with_braids_numbers(spark, lake, tmp_path):
    config = pipeline_file(tmp_path, rest_catalog(lake), "sp")
    env = aws_env(lake.s3)
    broker = EmbeddedBroker()
    try:
        run("produce", "--bootstrap", broker.bootstrap, "--events", "300", "--seed", "7")
        run("join", "--config", str(config), "--bootstrap", broker.bootstrap, "--drain", env=env, timeout=240)
    finally:
        broker.stop()
    full_table = "lakehouse.sp.unified_activity"
    # The notebook's two reports, as it writes them.
    device = spark.sql(f"""
        SELECT device_type, COUNT(*) AS total_actions, COUNT(DISTINCT user_id) AS unique_users,
               COUNT(purchase_amount) AS purchase_count, COALESCE(SUM(purchase_amount), 0) AS total_revenue
        FROM {full_table} GROUP BY device_type ORDER BY total_revenue DESC""").collect()
    conversion = spark.sql(f"""
        SELECT action_type, COUNT(*) AS actions, COUNT(purchase_amount) AS purchases,
               ROUND(COUNT(purchase_amount) * 100.0 / COUNT(*), 2) AS conversion_rate
        FROM {full_table} GROUP BY action_type ORDER BY conversion_rate DESC""").collect()
    assert sum(r.total_actions for r in device) > 100
    b_device, b_conversion = braid_reports(config, env)
    spark_device = sorted([r.device_type, str(r.total_actions), str(r.unique_users), str(r.purchase_count),
                           num(float(r.total_revenue))] for r in device)
    braid_device = sorted([c[0], c[1], c[2], c[3], num(float(c[4]))] for c in b_device)
    assert len(braid_device) == len(spark_device) >= 3 and len(b_conversion) == len(conversion) >= 4
    assert spark_device == braid_device
    assert [r.device_type for r in device] == [c[0] for c in b_device]  # same order: by revenue
    spark_conv = sorted([r.action_type, str(r.actions), str(r.purchases), num(float(r.conversion_rate))]
                        for r in conversion)
    braid_conv = sorted([c[0], c[1], c[2], num(float(c[3]))] for c in b_conversion)
    assert spark_conv == braid_conv
    # And Spark sees braid's snapshots and commit record.
    snaps = spark.sql(f"SELECT summary FROM {full_table}.snapshots").collect()
    assert snaps and all(s.summary.get("braid.pipeline-id") == "sp.unified_activity" for s in snaps)


def test_braid_reads_a_table_spark_wrote(spark, lake, tmp_path):
    table = f"lakehouse.sw.orders_{uuid.uuid4().hex[:6]}"
    spark.sql("CREATE NAMESPACE IF NOT EXISTS lakehouse.sw")
    spark.sql(f"CREATE TABLE {table} (id BIGINT, customer STRING, amount DOUBLE, at TIMESTAMP) USING iceberg")
    spark.sql(f"""INSERT INTO {table}
                  SELECT id, concat('c', CAST(id % 17 AS STRING)), id * 1.25, TIMESTAMP '2025-01-16 10:00:00'
                  FROM range(0, 5000)""")
    spark.sql(f"INSERT INTO {table} VALUES (99999, 'late', 0.5, TIMESTAMP '2025-01-17 00:00:00')")
    expected = spark.sql(f"SELECT count(*) AS n, sum(amount) AS total, count(DISTINCT customer) AS c FROM {table}").first()
    config = pipeline_file(tmp_path, rest_catalog(lake), "sw")
    name = table.removeprefix("lakehouse.")
    out = run("sql", "--config", str(config), "--format", "csv",
              f"SELECT count(*), sum(amount), count(DISTINCT customer) FROM {name}", env=aws_env(lake.s3)).stdout
    n, total, customers = out.strip().splitlines()[-1].split(",")
    assert int(n) == expected.n == 5001
    assert float(total) == pytest.approx(expected.total)
    assert int(customers) == expected.c


@pytest.mark.parametrize("version,kind", [("2", "1 position delete file"), ("3", "1 deletion vector")])
def test_braid_refuses_spark_merge_on_read_deletes_until_compacted(spark, lake, tmp_path, version, kind):
    """A Spark DELETE on a merge-on-read table writes a delete file (v2: position deletes, v3: a
    deletion vector) that braid does not apply: every query is refused naming it, never answered
    with the deleted rows. After the compaction the refusal advises, the delete file (a v2 one
    stays listed) applies to no data file, and braid reads Spark's count."""
    table = f"lakehouse.sw.mor_{uuid.uuid4().hex[:6]}"
    spark.sql("CREATE NAMESPACE IF NOT EXISTS lakehouse.sw")
    spark.sql(f"""CREATE TABLE {table} (id BIGINT, amount DOUBLE) USING iceberg
                  TBLPROPERTIES ('format-version' = '{version}', 'write.delete.mode' = 'merge-on-read')""")
    spark.sql(f"INSERT INTO {table} SELECT id, id * 0.5 FROM range(0, 1000)")
    spark.sql(f"DELETE FROM {table} WHERE id < 10")
    assert spark.sql(f"SELECT count(*) AS n FROM {table}.delete_files").first().n == 1
    config = pipeline_file(tmp_path, rest_catalog(lake), "sw")
    name = table.removeprefix("lakehouse.")
    env = aws_env(lake.s3)
    for q in (f"SELECT count(*) FROM {name}", f"SELECT * FROM {name}",
              f"WITH t AS (SELECT * FROM {name}) SELECT count(*) FROM t"):
        proc = run("sql", "--config", str(config), q, env=env, check=False)
        assert proc.returncode == 1, (q, proc.stdout)
        line = proc.stderr.strip()
        assert "\n" not in line and name in line and kind in line and "rewrite_data_files" in line, line
    spark.sql(f"""CALL lakehouse.system.rewrite_data_files(table => '{name}',
                  options => map('rewrite-all', 'true', 'use-starting-sequence-number', 'false'))""")
    out = run("sql", "--config", str(config), "--format", "csv", f"SELECT count(*), min(id) FROM {name}",
              env=env).stdout
    assert out.strip().splitlines()[-1] == "990,10"


def test_spark_reads_braids_table_through_compaction_and_expiry(spark, lake, tmp_path):
    """Spark reads the rows braid's maintenance kept, on a REST catalog over S3: after `braid
    table compact` (one replace snapshot; time travel to before it still works), after `braid
    table expire-snapshots` (REST remove-snapshots) and after Spark's own expire_snapshots with
    retain_last 1, braid still continues exactly once (the source audit passes)."""
    config = pipeline_file(tmp_path, rest_catalog(lake), "mx")
    env = aws_env(lake.s3)
    full = "lakehouse.mx.unified_activity"
    broker = EmbeddedBroker()
    try:
        for seed in (1, 2, 3):
            run("produce", "--bootstrap", broker.bootstrap, "--events", "120", "--seed", str(seed))
            run("join", "--config", str(config), "--bootstrap", broker.bootstrap, "--until-caught-up",
                "--maintenance", "off", env=env, timeout=240)

        def counts():
            spark.sql(f"REFRESH TABLE {full}")
            r = spark.sql(f"SELECT count(*) AS n, sum(purchase_amount) AS s FROM {full}").first()
            return r.n, round(r.s, 4)  # the order of a float sum follows the files

        before = counts()
        files_before = spark.sql(f"SELECT count(*) AS n FROM {full}.files").first().n
        old_snapshot = spark.sql(f"SELECT snapshot_id FROM {full}.snapshots ORDER BY committed_at DESC").first().snapshot_id
        assert before[0] > 100 and files_before >= 3

        out = run("table", "compact", "mx.unified_activity", "--config", str(config), env=env).stdout
        assert "rewrote" in out, out
        assert counts() == before
        assert spark.sql(f"SELECT count(*) AS n FROM {full}.files").first().n < files_before
        ops = [r.operation for r in spark.sql(f"SELECT operation FROM {full}.snapshots ORDER BY committed_at").collect()]
        assert ops[-1] == "replace"
        assert spark.sql(f"SELECT count(*) AS n FROM {full} VERSION AS OF {old_snapshot}").first().n == before[0]

        run("table", "expire-snapshots", "mx.unified_activity", "--config", str(config), "--older-than", "0s",
            "--retain-last", "1", env=env)
        assert counts() == before
        assert spark.sql(f"SELECT count(*) AS n FROM {full}.snapshots").first().n == 1
        orphans = run("table", "remove-orphans", "mx.unified_activity", "--config", str(config), "--dry-run",
                      env=env).stdout
        assert "would delete 0 orphan files" in orphans, orphans  # nothing is three days old

        # More input, a braid commit, then Spark expires everything but its newest snapshot.
        run("produce", "--bootstrap", broker.bootstrap, "--events", "120", "--seed", "4")
        run("join", "--config", str(config), "--bootstrap", broker.bootstrap, "--until-caught-up", env=env,
            timeout=240)
        spark.sql("CALL lakehouse.system.expire_snapshots(table => 'mx.unified_activity', "
                  "older_than => current_timestamp(), retain_last => 1)")
        assert spark.sql(f"SELECT count(*) AS n FROM {full}.snapshots").first().n == 1
        run("produce", "--bootstrap", broker.bootstrap, "--events", "120", "--seed", "5")
        run("join", "--config", str(config), "--bootstrap", broker.bootstrap, "--drain", env=env, timeout=240)
        audit = run("validate", "--config", str(config), "--bootstrap", broker.bootstrap, "--against-source",
                    env=env, timeout=240).stdout
        assert "PASS" in audit and "0 missing, 0 extra" in audit, audit
        spark.sql(f"REFRESH TABLE {full}")
        n = spark.sql(f"SELECT count(*) AS n FROM {full}").first().n
        out = run("sql", "--config", str(config), "--format", "csv", "SELECT count(*) FROM mx.unified_activity",
                  env=env).stdout
        assert int(out.strip().splitlines()[-1]) == n
    finally:
        broker.stop()
