"""A continuous `braid join` making many small commits with automatic table maintenance on
(issue: tables that stay healthy for months). A producer writes a few records every 50 ms, so
nearly every 100 ms commit has rows. At the end:
- the commit time has not grown: once expiry bounds the table's history, the median duration
  of the last quarter of commits (each commit's, from the status endpoint) is at most 2× that
  of the first quarter;
- a compaction's record of the files it replaced is not carried into later snapshots;
- the table's live data files, manifests and snapshots stay bounded (compaction, manifest
  merging and expiry ran), however many commits were made;
- pyiceberg, DuckDB's iceberg extension and `braid sql` read the same rows, and after a final
  `--drain` run they equal DESIGN §2's query over the records (nothing lost, nothing twice).

`make test` makes 300 commits; `make soak-maintenance` makes 2,000 (BRAID_LONG_RUN_COMMITS)."""

from __future__ import annotations

import json
import os
import re
import signal
import statistics
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

from pyiceberg.table import StaticTable

from braid_cli import binary, run
from kafka_fixture import free_port
from join_oracle import RandomStreams, current_metadata, read_table_columns
from pipeline_check import check_join, trickle
from test_service import join_args, make_topics, split

PROGRESS = re.compile(r"commits (\d+) \(last ([0-9.]+)s\)")


def maintenance_file(dir: Path) -> Path:
    f = dir / "pipeline.toml"
    f.write_text("[maintenance]\n"
                 'interval = "3s"\n'
                 'compact_older_than = "2s"\n'
                 'expire_older_than = "5s"\n'
                 "retain_last = 5\n")
    return f


def test_many_small_commits_with_maintenance_stay_fast_and_bounded(kafka, new_topic, tmp_path):
    commits_wanted = int(os.environ.get("BRAID_LONG_RUN_COMMITS", "300"))
    topics = make_topics(new_topic)
    records = RandomStreams(21, events=commits_wanted * 8).records()
    # More slices than commits: records keep arriving until the run is stopped.
    slices = split(records, commits_wanted * 2)
    sent: dict = {}
    stop = threading.Event()

    def producer():
        trickle(kafka.bootstrap, topics, slices, sent, 0.1, 21, stop=stop)

    feeder = threading.Thread(target=producer)
    feeder.start()
    warehouse = tmp_path / "w"
    port = free_port()
    proc = subprocess.Popen([binary(), *join_args(kafka.bootstrap, warehouse, topics, "--config",
                                                  str(maintenance_file(tmp_path)),
                                                  "--commit-interval", "100ms",
                                                  "--metrics-listen", f"127.0.0.1:{port}")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[int, float]] = []
    maintenance_lines: list[str] = []
    # Every commit's duration by its sequence number: the status endpoint lists the last 20
    # commits, and it is read twice a second (five commits apart).
    durations: dict[int, float] = {}
    first_expiry: list[int] = []  # the commit count when the history was first bounded

    def read_progress():
        for line in proc.stderr:
            if os.environ.get("BRAID_LONG_RUN_DEBUG"):
                print(line.rstrip(), flush=True)
            if m := PROGRESS.search(line):
                samples.append((int(m.group(1)), float(m.group(2))))
            if "maintenance" in line:
                maintenance_lines.append(line.strip())
                if "expired" in line and not first_expiry:
                    first_expiry.append(samples[-1][0] if samples else 0)

    def read_commits():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/status.json", timeout=5) as r:
                for c in json.loads(r.read())["recent_commits"]:
                    durations[c["seq"]] = c["duration_s"]
        except OSError:
            pass

    reader = threading.Thread(target=read_progress)
    reader.start()
    deadline = time.monotonic() + max(120, commits_wanted * 0.5)
    try:
        while (not samples or samples[-1][0] < commits_wanted) and time.monotonic() < deadline:
            assert proc.poll() is None, f"braid join exited with {proc.returncode}"
            read_commits()
            time.sleep(0.5)
    finally:
        stop.set()
        feeder.join()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
        reader.join()
    made = samples[-1][0]
    assert made >= commits_wanted, f"only {made} commits before the deadline"
    assert any("compacted" in l for l in maintenance_lines), maintenance_lines
    assert any("expired" in l for l in maintenance_lines), maintenance_lines

    # Until expiry first runs, each commit writes a longer history than the last (snapshots,
    # metadata log): that growth stops by design. From then on the history is bounded, and so
    # must the commit time be.
    assert first_expiry, "no expiry during the run"
    steady = [durations[c] for c in sorted(durations) if c > first_expiry[0]]
    assert len(steady) >= max(40, (made - first_expiry[0]) * 3 // 4), \
        f"only {len(steady)} of the {made - first_expiry[0]} commits after the first expiry were seen"
    quarter = len(steady) // 4
    start = statistics.median(steady[:quarter])
    end = statistics.median(steady[-quarter:])
    print(f"{made} commits, history bounded from commit {first_expiry[0]}; median commit time "
          f"{start * 1000:.1f} ms in the first quarter after, {end * 1000:.1f} ms in the last "
          f"({len(steady)} commits timed); {len(maintenance_lines)} maintenance lines")
    assert end <= 2 * max(start, 0.005), (start, end)

    table = StaticTable.from_metadata(str(current_metadata(warehouse, "demo", "unified_activity")))
    files = table.inspect.files().num_rows
    manifests = table.inspect.manifests().num_rows
    snapshots = len(table.metadata.snapshots)
    deleted = table.inspect.entries().column("status").to_pylist().count(2)
    print(f"{files} data files, {manifests} manifests, {snapshots} snapshots, {deleted} DELETED "
          f"entries after {made} commits")
    # DELETED entries belong to the snapshot that removed the files: the head lists at most
    # the last compaction's (carried forward, every compaction's would pile up).
    assert deleted <= 40
    assert files < 120 and files < made / 2
    assert manifests <= 110
    assert snapshots < 120 and snapshots < made / 2

    # Every reader sees the same rows.
    cols = ["user_id", "session_id", "event_timestamp"]
    duck = sorted(read_table_columns(warehouse, "demo", "unified_activity", cols))
    py = table.scan(selected_fields=tuple(cols)).to_arrow()
    py_rows = sorted(zip(*(py.column(c).to_pylist() for c in cols)))
    assert len(duck) == len(py_rows) > 0
    assert [r[:2] for r in duck] == [r[:2] for r in py_rows]
    count = run("sql", "SELECT count(*) FROM demo.unified_activity", "--warehouse", str(warehouse),
                "--format", "csv").stdout.strip().splitlines()[-1]
    assert int(count) == len(duck)

    # The run's offsets and state survived compaction and expiry: a drain finishes the join
    # with every row exactly once.
    run(*join_args(kafka.bootstrap, warehouse, topics, "--drain"), timeout=120)
    check_join(warehouse, "demo", topics, sent)
