"""A bounded run started right after the producers stop, whose partitions end minutes of event
time apart: a partition read to its end holds the watermark until its last record is
--idle-timeout old, and the partitions still to read run ahead of it. Reading on would keep
everything read meanwhile in the join state (at 500 k seed actions, 617 k events, against 202 k
when the run starts later). Past 250,000 events braid waits for such holds to end (at most the
idle timeout) and says so; its table is then the one a run started after them writes."""

from __future__ import annotations

import re
import time

from braid_cli import run

EVENTS = 500_000
IDLE_TIMEOUT_S = 10  # braid join's default
HELD_STATE_EVENTS = 250_000  # PipelineRunner's kHeldStateRows
CHECKSUM = ("SELECT count(*) AS n, sum(hash(user_id, session_id, action_type, page_url, "
            "purchase_amount, product_id, device_type, event_timestamp)) AS h "
            "FROM demo.unified_activity")


def peak_state(out: str) -> int:
    done = re.search(r"^Done in .*, peak state (\d+) rows$", out, re.M)
    assert done, out
    return int(done.group(1))


def produce_backlog(kafka, new_topic) -> list[str]:
    """EVENTS seed actions over 30 minutes into three new topics; braid's flags naming them."""
    topics = ["--topic-actions", new_topic(3, "actions"), "--topic-purchases",
              new_topic(3, "purchases"), "--topic-sessions", new_topic(3, "sessions")]
    run("produce", "--bootstrap", kafka.bootstrap, "--events", str(EVENTS), "--users", "25000",
        "--sessions", "50000", "--span", "30m", "--seed", "5", *topics, timeout=300)
    return topics


def test_a_run_behind_finished_partitions_waits_for_them_instead_of_holding_what_it_reads(
        kafka, new_topic, tmp_path):
    topics = produce_backlog(kafka, new_topic)
    written = time.monotonic()

    at_once = run("join", "--bootstrap", kafka.bootstrap, "--warehouse", str(tmp_path / "at-once"),
                  "--drain", *topics, timeout=300)
    out = at_once.stdout + at_once.stderr
    assert re.search(r"^braid join: every partition left to read is ahead of finished ones "
                     r"written to in the last idle timeout, and the join state holds \d+ events: "
                     r"waiting \d+\.\ds for those to turn idle", out, re.M), out
    # Reading on held 617 k events here; waiting stops a little past the bound.
    assert peak_state(out) < HELD_STATE_EVENTS * 1.4, out

    # The same records read once every partition is idle: no hold, the same table.
    time.sleep(max(0.0, IDLE_TIMEOUT_S + 1 - (time.monotonic() - written)))
    later = run("join", "--bootstrap", kafka.bootstrap, "--warehouse", str(tmp_path / "later"),
                "--drain", *topics, timeout=300)
    assert "waiting" not in later.stdout + later.stderr
    sums = [run("sql", "--warehouse", str(tmp_path / wh), "--format", "csv", CHECKSUM).stdout
            for wh in ("at-once", "later")]
    assert sums[0] == sums[1], sums
    assert int(sums[0].splitlines()[1].split(",")[0]) > EVENTS * 0.9, sums


def test_a_hold_longer_than_a_minute_is_not_waited_for(kafka, new_topic, tmp_path):
    topics = produce_backlog(kafka, new_topic)
    # With a 5-minute idle timeout the holds end minutes from now: the run reads on behind them,
    # as before, and ends at once with the records past the hold in state.
    started = time.monotonic()
    proc = run("join", "--bootstrap", kafka.bootstrap, "--warehouse", str(tmp_path / "wh"),
               "--until-caught-up", "--idle-timeout", "5m", *topics, timeout=300)
    out = proc.stdout + proc.stderr
    assert "waiting" not in out, out
    assert peak_state(out) > HELD_STATE_EVENTS * 1.4, out
    assert time.monotonic() - started < 60, out
