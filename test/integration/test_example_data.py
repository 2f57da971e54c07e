"""The data shipped with the declared examples (examples/data/<example>/*.jsonl) and their
expected answers (expected.csv) stay true: each file's lines are produced one record per line, as
`kcat -P -l` sends them, braid joins them with --drain, and the `braid sql` command written in the
example's header prints exactly expected.csv; the rejects table holds exactly the one malformed
line. expected.csv is also the declaration's batch query (DESIGN §2) computed by DuckDB over the
well-formed lines, so neither the data nor the answer can drift from the join's meaning.
`python test/integration/test_example_data.py` rewrites expected.csv from that query."""

from __future__ import annotations

import csv
import io
import json
import shlex
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest
from confluent_kafka import Producer

from braid_cli import REPO, run
from duckdb_iceberg import connect_with_iceberg
from test_declared_pipeline import declared_config

# example -> (topic prefix, {stream: record time field}, (stream, id field, id) of the malformed
# record, a fragment of its reject reason)
EXAMPLES = {
    "ad-attribution": ("ad_", {"impressions": "ts", "clicks": "ts", "conversions": "ts"},
                       ("clicks", "click_id", "clk_02"), 'bad timestamp "yesterday"'),
    "order-fulfilment": ("shop_", {"orders": "placed_at", "payments": "paid_at", "shipments": "shipped_at"},
                         ("payments", "payment_id", "pay_3"),
                         "wrong type for card.verified: expected boolean, got string"),
}

ORDERS_QUERY = """
SELECT o."order".id AS order_id, o.customer.id AS customer_id, o.customer.tier AS tier, o.total, o.gift,
       p.payment_id, p.amount AS paid, p.card.verified AS card_verified, p.paid_at,
       s.shipment_id, s.carrier, s.shipped_at, o.placed_at AS event_timestamp
FROM orders o
JOIN payments p ON p."order".id = o."order".id AND p.customer.id = o.customer.id
     AND p.paid_at BETWEEN o.placed_at - INTERVAL 1 HOUR AND o.placed_at + INTERVAL 1 HOUR
LEFT JOIN shipments s ON s."order".id = o."order".id AND s.customer.id = o.customer.id
     AND s.shipped_at BETWEEN o.placed_at - INTERVAL 3 DAY AND o.placed_at + INTERVAL 3 DAY"""


def data_dir(example: str) -> Path:
    return REPO / "examples" / "data" / example


def lines(example: str, stream: str) -> list[str]:
    return (data_dir(example) / f"{stream}.jsonl").read_text().splitlines()


def header_commands(example: str) -> list[str]:
    """The commands the example's header comment tells a user to try it with, in order: the
    kcat loop, braid join --drain, braid sql for the table, braid sql for the rejects."""
    found = []
    for line in (REPO / "examples" / f"{example}.toml").read_text().splitlines():
        text = line.removeprefix("#").strip()
        if text.startswith(("for t in", "braid sql --config")) or (text.startswith("braid join")
                                                                   and "--drain" in text):
            found.append(text)
    return found


def batch_answer_csv(example: str, scratch: Path) -> str:
    """The declaration's batch query over the well-formed lines, as CSV in braid sql's form
    (timestamps in UTC, NULL as an empty field), in the header command's order."""
    _, times, (bad_stream, id_field, bad_id), _ = EXAMPLES[example]
    con = connect_with_iceberg()
    con.execute("SET TimeZone='UTC'")
    for stream, time_field in times.items():
        kept = [s for s in lines(example, stream)
                if not (stream == bad_stream and json.loads(s)[id_field] == bad_id)]
        path = scratch / f"{stream}.jsonl"
        path.write_text("\n".join(kept) + "\n")
        # DuckDB reads the union of the records' fields (an optional one may be absent), nested
        # objects as structs; epoch milliseconds and ISO-8601 strings become timestamps.
        con.execute(f"CREATE TABLE {stream} AS SELECT * FROM read_json('{path}', format = 'newline_delimited')")
        kind = con.execute(f"SELECT typeof({time_field}) FROM {stream} LIMIT 1").fetchone()[0]
        convert = f"to_timestamp({time_field} / 1000)" if kind == "BIGINT" else f"{time_field}::TIMESTAMPTZ"
        con.execute(f"ALTER TABLE {stream} ALTER {time_field} TYPE TIMESTAMPTZ USING {convert}")
    query = ((REPO / "examples" / "ad-attribution.sql").read_text() if example == "ad-attribution"
             else ORDERS_QUERY)
    order_by = header_commands(example)[2].split(" ORDER BY ")[1].split('"')[0]
    rel = con.execute(f"SELECT * FROM ({query}) ORDER BY {order_by}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([d[0] for d in rel.description])
    for row in rel.fetchall():
        writer.writerow(["" if v is None else csv_value(v) for v in row])
    return out.getvalue()


def csv_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime):
        return v.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S+00")
    return str(v)


def rows(text: str) -> Counter:
    return Counter(tuple(r) for r in csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("example", list(EXAMPLES))
def test_shipped_data_gives_the_expected_answer(kafka, new_topic, tmp_path, example):
    prefix, times, (bad_stream, id_field, bad_id), reason = EXAMPLES[example]
    expected = (data_dir(example) / "expected.csv").read_text()
    assert rows(expected) == rows(batch_answer_csv(example, tmp_path)), "expected.csv is not the batch query's"

    # The header's commands, pointed at this test's broker, topics and warehouse.
    commands = header_commands(example)
    load = (f"for t in {' '.join(times)}; do kcat -P -b 127.0.0.1:9092 -t {prefix}$t "
            f"-l examples/data/{example}/$t.jsonl; done")
    assert [c.split(" --")[0] for c in commands] == [load, "braid join", "braid sql", "braid sql"], commands
    topics = {stream: new_topic(partitions=3, prefix=stream) for stream in times}
    config = declared_config(tmp_path, topics, kafka.bootstrap, example=REPO / "examples" / f"{example}.toml",
                             topic_prefix=prefix)

    producer = Producer({"bootstrap.servers": kafka.bootstrap})
    for stream, topic in topics.items():
        for line in lines(example, stream):
            producer.produce(topic, value=line.encode())  # no key: kcat's partitioner spreads them
    assert producer.flush(60) == 0

    def braid(command: str):
        """A header command (before any pipe) on this test's copy of the example."""
        args = shlex.split(command.split(" | ")[0])[1:]
        return run(*[str(config) if a == f"examples/{example}.toml" else a for a in args])

    proc = braid(commands[1])
    done = proc.stdout + proc.stderr
    sent = sum(len(lines(example, s)) for s in times)
    assert f"{sent} records in" in done and "1 rejects (0 late)" in done, done
    got = braid(commands[2]).stdout
    assert rows(got) == rows(expected), f"braid's table:\n{got}\nexpected.csv:\n{expected}"
    # braid sql writes CSV lines ending in CRLF; the header's diff strips the CR.
    assert got.replace("\r\n", "\n") == expected, "same rows, another order: the header's ORDER BY is not total"

    rejects = list(csv.DictReader(io.StringIO(braid(commands[3]).stdout)))
    bad_line = next(s for s in lines(example, bad_stream) if json.loads(s)[id_field] == bad_id)
    assert [(r["topic"], r["payload"]) for r in rejects] == [(topics[bad_stream], bad_line)], rejects
    assert reason in rejects[0]["reason"], rejects[0]["reason"]


if __name__ == "__main__":
    import tempfile
    for name in EXAMPLES:
        with tempfile.TemporaryDirectory() as scratch:
            (data_dir(name) / "expected.csv").write_text(batch_answer_csv(name, Path(scratch)))
        print(f"wrote {data_dir(name) / 'expected.csv'}")
