"""A pipeline declared in its file (examples/ad-attribution.toml) against a real Kafka: the
table equals the declaration's batch query (DESIGN §2 written for impressions ⟕ clicks ⟕
conversions) computed by DuckDB over every record braid did not reject; a wrong declaration
exits 2 naming its line and creates nothing."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from braid_cli import REPO, run
from join_oracle import normalize, parse_ts, read_table_columns
from duckdb_iceberg import connect_with_iceberg
from pipeline_check import REJECT_COLUMNS, produce

EXAMPLE = REPO / "examples" / "ad-attribution.toml"
COLUMNS = ["impression_id", "user_id", "campaign_id", "placement", "click_id", "click_time",
           "conversion_id", "revenue", "event_timestamp"]


def declared_config(tmp_path: Path, topics: dict[str, str], bootstrap: str, text: str | None = None) -> Path:
    """The shipped example with this test's topics, broker and warehouse."""
    text = text if text is not None else EXAMPLE.read_text()
    for logical in ("impressions", "clicks", "conversions"):
        text = text.replace(f'topic = "ad_{logical}"', f'topic = "{topics[logical]}"')
    text = text.replace('kafka_bootstrap_servers = "127.0.0.1:9092"', f'kafka_bootstrap_servers = "{bootstrap}"')
    text = text.replace('warehouse = "warehouse"', f'warehouse = "{tmp_path}"')
    path = tmp_path / "ad.toml"
    path.write_text(text)
    return path


def ad_records(seed: int, impressions: int = 300):
    """logical topic -> [(value bytes, fate)] with fate ok, late or malformed, each topic in
    event-time order with a few seconds of disorder, late records (4 days back, before any on-time one) sent last."""
    rng = random.Random(seed)
    base = datetime(2025, 3, 1, 0, 0, 0)
    ts = lambda s: (base + timedelta(seconds=s)).isoformat()  # noqa: E731
    imps = []
    for i in range(impressions):
        rec = {"impression_id": f"imp_{i}", "user_id": f"u{rng.randint(1, 20)}",
               "campaign_id": f"c{rng.randint(1, 5)}"}
        r = rng.random()
        if r < 0.7:
            rec["placement"] = rng.choice(["feed", "sidebar"])
        elif r < 0.85:
            rec["placement"] = None  # optional: null and absent both read as NULL
        imps.append((rec, rng.uniform(0, 3 * 86400)))
    clicks = [({"click_id": f"clk_{j}", "user_id": r["user_id"], "campaign_id": r["campaign_id"]},
               t + rng.uniform(-2400, 2400)) for j, (r, t) in enumerate(rng.sample(imps, 150))]
    convs = [({"conversion_id": f"cnv_{j}", "user_id": r["user_id"], "campaign_id": r["campaign_id"],
               "revenue": round(rng.uniform(1, 200), 2)}, t + rng.uniform(-30 * 3600, 30 * 3600))
             for j, (r, t) in enumerate(rng.sample(imps, 60))]
    out = {}
    for topic, recs in (("impressions", imps), ("clicks", clicks), ("conversions", convs)):
        ordered, tail = [], []
        for rec, t in recs:
            r = rng.random()
            if r < 0.03:
                tail.append((json.dumps({**rec, "ts": ts(t - 4 * 86400)}).encode(), "late"))
                continue
            value = json.dumps({**rec, "ts": ts(t)})
            fate = "ok"
            if r < 0.07:
                fate = "malformed"
                value = rng.choice([value[: len(value) // 2], value.replace(ts(t), "soon"),
                                    json.dumps({**rec, "user_id": None, "ts": ts(t)}),
                                    json.dumps({**rec, "campaign_id": 7, "ts": ts(t)}), "[1, 2]"])
            ordered.append((t + rng.uniform(0, 5), value.encode(), fate))
        ordered.sort(key=lambda x: x[0])
        out[topic] = [(v, f) for _, v, f in ordered] + tail
    return out


def batch_query(accepted: dict[str, list[dict]]) -> Counter:
    """The declaration's meaning in DuckDB: impressions LEFT JOIN clicks within 30 min LEFT
    JOIN conversions within 24 h, on (user_id, campaign_id)."""
    con = connect_with_iceberg()
    con.execute("SET TimeZone='UTC'")
    con.execute("CREATE TABLE I(impression_id VARCHAR, user_id VARCHAR, campaign_id VARCHAR, "
                "placement VARCHAR, ts TIMESTAMPTZ)")
    con.execute("CREATE TABLE K(click_id VARCHAR, user_id VARCHAR, campaign_id VARCHAR, ts TIMESTAMPTZ)")
    con.execute("CREATE TABLE V(conversion_id VARCHAR, user_id VARCHAR, campaign_id VARCHAR, "
                "revenue DOUBLE, ts TIMESTAMPTZ)")
    con.executemany("INSERT INTO I VALUES (?,?,?,?,?)",
                    [(r["impression_id"], r["user_id"], r["campaign_id"], r.get("placement"),
                      parse_ts(r["ts"])) for r in accepted["impressions"]])
    con.executemany("INSERT INTO K VALUES (?,?,?,?)",
                    [(r["click_id"], r["user_id"], r["campaign_id"], parse_ts(r["ts"]))
                     for r in accepted["clicks"]])
    con.executemany("INSERT INTO V VALUES (?,?,?,?,?)",
                    [(r["conversion_id"], r["user_id"], r["campaign_id"], r["revenue"], parse_ts(r["ts"]))
                     for r in accepted["conversions"]])
    rows = con.execute("""
        SELECT i.impression_id, i.user_id, i.campaign_id, i.placement, k.click_id,
               k.ts AS click_time, v.conversion_id, v.revenue, i.ts AS event_timestamp
        FROM I i
        LEFT JOIN K k ON k.user_id = i.user_id AND k.campaign_id = i.campaign_id
             AND k.ts BETWEEN i.ts - INTERVAL 30 MINUTE AND i.ts + INTERVAL 30 MINUTE
        LEFT JOIN V v ON v.user_id = i.user_id AND v.campaign_id = i.campaign_id
             AND v.ts BETWEEN i.ts - INTERVAL 24 HOUR AND i.ts + INTERVAL 24 HOUR""").fetchall()
    return Counter(normalize(r) for r in rows)


@pytest.mark.parametrize("seed", [11, 12])
def test_declared_pipeline_equals_its_batch_query_on_real_kafka(kafka, new_topic, tmp_path, seed):
    topics = {name: new_topic(partitions=3, prefix=name) for name in ("impressions", "clicks", "conversions")}
    records = ad_records(seed)
    # The late records in a second run, which resumes from the first's watermark: within one
    # small backlog, whether a record is late depends on the order partitions are read. The
    # first run stops once caught up (keeping its state), the second drains.
    on_time = {k: [r for r in v if r[1] != "late"] for k, v in records.items()}
    late = {k: [r for r in v if r[1] == "late"] for k, v in records.items()}
    sent = produce(kafka.bootstrap, topics, on_time, 3, seed)
    config = declared_config(tmp_path, topics, kafka.bootstrap)
    proc = run("join", "--config", str(config), "--until-caught-up")
    assert f"Joining {topics['impressions']} ⟕ {topics['clicks']} ⟕ {topics['conversions']}" in proc.stderr + proc.stdout
    sent.update(produce(kafka.bootstrap, topics, late, 3, seed + 100))
    assert "Resumed from the last commit" in run("join", "--config", str(config), "--drain").stdout

    rejects = read_table_columns(tmp_path, "ads", "attributed_impressions_rejects", REJECT_COLUMNS)
    rejected = {(t, p, o): reason for t, p, o, reason in rejects}
    for key, (value, fate) in sent.items():
        if fate == "malformed":
            assert key in rejected, f"malformed record {key} {value!r} not in rejects"
        if fate == "ok":
            assert key not in rejected, f"on-time record {key} rejected: {rejected.get(key)}"
        if fate == "late":
            assert rejected.get(key) == "late", f"late record {key} {value!r}: {rejected.get(key)}"
    by_topic = {v: k for k, v in topics.items()}
    accepted = {"impressions": [], "clicks": [], "conversions": []}
    for key, (value, _) in sent.items():
        if key not in rejected:
            accepted[by_topic[key[0]]].append(json.loads(value))
    expected = batch_query(accepted)
    got = Counter(normalize(r) for r in read_table_columns(tmp_path, "ads", "attributed_impressions", COLUMNS))
    assert got == expected, (f"table has {sum(got.values())} rows, the batch query {sum(expected.values())}; "
                             f"extra {list((got - expected).items())[:3]} missing {list((expected - got).items())[:3]}")
    # The data exercises every case: clicked and not, converted and not, NULL placements, late.
    rows = list(expected.elements())
    assert sum(1 for r in rows if r[4] is not None) > 20 and sum(1 for r in rows if r[4] is None) > 20
    assert sum(1 for r in rows if r[6] is not None) > 20 and sum(1 for r in rows if r[3] is None) > 10
    assert sum(1 for reason in rejected.values() if reason == "late") >= 5

    # The audit recomputes the same join from the topics and agrees.
    audit = run("validate", "--config", str(config), "--against-source")
    assert "PASS" in audit.stdout
    # Seed-only commands and flags refuse the declared pipeline by name.
    for args in (["demo"], ["report"], ["validate"], ["join", "--topic-actions", "x", "--drain"]):
        proc = run(*args, "--config", str(config), check=False)
        assert proc.returncode == 2 and "declares its" in proc.stderr, (args, proc.stderr)


def test_wrong_declaration_exits_2_naming_the_line(kafka, new_topic, tmp_path):
    topics = {name: new_topic(partitions=1, prefix=name) for name in ("impressions", "clicks", "conversions")}
    text = EXAMPLE.read_text().replace('window = "30 minutes"', 'window = "0 minutes"')
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s == 'window = "0 minutes"')
    config = declared_config(tmp_path, topics, kafka.bootstrap, text)
    proc = run("join", "--config", str(config), "--drain", check=False)
    assert proc.returncode == 2, proc.stderr
    assert f"ad.toml:{line}: join.enrich[1].window" in proc.stderr and "longer than zero" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "ads").exists(), "a refused declaration created tables"

    text = EXAMPLE.read_text().replace('"clicks.click_id",', '"clicks.clik_id",')
    line = next(i for i, s in enumerate(text.splitlines(), 1) if '"clicks.clik_id"' in s)
    proc = run("join", "--config", str(declared_config(tmp_path, topics, kafka.bootstrap, text)), "--drain",
               check=False)
    assert proc.returncode == 2 and f"ad.toml:{line}: output.columns" in proc.stderr, proc.stderr
    assert not (tmp_path / "ads").exists()
