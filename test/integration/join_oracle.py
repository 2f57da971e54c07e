"""The join's batch meaning (DESIGN §2) computed by DuckDB, and a table read back by
independent readers, for comparing braid's output as a multiset."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from duckdb_iceberg import connect_with_iceberg

COLUMNS = ["user_id", "session_id", "action_type", "page_url", "purchase_amount", "product_id",
           "device_type", "event_timestamp"]


def current_metadata(warehouse: Path, ns: str, table: str) -> Path:
    meta = warehouse / ns / table / "metadata"
    version = (meta / "version-hint.text").read_text().strip()
    return meta / f"v{version}.metadata.json"


def read_table(warehouse: Path, ns: str, table: str) -> list[tuple]:
    """Every row of the table through DuckDB's own iceberg reader."""
    con = connect_with_iceberg()
    return con.execute(
        f"SELECT * FROM iceberg_scan('{current_metadata(warehouse, ns, table)}')").fetchall()


def read_table_columns(warehouse: Path, ns: str, table: str, columns: list[str]) -> list[tuple]:
    con = connect_with_iceberg()
    cols = ", ".join(f'"{c}"' for c in columns)
    meta = current_metadata(warehouse, ns, table)
    return con.execute(f"SELECT {cols} FROM iceberg_scan('{meta}')").fetchall()


def parse_ts(text: str) -> datetime | None:
    try:
        ts = datetime.fromisoformat(text.replace(" ", "T").replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)


def oracle(actions, purchases, sessions, purchase_window_s=120, session_window_s=120) -> Counter:
    """DESIGN §2's query over accepted records (dicts), as a multiset of row tuples."""
    con = connect_with_iceberg()
    con.execute("SET TimeZone='UTC'")
    con.execute("CREATE TABLE A(user_id VARCHAR, session_id VARCHAR, action VARCHAR, "
                "page_url VARCHAR, ts TIMESTAMPTZ)")
    con.execute("CREATE TABLE P(user_id VARCHAR, session_id VARCHAR, product_id VARCHAR, "
                "amount DOUBLE, ts TIMESTAMPTZ)")
    con.execute("CREATE TABLE S(user_id VARCHAR, session_id VARCHAR, device VARCHAR, "
                "ts TIMESTAMPTZ)")
    con.executemany("INSERT INTO A VALUES (?,?,?,?,?)",
                    [(a["user_id"], a["session_id"], a.get("action"), a.get("page_url"),
                      parse_ts(a["timestamp"])) for a in actions])
    con.executemany("INSERT INTO P VALUES (?,?,?,?,?)",
                    [(p["user_id"], p["session_id"], p.get("product_id"), p.get("amount"),
                      parse_ts(p["timestamp"])) for p in purchases])
    con.executemany("INSERT INTO S VALUES (?,?,?,?)",
                    [(s["user_id"], s["session_id"], s.get("device"),
                      parse_ts(s["timestamp"])) for s in sessions])
    rows = con.execute(f"""
        SELECT a.user_id, a.session_id, a.action, a.page_url, p.amount, p.product_id,
               s.device, a.ts
        FROM A a
        LEFT JOIN P p ON p.user_id = a.user_id AND p.session_id = a.session_id
             AND p.ts BETWEEN a.ts - INTERVAL {purchase_window_s} SECOND
                          AND a.ts + INTERVAL {purchase_window_s} SECOND
        JOIN S s ON s.user_id = a.user_id AND s.session_id = a.session_id
             AND s.ts BETWEEN a.ts - INTERVAL {session_window_s} SECOND
                          AND a.ts + INTERVAL {session_window_s} SECOND""").fetchall()
    return Counter(normalize(r) for r in rows)


def normalize(row) -> tuple:
    """A row as comparable values: timestamps as UTC microseconds."""
    out = []
    for v in row:
        if isinstance(v, datetime):
            v = v if v.tzinfo else v.replace(tzinfo=timezone.utc)
            v = (v - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1)
        out.append(v)
    return tuple(out)


class RandomStreams:
    """Seed-shaped records from an independent producer: many keys, each topic sent in
    event-time order with bounded disorder, late records (an hour back, sent last) and
    malformed ones mixed in. Remembers what it sent and which records are malformed/late."""

    def __init__(self, seed: int, events: int, users: int = 30, sessions: int = 40,
                 disorder_s: float = 10.0, late: float = 0.02, malformed: float = 0.02):
        self.rng = random.Random(seed)
        self.events, self.users, self.sessions = events, users, sessions
        self.disorder_s, self.late, self.malformed = disorder_s, late, malformed
        self.base = datetime(2025, 1, 16, 10, 0, 0)

    def _ts(self, offset_s: float) -> str:
        return (self.base + timedelta(seconds=offset_s)).isoformat()

    def records(self) -> dict[str, list[tuple[bytes, str]]]:
        """topic -> [(value bytes, fate)], fate in {ok, late, malformed}, in send order."""
        rng = self.rng
        pairs = [(f"user_{rng.randint(1, self.users)}", f"session_{rng.randint(1, self.sessions)}",
                  rng.uniform(0, 600)) for _ in range(self.events)]
        out = {}
        actions = [({"user_id": u, "session_id": s, "action": rng.choice(["view", "click"]),
                     "page_url": rng.choice(["/home", "/search"])}, t) for u, s, t in pairs]
        purchases = [({"user_id": u, "session_id": s, "product_id": f"prod_{rng.randint(100, 999)}",
                       "amount": round(rng.uniform(19.99, 499.99), 2)}, t + rng.uniform(-150, 150))
                     for u, s, t in rng.sample(pairs, int(len(pairs) * 0.6))]
        seen = {}
        for u, s, t in pairs:
            seen.setdefault((u, s), t + rng.uniform(-150, 150))
        sessions = [({"session_id": s, "user_id": u, "device": rng.choice(["mobile", "tablet"])}, t)
                    for (u, s), t in seen.items()]
        for topic, recs in (("actions", actions), ("purchases", purchases), ("sessions", sessions)):
            ordered, tail = [], []
            for rec, t in recs:
                fate = "ok"
                r = rng.random()
                if r < self.malformed:
                    fate = "malformed"
                elif r < self.malformed + self.late:
                    fate = "late"
                if fate == "late":
                    tail.append((json.dumps({**rec, "timestamp": self._ts(t - 3600)}).encode(), fate))
                    continue
                value = json.dumps({**rec, "timestamp": self._ts(t)})
                if fate == "malformed":
                    value = rng.choice([value[: len(value) // 2], '{"user_id": null}',
                                        value.replace(self._ts(t), "yesterday"), "[1, 2]"])
                ordered.append((t + rng.uniform(0, self.disorder_s), value.encode(), fate))
            ordered.sort(key=lambda x: x[0])
            out[topic] = [(v, f) for _, v, f in ordered] + tail
        return out
