"""The pipeline an analyst who does not trust a tool writes by hand (issue 28), the yardstick of
our first sync: attach the export to a fresh SQLite file, copy its four tables with CREATE
TABLE … AS SELECT, then compute each period's standings with window functions (the first
attempt of each day, up to two extras backed by the person's first two shares of the period,
total score, average time, last finish, id) and the final's (one attempt a day), each into a
table. No validation, no masks, no incremental blocks, no all-or-nothing.

    .venv/bin/python -m benchmarks.hand_pipeline EXPORT.sqlite OUT.sqlite

Prints one JSON line: seconds, the rows of each standings table, the peak memory (MiB).
"""
from __future__ import annotations

import json
import resource
import sqlite3
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from finals_app.core.rules import load_rules


def _local(ms: int, offset_hours: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone(timedelta(hours=offset_hours)))
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def standings_sql(table: str, windows: list[tuple[str, str]], extras: int) -> str:
    """A phase's standings into `table`: `windows` as local times [start, end); `extras`: how
    many share-backed extras a person may take in the phase (0 for the final)."""
    inside = lambda column: " or ".join(f"({column} >= '{a}' and {column} < '{b}')" for a, b in windows)  # noqa: E731
    valid_extras = (f"""
  union all
  select id, participant_id, score, duration, started_at, finished_at from (
    select x.id, x.participant_id, x.score, x.duration, x.started_at, x.finished_at, x.k, count(s.m) as credits
    from x left join s on s.participant_id = x.participant_id and s.m <= {extras} and s.shared_at <= x.started_at
    where x.k <= {extras} group by x.id)
  where credits >= k""" if extras else "")
    return f"""
create table {table} as
with a as (
  select id, participant_id, started_at, finished_at, score, substr(started_at, 1, 10) as day,
         (julianday(finished_at) - julianday(started_at)) * 86400000.0 as duration
  from attempts where {inside('started_at')}
), n as (
  select *, row_number() over (partition by participant_id, day order by started_at, id) as nth from a
), x as (
  select *, row_number() over (partition by participant_id order by started_at, id) as k from n where nth > 1
), s as materialized (
  select participant_id, shared_at, row_number() over (partition by participant_id order by shared_at, id) as m
  from shares where {inside('shared_at')}
), ok as (
  select id, participant_id, score, duration, started_at, finished_at from n where nth = 1{valid_extras}
)
select row_number() over (order by sum(score) desc, sum(duration) / count(*) asc, max(finished_at) asc,
                          participant_id asc) as rank,
       participant_id, sum(score) as total, sum(duration) / count(*) as average_ms, max(finished_at) as last_finish,
       count(*) as attempts
from ok group by participant_id
"""


def run(export: Path, out: Path) -> dict:
    rules = load_rules()
    started = time.perf_counter()
    db = sqlite3.connect(out)
    db.execute("attach database ? as ex", (str(export),))
    for name in ("organizations", "participants", "shares", "attempts"):
        db.execute(f"create table {name} as select * from ex.{name}")
    db.commit()
    rows = {}
    for phase in rules.phases:
        windows = [(_local(w.start_ms, rules.utc_offset_hours), _local(w.end_ms, rules.utc_offset_hours))
                   for w in phase.windows]
        table = f"standings_{phase.id.lower()}"
        db.execute(standings_sql(table, windows, phase.share_credits))
        db.commit()
        rows[phase.id] = db.execute(f"select count(*) from {table}").fetchone()[0]
    db.close()
    return {"seconds": time.perf_counter() - started, "rows": rows,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]), Path(sys.argv[2]))))
