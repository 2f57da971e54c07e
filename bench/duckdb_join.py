"""DESIGN §2's batch join in DuckDB over JSON-lines dumps of the three topics, for bench/e2e.py.

    duckdb_join.py DIR      (DIR holds user_actions.jsonl, purchases.jsonl, sessions.jsonl)

One timed step, with every core DuckDB sees: (a) each JSON-lines file → a Parquet file of the
accepted records, (b) the join over those files → result.parquet. Prints one JSON object:
load_s, join_s, total_s, rows, accepted (records per topic) and threads.

Accepted records, as braid decides them (DESIGN §1), in DuckDB's own SQL: a JSON object whose
user_id and session_id are present and not null and whose timestamp parses. Lines that are not
JSON objects read as all-NULL rows and drop out with the keys. (A key of the wrong JSON type,
which braid rejects, would be accepted here; `braid produce` writes none.) Run as a separate
process so that its peak RSS is DuckDB's alone.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import duckdb

WINDOW_S = {"purchase": 120, "session": 120}

# topic file → (parquet name, JSON fields and their types); the timestamp stays text until
# TRY_CAST decides whether it parses.
STREAMS = {
    "user_actions": ("a", {"user_id": "VARCHAR", "session_id": "VARCHAR", "action": "VARCHAR",
                           "page_url": "VARCHAR", "timestamp": "VARCHAR"}),
    "purchases": ("p", {"user_id": "VARCHAR", "session_id": "VARCHAR", "product_id": "VARCHAR",
                        "amount": "DOUBLE", "timestamp": "VARCHAR"}),
    "sessions": ("s", {"session_id": "VARCHAR", "user_id": "VARCHAR", "device": "VARCHAR",
                       "timestamp": "VARCHAR"}),
}


def load_sql(src: Path, dst: Path, columns: dict[str, str]) -> str:
    """JSON lines → Parquet of the accepted records, the timestamp as TIMESTAMPTZ `ts`."""
    spec = "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"
    fields = ", ".join(c for c in columns if c != "timestamp")
    return f"""
        COPY (SELECT {fields}, TRY_CAST("timestamp" AS TIMESTAMPTZ) AS ts
              FROM read_json('{src}', format = 'newline_delimited', columns = {spec},
                             ignore_errors = true)
              WHERE user_id IS NOT NULL AND session_id IS NOT NULL AND ts IS NOT NULL)
        TO '{dst}' (FORMAT parquet)"""


def join_sql(d: Path) -> str:
    pw, sw = WINDOW_S["purchase"], WINDOW_S["session"]
    return f"""
        COPY (SELECT a.user_id, a.session_id, a.action AS action_type, a.page_url,
                     p.amount AS purchase_amount, p.product_id, s.device AS device_type,
                     a.ts AS event_timestamp, now() AS processing_time
              FROM '{d / "a.parquet"}' a
              LEFT JOIN '{d / "p.parquet"}' p
                ON p.user_id = a.user_id AND p.session_id = a.session_id
               AND p.ts BETWEEN a.ts - INTERVAL {pw} SECOND AND a.ts + INTERVAL {pw} SECOND
              JOIN '{d / "s.parquet"}' s
                ON s.user_id = a.user_id AND s.session_id = a.session_id
               AND s.ts BETWEEN a.ts - INTERVAL {sw} SECOND AND a.ts + INTERVAL {sw} SECOND)
        TO '{d / "result.parquet"}' (FORMAT parquet)"""


def run(d: Path) -> dict:
    con = duckdb.connect()
    threads = os.cpu_count() or 1
    con.execute(f"SET threads = {threads}")
    con.execute("SET TimeZone = 'UTC'")
    accepted = {}
    t0 = time.perf_counter()
    for topic, (name, columns) in STREAMS.items():
        sql = load_sql(d / f"{topic}.jsonl", d / f"{name}.parquet", columns)
        accepted[topic] = con.execute(sql).fetchone()[0]
    t1 = time.perf_counter()
    rows = con.execute(join_sql(d)).fetchone()[0]
    t2 = time.perf_counter()
    return {"load_s": t1 - t0, "join_s": t2 - t1, "total_s": t2 - t0, "rows": rows,
            "accepted": accepted, "threads": threads}


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]))))
