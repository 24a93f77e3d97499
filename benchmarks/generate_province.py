"""Generate a province-scale export of one preliminary period (P1 by default).

Default size: 1,000,000 participants, 5,000,000 attempts, 1,000,000 shares, ~40,000 branches
under ~2,000 committees in 17 units. Deterministic for a given --seed.

    .venv/bin/python benchmarks/generate_province.py benchmarks/data/province.sqlite
"""
from __future__ import annotations

import argparse
import random
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

from finals_app.core.online.sample_export import SCHEMA, person_name
from finals_app.core.rules import load_rules


def generate(path: Path, participants: int, attempts: int, shares: int, seed: int) -> None:
    rng = random.Random(seed)
    rules = load_rules()
    period = rules.periods[0]
    start_ms, end_ms = period.windows[0].start_ms, period.windows[0].end_ms
    if path.exists():
        path.unlink()
    db = sqlite3.connect(path)
    db.executescript("pragma journal_mode=off; pragma synchronous=off;" + SCHEMA)
    db.executemany("insert into meta values (?, ?)", [("schema_version", "1"), ("exported_at", "2017-12-25 08:00:00"),
                                                      ("source", "province benchmark")])
    orgs, branches, next_id = [], [], 1
    for unit in range(17):
        unit_id = next_id
        orgs.append((unit_id, None, f"单位{unit + 1}", "unit"))
        next_id += 1
        for committee in range(120):
            committee_id = next_id
            orgs.append((committee_id, unit_id, f"单位{unit + 1}第{committee + 1}党委", "committee"))
            next_id += 1
            for branch in range(20):
                orgs.append((next_id, committee_id, f"单位{unit + 1}第{committee + 1}党委第{branch + 1}支部", "branch"))
                branches.append(next_id)
                next_id += 1
    db.executemany("insert into organizations values (?, ?, ?, ?)", orgs)
    names = [person_name(rng) for _ in range(5000)]
    db.executemany("insert into participants values (?, ?, ?, ?, ?)", (
        (pid, names[pid % 5000], f"13{rng.randrange(10**9):09d}", 1 if rng.random() < 0.85 else 0,
         branches[rng.randrange(len(branches))]) for pid in range(1, participants + 1)))

    seconds = (end_ms - start_ms) // 1000
    base = datetime(1970, 1, 1) + timedelta(milliseconds=start_ms, hours=rules.utc_offset_hours)
    stamps = [(base + timedelta(seconds=s)).strftime("%Y-%m-%d %H:%M:%S") for s in range(seconds + 1000)]

    def attempt_rows():
        for attempt_id in range(1, attempts + 1):
            person = rng.randrange(1, participants + 1)
            second = rng.randrange(seconds - 1000)
            millis = rng.randrange(1000)
            duration = rng.randrange(40, 900)
            correct = min(20, int(rng.triangular(8, 21, 19)))
            yield (attempt_id, person, f"{stamps[second]}.{millis:03d}", f"{stamps[second + duration]}.{millis:03d}",
                   20, correct, correct * 5)

    db.executemany("insert into attempts values (?, ?, ?, ?, ?, ?, ?)", attempt_rows())
    db.executemany("insert into shares values (?, ?, ?)", (
        (share_id, rng.randrange(1, participants + 1), stamps[rng.randrange(seconds)])
        for share_id in range(1, shares + 1)))
    db.commit()
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--attempts", type=int, default=5_000_000)
    parser.add_argument("--shares", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args()
    args.path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    generate(args.path, args.participants, args.attempts, args.shares, args.seed)
    print(f"generated {args.path} ({args.path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
