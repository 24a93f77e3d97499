"""The whole competition as the platform exports it: six periods, the practice days between
them and the online final, for a province (1,000,000 registered people by default).

Each month's export holds the competition so far: `through=3` is the export after P3 (the
practice days of December to February, P1, P2, P3). Exports of the same seed are prefixes of
each other by id, as the platform's auto-increment ids are, except for what really changes
between two exports: people who registered since, and a few corrected phones and names.

Deterministic per seed: every value is an integer hash of (seed, person, period, day, ...)
computed by SQLite itself (no Python per row), so a province is written in minutes.

Shape (defaults): about 70 % party members; about 700,000 people active in each period; one
attempt a day for most of them, an extra attempt after a share for about half of them, about
5.6 M attempts and 1 M shares in a ten-day period; practice attempts on the 1st-10th; the final
for about 300,000 people on its three days. Edge cases of rules.md at realistic rates: a second
attempt the same day without a share (over the allowance), an extra started before its share,
a third share (beyond the two credits), an extra at the very instant of its share, score
mismatches, more correct answers than questions, wrong question counts, finish before start,
starts at 05:59:59.999, 06:00:00.000, 23:59:59.999 and 24:00 of a period's edges, times with an
explicit UTC offset or without milliseconds, branches below three members, people who never
take part, ties on score and duration (whole-second durations).
"""
from __future__ import annotations

import random
import sqlite3
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from finals_app.core.online.sample_export import SCHEMA, person_name
from finals_app.core.rules import Rules, load_rules

M = 2147483647  # MINSTD modulus: every product below stays inside 64 bits


def _hash(expr: str, salt: int) -> str:
    """SQL for a pseudo-random integer in [0, M) from an integer expression and a salt. Two
    squarings make it non-linear: hashes of one value under two salts are independent (a
    linear generator would make, say, membership and activity move together)."""
    first = f"((({expr}) % {M}) * 48271 + {salt * 7919 % M} + :seed) % {M}"
    second = f"(({first}) * ({first}) + {salt}) % {M}"
    return f"(((({second}) * 16807 % {M}) * (({second}) * 16807 % {M}) + 12345) % {M})"


@dataclass(frozen=True)
class Shape:
    people: int = 1_000_000
    units: int = 17
    committees_per_unit: int = 120
    branches_per_committee: int = 20
    party_member_per_mille: int = 700
    active_per_mille: int = 700          # of the people registered, in each period
    daily_per_mille: int = 680           # an active person takes part on a given day
    finalists_per_mille: int = 300
    practice_per_mille: int = 30


@dataclass(frozen=True)
class Phase:
    index: int             # 1..6 periods, 7 the final
    id: str
    days: tuple[date, ...]
    first_day_from: int    # seconds after midnight when the first day opens (06:00)
    last_day_to: int       # seconds after midnight when the last day closes (24:00)
    daily_window: bool     # the final: every day 06:00-24:00
    question_count: int
    points: int


def phases_of(rules: Rules) -> list[Phase]:
    out = []
    for index, period in enumerate(rules.periods, start=1):
        start, end = _local(period.windows[0].start_ms, rules), _local(period.windows[-1].end_ms - 1, rules)
        days = tuple(start.date() + timedelta(days=n) for n in range((end.date() - start.date()).days + 1))
        out.append(Phase(index, period.id, days, _seconds(start), _seconds(end) + 1, False,
                         period.question_count, period.points_per_correct))
    final = rules.final
    first = _local(final.windows[0].start_ms, rules)
    days = tuple(_local(w.start_ms, rules).date() for w in final.windows)
    out.append(Phase(len(out) + 1, final.id, days, _seconds(first),
                     _seconds(_local(final.windows[0].end_ms - 1, rules)) + 1, True,
                     final.question_count, final.points_per_correct))
    return out


def _local(ms: int, rules: Rules) -> datetime:
    return datetime(1970, 1, 1) + timedelta(milliseconds=ms, hours=rules.utc_offset_hours)


def _seconds(moment: datetime) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _epoch_seconds(day: date) -> int:
    """Seconds of local midnight as if it were UTC (strftime's 'unixepoch' then writes local text)."""
    return (day - date(1970, 1, 1)).days * 86400


def generate(path: str | Path, through: int = 7, shape: Shape = Shape(), seed: int = 2018,
             rules: Rules | None = None, progress=print, only: bool = False) -> Path:
    """Write the export after phase `through` (1..6 a period, 7 the online final) to `path`;
    with `only`, that phase's month alone (what syncing one period costs)."""
    rules = rules or load_rules()
    phases = phases_of(rules)
    path = Path(path)
    if path.exists():
        path.unlink()
    db = sqlite3.connect(path)
    db.executescript("pragma journal_mode=off; pragma synchronous=off; pragma temp_store=memory;"
                     "pragma cache_size=-1000000;" + SCHEMA)
    last = phases[through - 1]
    exported = last.days[-1] + timedelta(days=1)
    db.executemany("insert into meta values (?, ?)", [
        ("schema_version", "1"), ("exported_at", f"{exported} 08:00:00"),
        ("source", f"whole-competition benchmark, seed {seed}, {'only' if only else 'through'} {last.id}")])
    registered = _registered(shape, through)
    branches = _organisations(db, shape, random.Random(seed))
    _people(db, shape, seed, registered, branches, through)
    db.execute("create temp table gen_attempts (p integer, start_s integer, start_ms integer, dur_s integer,"
               " qc integer, cc integer, score integer, style integer)")
    db.execute("create temp table gen_shares (p integer, at_s integer, at_ms integer)")
    for phase in phases[through - 1:through] if only else phases[:through]:
        started = time.perf_counter()
        months_first = date(phase.days[0].year, phase.days[0].month, 1)
        # People take part from the phase they registered by (ids are registration order).
        _practice(db, shape, seed, _registered(shape, phase.index), phase, months_first)
        _phase(db, shape, seed, _registered(shape, phase.index), phase)
        attempts, shares = _flush(db, seed)
        progress(f"  {phase.id}: {attempts:,} attempts, {shares:,} shares ({time.perf_counter() - started:.1f} s)")
    db.commit()
    db.close()
    return path


def _registered(shape: Shape, phase_index: int) -> int:
    """How many people have registered by the given phase: 80 % by P1, 4 % more each month."""
    return min(shape.people, shape.people * (76 + 4 * phase_index) // 100)


def _organisations(db, shape: Shape, rng: random.Random) -> int:
    """Units, committees (one in ten with a nested sub-committee), branches; the last 500
    branches are tiny (a member or two). Returns the number of branches."""
    from finals_app.core.online.sample_export import CITIES
    orgs, next_id, branch_ids = [], 1, []
    for unit in range(shape.units):
        unit_id = next_id
        city = CITIES[unit % len(CITIES)] + ("" if unit < len(CITIES) else str(unit))
        orgs.append((unit_id, None, f"中共{city}市委", "unit"))
        next_id += 1
        for committee in range(shape.committees_per_unit):
            committee_id = next_id
            orgs.append((committee_id, unit_id, f"{city}市第{committee + 1}党委", "committee"))
            next_id += 1
            parent = committee_id
            for branch in range(shape.branches_per_committee):
                if committee % 10 == 3 and branch == shape.branches_per_committee // 2:
                    orgs.append((next_id, committee_id, f"{city}市第{committee + 1}党委机关党总支", "committee"))
                    parent = next_id
                    next_id += 1
                orgs.append((next_id, parent, f"{city}市第{committee + 1}党委第{branch + 1}支部", "branch"))
                branch_ids.append(next_id)
                next_id += 1
    db.executemany("insert into organizations values (?, ?, ?, ?)", orgs)
    db.execute("create temp table branch_index (n integer primary key, id integer)")
    db.executemany("insert into branch_index values (?, ?)", enumerate(branch_ids))
    _ = rng
    return len(branch_ids)


def _people(db, shape: Shape, seed: int, registered: int, branches: int, through: int) -> None:
    rng = random.Random(seed)
    db.execute("create temp table names (n integer primary key, name text)")
    db.executemany("insert into names values (?, ?)", ((n, person_name(rng)) for n in range(5000)))
    db.execute("create temp table nums (n integer primary key)")
    db.execute("insert into nums with recursive r(n) as (select 0 union all select n + 1 from r where n < ?) "
               "select n from r", (max(shape.people, 100_000),))
    tiny = min(500, branches // 10)
    regular = branches - tiny
    # A few people correct their phone or name between two exports (the version is the export's).
    changed = f"({_hash('p', 11)} % 1000 = 0)"
    db.execute(f"""
        insert into participants
        select p,
               case when {changed} and :through % 2 = 0 then n2.name else names.name end,
               case when {_hash('p', 12)} % 100 = 0 then null
                    else '1' || substr('3456789', {_hash('p', 13)} % 7 + 1, 1)
                         || printf('%09d', ({_hash('p', 14)} + case when {changed} then :through else 0 end) % 1000000000)
                    end,
               case when {_hash('p', 15)} % 1000 < :members then 1 else 0 end,
               (select id from branch_index where n = case when {_hash('p', 16)} % 1000 = 0
                                                       then :regular + {_hash('p', 17)} % :tiny
                                                       else {_hash('p', 18)} % :regular end)
        from (select n + 1 as p from nums where n < :registered)
        join names on names.n = {_hash('p', 19)} % 5000
        join names n2 on n2.n = {_hash('p', 20)} % 5000
    """, {"seed": seed, "through": through, "members": shape.party_member_per_mille, "regular": regular,
          "tiny": max(tiny, 1), "registered": registered})


def _practice(db, shape: Shape, seed: int, registered: int, phase: Phase, first: date) -> None:
    """Practice attempts on the 1st-10th of the month (never scored)."""
    days = [first + timedelta(days=n) for n in range(10) if first + timedelta(days=n) < phase.days[0]]
    for number, day in enumerate(days):
        salt = phase.index * 100 + number
        db.execute(f"""
            insert into gen_attempts
            select p, :day_s + 28800 + {_hash('p', salt)} % 50000, {_hash('p', salt + 1)} % 1000,
                   40 + {_hash('p', salt + 2)} % 800, :qc, cc, cc * :points, 0
            from (select n + 1 as p, 8 + {_hash('n', salt + 3)} % 13 as cc from nums where n < :registered
                  and {_hash('n + 1', salt + 4)} % 1000 < :share / 5)
        """, {"seed": seed, "day_s": _epoch_seconds(day), "qc": phase.question_count, "points": phase.points,
              "registered": registered, "share": shape.practice_per_mille})


def _phase(db, shape: Shape, seed: int, registered: int, phase: Phase) -> None:
    k = phase.index
    params = {"seed": seed, "registered": registered, "qc": phase.question_count, "points": phase.points}
    final = phase.daily_window
    active = shape.finalists_per_mille if final else shape.active_per_mille
    db.execute("drop table if exists temp.days")
    db.execute("create temp table days (d integer primary key, day_s integer, opens integer, closes integer)")
    for number, day in enumerate(phase.days):
        opens = phase.first_day_from if (final or number == 0) else 0
        closes = phase.last_day_to if (final or number == len(phase.days) - 1) else 86400
        db.execute("insert into days values (?, ?, ?, ?)", (number, _epoch_seconds(day), opens, closes))
    last_day = len(phase.days) - 1
    # One row per active person and day taken part; e picks the rare cases (per 100,000).
    db.execute("drop table if exists temp.taking")
    db.execute(f"""
        create temp table taking as
        select p, d, day_s, opens, closes,
               {_hash('p * 64 + d', k * 1000 + 1)} % 100000 as e,
               {_hash('p * 64 + d', k * 1000 + 2)} as r1,
               {_hash('p * 64 + d', k * 1000 + 3)} as r2
        from (select n + 1 as p from nums where n < :registered
              and {_hash('n + 1', k * 1000 + 4)} % 1000 < :active)
        join days
        where {_hash('p * 64 + d', k * 1000 + 5)} % 1000 < :daily
    """, {**params, "active": active, "daily": shape.daily_per_mille})
    max_correct = phase.question_count
    correct = (f"min({max_correct}, {max_correct * 2 // 5} + r2 % {max_correct * 3 // 5 + 1} "
               f"+ (r2 / 1000) % {max(max_correct // 5, 2)})")
    start = ("case when e between 400 and 419 and d = 0 then day_s + opens "        # 06:00:00.000
             " when e between 420 and 439 and d = 0 then day_s + opens - 1 "        # 05:59:59.999
             f" when e between 440 and 459 and d = {last_day} then day_s + closes - 1 "  # 23:59:59.999
             f" when e between 460 and 469 and d = {last_day} then day_s + closes "    # 24:00 (outside)
             " else day_s + opens + r1 % (closes - opens - 1000) end")
    start_ms = ("case when e between 400 and 419 and d = 0 then 0 when e between 420 and 459 then 999 "
                "when e between 460 and 469 then 0 else (r1 / 7) % 1000 end")
    duration = "case when e < 20 then -5 else 40 + (r2 / 13) % 860 end"
    question_count = "case when e between 20 and 39 then :qc / 2 else :qc end"
    correct_count = f"case when e between 40 and 49 then :qc + 1 else {correct} end"
    score = (f"case when e between 50 and 99 then {correct} * :points + 1 "
             f"when e between 40 and 49 then (:qc + 1) * :points else {correct} * :points end")
    style = "case when e between 470 and 479 then 1 when e between 480 and 489 then 2 else 0 end"
    db.execute(f"""
        insert into gen_attempts
        select p, {start}, {start_ms}, {duration}, {question_count}, {correct_count}, {score}, {style}
        from taking
    """, params)
    # A second attempt the same day, with no share to pay for it (over the allowance).
    db.execute(f"""
        insert into gen_attempts
        select p, day_s + opens + (r1 / 3) % (closes - opens - 1000), (r1 / 11) % 1000, 40 + r2 % 500,
               :qc, {correct}, {correct} * :points, 0
        from taking where e between 100 and 399
    """, params)
    if final:
        # Shares happen in the final too: they earn nothing there.
        db.execute("""
            insert into gen_shares
            select p, day_s + opens + r2 % (closes - opens - 1000), (r2 / 17) % 1000 from taking
            where r1 % 100 < 5
        """, params)
        return
    # Shares: one for about half the active people, a second for some, a third (no credit) for a
    # few; most are followed the same day by the extra attempt they pay for.
    db.execute("drop table if exists temp.sharing")
    db.execute(f"""
        create temp table sharing as
        select p, s, day_s, opens, closes, {_hash('p * 8 + s', k * 1000 + 6)} as q1,
               {_hash('p * 8 + s', k * 1000 + 7)} as q2
        from (select n + 1 as p from nums where n < :registered
              and {_hash('n + 1', k * 1000 + 4)} % 1000 < :active),
             (select 0 as s union all select 1 union all select 2)
        join days on days.d = {_hash('p * 8 + s', k * 1000 + 8)} % {len(phase.days)}
        where {_hash('p', k * 1000 + 9)} % 100 < case s when 0 then 80 when 1 then 40 else 10 end
    """, {**params, "active": active})
    share_at = "day_s + opens + q1 % (closes - opens - 7200)"
    db.execute(f"insert into gen_shares select p, {share_at}, (q1 / 7) % 1000 from sharing")
    db.execute(f"""
        insert into gen_attempts
        select p,
               case when q2 % 1000 < 5 then {share_at}                              -- at the very instant
                    when q2 % 1000 < 100 then {share_at} - 60 - (q2 / 7) % 600       -- before its share
                    else {share_at} + 60 + (q2 / 7) % 3000 end,
               case when q2 % 1000 < 5 then (q1 / 7) % 1000 else (q2 / 11) % 1000 end,
               40 + (q2 / 13) % 860, :qc, {correct.replace('r2', 'q2')}, {correct.replace('r2', 'q2')} * :points, 0
        from sharing where q2 % 10 < 9
    """, params)


def _flush(db, seed: int) -> tuple[int, int]:
    """Give the phase's rows their ids in time order (the platform's auto-increment) and write
    them as the platform's text."""
    def text(seconds: str, millis: str, style: str) -> str:
        return (f"case {style} when 1 then strftime('%Y-%m-%d %H:%M:%S', {seconds} - 28800, 'unixepoch') "
                f"|| '.' || printf('%03d', {millis}) || '+00:00' "
                f"when 2 then strftime('%Y-%m-%d %H:%M:%S', {seconds}, 'unixepoch') "
                f"else strftime('%Y-%m-%d %H:%M:%S', {seconds}, 'unixepoch') || '.' || printf('%03d', {millis}) end")
    base = db.execute("select coalesce(max(id), 0) from attempts").fetchone()[0]
    db.execute(f"""
        insert into attempts
        select :base + row_number() over (order by start_s, start_ms, p), p,
               {text('start_s', 'start_ms', 'style')}, {text('start_s + dur_s', 'start_ms', 'style')},
               qc, cc, score
        from gen_attempts order by start_s, start_ms, p
    """, {"base": base})
    attempts = db.execute("select count(*) from gen_attempts").fetchone()[0]
    base = db.execute("select coalesce(max(id), 0) from shares").fetchone()[0]
    db.execute(f"""
        insert into shares
        select :base + row_number() over (order by at_s, at_ms, p), p, {text('at_s', 'at_ms', '0')}
        from gen_shares order by at_s, at_ms, p
    """, {"base": base})
    shares = db.execute("select count(*) from gen_shares").fetchone()[0]
    db.execute("delete from gen_attempts")
    db.execute("delete from gen_shares")
    _ = seed
    return attempts, shares


def main() -> None:
    import argparse
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path)
    parser.add_argument("--through", type=int, default=7, help="the last phase: 1-6 a period, 7 the final")
    parser.add_argument("--only", action="store_true", help="that phase's month alone")
    parser.add_argument("--people", type=int, default=Shape.people)
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args()
    args.path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    generate(args.path, args.through, Shape(people=args.people), args.seed, only=args.only)
    print(f"generated {args.path} ({args.path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
