"""A pipeline written as its SQL against a real Kafka: the notebook's pipeline as a query
(examples/pattern-2.4-sql.toml) writes the same table as its TOML form (examples/pattern-2.4.toml),
and ad attribution as a query (examples/ad-attribution.sql with --query) the same table as
examples/ad-attribution.toml; the audit runs the query itself and agrees; a query outside the
supported shape exits 2 naming its clause and creates nothing."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from braid_cli import REPO, run
from join_oracle import COLUMNS as SEED_COLUMNS, normalize, read_table_columns
from pipeline_check import produce
from test_declared_pipeline import COLUMNS as AD_COLUMNS, ad_records, declared_config

SEED_TOML = REPO / "examples" / "pattern-2.4.toml"
SEED_SQL = REPO / "examples" / "pattern-2.4-sql.toml"
AD_SQL = REPO / "examples" / "ad-attribution.sql"


def seed_config(tmp_path: Path, example: Path, topics: dict[str, str], bootstrap: str, table: str) -> Path:
    """An example of the notebook's pipeline with this test's topics, broker, warehouse and table."""
    text = example.read_text()
    for logical, default in (("actions", "user_actions"), ("purchases", "purchases"), ("sessions", "sessions")):
        text = text.replace(f'topic = "{default}"', f'topic = "{topics[logical]}"')  # the SQL form's streams
        text = text.replace(f'topic_{logical} = "{default}"', f'topic_{logical} = "{topics[logical]}"')
    text = text.replace('kafka_bootstrap_servers = "127.0.0.1:9092"', f'kafka_bootstrap_servers = "{bootstrap}"')
    text = text.replace('warehouse = "warehouse"', f'warehouse = "{tmp_path}"')
    text = text.replace('iceberg_table = "unified_activity"', f'iceberg_table = "{table}"')
    text = text.replace('table = "unified_activity"', f'table = "{table}"')
    assert all(topics[t] in text for t in topics), text
    path = tmp_path / f"{table}.toml"
    path.write_text(text)
    return path


def rows(warehouse: Path, ns: str, table: str, columns: list[str]) -> Counter:
    return Counter(normalize(r) for r in read_table_columns(warehouse, ns, table, columns))


def test_notebook_pipeline_as_sql_gives_the_table_of_its_toml_form(kafka, new_topic, tmp_path):
    topics = {name: new_topic(partitions=3, prefix=name) for name in ("actions", "purchases", "sessions")}
    run("produce", "--bootstrap", kafka.bootstrap, "--events", "1500", "--users", "40", "--sessions", "70",
        "--seed", "23", "--malformed-fraction", "0.02", "--topic-actions", topics["actions"],
        "--topic-purchases", topics["purchases"], "--topic-sessions", topics["sessions"])
    toml_form = seed_config(tmp_path, SEED_TOML, topics, kafka.bootstrap, "from_toml")
    sql_form = seed_config(tmp_path, SEED_SQL, topics, kafka.bootstrap, "from_sql")
    run("join", "--config", str(toml_form), "--drain")
    proc = run("join", "--config", str(sql_form), "--drain")
    assert f"{topics['actions']} ⟕ {topics['purchases']} ⋈ {topics['sessions']}" in proc.stdout + proc.stderr

    from_toml = rows(tmp_path, "demo", "from_toml", SEED_COLUMNS)
    from_sql = rows(tmp_path, "demo", "from_sql", SEED_COLUMNS)
    assert from_sql == from_toml, (f"SQL form {sum(from_sql.values())} rows, TOML form {sum(from_toml.values())}; "
                                   f"extra {list((from_sql - from_toml).items())[:3]} "
                                   f"missing {list((from_toml - from_sql).items())[:3]}")
    # Both joins have work to do: rows with a purchase and without; rejects on both sides alike.
    elements = list(from_toml.elements())
    assert len(elements) > 500
    assert sum(1 for r in elements if r[4] is not None) > 50 and sum(1 for r in elements if r[4] is None) > 50
    reject_cols = ["topic", "partition", "offset", "reason"]
    assert rows(tmp_path, "demo", "from_sql_rejects", reject_cols) == rows(
        tmp_path, "demo", "from_toml_rejects", reject_cols)

    # The audit runs the file's query over the accepted records and finds the table equal to it.
    audit = run("validate", "--config", str(sql_form), "--against-source")
    assert "recomputing the join in DuckDB with the pipeline's own query" in audit.stdout, audit.stdout
    assert "PASS" in audit.stdout and " 0 missing, 0 extra" in audit.stdout, audit.stdout
    # The TOML form's audit builds its query from the declaration instead.
    audit = run("validate", "--config", str(toml_form), "--against-source")
    assert "PASS" in audit.stdout and "own query" not in audit.stdout, audit.stdout


def test_ad_attribution_as_a_query_gives_the_table_of_its_toml_form(kafka, new_topic, tmp_path):
    topics = {name: new_topic(partitions=3, prefix=name) for name in ("impressions", "clicks", "conversions")}
    records = {k: [r for r in v if r[1] != "late"] for k, v in ad_records(31).items()}
    produce(kafka.bootstrap, topics, records, 3, 31)
    config = declared_config(tmp_path, topics, kafka.bootstrap)
    run("join", "--config", str(config), "--drain")
    # --query replaces the file's [join] and [output].columns; the streams stay the file's.
    run("join", "--config", str(config), "--query", str(AD_SQL), "--table", "attributed_by_sql", "--drain")
    from_toml = rows(tmp_path, "ads", "attributed_impressions", AD_COLUMNS)
    from_sql = rows(tmp_path, "ads", "attributed_by_sql", AD_COLUMNS)
    assert from_sql == from_toml, (f"extra {list((from_sql - from_toml).items())[:3]} "
                                   f"missing {list((from_toml - from_sql).items())[:3]}")
    elements = list(from_toml.elements())
    assert sum(1 for r in elements if r[4] is not None) > 20 and sum(1 for r in elements if r[6] is not None) > 20

    audit = run("validate", "--config", str(config), "--query", str(AD_SQL), "--table", "attributed_by_sql",
                "--against-source")
    assert "PASS" in audit.stdout and "the pipeline's own query" in audit.stdout, audit.stdout


def test_query_outside_the_shape_exits_2_naming_the_clause(kafka, new_topic, tmp_path):
    topics = {name: new_topic(partitions=1, prefix=name) for name in ("impressions", "clicks", "conversions")}
    config = declared_config(tmp_path, topics, kafka.bootstrap)
    for text, clause in (
            (AD_SQL.read_text() + "WHERE v.revenue > 0\n", "query: WHERE v.revenue > 0: not supported; supported: "),
            (AD_SQL.read_text().replace("LEFT JOIN clicks", "RIGHT JOIN clicks"),
             "query: RIGHT JOIN clicks AS c: not supported; supported: "),
            (AD_SQL.read_text().replace("i.ts + INTERVAL 30 MINUTE", "i.ts + INTERVAL 10 MINUTE"),
             "(the window is 30m before and 10m after): not supported"),
            ("SELEC i.impression_id FROM impressions i", 'query: syntax error at or near "SELEC"')):
        query = tmp_path / "q.sql"
        query.write_text(text)
        proc = run("join", "--config", str(config), "--query", str(query), "--drain", check=False)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith(f"braid join: {query}: ") and clause in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert not (tmp_path / "ads").exists(), "a refused query created tables"
