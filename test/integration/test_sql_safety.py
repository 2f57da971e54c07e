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


# Every shape of query over a table braid cannot read fails: none may answer from a stand-in.
QUERIES = ("SELECT count(*) FROM demo.unified_activity",
           "SELECT * FROM demo.unified_activity",
           "EXPLAIN SELECT count(*) FROM demo.unified_activity",
           "SELECT 1 WHERE EXISTS (SELECT 1 FROM demo.unified_activity)",
           "WITH c AS (SELECT * FROM demo.unified_activity) SELECT count(*) FROM c")


def tool(d: Path, *args: str):
    return run(*args, "--warehouse", str(d / "warehouse"), check=False)


def test_missing_or_changed_data_file_fails_every_query(demo_dir):
    data = sorted((demo_dir / "warehouse" / "demo" / "unified_activity" / "data").glob("*.parquet"))[0]
    saved = data.read_bytes()
    try:
        data.unlink()
        for q in QUERIES:
            line = one_line_error(sql(demo_dir, q))
            assert str(data) in line and "cannot be read" in line, q
        # report and validate: the same one line, exit 1, and no verdict or half report first.
        for cmd in ("report", "validate"):
            proc = tool(demo_dir, cmd)
            line = one_line_error(proc)
            assert line.startswith(f"braid {cmd}: ") and str(data) in line
            assert "PASS" not in proc.stdout and "Activity" not in proc.stdout
        # Overwritten with garbage of the same size: the size check cannot see it, the
        # Parquet reader must.
        data.write_bytes(b"x" * len(saved))
        for q in QUERIES[:2]:
            line = one_line_error(sql(demo_dir, q))
            assert data.name in line, q
        line = one_line_error(tool(demo_dir, "validate"))
        assert data.name in line
        data.write_bytes(saved + b"appended behind the table's back")
        line = one_line_error(sql(demo_dir, "SELECT count(*) FROM demo.unified_activity"))
        assert data.name in line and "changed outside the table" in line
        # The other tables still answer.
        ok = sql(demo_dir, "SELECT count(*) FROM demo.unified_activity_rejects")
        assert ok.returncode == 0
    finally:
        data.write_bytes(saved)
    assert sql(demo_dir, "SELECT count(*) FROM demo.unified_activity").returncode == 0
