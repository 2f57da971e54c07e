"""Operating braid: `braid join --metrics-listen` serves Prometheus metrics that a real parser
reads, and a status page that a real headless Chromium renders with live numbers, while a
continuous run reads a real Kafka that a producer keeps writing to. The bounded run's progress
bar and --log-format json are checked here too."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from braid_cli import REPO, binary, run, wait_for
from join_oracle import RandomStreams
from kafka_fixture import free_port
from pipeline_check import check_join, produce, trickle

ARTIFACTS = Path(os.environ.get("BRAID_TEST_ARTIFACTS", REPO / "build" / "test-artifacts"))

# Every family the issue asks for; a scrape must carry each one.
FAMILIES = ["braid_records_read_total", "braid_rows_written_total", "braid_rejects_total",
            "braid_watermark_seconds", "braid_event_time_lag_seconds",
            "braid_consumer_lag_records", "braid_join_state_rows", "braid_join_state_bytes",
            "braid_buffered_rows", "braid_commits_total", "braid_commit_duration_seconds",
            "braid_seconds_since_last_commit", "braid_kafka_errors_total",
            "braid_commit_retries_total", "braid_partition_watermark_seconds",
            "braid_partition_idle", "braid_partition_paused", "process_resident_memory_bytes"]


def topics_for(new_topic) -> dict[str, str]:
    return {name: new_topic(partitions=3, prefix=name) for name in ("actions", "purchases",
                                                                       "sessions")}


def join_args(bootstrap, warehouse, topics, *extra) -> list[str]:
    return ["join", "--bootstrap", bootstrap, "--warehouse", str(warehouse),
            "--topic-actions", topics["actions"], "--topic-purchases", topics["purchases"],
            "--topic-sessions", topics["sessions"], *extra]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode()
    except OSError:
        return None


def scrape(url: str) -> dict[str, list]:
    """family name -> its samples, as Prometheus' own parser reads the text."""
    text = fetch(url + "/metrics")
    assert text is not None, "no /metrics"
    # prometheus_client strips _total from counter family names; samples keep it.
    return {f.name if f.type != "counter" else f.name + "_total": f.samples
            for f in text_string_to_metric_families(text)}


def total(families, name) -> float:
    return sum(s.value for s in families[name] if not s.name.endswith(("_created",)))


def chromium(*args: str, timeout: float = 60) -> str:
    exe = shutil.which("chromium")
    assert exe, "chromium is missing: test/peers/setup.sh installs it"
    proc = subprocess.run([exe, "--headless=new", "--no-sandbox", "--disable-gpu",
                           "--disable-dev-shm-usage", "--hide-scrollbars",
                           "--virtual-time-budget=4000", *args],
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def rendered_value(dom: str, element_id: str) -> int:
    m = re.search(rf'id="{element_id}" data-value="(\d+)"', dom)
    assert m, f"#{element_id} not rendered with a value"
    return int(m.group(1))


def test_metrics_and_status_page_move_during_a_continuous_run(kafka, new_topic, tmp_path):
    topics = topics_for(new_topic)
    records = RandomStreams(31, events=3000).records()
    slices = [{k: v[len(v) * i // 30: len(v) * (i + 1) // 30] for k, v in records.items()}
              for i in range(30)]
    sent, stop = {}, threading.Event()
    feeder = threading.Thread(target=trickle, args=(kafka.bootstrap, topics, slices, sent, 1.0, 5),
                              kwargs={"stop": stop})
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([binary(), *join_args(kafka.bootstrap, tmp_path, topics,
                                                  "--commit-interval", "1s", "--duration", "90s",
                                                  "--idle-timeout", "10m",
                                                  "--metrics-listen", f"127.0.0.1:{port}")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    feeder.start()
    try:
        assert wait_for(lambda: fetch(url + "/metrics"), timeout=30), "the endpoint never answered"
        first = wait_for(lambda: (lambda f: f if total(f, "braid_commits_total") >= 1 and
                                  total(f, "braid_records_read_total") > 0 else None)(scrape(url)),
                         timeout=30)
        assert first, "no commit within 30 s"
        missing = [f for f in FAMILIES if f not in first]
        assert not missing, f"families missing from /metrics: {missing}"
        # One sample per input partition, labelled with its topic and partition.
        assert {(s.labels["topic"], s.labels["partition"]) for s in first["braid_records_read_total"]} \
            == {(t, str(p)) for t in topics.values() for p in range(3)}
        assert {s.labels["reason"] for s in first["braid_rejects_total"]} >= {"late", "invalid_json"}
        buckets = [s for s in first["braid_commit_duration_seconds"] if s.name.endswith("_bucket")]
        assert buckets[-1].labels["le"] == "+Inf" and buckets[-1].value == total(first, "braid_commits_total")
        assert 0 < total(first, "process_resident_memory_bytes") < 4 << 30
        assert total(first, "braid_seconds_since_last_commit") < 30

        dom1 = chromium("--dump-dom", url + "/")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / "status-page.png"
        shot.unlink(missing_ok=True)
        time.sleep(4)
        second = scrape(url)
        dom2 = chromium("--window-size=1400,1700", f"--screenshot={shot}", "--dump-dom", url + "/")

        # The metrics move while records arrive.
        assert total(second, "braid_records_read_total") > total(first, "braid_records_read_total")
        assert total(second, "braid_commits_total") > total(first, "braid_commits_total")
        assert total(second, "braid_watermark_seconds") >= total(first, "braid_watermark_seconds")
        # The page rendered live numbers from the run: they moved between the two loads and
        # stay within what /metrics said around them.
        r1, r2 = rendered_value(dom1, "records-in"), rendered_value(dom2, "records-in")
        assert 0 < r1 < r2 <= total(scrape(url), "braid_records_read_total")
        assert rendered_value(dom2, "commits") > 0
        assert dom2.count("<canvas") >= 3, "the charts did not render"
        assert len(re.findall(r"<tr><td class=\"l\">", dom2.split('id="partitions"')[1].split("</table>")[0])) == 9
        assert '<span id="error"></span>' in dom2, "the page could not fetch /status.json"
        assert shot.exists() and shot.stat().st_size > 20_000, "no screenshot"
        status = json.loads(fetch(url + "/status.json"))
        assert status["pipeline_id"] == "demo.unified_activity" and status["mode"] == "continuous"
        assert len(status["history"]["t"]) >= 3
    finally:
        stop.set()
        feeder.join(120)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-3000:]
    assert f"status page on {url}/" in out
    # The port is closed with the run.
    assert fetch(url + "/metrics") is None
    run(*join_args(kafka.bootstrap, tmp_path, topics, "--drain"), timeout=120)
    check_join(tmp_path, "demo", topics, sent)


def test_metrics_listen_refuses_a_bad_address_before_creating_tables(kafka, new_topic, tmp_path):
    topics = topics_for(new_topic)
    bad = run(*join_args(kafka.bootstrap, tmp_path, topics, "--drain", "--metrics-listen", "nonsense"),
              check=False)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    assert "HOST:PORT" in bad.stderr
    # A bad flag is exit 2 before anything else is tried, even with no broker to reach.
    no_broker = run("join", "--bootstrap", "127.0.0.1:1", "--warehouse", str(tmp_path / "nb"),
                    "--drain", "--metrics-listen", "127.0.0.1:99999", check=False)
    assert no_broker.returncode == 2 and "--metrics-listen" in no_broker.stderr, no_broker.stderr
    with __import__("socket").socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = run(*join_args(kafka.bootstrap, tmp_path, topics, "--drain", "--metrics-listen",
                              f"127.0.0.1:{port}"), check=False)
    assert busy.returncode == 1 and f"127.0.0.1:{port}" in busy.stderr, busy.stderr
    assert not (tmp_path / "demo").exists(), "tables were created before the refusal"


def test_log_format_json_is_one_object_per_line(kafka, new_topic, tmp_path):
    topics = topics_for(new_topic)
    sent = produce(kafka.bootstrap, topics, RandomStreams(8, events=400).records(), 3, 8)
    proc = run(*join_args(kafka.bootstrap, tmp_path, topics, "--drain", "--log-format", "json"))
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    err = [json.loads(line) for line in proc.stderr.splitlines()]
    done = [o for o in out if o["event"] == "done"]
    assert len(done) == 1 and done[0]["records_in"] == len(sent)
    assert all("time" in o and "event" in o for o in out + err)
    assert {o["event"] for o in out} >= {"start", "done"}
    check_join(tmp_path, "demo", topics, sent)


def test_bounded_run_on_a_terminal_draws_a_progress_bar(kafka, new_topic, tmp_path):
    topics = topics_for(new_topic)
    sent = produce(kafka.bootstrap, topics, RandomStreams(9, events=20000).records(), 3, 9)
    # A pseudo-terminal on stderr only: the bar is drawn there, stdout stays plain.
    import pty
    leader, follower = pty.openpty()
    proc = subprocess.Popen([binary(), *join_args(kafka.bootstrap, tmp_path, topics, "--drain")],
                            stdout=subprocess.PIPE, stderr=follower, text=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data.decode(errors="replace"))
    out = proc.stdout.read()
    assert proc.wait(timeout=120) == 0
    os.close(leader)
    tty = "".join(chunks)
    bars = re.findall(r"\[([#.]{28})\] +(\d+)%  ([\d.kM]+)/([\d.kM]+) records  ([\d.kM]+)/s  ETA (\S+)", tty)
    # At least the start and the end: the bar is drawn when reading starts and at 100 %.
    assert len(bars) >= 2, f"no progress bar on the terminal: {tty[-500:]!r}"
    assert int(bars[-1][1]) == 100 and bars[-1][0] == "#" * 28
    # Redrawn in place (carriage return + clear line), never scrolled as lines.
    assert "\r\x1b[K" in tty
    percents = [int(b[1]) for b in bars]
    assert percents == sorted(percents) and all(0 <= p <= 100 for p in percents)
    assert bars[0][3] == bars[-1][3]  # the total is the end offsets seen at start
    assert "Done in" in out and "Done in" not in tty
    assert f"{len(sent)} records in" in out
