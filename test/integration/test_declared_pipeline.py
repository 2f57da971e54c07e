"""Pipelines declared in their files (examples/ad-attribution.toml, examples/order-fulfilment.toml)
against a real Kafka: each table equals the declaration's batch query (DESIGN §2 written for
impressions ⟕ clicks ⟕ conversions, orders ⋈ payments ⟕ shipments) computed by DuckDB over every
record braid did not reject; a wrong declaration exits 2 naming its line and creates nothing."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from braid_cli import REPO, run
from join_oracle import normalize, parse_ts, read_table_columns
from duckdb_iceberg import connect_with_iceberg
from pipeline_check import REJECT_COLUMNS, produce, sort_fates

EXAMPLE = REPO / "examples" / "ad-attribution.toml"
COLUMNS = ["impression_id", "user_id", "campaign_id", "placement", "click_id", "click_time",
           "conversion_id", "revenue", "event_timestamp"]
ORDERS_EXAMPLE = REPO / "examples" / "order-fulfilment.toml"
ORDERS_SQL = REPO / "examples" / "order-fulfilment.sql"
ORDER_COLUMNS = ["order_id", "customer_id", "tier", "total", "gift", "payment_id", "paid", "card_verified",
                 "paid_at", "shipment_id", "carrier", "shipped_at", "event_timestamp"]


def declared_config(tmp_path: Path, topics: dict[str, str], bootstrap: str, text: str | None = None,
                    example: Path = EXAMPLE, topic_prefix: str = "ad_") -> Path:
    """The shipped example with this test's topics (`topic_prefix` + logical name in the
    example), broker and warehouse."""
    text = text if text is not None else example.read_text()
    for logical, topic in topics.items():
        text = text.replace(f'topic = "{topic_prefix}{logical}"', f'topic = "{topic}"')
    text = text.replace('kafka_bootstrap_servers = "127.0.0.1:9092"', f'kafka_bootstrap_servers = "{bootstrap}"')
    text = text.replace('warehouse = "warehouse"', f'warehouse = "{tmp_path}"')
    path = tmp_path / example.name
    path.write_text(text)
    return path


def arrange(rng: random.Random, recs, encode, malform, late_shift):
    """[(record, event time)] -> [(value bytes, fate)] with fate ok, late or malformed: in
    event-time order with a few seconds of disorder; about 4% malformed (malform(record, time,
    good value) gives the bad value); about 3% late (encode(record, time - late_shift), sent
    last, before any on-time record)."""
    ordered, tail = [], []
    for rec, t in recs:
        r = rng.random()
        if r < 0.03:
            tail.append((encode(rec, t - late_shift).encode(), "late"))
            continue
        value, fate = encode(rec, t), "ok"
        if r < 0.07:
            value, fate = malform(rec, t, value), "malformed"
        ordered.append((t + rng.uniform(0, 5), value.encode(), fate))
    ordered.sort(key=lambda x: x[0])
    return [(v, f) for _, v, f in ordered] + tail


def run_declared(kafka, new_topic, tmp_path: Path, example: Path, topic_prefix: str, records, seed: int,
                 ns: str, table: str):
    """Produces `records` ({logical topic: [(value, fate)]}) with an independent producer to new
    topics, runs braid on the example: once --until-caught-up over the on-time records, then
    --drain after the late ones (within one small backlog whether a record is late depends on
    the order partitions are read; the second run resumes from the first's watermark). Checks
    each record's fate against the rejects table. Returns (topics, config, first run, accepted
    records as dicts by logical topic, {rejected key: reason}, sent)."""
    topics = {name: new_topic(partitions=3, prefix=name) for name in records}
    on_time = {k: [r for r in v if r[1] != "late"] for k, v in records.items()}
    late = {k: [r for r in v if r[1] == "late"] for k, v in records.items()}
    sent = produce(kafka.bootstrap, topics, on_time, 3, seed)
    config = declared_config(tmp_path, topics, kafka.bootstrap, example=example, topic_prefix=topic_prefix)
    first = run("join", "--config", str(config), "--until-caught-up")
    sent.update(produce(kafka.bootstrap, topics, late, 3, seed + 100))
    assert "Resumed from the last commit" in run("join", "--config", str(config), "--drain").stdout

    rejects = read_table_columns(tmp_path, ns, f"{table}_rejects", REJECT_COLUMNS)
    values, rejected = sort_fates(rejects, topics, sent)
    accepted = {logical: [json.loads(v) for v in vs] for logical, vs in values.items()}
    assert sum(1 for reason in rejected.values() if reason == "late") >= 5
    return topics, config, first, accepted, rejected, sent


def assert_same_rows(got: Counter, expected: Counter):
    assert got == expected, (f"table has {sum(got.values())} rows, the batch query {sum(expected.values())}; "
                             f"extra {list((got - expected).items())[:3]} missing {list((expected - got).items())[:3]}")


def ad_records(seed: int, impressions: int = 300):
    """logical topic -> [(value bytes, fate)] with fate ok, late or malformed, each topic in
    event-time order with a few seconds of disorder, late records (4 days back, before any on-time one) sent last."""
    rng = random.Random(seed)
    base = datetime(2025, 3, 1, 0, 0, 0)
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
    ts = lambda s: (base + timedelta(seconds=s)).isoformat()  # noqa: E731
    encode = lambda rec, t: json.dumps({**rec, "ts": ts(t)})  # noqa: E731

    def malform(rec, t, value):
        return rng.choice([value[: len(value) // 2], value.replace(ts(t), "soon"),
                           json.dumps({**rec, "user_id": None, "ts": ts(t)}),
                           json.dumps({**rec, "campaign_id": 7, "ts": ts(t)}), "[1, 2]"])
    return {topic: arrange(rng, recs, encode, malform, 4 * 86400)
            for topic, recs in (("impressions", imps), ("clicks", clicks), ("conversions", convs))}


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
    topics, config, first, accepted, rejected, _ = run_declared(
        kafka, new_topic, tmp_path, EXAMPLE, "ad_", ad_records(seed), seed, "ads", "attributed_impressions")
    assert f"Joining {topics['impressions']} ⟕ {topics['clicks']} ⟕ {topics['conversions']}" in first.stderr + first.stdout
    expected = batch_query(accepted)
    got = Counter(normalize(r) for r in read_table_columns(tmp_path, "ads", "attributed_impressions", COLUMNS))
    assert_same_rows(got, expected)
    # The data exercises every case: clicked and not, converted and not, NULL placements, late.
    rows = list(expected.elements())
    assert sum(1 for r in rows if r[4] is not None) > 20 and sum(1 for r in rows if r[4] is None) > 20
    assert sum(1 for r in rows if r[6] is not None) > 20 and sum(1 for r in rows if r[3] is None) > 10

    # The audit recomputes the same join from the topics and agrees; while it works, it says on
    # stderr which step it is on, as often as asked (connecting alone outlasts 20 ms).
    audit = run("validate", "--config", str(config), "--against-source", "--progress-interval", "20ms")
    assert "PASS" in audit.stdout
    ticks = [line for line in audit.stderr.splitlines() if line.startswith("audit: ")]
    steps = ("re-reading the source topics", "loading the source records into DuckDB", "recomputing the join",
             "reading the table", "comparing the table with the recomputed join")
    assert ticks and all(re.fullmatch(rf"audit: ({'|'.join(steps)})(: \d+ of \d+ records)? \(\d+s\)", t)
                         for t in ticks), audit.stderr
    assert ticks[0].startswith("audit: re-reading the source topics"), ticks
    for bad in ("0s", "soon"):
        proc = run("validate", "--config", str(config), "--against-source", "--progress-interval", bad,
                   check=False)
        assert proc.returncode == 2 and "--progress-interval" in proc.stderr and "audit:" not in proc.stderr, \
            proc.stderr
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
    assert f"ad-attribution.toml:{line}: join.enrich[1].window" in proc.stderr and "longer than zero" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "ads").exists(), "a refused declaration created tables"

    text = EXAMPLE.read_text().replace('"clicks.click_id",', '"clicks.clik_id",')
    line = next(i for i, s in enumerate(text.splitlines(), 1) if '"clicks.clik_id"' in s)
    proc = run("join", "--config", str(declared_config(tmp_path, topics, kafka.bootstrap, text)), "--drain",
               check=False)
    assert proc.returncode == 2 and f"ad-attribution.toml:{line}: output.columns" in proc.stderr, proc.stderr
    assert not (tmp_path / "ads").exists()


def order_records(seed: int, orders: int = 300):
    """Like ad_records, for examples/order-fulfilment.toml: nested JSON ({"order": {"id"}},
    {"customer": {"id", "tier"}}, {"card": {"verified"}}) with epoch-millisecond times. Returns
    (records, {malformed value: a fragment its reject reason must hold})."""
    rng = random.Random(seed)
    base_ms = int(datetime(2025, 3, 1, tzinfo=timezone.utc).timestamp() * 1000)
    ms = lambda t: base_ms + int(t * 1000)  # noqa: E731
    order_list = []
    for i in range(orders):
        customer = {"id": rng.randint(1, 12)}
        r = rng.random()
        if r < 0.6:
            customer["tier"] = rng.choice(["gold", "silver"])
        elif r < 0.8:
            customer["tier"] = None  # optional: null and absent both read as NULL
        rec = {"order": {"id": f"o{i}", "note": "ignored"}, "customer": customer, "total": round(rng.uniform(5, 300), 2)}
        r = rng.random()
        if r < 0.8:
            rec["gift"] = rng.random() < 0.3
        elif r < 0.9:
            rec["gift"] = None
        order_list.append((rec, rng.uniform(0, 3 * 86400)))
    payments = []
    for j, (o, t) in enumerate(rng.sample(order_list, 220) + rng.sample(order_list, 40)):
        # A tenth name another customer: the key is (order id, customer id), so they join nothing.
        customer = o["customer"]["id"] if rng.random() < 0.9 else o["customer"]["id"] + 100
        payments.append(({"payment_id": f"pay_{j}", "order": {"id": o["order"]["id"]}, "customer": {"id": customer},
                          "amount": o["total"], "card": {"verified": rng.random() < 0.7}},
                         t + rng.uniform(-75 * 60, 75 * 60)))
    shipments = []
    for j, (o, t) in enumerate(rng.sample(order_list, 150)):
        rec = {"shipment_id": f"shp_{j}", "order": {"id": o["order"]["id"]}, "customer": {"id": o["customer"]["id"]}}
        if rng.random() < 0.8:
            rec["carrier"] = rng.choice(["dhl", "ups", "post"])
        shipments.append((rec, t + rng.uniform(-0.5 * 86400, 4 * 86400)))

    reasons = {}

    def stream(recs, time_field, bad_type):
        def encode(rec, t):
            return json.dumps({**rec, time_field: ms(t)})

        def malform(rec, t, value):
            kind = rng.randrange(5)
            if kind == 0:  # a boolean given as a string (shipments: a boolean for a string)
                bad, reason = bad_type(rec)
                reasons[bad] = reason
            elif kind == 1:  # an epoch given as a string
                bad = json.dumps({**rec, time_field: str(ms(t))})
                reasons[bad] = f"wrong type for {time_field}: expected integer epoch_millis, got string"
            elif kind == 2:  # a fractional epoch
                bad = json.dumps({**rec, time_field: ms(t) + 0.5})
                reasons[bad] = "got fractional number"
            elif kind == 3:  # a path through a non-object
                bad = json.dumps({**rec, "order": rec["order"]["id"], time_field: ms(t)})
                reasons[bad] = "wrong type for order: expected object, got string"
            else:  # an epoch past year 9999
                bad = json.dumps({**rec, time_field: 253402300800000 + ms(t)})
                reasons[bad] = "out of range"
            return bad
        return arrange(rng, recs, encode, malform, 8 * 86400)

    records = {
        "orders": stream(order_list, "placed_at",
                         lambda rec: (json.dumps({**rec, "gift": "true", "placed_at": base_ms}),
                                      "wrong type for gift: expected boolean, got string")),
        "payments": stream(payments, "paid_at",
                           lambda rec: (json.dumps({**rec, "card": {"verified": "false"}, "paid_at": base_ms}),
                                        "wrong type for card.verified: expected boolean, got string")),
        "shipments": stream(shipments, "shipped_at",
                            lambda rec: (json.dumps({**rec, "carrier": True, "shipped_at": base_ms}),
                                         "wrong type for carrier: expected string, got boolean")),
    }
    return records, reasons


def orders_batch_query(accepted: dict[str, list[dict]]) -> Counter:
    """The declaration's meaning in DuckDB: orders JOIN payments within 1 hour LEFT JOIN
    shipments within 3 days, on (order id, customer id), over the accepted records flattened."""
    con = connect_with_iceberg()
    con.execute("SET TimeZone='UTC'")
    when = lambda v: datetime.fromtimestamp(v / 1000, tz=timezone.utc)  # noqa: E731
    con.execute("CREATE TABLE O(order_id VARCHAR, customer_id BIGINT, tier VARCHAR, total DOUBLE, gift BOOLEAN, "
                "ts TIMESTAMPTZ)")
    con.execute("CREATE TABLE P(payment_id VARCHAR, order_id VARCHAR, customer_id BIGINT, amount DOUBLE, "
                "verified BOOLEAN, ts TIMESTAMPTZ)")
    con.execute("CREATE TABLE S(shipment_id VARCHAR, order_id VARCHAR, customer_id BIGINT, carrier VARCHAR, "
                "ts TIMESTAMPTZ)")
    con.executemany("INSERT INTO O VALUES (?,?,?,?,?,?)",
                    [(r["order"]["id"], r["customer"]["id"], r["customer"].get("tier"), r["total"], r.get("gift"),
                      when(r["placed_at"])) for r in accepted["orders"]])
    con.executemany("INSERT INTO P VALUES (?,?,?,?,?,?)",
                    [(r["payment_id"], r["order"]["id"], r["customer"]["id"], r["amount"], r["card"]["verified"],
                      when(r["paid_at"])) for r in accepted["payments"]])
    con.executemany("INSERT INTO S VALUES (?,?,?,?,?)",
                    [(r["shipment_id"], r["order"]["id"], r["customer"]["id"], r.get("carrier"),
                      when(r["shipped_at"])) for r in accepted["shipments"]])
    rows = con.execute("""
        SELECT o.order_id, o.customer_id, o.tier, o.total, o.gift, p.payment_id, p.amount, p.verified,
               p.ts, s.shipment_id, s.carrier, s.ts, o.ts
        FROM O o
        JOIN P p ON p.order_id = o.order_id AND p.customer_id = o.customer_id
             AND p.ts BETWEEN o.ts - INTERVAL 1 HOUR AND o.ts + INTERVAL 1 HOUR
        LEFT JOIN S s ON s.order_id = o.order_id AND s.customer_id = o.customer_id
             AND s.ts BETWEEN o.ts - INTERVAL 3 DAY AND o.ts + INTERVAL 3 DAY""").fetchall()
    return Counter(normalize(r) for r in rows)


@pytest.mark.parametrize("seed", [21, 22])
def test_order_fulfilment_with_nested_json_and_epoch_times_equals_its_batch_query(kafka, new_topic, tmp_path, seed):
    records, reasons = order_records(seed)
    topics, config, _, accepted, rejected, sent = run_declared(
        kafka, new_topic, tmp_path, ORDERS_EXAMPLE, "shop_", records, seed, "shop", "fulfilled_orders")
    expected = orders_batch_query(accepted)
    table = read_table_columns(tmp_path, "shop", "fulfilled_orders", ORDER_COLUMNS)
    assert_same_rows(Counter(normalize(r) for r in table), expected)

    # Each bad record is rejected for its own reason, and nothing of it reaches the table.
    ids_in_table = {r[0] for r in table} | {r[5] for r in table} | {r[9] for r in table}
    checked = Counter()
    for key, (value, fate) in sent.items():
        if fate != "malformed":
            continue
        text = value.decode()
        assert reasons[text] in rejected[key], (text, rejected[key])
        checked[reasons[text]] += 1
        bad = json.loads(text)
        own_id = bad.get("payment_id") or bad.get("shipment_id") or (
            bad["order"]["id"] if isinstance(bad["order"], dict) else bad["order"])
        assert own_id not in ids_in_table, f"rejected record {text} reached the table"
    assert sum(n for reason, n in checked.items() if "expected boolean, got string" in reason) >= 2, checked
    assert len(checked) >= 6, checked
    assert any("epoch_millis, got string" in reason for reason in checked), checked

    # The data exercises every case: shipped and not, a NULL tier and gift, both card values,
    # unpaid orders (no row: inner join).
    rows = list(expected.elements())
    assert sum(1 for r in rows if r[9] is not None) > 20 and sum(1 for r in rows if r[9] is None) > 20
    assert sum(1 for r in rows if r[2] is None) > 5 and sum(1 for r in rows if r[4] is None) > 5
    assert {r[7] for r in rows} == {True, False} and {r[4] for r in rows} == {True, False, None}
    assert len({r[0] for r in rows}) < len(accepted["orders"]) - 20

    # The audit recomputes the same join from the topics (nested paths, epochs, booleans) and agrees.
    audit = run("validate", "--config", str(config), "--against-source")
    assert "PASS" in audit.stdout, audit.stdout + audit.stderr

    # The same join written as SQL over the nested paths (examples/order-fulfilment.sql), in one
    # drained run into its own table, equals the batch query over the records it accepted.
    run("join", "--config", str(config), "--query", str(ORDERS_SQL), "--table", "fulfilled_by_sql", "--drain")
    sql_rejects = read_table_columns(tmp_path, "shop", "fulfilled_by_sql_rejects", REJECT_COLUMNS)
    sql_values, _ = sort_fates(sql_rejects, topics, sent, late_rejected=False)
    sql_accepted = {logical: [json.loads(v) for v in vs] for logical, vs in sql_values.items()}
    sql_table = read_table_columns(tmp_path, "shop", "fulfilled_by_sql", ORDER_COLUMNS)
    assert_same_rows(Counter(normalize(r) for r in sql_table), orders_batch_query(sql_accepted))
    assert len(sql_table) > 40
    audit = run("validate", "--config", str(config), "--query", str(ORDERS_SQL), "--table", "fulfilled_by_sql",
                "--against-source")
    assert "PASS" in audit.stdout and "the pipeline's own query" in audit.stdout, audit.stdout + audit.stderr
