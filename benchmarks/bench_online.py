"""Province-scale benchmark of the online phases: first sync, re-sync, standings, awards,
branches, committees and peak memory, with the baseline measured in the same run.

Baseline: a straightforward hand-written SQLite window-function query over the raw export
(period filter, sum, average duration, RANK() OVER), fetching every row, as the standings are.

    .venv/bin/python benchmarks/bench_online.py            # generates benchmarks/data/province.sqlite once
    .venv/bin/python benchmarks/bench_online.py --export X.sqlite
"""
from __future__ import annotations

import argparse
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from finals_app.core.online.results import Results
from finals_app.core.online.sync import sync
from finals_app.core.rules import load_rules
from finals_app.core.store.engine import open_store

HERE = Path(__file__).resolve().parent
BASELINE_SQL = """
with a as (
  select participant_id, score, finished_at,
         (julianday(finished_at) - julianday(started_at)) * 86400000.0 as duration
  from attempts
  where started_at >= '2017-12-18 06:00:00' and started_at < '2017-12-25 00:00:00'
)
select participant_id, sum(score) as total, sum(duration) as duration, count(*) as n,
       rank() over (order by sum(score) desc, sum(duration) / count(*) asc, max(finished_at) asc) as rank
from a group by participant_id order by rank
"""
# The same, giving the columns the standings listing gives (name, phone, branch, perfect count).
BASELINE_FULL_SQL = """
with a as (
  select participant_id, score, correct_count = question_count as perfect, finished_at,
         (julianday(finished_at) - julianday(started_at)) * 86400000.0 as duration
  from attempts
  where started_at >= '2017-12-18 06:00:00' and started_at < '2017-12-25 00:00:00'
), t as (
  select participant_id, sum(score) as total, sum(duration) as duration, count(*) as n, sum(perfect) as perfect,
         rank() over (order by sum(score) desc, sum(duration) / count(*) asc, max(finished_at) asc) as rank
  from a group by participant_id
)
select t.rank, t.participant_id, p.name, p.phone, p.branch_id, t.total, t.duration, t.n, t.perfect
from t join participants p on p.id = t.participant_id order by t.rank
"""


def _ranking_only(engine):
    """The ranking with the baseline's columns: rank, id, score, duration, attempts."""
    from sqlalchemy import select
    from finals_app.core.online.results import fetch_tuples
    from finals_app.core.store.schema import phase_totals as pt
    query = select(pt.c.rank, pt.c.participant_id, pt.c.score, pt.c.duration_ms, pt.c.valid_attempts).where(
        pt.c.phase == "P1").order_by(pt.c.rank)
    with engine.connect() as connection:
        return fetch_tuples(connection, query)


def timed(label: str, action, results: dict):
    started = time.perf_counter()
    value = action()
    results[label] = time.perf_counter() - started
    print(f"{label:<28}{results[label]:>10.2f} s", flush=True)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--export", type=Path, default=HERE / "data" / "province.sqlite")
    parser.add_argument("--store", help="store URL (default: a fresh SQLite file in a temporary folder)")
    args = parser.parse_args()
    if not args.export.exists():
        print(f"generating {args.export} ...", flush=True)
        subprocess.run([sys.executable, str(HERE / "generate_province.py"), str(args.export)], check=True)
    rules = load_rules()
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="finals-bench-") as folder:
        engine = open_store(args.store or f"sqlite:///{Path(folder) / 'store.sqlite'}")
        summary = timed("first sync", lambda: sync(engine, str(args.export), rules), seconds)
        print("  rows: " + ", ".join(f"{n} {c.rows:,}" for n, c in summary.tables.items()))
        timed("re-sync (same export)", lambda: sync(engine, str(args.export), rules), seconds)
        results = Results(engine, rules)
        rows = timed("standings P1 (all rows)", lambda: results.standings_rows("P1"), seconds)
        timed("ranking P1 (numeric cols)", lambda: _ranking_only(engine), seconds)
        timed("awards P1", lambda: results.awards("P1", "bench-seed"), seconds)
        timed("branches P1", lambda: results.branches("P1", "bench-seed"), seconds)
        committees = timed("committees P1", lambda: results.committees("P1", "bench-seed"), seconds)
        largest = max(committees, key=lambda row: row["party_members"])
        print(f"  largest committee: {largest['committee_id']} with {largest['party_members']:,} party members")

        def report(kind, org_id=None):
            from datetime import date
            from finals_app.core.online.paperwork import period_report_data
            from finals_app.reports import period_report
            data = period_report_data(results, org_id or largest["committee_id"], "P1")
            writer = period_report.write_pdf if kind == "pdf" else period_report.write_xlsx
            writer(data, Path(folder) / f"report.{kind}", date.today())
        from finals_app.core.online import paperwork
        timed("excellent-orgs P1", lambda: paperwork.excellent_organisations(results, "P1"), seconds)
        branch = committees and results.branches("P1", "bench-seed")[0]["branch_id"]
        timed("ledger of a branch", lambda: paperwork.ledger(results, branch, "P1"), seconds)
        timed("archive of a member", lambda: paperwork.member_archive(results, rows[0][1]), seconds)
        timed("payouts P1", lambda: paperwork.payouts(results, "P1", "bench-seed", False), seconds)
        timed("report PDF, largest", lambda: report("pdf"), seconds)
        timed("report XLSX, largest", lambda: report("xlsx"), seconds)
        with engine.connect() as connection:
            unit = connection.exec_driver_sql(
                "select b.unit_id from participants p join organizations b on b.id = p.branch_id "
                "where p.is_party_member = 1 group by b.unit_id order by count(*) desc limit 1").scalar()
        timed("report PDF, largest unit", lambda: report("pdf", unit), seconds)

        def baseline(sql):
            db = sqlite3.connect(f"file:{args.export}?mode=ro", uri=True)
            fetched = db.execute(sql).fetchall()
            db.close()
            return fetched
        base_rows = timed("baseline window query", lambda: baseline(BASELINE_SQL), seconds)
        timed("baseline, listing columns", lambda: baseline(BASELINE_FULL_SQL), seconds)
        engine.dispose()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"standings rows: {len(rows):,} (baseline rows: {len(base_rows):,})")
    print(f"ranking vs baseline (same numeric columns): "
          f"{seconds['baseline window query'] / seconds['ranking P1 (numeric cols)']:.1f}x faster (target >= 10x)")
    print(f"standings listing vs baseline with the listing's columns: "
          f"{seconds['baseline, listing columns'] / seconds['standings P1 (all rows)']:.1f}x faster")
    print(f"re-sync / first sync: {100 * seconds['re-sync (same export)'] / seconds['first sync']:.2f}% (target < 5%)")
    print(f"peak memory (RSS): {peak_mib:,.0f} MiB (target < 2048 MiB)")
    print(f"period report of the largest committee: PDF {seconds['report PDF, largest']:.1f} s, "
          f"XLSX {seconds['report XLSX, largest']:.1f} s (target < 10 s)")


if __name__ == "__main__":
    main()
