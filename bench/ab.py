#!/usr/bin/env python3
"""Compares two braid binaries in make bench's setting: a fresh Kafka broker with N seed-shaped
actions, then ROUNDS rounds of one kcat read and one bounded join with each binary (the order
alternating), each join into a fresh warehouse. Prints the medians of wall time, CPU and peak
RSS of each, and the ratio A/B of each round's pair with its median.

    .cache/venv/bin/python bench/ab.py A_BINARY B_BINARY [--rounds 10] [--events 2000000]

On this kind of machine two runs of the same binary differ by up to 10 % and the median of
8 rounds by up to 3 %: a change shows when both orders (A B, then B A) agree beyond that.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import e2e  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--events", type=int, default=2_000_000)
    opts = p.parse_args()
    args = e2e.parse_args(["--events", str(opts.events)])  # users, sessions, span as make bench
    work = Path(tempfile.mkdtemp(prefix="braid-ab."))
    binaries = {"A": opts.a, "B": opts.b}
    runs: dict[str, list[tuple[float, float, float]]] = {"A": [], "B": []}
    kcat = []
    with e2e.KafkaBroker(heap="1g") as kafka:
        e2e.produce(kafka.bootstrap, args)
        for i in range(opts.rounds):
            kcat.append(e2e.kcat_read(kafka.bootstrap, work, True)[0])
            for tag in ("A", "B") if i % 2 == 0 else ("B", "A"):
                os.environ["BRAID_BINARY"] = binaries[tag]
                d = e2e.braid_join(kafka.bootstrap, work)
                runs[tag].append((d["seconds"], d["user_s"] + d["sys_s"], d["max_rss"] / 2**20))
    med = statistics.median
    print(f"kcat  wall median {med(kcat):.3f} s, fastest {min(kcat):.3f} s")
    for tag, name in binaries.items():
        wall, cpu, peak = ([r[k] for r in runs[tag]] for k in range(3))
        print(f"{tag} {name}: wall median {med(wall):.3f} s (fastest {min(wall):.3f}), cpu median"
              f" {med(cpu):.2f} s, peak median {med(peak):.0f} MiB (highest {max(peak):.0f})")
    ratios = [a[0] / b[0] for a, b in zip(runs["A"], runs["B"])]
    print(f"A/B wall: median {med(ratios):.3f}  rounds " + " ".join(f"{r:.2f}" for r in ratios))
    return 0


if __name__ == "__main__":
    sys.exit(main())
