"""Random pipeline declarations for the differential test: from one seed, 2..4 streams (key
arity 1..2, string or long key parts, 0..3 extra fields of string, long, double, boolean or
timestamp, optional or not, nested paths, ISO-8601 or epoch event times), inner or left joins
with windows from seconds to hours, a random choice of output columns, sometimes a partition
spec; records that join, with disorder, late and malformed ones; and the declaration's meaning
(DESIGN §2) as a DuckDB query over the records braid accepted.

Every record's values are kept as the generator meant them (timestamps as UTC microseconds),
so the batch query reads no JSON: it cannot share a misreading with braid."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from duckdb_iceberg import connect_with_iceberg

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
BASE_US = (datetime(2025, 3, 1, tzinfo=timezone.utc) - EPOCH) // timedelta(microseconds=1)
SECOND = 1_000_000
# The finest time each event-time format can carry, in microseconds.
PRECISION = {"iso": 1, "epoch_micros": 1, "epoch_millis": 1000, "epoch_seconds": SECOND}
# Strings that test JSON escapes and UTF-8 (json.dumps writes the emoji as a surrogate pair).
AWKWARD = ["", "é", 'quote"d', "back\\slash", "tab\there", "line\nbreak", "😀"]
STREAM_NAMES = ["views", "clicks", "orders", "payments", "shipments", "logins", "alerts"]
SQL_TYPES = {"string": "VARCHAR", "long": "BIGINT", "double": "DOUBLE", "boolean": "BOOLEAN",
             "timestamp": "BIGINT"}


@dataclass
class Field:
    path: str            # a JSON path, "a" or "meta.a" or "meta.deep.a"
    type: str            # string, long, double, boolean, timestamp
    fmt: str = ""        # a timestamp's format: a key of PRECISION
    optional: bool = False

    def declared(self) -> str:
        if self.type != "timestamp" or self.fmt == "iso":
            return self.type
        return f"timestamp({self.fmt})"


@dataclass
class Stream:
    name: str
    fields: list[Field]
    key: list[str]
    time: str
    partitions: int
    delay: str | int | None = None
    idle: str | None = None
    kind: str = ""       # an enriching stream's: inner or left
    window_us: int = 0
    window_text: str = ""

    def field(self, path: str) -> Field:
        return next(f for f in self.fields if f.path == path)

    @property
    def precision(self) -> int:
        return PRECISION[self.field(self.time).fmt]


@dataclass
class Declaration:
    streams: list[Stream]                  # the driving stream first
    columns: list[tuple[int, str, str]]    # (stream index, field path, column name)
    column_texts: list[str]
    partition_by: list[str] = field(default_factory=list)

    def toml(self, topics: dict[str, str], bootstrap: str, warehouse: str) -> str:
        q = json.dumps
        out = ['database_name = "rnd"', f"kafka_bootstrap_servers = {q(bootstrap)}",
               'watermark_delay = "30 seconds"', ""]
        for s in self.streams:
            fields = ", ".join(f"{q(f.path)} = {q(f.declared())}" for f in s.fields)
            out += ["[[streams]]", f"name = {q(s.name)}", f"topic = {q(topics[s.name])}", 'format = "json"',
                    f"fields = {{ {fields} }}", f"key = {q(s.key)}", f"event_time = {q(s.time)}"]
            optional = [f.path for f in s.fields if f.optional]
            if optional:
                out.append(f"optional = {q(optional)}")
            if s.delay is not None:
                out.append(f"watermark_delay = {q(s.delay)}")
            if s.idle is not None:
                out.append(f"idle_timeout = {q(s.idle)}")
            out.append("")
        out += ["[join]", f"driving = {q(self.streams[0].name)}", ""]
        for s in self.streams[1:]:
            out += ["[[join.enrich]]", f"stream = {q(s.name)}", f"kind = {q(s.kind)}",
                    f"window = {q(s.window_text)}", ""]
        out += ["[output]", 'table = "joined"', "columns = ["] + [f"  {q(c)}," for c in self.column_texts] + ["]"]
        if self.partition_by:
            out.append(f"partition_by = {q(self.partition_by)}")
        out += ["", "[catalog]", 'type = "file"', f"warehouse = {q(warehouse)}", ""]
        return "\n".join(out)


def _path(rng: random.Random, leaf: str) -> str:
    # "meta" and "deep" are only ever objects, so no field is both a value and an object.
    return rng.choices([leaf, f"meta.{leaf}", f"meta.deep.{leaf}"], weights=[6, 3, 1])[0]


def _window(rng: random.Random) -> tuple[int, str]:
    unit = rng.choice(["s", "m", "h"])
    n = {"s": rng.randint(2, 120), "m": rng.randint(1, 90), "h": rng.randint(1, 6)}[unit]
    words = {"s": ["seconds", "s"], "m": ["minutes", "m"], "h": ["hours", "h"]}[unit]
    spelling = rng.choice(words)
    text = f"{n} {spelling}" if len(spelling) > 1 else f"{n}{spelling}"
    return n * {"s": 1, "m": 60, "h": 3600}[unit] * SECOND, text


def declare(rng: random.Random) -> Declaration:
    key_types = [rng.choice(["string", "long"]) for _ in range(rng.randint(1, 2))]
    streams = []
    for i, name in enumerate(rng.sample(STREAM_NAMES, 1 + rng.randint(1, 3))):
        key = [_path(rng, f"k{j}") for j in range(len(key_types))]
        fields = [Field(p, t) for p, t in zip(key, key_types)]
        time = _path(rng, "ts")
        fields.append(Field(time, "timestamp", rng.choice(["iso", "iso", "epoch_seconds", "epoch_millis",
                                                             "epoch_micros"])))
        for j in range(rng.randint(0, 3)):
            f = Field(_path(rng, f"v{j}"), rng.choice(["string", "long", "double", "boolean", "timestamp"]),
                      optional=rng.random() < 0.4)
            f.fmt = rng.choice(list(PRECISION)) if f.type == "timestamp" else ""
            fields.append(f)
        rng.shuffle(fields)
        s = Stream(name, fields, key, time, partitions=rng.randint(1, 3))
        # A stream's own delay always exceeds the records' disorder (5 s); an idle timeout
        # longer than any run here, so that no partition goes idle between two runs.
        if rng.random() < 0.3:
            s.delay = rng.choice([10, "20 seconds", "90s"])
        if rng.random() < 0.2:
            s.idle = "2 minutes"
        if i > 0:
            s.kind = rng.choice(["inner", "left"])
            s.window_us, s.window_text = _window(rng)
        streams.append(s)

    columns, texts, names = [], [], {"processing_time"}
    for i, s in enumerate(streams):
        for f in rng.sample(s.fields, rng.randint(1 if i == 0 else 0, len(s.fields))):
            name = f.path.replace(".", "_")
            if name in names or rng.random() < 0.5:
                name = f"{s.name}_{name}" if f"{s.name}_{name}" not in names else f"col{len(columns)}"
                texts.append(f"{s.name}.{f.path} {rng.choice(['AS', 'as'])} {name}")
            else:
                texts.append(f"{s.name}.{f.path}")
            names.add(name)
            columns.append((i, f.path, name))
    order = list(range(len(columns)))
    rng.shuffle(order)
    decl = Declaration(streams, [columns[i] for i in order], [texts[i] for i in order])
    driving_columns = [(streams[0].field(p), n) for i, p, n in decl.columns if i == 0]
    if rng.random() < 0.3:
        f, name = rng.choice(driving_columns)
        if f.type == "timestamp":
            decl.partition_by = [f"{rng.choice(['day', 'hour'])}({name})"]
        elif f.type in ("string", "long"):
            decl.partition_by = [rng.choice([f"bucket(3, {name})", name])]
    return decl


def _iso(rng: random.Random, us: int) -> str:
    """`us` as ISO-8601 in one of the spellings braid reads: a zone or none (UTC), T or a
    space, 0, 3, 6 or 9 fraction digits (only as many as keep the value exact)."""
    offset = rng.choice([0, 0, 0, 120, -330, 60])
    local = EPOCH + timedelta(microseconds=us + offset * 60 * SECOND)
    text = local.strftime("%Y-%m-%d") + rng.choice(["T", " "]) + local.strftime("%H:%M:%S")
    micro = us % SECOND
    if micro == 0:
        text += rng.choice(["", ".000"])
    elif micro % 1000 == 0:
        text += rng.choice([f".{micro // 1000:03d}", f".{micro:06d}"])
    else:
        text += rng.choice([f".{micro:06d}", f".{micro:06d}000"])
    if offset == 0:
        return text + rng.choice(["", "Z", "+00:00"])
    sign = "+" if offset > 0 else "-"
    return text + f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


def _value(rng: random.Random, f: Field) -> object:
    if f.type == "string":
        return rng.choice(AWKWARD) if rng.random() < 0.2 else f"s{rng.randint(0, 50)}"
    if f.type == "long":
        return rng.choice([-2**63, 2**63 - 1, rng.randint(-10**15, 10**15)]) if rng.random() < 0.1 \
            else rng.randint(-1000, 1000)
    if f.type == "double":
        return round(rng.uniform(-1e4, 1e4), rng.choice([0, 2, 6]))
    if f.type == "timestamp":  # any time from 1900 to 2100 (negative epochs too), in the format's precision
        step = PRECISION[f.fmt]
        return rng.randrange(-2208988800 * SECOND, 4102444800 * SECOND) // step * step
    return rng.random() < 0.5


def _key_domain(rng: random.Random, types: list[str]) -> list[tuple]:
    """A small domain of key tuples (8..30), so that many records share a key."""
    n = rng.randint(8, 20) if len(types) == 1 else rng.randint(3, 5)
    parts = []
    for t in types:
        if t == "string":
            parts.append(rng.sample(AWKWARD, 2) + [f"key{i}" for i in range(n - 2)])
        else:
            parts.append([2**63 - 1, -2**63] + rng.sample(range(-20, 100), n - 2))
    domain = [()]
    for part in parts:
        domain = [d + (v,) for d in domain for v in part]
    return domain


class Records:
    """The records of one declaration: {stream: [(value bytes, fate, time µs)]} with fate ok,
    late or malformed, and each sent value's intended field values."""

    def __init__(self, rng: random.Random, decl: Declaration):
        self.rng, self.decl = rng, decl
        self.meant: dict[bytes, dict[str, object]] = {}
        drv = decl.streams[0]
        domain = _key_domain(rng, [drv.field(k).type for k in drv.key])
        w_max = max(s.window_us for s in decl.streams[1:])
        self.span = int(w_max * rng.uniform(4, 10))
        # Late records lie further back than anything read before them, delays included.
        self.late_shift = (self.span + 4 * w_max) // SECOND * SECOND + 86400 * SECOND
        step = drv.precision
        driving = [(rng.choice(domain), BASE_US + rng.randrange(0, self.span) // step * step)
                   for _ in range(rng.randint(60, 150))]
        self.events = {drv.name: driving}
        # A quarter of the driving records get a partner in most enriching streams (so that
        # inner joins of several streams still give rows); the rest meet partners by chance.
        anchors = rng.sample(driving, max(1, len(driving) // 4))
        for s in decl.streams[1:]:
            step = max(s.precision, drv.precision)
            events = []
            for k, t in anchors:
                if rng.random() < 0.8:  # sometimes just at the window's edge, inside or out
                    edge = s.window_us + rng.choice([0, step])
                    off = rng.choice([edge, -edge]) if rng.random() < 0.15 else \
                        int(rng.uniform(-1.2, 1.2) * s.window_us)
                    events.append((k, (t + off) // step * step))
            # About one partner per driving record by chance, at most.
            for _ in range(max(5, min(rng.randint(10, 60), int(len(domain) * self.span / (2 * s.window_us))))):
                events.append((rng.choice(domain),
                               BASE_US + rng.randrange(-s.window_us, self.span + s.window_us) // step * step))
            self.events[s.name] = events

    def record(self, s: Stream, key: tuple, us: int) -> tuple[dict, dict]:
        """(the JSON object, the values meant) for one event of stream `s`."""
        rng = self.rng
        meant = {}
        for f in s.fields:
            if f.path in s.key:
                meant[f.path] = key[s.key.index(f.path)]
            elif f.path == s.time:
                meant[f.path] = us
            elif f.optional and rng.random() < 0.4:
                meant[f.path] = None if rng.random() < 0.5 else ...  # ... absent, None null
            else:
                meant[f.path] = _value(rng, f)
        obj: dict = {}
        for path, v in meant.items():
            if v is ...:
                continue
            f = s.field(path)
            if v is not None and f.type == "timestamp":
                v = _iso(rng, v) if f.fmt == "iso" else v // PRECISION[f.fmt]
            *parents, leaf = path.split(".")
            node = obj
            for p in parents:
                node = node.setdefault(p, {})
            node[leaf] = v
        if rng.random() < 0.1:
            obj["unread"] = {"meta": [1, 2], "x": None}  # an undeclared field is skipped
        if isinstance(obj.get("meta"), dict) and rng.random() < 0.2 and \
                all(f.optional for f in s.fields if f.path.startswith("meta.")):
            obj["meta"] = None  # a null object on the path: every field below it is null
            meant.update({f.path: None for f in s.fields if f.path.startswith("meta.")})
        return obj, {p: (None if v is ... else v) for p, v in meant.items()}

    def malform(self, s: Stream, obj: dict) -> bytes:
        """`obj` spoiled so that braid must reject it: a wrong JSON type, a required field
        null or absent, a path through a non-object, a bad timestamp, or not JSON at all."""
        rng = self.rng
        bad = json.loads(json.dumps(obj))
        f = rng.choice(s.fields)
        *parents, leaf = f.path.split(".")
        node = bad
        for p in parents:
            if not isinstance(node.get(p), dict):
                node[p] = {}
            node = node[p]
        kind = rng.randrange(6)
        if kind == 0 and parents:
            bad[parents[0]] = rng.choice(["flat", 3, [1]])
        elif kind == 1 and not f.optional:
            if rng.random() < 0.5:
                node[leaf] = None
            else:
                node.pop(leaf, None)
        elif kind == 2:
            return json.dumps(bad)[: rng.randint(1, 20)].encode()
        elif f.type == "string":
            node[leaf] = rng.choice([7, True, 1.5, {"s": "x"}])
        elif f.type == "long":
            node[leaf] = rng.choice(["12", 1.5, True, 2**64])
        elif f.type == "double":
            node[leaf] = rng.choice(["1.5", True, [1.5]])
        elif f.type == "boolean":
            node[leaf] = rng.choice(["true", 1, "false"])
        elif f.fmt == "iso":
            node[leaf] = rng.choice([1740787200, "soon", "2025-13-01T00:00:00", "2025-03-01T25:00:00"])
        else:
            node[leaf] = rng.choice([str(BASE_US // PRECISION[f.fmt]), BASE_US // PRECISION[f.fmt] + 0.5])
        return json.dumps(bad).encode()

    def values(self, s: Stream) -> list[tuple[bytes, str, int]]:
        """[(value bytes, fate, time µs)] in send order: by event time with up to 5 s of disorder,
        about 4% malformed (at least one); about 3% late (sent last, far back in time)."""
        rng = self.rng
        events = self.events[s.name]
        fates = rng.choices(["late", "malformed", "ok"], weights=[3, 4, 93], k=len(events))
        if "malformed" not in fates:
            fates[rng.randrange(len(fates))] = "malformed"
        ordered, tail = [], []
        for (key, us), fate in zip(events, fates):
            if fate == "late":
                us -= self.late_shift
            obj, meant = self.record(s, key, us)
            value = json.dumps(obj).encode()
            if fate == "late":
                tail.append((value, fate, us))
            elif fate == "malformed":
                ordered.append((us + rng.randrange(5 * SECOND), self.malform(s, obj), fate, us))
                continue
            else:
                ordered.append((us + rng.randrange(5 * SECOND), value, fate, us))
            self.meant[value] = meant
        ordered.sort(key=lambda x: x[0])
        return [(v, f, us) for _, v, f, us in ordered] + tail


def batch_query(decl: Declaration, meant: dict[bytes, dict], accepted: dict[str, list[bytes]]) -> Counter:
    """The declaration's meaning (DESIGN §2) computed by DuckDB over the accepted records:
    the driving stream joined to each enriching stream on the key, within its window, inner
    or left; timestamps compared and returned as UTC microseconds."""
    con = connect_with_iceberg()
    for i, s in enumerate(decl.streams):
        cols = ", ".join(f"c{j} {SQL_TYPES[f.type]}" for j, f in enumerate(s.fields))
        con.execute(f"CREATE TABLE t{i}({cols})")
        rows = [tuple(meant[v][f.path] for f in s.fields) for v in accepted[s.name]]
        if rows:
            con.executemany(f"INSERT INTO t{i} VALUES ({', '.join('?' * len(s.fields))})", rows)

    def col(i: int, path: str) -> str:
        return f"a{i}.c{[f.path for f in decl.streams[i].fields].index(path)}"

    drv = decl.streams[0]
    sql = f"SELECT {', '.join(col(i, p) for i, p, _ in decl.columns)} FROM t0 a0"
    for i, s in enumerate(decl.streams[1:], 1):
        on = [f"{col(i, k)} = {col(0, dk)}" for k, dk in zip(s.key, drv.key)]
        on.append(f"{col(i, s.time)} BETWEEN {col(0, drv.time)} - {s.window_us} AND {col(0, drv.time)} + {s.window_us}")
        sql += f" {'LEFT ' if s.kind == 'left' else ''}JOIN t{i} a{i} ON {' AND '.join(on)}"
    return Counter(con.execute(sql).fetchall())
