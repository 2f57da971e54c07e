"""`braid sql` never gives a wrong answer and never writes: a table it cannot read fails every
query (count(*) included) naming the file, statements other than SELECT/EXPLAIN are refused,
and errors are one line with exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from braid_cli import run


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("sqlsafety")
    run("demo", "--events", "50", cwd=d)
    return d


def sql(d: Path, query: str):
    return run("sql", "--warehouse", str(d / "warehouse"), query, check=False)


def one_line_error(proc) -> str:
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_syntax_error_is_one_line_and_exit_1(demo_dir):
    line = one_line_error(sql(demo_dir, "SELEC 1"))
    assert "syntax error" in line and line.count("SELEC") == 1


@pytest.mark.parametrize("statement,word", [
    ("COPY (SELECT 1) TO '{out}'", "COPY"),
    ("ATTACH '{out}' AS x", "ATTACH"),
    ("EXPORT DATABASE '{out}'", "EXPORT"),
    ("INSTALL httpfs", "INSTALL"),
    ("SET threads = 1", "SET"),
    ("CREATE TABLE t AS SELECT 1", "CREATE"),
])
def test_statements_that_write_are_refused(demo_dir, tmp_path, statement, word):
    out = tmp_path / "written"
    line = one_line_error(sql(demo_dir, statement.format(out=out)))
    assert "read-only" in line and word in line
    assert not out.exists()


def test_missing_or_changed_data_file_fails_every_query(demo_dir):
    data = sorted((demo_dir / "warehouse" / "demo" / "unified_activity" / "data").glob("*.parquet"))[0]
    saved = data.read_bytes()
    try:
        data.unlink()
        for q in ("SELECT count(*) FROM demo.unified_activity",
                  "SELECT * FROM demo.unified_activity"):
            line = one_line_error(sql(demo_dir, q))
            assert data.name in line and "cannot be read" in line
        data.write_bytes(saved + b"appended behind the table's back")
        line = one_line_error(sql(demo_dir, "SELECT count(*) FROM demo.unified_activity"))
        assert data.name in line and "changed outside the table" in line
        # The other tables still answer.
        ok = sql(demo_dir, "SELECT count(*) FROM demo.unified_activity_rejects")
        assert ok.returncode == 0
    finally:
        data.write_bytes(saved)
    assert sql(demo_dir, "SELECT count(*) FROM demo.unified_activity").returncode == 0
