"""`braid demo --events N` scales users and sessions with N in the seed notebook's ratios, so the
join's output stays of the order of the events (with the notebook's fixed 10 users and 20
sessions it grows with N²), and the source audit passes."""

from __future__ import annotations

import re

from braid_cli import run


def test_demo_at_20000_events_is_linear_and_audits(tmp_path):
    events = 20000
    proc = run("demo", "--events", str(events), "--warehouse", str(tmp_path / "wh"), timeout=600)
    out = proc.stdout
    # The notebook's ratios: 50 events -> 10 users, 20 sessions.
    assert f"({events // 5} users, {events * 2 // 5} sessions)" in out, out
    audit = re.search(r"^PASS (\d+) source records, 0 rejected; the query gives (\d+) rows, "
                      r"the table has (\d+): 0 missing, 0 extra$", out, re.M)
    assert audit, out
    rows = int(audit.group(3))
    # Each action meets about one session record and at most a purchase or two of its pair.
    assert events * 0.9 <= rows <= events * 1.5, rows
    assert "All validations passed!" in out
    count = run("sql", "--warehouse", str(tmp_path / "wh"), "--format", "csv",
                "SELECT count(*) AS n FROM demo.unified_activity").stdout.splitlines()
    assert int(count[1]) == rows


def test_demo_at_the_seed_size_keeps_its_10_users_and_20_sessions(tmp_path):
    out = run("demo", "--warehouse", str(tmp_path / "wh")).stdout
    assert "(10 users, 20 sessions)" in out, out
