"""Table maintenance against a real Kafka: braid's progress survives another engine expiring its
snapshots, and `braid table compact | expire-snapshots | remove-orphans` change how a table is
stored but never what it holds: pyiceberg, DuckDB's iceberg extension and `braid sql` read the
same rows before and after, time travel still works where it should, and a later `braid join`
still commits exactly once (DESIGN §2's query over every record, via pipeline_check)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
from pyiceberg.catalog.noop import NoopCatalog
from pyiceberg.exceptions import CommitFailedException
from pyiceberg.io import load_file_io
from pyiceberg.serializers import FromInputFile, ToOutputFile
from pyiceberg.table import CommitTableResponse, StaticTable, Table
from pyiceberg.table.update import update_table_metadata

from braid_cli import binary, run, wait_for
from join_oracle import COLUMNS, RandomStreams, current_metadata, normalize, read_table_columns
from pipeline_check import REJECT_COLUMNS, check_join, check_rows, produce

NS, NAME = "demo", "unified_activity"
TABLE = f"{NS}.{NAME}"
ALL_COLUMNS = COLUMNS + ["processing_time"]
MARKER = "pyiceberg-extra-"  # user_id prefix of rows another engine appended


# --- Reading the table -------------------------------------------------------------------------


def local(location: str) -> str:
    return location.removeprefix("file://")


def table_dir(warehouse: Path) -> Path:
    return warehouse / NS / NAME


def metadata(warehouse: Path) -> dict:
    return json.loads(current_metadata(warehouse, NS, NAME).read_text())


def static_table(warehouse: Path) -> StaticTable:
    return StaticTable.from_metadata(str(current_metadata(warehouse, NS, NAME)))


def rows_pyiceberg(warehouse: Path, snapshot_id: int | None = None) -> Counter:
    arrow = static_table(warehouse).scan(selected_fields=tuple(ALL_COLUMNS), snapshot_id=snapshot_id).to_arrow()
    return Counter(normalize(tuple(r[c] for c in ALL_COLUMNS)) for r in arrow.to_pylist())


def rows_duckdb(warehouse: Path) -> Counter:
    return Counter(normalize(r) for r in read_table_columns(warehouse, NS, NAME, ALL_COLUMNS))


def rows_braid(warehouse: Path, snapshot_id: int | None = None) -> Counter:
    cols = ", ".join(f"epoch_us({c}) AS {c}" if c in ("event_timestamp", "processing_time") else c
                     for c in ALL_COLUMNS)
    extra = ["--snapshot", str(snapshot_id)] if snapshot_id is not None else []
    out = run("sql", "--warehouse", str(warehouse), "--format", "json", *extra,
              f"SELECT {cols} FROM {TABLE}").stdout
    return Counter(tuple(r[c] for c in ALL_COLUMNS) for r in json.loads(out))


def rows_everywhere(warehouse: Path) -> Counter:
    """The table's rows as a multiset, asserting that the three readers agree on them."""
    py, duck, braid = rows_pyiceberg(warehouse), rows_duckdb(warehouse), rows_braid(warehouse)
    assert py == duck, f"pyiceberg {sum(py.values())} rows, DuckDB {sum(duck.values())}"
    assert py == braid, f"pyiceberg {sum(py.values())} rows, braid sql {sum(braid.values())}"
    return py


def live_data_files(warehouse: Path) -> set[str]:
    """The current snapshot's data files as pyiceberg plans them, checked against braid's list."""
    planned = [local(t.file.file_path) for t in static_table(warehouse).scan().plan_files()]
    out = run("table", "files", TABLE, "--warehouse", str(warehouse), "--format", "csv").stdout
    listed = [local(line.split(",", 1)[0]) for line in out.splitlines()[1:]]
    assert sorted(planned) == sorted(listed), "braid table files and pyiceberg disagree"
    assert len(set(planned)) == len(planned)
    return set(planned)


def snapshot_files(table, snapshot, live_only: bool) -> set[str]:
    """Manifest list, manifests and data files of one snapshot (with `live_only`, only the data
    files it reads; otherwise also those its manifests list as deleted)."""
    files = {local(snapshot.manifest_list)}
    for mf in snapshot.manifests(table.io):
        files.add(local(mf.manifest_path))
        for e in mf.fetch_manifest_entry(table.io, discard_deleted=live_only):
            files.add(local(e.data_file.file_path))
    return files


def files_under(path: Path) -> set[str]:
    return {str(p) for p in path.rglob("*") if p.is_file()}


# --- Writing the table from pyiceberg ----------------------------------------------------------


class WarehouseCatalog(NoopCatalog):
    """pyiceberg committing to braid's file catalog under its protocol (src/catalog/
    file_catalog.cc): the current version is the newest metadata/vN.metadata.json (version-hint.text
    names it, newer files win), and a commit is won by creating v<N+1>.metadata.json only if it
    does not exist yet, then rewriting the hint. pyiceberg has no catalog for this layout (its
    commits need one), so this adapter supplies exactly that step; everything else is pyiceberg's
    own engine path: Transaction, the requirements checks, update_table_metadata (which also
    appends the metadata log) and its metadata serializer."""

    def __init__(self, warehouse: Path):
        super().__init__("braid-file-catalog")
        self.warehouse = warehouse

    def load_table(self, identifier) -> Table:
        ns, name = identifier.split(".") if isinstance(identifier, str) else identifier
        location = str(current_metadata(self.warehouse, ns, name))
        io = load_file_io(location=location)
        return Table((ns, name), FromInputFile.table_metadata(io.new_input(location)), location, io, self)

    def commit_table(self, table, requirements, updates) -> CommitTableResponse:
        base = self.load_table(table.name())
        for requirement in requirements:
            requirement.validate(base.metadata)
        updated = update_table_metadata(base.metadata, updates, metadata_location=base.metadata_location)
        current = Path(base.metadata_location)
        version = int(re.fullmatch(r"v(\d+)\.metadata\.json", current.name).group(1)) + 1
        target = current.parent / f"v{version}.metadata.json"
        # Written aside, then published with link(2), which fails if the version exists: readers
        # never see a half-written file and a concurrent commit is never overwritten.
        staged = current.parent / f".staged-{uuid.uuid4()}.json"
        ToOutputFile.table_metadata(updated, base.io.new_output(str(staged)))
        try:
            os.link(staged, target)
        except FileExistsError as e:
            raise CommitFailedException(f"{target.name} exists: another writer committed first") from e
        finally:
            staged.unlink()
        (current.parent / "version-hint.text").write_text(str(version))
        return CommitTableResponse(metadata=updated, metadata_location=str(target))


def extra_rows(n: int) -> list[dict]:
    at = datetime(2025, 1, 16, 10, 5, tzinfo=timezone.utc)
    return [{"user_id": f"{MARKER}{i}", "session_id": f"session_{i}", "action_type": "view",
             "page_url": "/added-by-pyiceberg", "purchase_amount": round(10 + i * 1.25, 2) if i % 2 else None,
             "product_id": f"prod_{i}" if i % 2 else None, "device_type": "desktop",
             "event_timestamp": at + timedelta(seconds=i), "processing_time": at + timedelta(minutes=30)}
            for i in range(n)]


# --- The pipeline ------------------------------------------------------------------------------


def split(records: dict, parts: int) -> list[dict]:
    return [{k: v[len(v) * i // parts: len(v) * (i + 1) // parts] for k, v in records.items()}
            for i in range(parts)]


class Pipeline:
    """Three fresh topics of a real Kafka, what was sent to them, and `braid join` over them into
    the file catalog at `warehouse`."""

    def __init__(self, kafka, new_topic, warehouse: Path, seed: int, events: int):
        self.kafka, self.warehouse, self.seed = kafka, warehouse, seed
        self.topics = {n: new_topic(partitions=3, prefix=n) for n in ("actions", "purchases", "sessions")}
        self.records = RandomStreams(seed, events=events).records()
        self.sent = {}
        self._batches = 0

    def produce(self, part: dict):
        self._batches += 1
        self.sent.update(produce(self.kafka.bootstrap, self.topics, part, 3, self.seed * 1000 + self._batches))

    def join_args(self, *extra: str) -> list[str]:
        return ["join", "--bootstrap", self.kafka.bootstrap, "--warehouse", str(self.warehouse),
                "--topic-actions", self.topics["actions"], "--topic-purchases", self.topics["purchases"],
                "--topic-sessions", self.topics["sessions"], *extra]

    def join(self, *extra: str) -> str:
        return run(*self.join_args(*extra)).stdout

    def check(self):
        """The table holds DESIGN §2's answer over everything sent: nothing lost, nothing twice."""
        return check_join(self.warehouse, NS, self.topics, self.sent)

    def scheduled_runs(self, parts: list[dict]):
        """One scheduled run (`--until-caught-up`: one commit, so one small data file) per part.
        Bounded runs that are not drains keep the pending rows in the join state, so a later
        drain over the rest is still exactly DESIGN §2's answer."""
        for part in parts:
            self.produce(part)
            self.join("--until-caught-up")


def small_commits(kafka, new_topic, warehouse: Path, seed: int, runs: int) -> tuple[Pipeline, dict]:
    """A table made of `runs` scheduled runs over successive slices of the records; returns the
    pipeline and the slice not sent yet."""
    p = Pipeline(kafka, new_topic, warehouse, seed, events=40 * (runs + 1))
    parts = split(p.records, runs + 1)
    p.scheduled_runs(parts[:runs])
    return p, parts[runs]


# --- Another engine expires braid's snapshots --------------------------------------------------


def test_progress_survives_expiry_by_another_engine(kafka, new_topic, tmp_path):
    p = Pipeline(kafka, new_topic, tmp_path, seed=61, events=500)
    first, second = split(p.records, 2)
    p.produce(first)
    # --until-caught-up, not --drain: a drain declares the input finished and writes every
    # pending no-purchase row, so records sent after it could not give DESIGN §2's answer.
    p.join("--until-caught-up")
    before = metadata(tmp_path)
    braid_snapshots = {s["snapshot-id"] for s in before["snapshots"]}
    assert braid_snapshots and all("braid.commit-seq" in s["summary"] for s in before["snapshots"])
    record = {k: v for k, v in before["properties"].items() if k.startswith("braid.pipeline.")}
    seq = int(record[f"braid.pipeline.{TABLE}.commit-seq"])

    catalog = WarehouseCatalog(tmp_path)
    table = catalog.load_table(TABLE)
    extra = extra_rows(7)
    table.append(pa.Table.from_pylist(extra, schema=table.schema().as_arrow()))
    foreign = table.current_snapshot().snapshot_id
    assert foreign not in braid_snapshots
    table.maintenance.expire_snapshots().older_than(datetime.now(timezone.utc)).commit()

    # Through braid's catalog: the newest version is pyiceberg's, holding its snapshot alone.
    after = metadata(tmp_path)
    assert [s["snapshot-id"] for s in after["snapshots"]] == [foreign]
    assert after["current-snapshot-id"] == foreign and after["refs"]["main"]["snapshot-id"] == foreign
    assert not braid_snapshots & {e["snapshot-id"] for e in after.get("snapshot-log", [])}
    listed = run("table", "snapshots", TABLE, "--warehouse", str(tmp_path), "--format", "csv").stdout
    assert [line.split(",")[0] for line in listed.splitlines()[1:]] == [str(foreign)]
    assert {k: v for k, v in after["properties"].items() if k.startswith("braid.pipeline.")} == record
    added = Counter(normalize(tuple(r[c] for c in ALL_COLUMNS)) for r in extra)
    with_extra = rows_everywhere(tmp_path)
    assert not added - with_extra and sum(with_extra.values()) > len(extra)

    p.produce(second)
    out = p.join("--drain")
    assert "Resumed from the last commit" in out

    final = metadata(tmp_path)
    new = [s for s in final["snapshots"] if s["snapshot-id"] != foreign]
    assert new and all(s["summary"]["braid.pipeline-id"] == TABLE for s in new)
    assert [int(s["summary"]["braid.commit-seq"]) for s in new] == list(range(seq + 1, seq + 1 + len(new)))
    assert new[0]["parent-snapshot-id"] == foreign
    rows = rows_everywhere(tmp_path)
    assert int(new[-1]["summary"]["total-records"]) == sum(rows.values())
    # pyiceberg's rows are all still there; braid's rows are exactly the batch answer.
    assert Counter({r: n for r, n in rows.items() if r[0].startswith(MARKER)}) == added
    braid_rows = [r[:len(COLUMNS)] for r, n in rows.items() if not r[0].startswith(MARKER) for _ in range(n)]
    rejects = read_table_columns(tmp_path, NS, "unified_activity_rejects", REJECT_COLUMNS)
    n, _, _ = check_rows(braid_rows, rejects, p.topics, p.sent)
    assert n > 100


# --- braid table compact -----------------------------------------------------------------------


def test_compact_rewrites_small_files_into_one_replace_snapshot(kafka, new_topic, tmp_path):
    p = Pipeline(kafka, new_topic, tmp_path, seed=71, events=40 * 25)
    parts = split(p.records, 25)
    p.scheduled_runs(parts[:12])
    older = live_data_files(tmp_path)
    time.sleep(2)
    midway = time.monotonic()  # 2 s after the older commits, 2 s before the newer ones
    time.sleep(2)
    p.scheduled_runs(parts[12:24])
    small = live_data_files(tmp_path)
    assert len(small) >= 20 and older < small, f"{len(small)} data files to compact"
    rows = rows_everywhere(tmp_path)
    assert sum(rows.values()) > 100
    before = metadata(tmp_path)
    head = before["current-snapshot-id"]
    version = current_metadata(tmp_path, NS, NAME)
    tree = files_under(table_dir(tmp_path))

    compact = ["table", "compact", TABLE, "--warehouse", str(tmp_path)]
    # A dry run and a compaction limited to files older than all of them change nothing.
    for flags, says in ((["--dry-run", "--target-file-size", "100000000"], "would rewrite"),
                        (["--older-than", "1h"], "nothing to compact")):
        out = run(*compact, *flags).stdout
        assert out.startswith(f"compact {TABLE}: {says}") and len(out.splitlines()) == 1, out
        assert current_metadata(tmp_path, NS, NAME) == version, flags
        assert files_under(table_dir(tmp_path)) == tree, flags

    # --older-than halfway between the two groups of commits (give or take 0.5 s of rounding and
    # braid's start-up): only the older group is rewritten.
    age = round(time.monotonic() - midway)
    out = run(*compact, "--target-file-size", "100000000", "--older-than", f"{age}s").stdout
    assert out.startswith(f"compact {TABLE}: rewrote {len(older)} of {len(small)} data files"), out
    partial = metadata(tmp_path)["snapshots"][-1]
    live = live_data_files(tmp_path)
    assert small - older <= live and len(live) == len(small - older) + 1
    assert partial["summary"]["deleted-data-files"] == str(len(older))
    assert rows_everywhere(tmp_path) == rows

    out = run(*compact, "--target-file-size", "100000000").stdout
    assert out.startswith(f"compact {TABLE}: rewrote {len(live)} of {len(live)} data files"), out
    assert len(out.splitlines()) == 1, out
    after = metadata(tmp_path)
    snapshot = after["snapshots"][-1]
    assert re.search(rf"\bsnapshot {snapshot['snapshot-id']}\b", out), out
    assert after["current-snapshot-id"] == snapshot["snapshot-id"]
    assert snapshot["parent-snapshot-id"] == partial["snapshot-id"] and partial["parent-snapshot-id"] == head
    assert len(after["snapshots"]) == len(before["snapshots"]) + 2

    compacted = live_data_files(tmp_path)
    assert 1 <= len(compacted) <= 2 and not compacted & small
    summary = snapshot["summary"]
    assert summary["operation"] == partial["summary"]["operation"] == "replace"
    total = str(sum(rows.values()))
    assert summary["total-records"] == before["snapshots"][-1]["summary"]["total-records"] == total
    assert summary["deleted-data-files"] == str(len(live)) and summary["added-data-files"] == str(len(compacted))
    assert summary["added-records"] == summary["deleted-records"] == total
    assert summary["total-data-files"] == str(len(compacted))
    assert summary["total-files-size"] == str(sum(os.path.getsize(f) for f in compacted))
    assert rows_everywhere(tmp_path) == rows

    # Replaced files stay until their snapshots expire: time travel still reads them.
    assert all(os.path.exists(f) for f in small | live)
    for snapshot_id in (head, partial["snapshot-id"]):
        assert rows_pyiceberg(tmp_path, snapshot_id=snapshot_id) == rows
        assert rows_braid(tmp_path, snapshot_id=snapshot_id) == rows

    version = current_metadata(tmp_path, NS, NAME)
    out = run(*compact, "--target-file-size", "100000000").stdout
    assert out.startswith(f"compact {TABLE}: nothing to compact"), out
    assert current_metadata(tmp_path, NS, NAME) == version
    assert len(metadata(tmp_path)["snapshots"]) == len(after["snapshots"])

    # The pipeline goes on on top of the replace snapshots and still commits exactly once.
    p.produce(parts[24])
    assert "Resumed from the last commit" in p.join("--drain")
    n, _, _ = p.check()
    assert sum(rows_everywhere(tmp_path).values()) == n


# --- braid table expire-snapshots --------------------------------------------------------------


def test_expire_after_compact_deletes_replaced_files_and_the_pipeline_goes_on(kafka, new_topic, tmp_path):
    p, rest = small_commits(kafka, new_topic, tmp_path, seed=73, runs=20)
    small = live_data_files(tmp_path)
    assert len(small) >= 15
    run("table", "compact", TABLE, "--warehouse", str(tmp_path), "--target-file-size", "100000000")
    rows = rows_everywhere(tmp_path)
    before = metadata(tmp_path)
    head = before["current-snapshot-id"]
    table = static_table(tmp_path)
    old = set()
    for s in table.metadata.snapshots:
        if s.snapshot_id != head:
            old |= snapshot_files(table, s, live_only=False)
    needed = snapshot_files(table, table.current_snapshot(), live_only=True)
    assert small <= old and not small & needed
    tree = files_under(table_dir(tmp_path))
    version = current_metadata(tmp_path, NS, NAME)

    expire = ["table", "expire-snapshots", TABLE, "--warehouse", str(tmp_path), "--older-than", "0s",
              "--retain-last", "1"]
    out = run(*expire, "--dry-run").stdout
    assert out.startswith(f"expire-snapshots {TABLE}: would remove {len(before['snapshots']) - 1} snapshots"), out
    assert current_metadata(tmp_path, NS, NAME) == version and files_under(table_dir(tmp_path)) == tree

    started_ms = int(time.time() * 1000)
    out = run(*expire).stdout
    assert out.startswith(f"expire-snapshots {TABLE}: removed {len(before['snapshots']) - 1} snapshots"), out
    assert re.search(rf"\b{len(small)} data files\b", out), out
    after = metadata(tmp_path)
    assert [s["snapshot-id"] for s in after["snapshots"]] == [head]
    assert {e["snapshot-id"] for e in after.get("snapshot-log", [])} <= {head}
    # A commit like any other (spec, table metadata): the version it replaced joins the metadata
    # log, and last-updated-ms is the time of this change.
    assert str(version) in {local(e["metadata-file"]) for e in after["metadata-log"]}, after["metadata-log"][-2:]
    assert after["last-updated-ms"] >= started_ms, (after["last-updated-ms"], started_ms)
    remaining = files_under(table_dir(tmp_path))
    assert not (old - needed) & remaining, f"left behind: {sorted((old - needed) & remaining)[:3]}"
    assert needed <= remaining, f"a file the table needs was deleted: {sorted(needed - remaining)[:3]}"
    assert rows_everywhere(tmp_path) == rows

    # The next run resumes from the commit record in the table properties and commits once.
    p.produce(rest)
    out = p.join("--drain")
    assert "Resumed from the last commit" in out
    newest = metadata(tmp_path)["snapshots"]
    assert newest[0]["snapshot-id"] == head and newest[1]["parent-snapshot-id"] == head
    n, _, _ = p.check()
    assert n > sum(rows.values())
    assert sum(rows_everywhere(tmp_path).values()) == n  # the readers agree on the new commits too


def test_compact_and_expire_while_a_pipeline_commits(kafka, new_topic, tmp_path):
    """Maintenance from another process races a continuous `braid join` committing every 200 ms:
    every commit on either side that loses the race is redone on the winner's version, and the
    table still ends as the batch answer, read alike by all three readers."""
    p = Pipeline(kafka, new_topic, tmp_path, seed=83, events=1200)
    parts = split(p.records, 12)
    p.produce(parts[0])
    proc = subprocess.Popen([binary(), *p.join_args("--commit-interval", "200ms")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: (table_dir(tmp_path) / "metadata" / "v2.metadata.json").exists(), timeout=60)
        outputs = []
        for part in parts[1:]:
            p.produce(part)
            outputs.append(run("table", "compact", TABLE, "--warehouse", str(tmp_path),
                               "--target-file-size", "100000000").stdout)
            outputs.append(run("table", "expire-snapshots", TABLE, "--warehouse", str(tmp_path),
                               "--older-than", "0s", "--retain-last", "3").stdout)
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.25)  # a commit or so of the pipeline between two maintenance runs
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    # The maintenance really interleaved with the pipeline's commits.
    assert sum("rewrote" in o for o in outputs) >= 2, outputs
    assert sum(re.search(r"removed [1-9]", o) is not None for o in outputs) >= 2, outputs
    assert "Resumed from the last commit" in p.join("--drain")
    n, _, _ = p.check()
    assert sum(rows_everywhere(tmp_path).values()) == n
    table = static_table(tmp_path)
    missing = [f for s in table.metadata.snapshots for f in snapshot_files(table, s, live_only=True)
               if not os.path.exists(f)]
    assert not missing, f"files of live snapshots deleted: {missing[:3]}"


# --- braid table remove-orphans ----------------------------------------------------------------


def orphans_printed(out: str, action: str) -> set[str]:
    lines = out.splitlines()
    assert lines and lines[-1].startswith(f"remove-orphans {TABLE}: {action} "), out
    return {local(line) for line in lines[:-1]}


def test_remove_orphans_deletes_only_old_unreferenced_files(kafka, new_topic, tmp_path):
    p, rest = small_commits(kafka, new_topic, tmp_path, seed=79, runs=3)
    rows = rows_everywhere(tmp_path)
    tdir = table_dir(tmp_path)
    two_days_ago = time.time() - 2 * 86400
    strays = [tdir / "data" / "stray-old.parquet", tdir / "metadata" / "stray-old-m0.avro",
              tdir / "data" / "nested" / "deeper" / "stray-old.parquet"]
    fresh = tdir / "data" / "stray-fresh.parquet"
    for f in [*strays, fresh]:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"PAR1 not referenced by any metadata PAR1")
    for f in strays:
        os.utime(f, (two_days_ago, two_days_ago))
    old = {str(f) for f in strays}
    tree = files_under(tdir)

    clean = ["table", "remove-orphans", TABLE, "--warehouse", str(tmp_path), "--older-than", "1h"]
    out = run(*clean, "--dry-run").stdout
    assert orphans_printed(out, "would delete") == old, out
    assert files_under(tdir) == tree, "a dry run deleted files"

    out = run(*clean).stdout
    assert orphans_printed(out, "deleted") == old, out
    assert files_under(tdir) == tree - old
    assert fresh.exists()
    assert rows_everywhere(tmp_path) == rows

    # Everything old now: what remains referenced (metadata log, every snapshot's files, the
    # pipeline's checkpoint, the version hint) must survive; what goes is what was printed.
    for f in files_under(tdir):
        os.utime(f, (two_days_ago, two_days_ago))
    table = static_table(tmp_path)
    referenced = {str(current_metadata(tmp_path, NS, NAME)), str(tdir / "metadata" / "version-hint.text")}
    referenced |= {local(e.metadata_file) for e in table.metadata.metadata_log}
    referenced |= {local(v) for k, v in table.properties.items() if k.endswith(".state-location")}
    for s in table.metadata.snapshots:
        referenced |= snapshot_files(table, s, live_only=False)
    assert referenced <= files_under(tdir)
    tree = files_under(tdir)
    out = run(*clean).stdout
    removed = tree - files_under(tdir)
    assert orphans_printed(out, "deleted") == removed, out
    assert not removed & referenced, f"referenced files deleted: {sorted(removed & referenced)}"
    assert str(fresh) in removed  # old by now, and never referenced
    assert rows_everywhere(tmp_path) == rows

    p.produce(rest)
    assert "Resumed from the last commit" in p.join("--drain")
    p.check()


# --- Errors ------------------------------------------------------------------------------------


def test_maintenance_errors_are_one_clear_line(tmp_path):
    run("demo", "--warehouse", str(tmp_path), "--events", "20")
    version = current_metadata(tmp_path, NS, NAME)
    tree = files_under(table_dir(tmp_path))
    for action in ("compact", "expire-snapshots", "remove-orphans"):
        proc = run("table", action, "demo.no_such_table", "--warehouse", str(tmp_path), check=False)
        err = proc.stderr.strip()
        assert proc.returncode == 1 and len(err.splitlines()) == 1 and "demo.no_such_table" in err, (action, err)
        assert proc.stdout == ""
        assert not (tmp_path / NS / "no_such_table").exists(), f"{action} created the missing table"

    bad = [(["expire-snapshots", "--retain-last", "0"], "--retain-last"),
           (["expire-snapshots", "--older-than", "soon"], "--older-than"),
           (["remove-orphans", "--older-than", "10m"], "1h"),
           (["compact", "--target-file-size", "big"], "--target-file-size")]
    for (action, *flags), named in bad:
        proc = run("table", action, TABLE, "--warehouse", str(tmp_path), *flags, check=False)
        err = proc.stderr.strip()
        assert proc.returncode == 2 and len(err.splitlines()) == 1 and named in err, (action, flags, err)
        # A bad flag is exit 2 even when the table does not exist.
        proc = run("table", action, "demo.no_such_table", "--warehouse", str(tmp_path), *flags, check=False)
        assert proc.returncode == 2 and named in proc.stderr, (action, flags, proc.stderr)
    assert current_metadata(tmp_path, NS, NAME) == version
    assert files_under(table_dir(tmp_path)) == tree, "a refused command changed the table"
