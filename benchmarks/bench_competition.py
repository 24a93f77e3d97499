"""The whole competition at province scale: syncs (first, unchanged, a newer export adding a
period) on SQLite and PostgreSQL, the listings of a period, the largest committee's report,
peak memory; each figure with its baseline measured in the same run.

Exports (benchmarks/data, generated once by benchmarks/competition.py, seed 2018):
  comp-7.sqlite       the whole competition: six periods, practice days, the online final
  comp-5.sqlite       the export after P5; comp-6.sqlite the export after P6 (P6 added)
  comp-6-only.sqlite  P6's month alone (what syncing that period costs)

Every sync and listing runs in a child process of its own (its peak memory is its own; the
listings are timed end to end as a user runs them, interpreter start included).

    .venv/bin/python -m benchmarks.bench_competition [--skip-postgresql] [--people N]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
PERIOD = "P6"
RUNS = 3  # each listing and the baseline: the median of this many runs
# The hand-written baseline: the standings of a period straight from the raw export, with the
# listing's columns (name, phone, branch, counts), every row fetched.
BASELINE_SQL = """
with a as (
  select participant_id, score, correct_count = question_count as perfect, finished_at,
         (julianday(finished_at) - julianday(started_at)) * 86400000.0 as duration
  from attempts
  where started_at >= '2018-05-11 06:00:00' and started_at < '2018-05-21 00:00:00'
), t as (
  select participant_id, sum(score) as total, sum(duration) as duration, count(*) as n, sum(perfect) as perfect,
         rank() over (order by sum(score) desc, sum(duration) / count(*) asc, max(finished_at) asc) as rank
  from a group by participant_id
)
select t.rank, t.participant_id, p.name, p.phone, p.branch_id, t.total, t.duration, t.n, t.perfect
from t join participants p on p.id = t.participant_id order by t.rank
"""


def _export(name: str, through: int, only: bool, people: int) -> Path:
    path = DATA / f"{name}.sqlite"
    if not path.exists():
        print(f"generating {path.name} ...", flush=True)
        command = [sys.executable, "-m", "benchmarks.competition", str(path), "--through", str(through),
                   "--people", str(people)] + (["--only"] if only else [])
        subprocess.run(command, check=True, cwd=ROOT)
    return path


def _child(*args: str, env: dict | None = None) -> dict:
    """Run `finals_app` (or a step of this file) in a child; returns seconds and peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(list(args), cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{done.stderr[-3000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": seconds, "peak_mib": max(peak, before) / 1024, "stdout": done.stdout, "stderr": done.stderr}


def _sync(store: str, export: Path, env: dict | None = None) -> dict:
    result = _child(sys.executable, "-m", "benchmarks.bench_competition", "--step-sync", store, str(export), env=env)
    result.update(json.loads(result["stdout"].strip().splitlines()[-1]))
    return result


def _step_sync(store: str, export: str) -> None:
    from finals_app.core.online.sync import sync
    from finals_app.core.rules import load_rules
    from finals_app.core.store.engine import open_store
    engine = open_store(store)
    stages: dict[str, float] = {}
    current = ["start", time.perf_counter()]

    def progress(stage: str, done: int, total: int | None) -> None:  # the time of each stage, as it says them
        now = time.perf_counter()
        if stage != current[0]:
            stages[current[0]] = stages.get(current[0], 0.0) + now - current[1]
            current[:] = [stage, now]
    started = time.perf_counter()
    summary = sync(engine, export, load_rules(), progress=progress)
    seconds = time.perf_counter() - started
    stages[current[0]] = stages.get(current[0], 0.0) + time.perf_counter() - current[1]
    engine.dispose()
    print(json.dumps({"in_process": seconds, "attempts": summary.tables["attempts"].rows, "stages": stages,
                      "added": summary.tables["attempts"].added, "unchanged": summary.unchanged,
                      "derived_by": summary.derived_by,
                      "peak_self_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      # the derive's DuckDB child (it runs while this process waits)
                      "peak_children_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


def _cli(store: str, *args: str) -> dict:
    return _child(sys.executable, "-m", "finals_app", "--store", store, *args, env={"FINALS_APP_LANG": "en"})


def _postgres() -> tuple[str, callable]:
    """A throwaway PostgreSQL cluster on a Unix socket, tuned as a store server would be."""
    sys.path.insert(0, str(ROOT))
    from tests.conftest import _free_port, _postgres_bindir
    bindir = _postgres_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL is not installed (scripts/setup.sh installs it), or pass --skip-postgresql")
    folder = Path(tempfile.mkdtemp(prefix="finals-bench-pg-"))
    run_as = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "postgres",
                    "--no-sync", "-E", "UTF8"], check=True, capture_output=True)
    options = (f"-p {port} -k {folder} -c listen_addresses='' -c shared_buffers=1GB -c work_mem=256MB "
               f"-c maintenance_work_mem=512MB -c max_wal_size=8GB -c synchronous_commit=off")
    subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-o", options, "-w", "-l",
                    str(folder / "log"), "start"], check=True, capture_output=True)
    import psycopg
    with psycopg.connect(f"host={folder} port={port} user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute("create database store")

    def stop() -> None:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
    return f"postgresql+psycopg://postgres@/store?host={folder}&port={port}", stop


def _baseline(export: Path) -> float:
    started = time.perf_counter()
    db = sqlite3.connect(f"file:{export}?mode=ro", uri=True)
    rows = db.execute(BASELINE_SQL).fetchall()
    db.close()
    assert rows
    return time.perf_counter() - started


def _line(label: str, value: str) -> None:
    print(f"{label:<52}{value}", flush=True)


def main() -> None:
    global DATA
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-postgresql", action="store_true")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--skip-listings", action="store_true", help="not the listings' times (issue 12)")
    parser.add_argument("--skip-other-derive", action="store_true",
                        help="not the first sync by the other derive path (its time, every listing compared byte for byte)")
    parser.add_argument("--data", type=Path, default=DATA, help="where the exports are (generated once)")
    parser.add_argument("--step-sync", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    DATA = args.data
    if args.step_sync:
        _step_sync(*args.step_sync)
        return
    full = _export("comp-7", 7, False, args.people)
    after5 = _export("comp-5", 5, False, args.people)
    after6 = _export("comp-6", 6, False, args.people)
    alone = _export("comp-6-only", 6, True, args.people)
    folder = Path(tempfile.mkdtemp(prefix="finals-bench-", dir=DATA))
    figures: dict[str, float] = {}
    try:
        store = f"sqlite:///{folder / 'store.sqlite'}"
        hand = _hand_pipeline(full, folder)
        first = _sync(store, full)
        attempts = first["attempts"]
        figures["first"] = first["seconds"]
        _stages(first)
        _line(f"SQLite first sync, whole competition (derived by {first['derived_by']})",
              f"{first['seconds']:8.1f} s  {attempts:,} attempts, "
              f"{1e6 * first['seconds'] / attempts:.2f} µs/attempt, peak {first['peak_self_mib']:,.0f} MiB "
              f"+ DuckDB's child {first['peak_children_mib']:,.0f} MiB (target ≤ 2 GiB together)")
        _line("first sync / the hand pipeline", f"{first['seconds'] / hand['seconds']:8.2f} ×  (target ≤ 1.0)")
        if not args.skip_other_derive:
            _compare_with_other_derive(folder, full, first, PERIOD)
        again = _sync(store, full)
        _line("SQLite same export again", f"{again['seconds']:8.1f} s  {100 * again['seconds'] / first['seconds']:.1f} % "
              f"of the first (target ≤ 5 %)")

        for label, command in (() if args.skip_listings else (
                ("the pioneer draw of a period (official act)", ("draw", "--period", PERIOD, "--seed", "bench")),
                ("the lottery draw of a day (official act)", ("draw", "--day", "2018-05-15", "--seed", "bench")))):
            result = _cli(store, *command)
            _line(label, f"{result['seconds']:8.2f} s")
        listings = [] if args.skip_listings else [
            ("standings CSV (a period, every row)", ("standings", "--period", PERIOD, "--format", "csv")),
            ("awards", ("awards", "--period", PERIOD, "--seed", "bench", "--format", "csv")),
            ("lottery of a day", ("lottery", "--day", "2018-05-15", "--seed", "bench", "--format", "csv")),
            ("branches", ("branches", "--period", PERIOD, "--seed", "bench", "--format", "csv")),
            ("committees", ("committees", "--period", PERIOD, "--seed", "bench", "--format", "csv")),
            ("excellent organisations", ("excellent-orgs", "--period", PERIOD, "--format", "csv")),
            ("invalid attempts", ("validate", "--period", PERIOD, "--format", "csv")),
            ("payouts", ("payouts", "--period", PERIOD, "--seed", "bench", "--format", "csv")),
            ("online final standings", ("final-standings", "--format", "csv")),
            ("ledger of the largest branch", ("ledger", "--branch", "{branch}", "--period", PERIOD, "--format", "csv")),
            ("archive of the winner", ("archive", "member", "{winner}", "--format", "csv")),
        ]
        branch, winner = _largest_branch_and_winner(folder / "store.sqlite")
        listings = [(label, tuple(part.format(branch=branch, winner=winner) for part in command))
                    for label, command in listings]
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import finals_app.cli"], cwd=ROOT, check=True)
        start_cost = time.perf_counter() - started
        _line("(interpreter start and imports, in each below)", f"{start_cost:8.2f} s")
        for label, command in listings:
            # The median of three runs (each a fresh process, as a user runs it); all three shown.
            runs = sorted(_cli(store, *command, "--out", str(folder / "listing.out"))["seconds"]
                          for _ in range(RUNS))
            figures[label] = runs[RUNS // 2]
            _line(f"listing: {label}", f"{runs[RUNS // 2]:8.2f} s  (target ≤ 1 s; standings ≤ 1.5 s)  "
                  f"runs {', '.join(f'{run:.2f}' for run in runs)}")
        if not args.skip_listings:
            bases = sorted(_baseline(full) for _ in range(RUNS))
            base = bases[RUNS // 2]
            _line("baseline: hand SQLite standings over the raw export", f"{base:8.2f} s  "
                  f"runs {', '.join(f'{run:.2f}' for run in bases)}")
            standings = figures["standings CSV (a period, every row)"]
            _line("standings vs the baseline", f"{base / standings:8.1f} ×  (target ≥ 30 ×)")
            committee = _largest_committee(folder / "store.sqlite")
            report = _cli(store, "report", "--period", PERIOD, "--org", str(committee), "--out", str(folder / "r.pdf"))
            _line(f"period report PDF of the largest committee ({committee})", f"{report['seconds']:8.2f} s  (target ≤ 2 s)")

        step = f"sqlite:///{folder / 'step.sqlite'}"
        _sync(step, after5)
        newer = _sync(step, after6)
        single = _sync(f"sqlite:///{folder / 'alone.sqlite'}", alone)
        _line("SQLite newer export adding P6 to a synced P1-P5", f"{newer['seconds']:8.1f} s  ({newer['added']:,} attempts added)")
        _line("SQLite P6's month alone", f"{single['seconds']:8.1f} s")
        _line("newer export / that period alone", f"{newer['seconds'] / single['seconds']:8.2f}   (target ≤ 1.5)")

        if not args.skip_postgresql:
            url, stop = _postgres()
            try:
                server = _sync(url, full)
                _line("PostgreSQL first sync, whole competition",
                      f"{server['seconds']:8.1f} s  {server['seconds'] / first['seconds']:.2f} × SQLite (target ≤ 2), "
                      f"peak {server['peak_self_mib']:,.0f} MiB")
                _stages(server, first)
                lite = _cli(store, "standings", "--period", PERIOD, "--format", "csv")["stdout"]
                served = _cli(url, "standings", "--period", PERIOD, "--format", "csv")["stdout"]
                _line("PostgreSQL standings identical to SQLite's", "yes" if lite == served else "NO")
            finally:
                stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _hand_pipeline(export: Path, folder: Path) -> dict:
    """The analyst's pipeline (hand_pipeline.py) in a child of its own, into a fresh file."""
    out = folder / "hand.sqlite"
    result = _child(sys.executable, "-m", "benchmarks.hand_pipeline", str(export), str(out))
    result.update(json.loads(result["stdout"].strip().splitlines()[-1]))
    out.unlink()
    _line("hand pipeline: copy 4 tables, 7 standings tables", f"{result['seconds']:8.1f} s  peak "
          f"{result['peak_mib']:,.0f} MiB  (standings rows: {', '.join(f'{k} {v:,}' for k, v in result['rows'].items())})")
    return result


# Every listing of issue 12 and more, compared byte for byte between the two derive paths (the
# draws are official acts: made with the same seed in both stores first).
COMPARED = [
    ("draw", "--period", PERIOD, "--seed", "bench"),
    ("draw", "--day", "2018-05-15", "--seed", "bench"),
    *[("standings", "--period", f"P{n}", "--format", "csv") for n in range(1, 7)],
    ("final-standings", "--format", "csv"),
    ("awards", "--period", PERIOD, "--seed", "bench", "--format", "csv"),
    ("lottery", "--day", "2018-05-15", "--seed", "bench", "--format", "csv"),
    ("branches", "--period", PERIOD, "--seed", "bench", "--format", "csv"),
    ("committees", "--period", PERIOD, "--seed", "bench", "--format", "csv"),
    ("excellent-orgs", "--period", PERIOD, "--format", "csv"),
    *[("validate", "--period", f"P{n}", "--format", "csv") for n in range(1, 7)],
    ("validate", "--period", "FINAL", "--format", "csv"),
    ("payouts", "--period", PERIOD, "--seed", "bench", "--format", "csv"),
    ("ledger", "--branch", "{branch}", "--period", PERIOD, "--format", "csv"),
    ("archive", "member", "{winner}", "--format", "csv"),
]


def _compare_with_other_derive(folder: Path, export: Path, first: dict, period: str) -> None:
    """The same first sync by the other derive path (FINALS_APP_DERIVE=duckdb when SQLite
    derived the first, else sqlite): its time, the derived tables compared row for row and every
    listing compared byte for byte."""
    other = folder / "store-other-derive.sqlite"
    engine = "sqlite" if first["derived_by"] == "duckdb" else "duckdb"
    lite = _sync(f"sqlite:///{other}", export, env={"FINALS_APP_DERIVE": engine})
    if lite["derived_by"] == first["derived_by"]:  # DuckDB not installed here: nothing to compare
        _line(f"the other derive path ({engine})", f"not available here (derived by {lite['derived_by']} again)")
        return
    _line(f"the same first sync derived by {lite['derived_by']}", f"{lite['seconds']:8.1f} s  "
          f"({first['derived_by']}'s path: {first['seconds'] / lite['seconds']:.2f} × it), "
          f"peak {lite['peak_self_mib']:,.0f} MiB + child {lite['peak_children_mib']:,.0f} MiB")
    _stages(lite, first)
    db = sqlite3.connect(other)
    db.execute("attach database ? as first", (str(folder / "store.sqlite"),))
    for table, key in (("attempt_status", ("phase", "participant_id", "day", "started_ms", "attempt_id")),
                       ("phase_totals", ("phase", "rank")), ("branch_totals", ("phase", "branch_id"))):
        columns = [row[1] for row in db.execute(f"pragma table_info({table})")]
        counts = [db.execute(f"select count(*) from {schema}.{table}").fetchone()[0] for schema in ("main", "first")]
        differing = db.execute(
            f"select count(*) from main.{table} a join first.{table} b using ({', '.join(key)}) where "
            + " or ".join(f"a.{c} is not b.{c}" for c in columns if c not in key)).fetchone()[0]
        same = counts[0] == counts[1] and differing == 0
        _line(f"    {table}: identical rows on both paths", f"{'yes' if same else 'NO'}  ({counts[0]:,} rows; "
              f"{counts[1]:,} by {first['derived_by']}; {differing:,} differing)")
    db.close()
    branch, winner = _largest_branch_and_winner(other)
    identical = 0
    for command in COMPARED:
        command = tuple(part.format(branch=branch, winner=winner) for part in command)
        outputs = []
        for store in (other, folder / "store.sqlite"):
            out = folder / f"compared-{store.stem}.out"
            if command[0] == "draw":  # an official act (its output says when): made, not compared
                _cli(f"sqlite:///{store}", *command)
                continue
            _cli(f"sqlite:///{store}", *command, "--out", str(out))
            outputs.append(out.read_bytes())
        if not outputs:
            continue
        if outputs[0] == outputs[1]:
            identical += 1
        else:
            _line(f"    listing {' '.join(command)}", "DIFFERS")
    _line("    listings byte-identical on both paths",
          f"{identical} of {sum(command[0] != 'draw' for command in COMPARED)}")


def _stages(run: dict, baseline: dict | None = None) -> None:
    """Where a sync's time went, by the stages its progress names ("rules" is the derive and
    the commit); with a baseline, each stage's ratio to the baseline's."""
    for stage, seconds in sorted(run["stages"].items(), key=lambda item: -item[1]):
        if seconds >= 1.0:
            other = (baseline or {}).get("stages", {}).get(stage)
            ratio = f"  {seconds / other:.2f} ×" if other else ""
            _line(f"    stage: {stage}", f"{seconds:8.1f} s{ratio}")


def _largest_branch_and_winner(store: Path) -> tuple[int, int]:
    db = sqlite3.connect(store)
    branch = db.execute("select branch_id from participants where is_party_member = 1 group by branch_id "
                        "order by count(*) desc limit 1").fetchone()[0]
    winner = db.execute(f"select participant_id from phase_totals where phase = '{PERIOD}' and rank = 1").fetchone()[0]
    db.close()
    return branch, winner


def _largest_committee(store: Path) -> int:
    db = sqlite3.connect(store)
    row = db.execute("select ob.ancestor_id from org_branches ob join organizations o on o.id = ob.ancestor_id "
                     "and o.level = 'committee' join participants p on p.branch_id = ob.branch_id "
                     "and p.is_party_member = 1 group by ob.ancestor_id order by count(*) desc limit 1").fetchone()
    db.close()
    return row[0]


if __name__ == "__main__":
    main()
