"""Rough edges a new user hits in configuration and the CLI (issue 13): every mistyped key is
refused by name with exit 2 before anything runs, a huge duration is "too large", reading
commands never create a warehouse, and `braid table` names its table one way only."""

from __future__ import annotations

import pytest

from braid_cli import run

# A port nothing listens on: a check that ran after connecting would hang or fail differently.
NO_BROKER = "127.0.0.1:1"


def one_line(proc, command: str) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"braid {command}: "), proc.stderr
    return lines[0]


def test_mistyped_catalog_properties_are_refused_by_name(tmp_path):
    proc = run("sql", "--catalog-property", f"warehuose={tmp_path}/wh", "SELECT 1", check=False, cwd=tmp_path)
    assert proc.returncode == 2
    line = one_line(proc, "sql")
    assert 'unknown catalog property "warehuose" (did you mean "warehouse"?)' in line
    assert "the file catalog takes " in line and "s3.endpoint" in line
    # The secret is mistyped: braid must not fall back to the environment's credentials.
    proc = run("join", "--bootstrap", NO_BROKER, "--until-caught-up", "--warehouse", str(tmp_path / "wh"),
               "--catalog-property", "s3.secret-acces-key=hunter2", check=False, timeout=20)
    assert proc.returncode == 2
    line = one_line(proc, "join")
    assert '"s3.secret-acces-key" (did you mean "s3.secret-access-key"?)' in line
    assert "hunter2" not in proc.stderr + proc.stdout
    # Other catalogs have their own lists: ref is Nessie's, not a plain REST catalog's.
    proc = run("report", "--catalog-property", "type=rest", "--catalog-property", "uri=http://127.0.0.1:1",
               "--catalog-property", "ref=main", check=False, timeout=20)
    assert proc.returncode == 2
    assert 'unknown catalog property "ref"; the rest catalog takes ' in one_line(proc, "report")
    assert not (tmp_path / "wh").exists() and not (tmp_path / "warehouse").exists()


def test_mistyped_keys_in_the_pipeline_file_are_refused_by_name(tmp_path):
    cases = {
        "[catalog]\ntype = \"file\"\nwarehuose = \"/w\"\n": 'unknown catalog property "warehuose"',
        "[kafka]\n\"security.protocl\" = \"SSL\"\n": 'Kafka property "security.protocl" was refused',
        "[maintenence]\nenabled = false\n": 'unknown key "maintenence"',
        "watermark_delay = true\n": "watermark_delay must be a duration",
        "watermark_delay = \"99999999999999999999s\"\n":
            'duration "99999999999999999999s" is too large: the most is 100000000000s',
        "watermark_delay = 99999999999999\n": "99999999999999 seconds is too large: the most is 100000000000",
    }
    for text, expected in cases.items():
        config = tmp_path / "p.toml"
        config.write_text(text)
        proc = run("join", "--config", str(config), "--bootstrap", NO_BROKER, "--until-caught-up",
                   "--warehouse", str(tmp_path / "wh"), check=False, timeout=20)
        assert proc.returncode == 2, (text, proc.stderr)
        line = one_line(proc, "join")
        assert line.startswith(f"braid join: {config}"), line
        assert expected in line, (text, line)
    assert not (tmp_path / "wh").exists()


@pytest.mark.parametrize("command", ["join", "validate", "produce"])
def test_mistyped_x_flags_are_refused_by_librdkafka(command, tmp_path):
    args = [command, "--bootstrap", NO_BROKER, "-X", "securty.protocol=SSL"]
    if command != "produce":
        args += ["--warehouse", str(tmp_path)]
    proc = run(*args, check=False, timeout=20)
    assert proc.returncode == 2, proc.stderr
    line = one_line(proc, command)
    assert 'Kafka property "securty.protocol" was refused' in line and "No such configuration property" in line


def test_a_huge_duration_flag_is_too_large(tmp_path):
    proc = run("join", "--bootstrap", NO_BROKER, "--warehouse", str(tmp_path), "--watermark-delay",
               "99999999999999999999s", check=False, timeout=20)
    assert proc.returncode == 2
    assert "is too large: the most is 100000000000s" in one_line(proc, "join")


READS = [["sql", "SELECT 1"], ["table", "describe", "demo.unified_activity"],
         ["table", "snapshots", "demo.unified_activity"], ["table", "files", "demo.unified_activity"],
         ["report"], ["validate"]]


@pytest.mark.parametrize("args", READS, ids=lambda a: " ".join(a[:2]))
def test_reading_commands_never_create_a_warehouse(args, tmp_path):
    missing = tmp_path / "no" / "warehouse"
    proc = run(*args, "--warehouse", str(missing), check=False)
    assert proc.returncode == 1, proc.stderr
    line = one_line(proc, args[0])
    assert line.startswith(f"braid {args[0]}: warehouse directory {missing} does not exist;"), line
    assert not (tmp_path / "no").exists()
    # Without --warehouse the default ./warehouse is not created either.
    proc = run(*args, check=False, cwd=tmp_path)
    assert proc.returncode == 1 and "does not exist" in proc.stderr, proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_reading_a_sql_catalog_never_creates_its_database(tmp_path):
    db = tmp_path / "catalog.db"
    proc = run("sql", "--catalog-property", "type=sql", "--catalog-property", f"uri=sqlite:///{db}",
               "--catalog-property", f"warehouse={tmp_path}/wh", "SELECT 1", check=False)
    assert proc.returncode == 1
    assert f"{db} does not exist" in one_line(proc, "sql")
    assert list(tmp_path.iterdir()) == []


def test_writing_commands_still_create_the_warehouse(tmp_path):
    warehouse = tmp_path / "new" / "warehouse"
    run("demo", "--warehouse", str(warehouse), "--events", "60")
    assert (warehouse / "demo" / "unified_activity" / "metadata").is_dir()
    out = run("table", "describe", "demo.unified_activity", "--warehouse", str(warehouse)).stdout
    assert "unified_activity" in out


@pytest.mark.parametrize("flag", ["--namespace", "--table"])
def test_table_takes_its_name_one_way(flag, tmp_path):
    proc = run("table", "describe", "demo.unified_activity", flag, "x", "--warehouse", str(tmp_path), check=False)
    assert proc.returncode == 2
    assert flag in proc.stderr
