"""The derivation of a SQLite store computed by DuckDB (issue 28): the same rules as derive.py,
the same rows, in an analytical engine (columnar, every core) instead of the store's SQLite.

DuckDB cannot see the rows of the sync's transaction, so it reads them where they are
committed: the store's rows this sync keeps (the store file, read-only) and the rows this sync
converts (`Scratch.source`, a SQLite file of the scratch folder the sync writes them to before
they are copied into the store). It writes the attempt statuses and the rankings into another
scratch file (`Scratch.result`), which the store's connection copies into the derived tables in
the sync's own transaction: all or nothing as before, the store the one SQLite file it was.
The people's columns of the rankings and the branch totals are added by the store's SQLite
(it sees the sync's participants).

Used where DuckDB 1.4.4 and its sqlite extension (a package: nothing is downloaded) are
installed and FINALS_APP_DERIVE is not `sqlite`; elsewhere derive.py's SQL derives.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


log = logging.getLogger("finals_app.sync")

# "duckdb": DuckDB where installed; "sqlite" or unset: derive.py's SQL. SQLite's own derive is the
# default: on the whole competition, in one run, its first sync took 415.0 s against DuckDB's
# 913.7 s (the scratch copy of 30 M attempts that DuckDB needs costs more than it saves here).
ENGINE_ENV = "FINALS_APP_DERIVE"
DUCKDB_VERSION = "1.4.4"
SOURCE = "finals_derive_in"   # the scratch files as attached to the store's connection
RESULT = "finals_derive_out"
DAY_MS = 86_400_000
# DuckDB's own memory (it spills to the scratch folder beyond it): the sync's process stays
# well inside 2 GiB with the store's page cache beside it.
MEMORY_LIMIT = "900MB"

STATUS_COLUMNS = ("phase", "participant_id", "day", "started_ms", "attempt_id", "finished_ms", "duration_ms",
                  "score", "perfect", "reason")
RANKING_COLUMNS = ("phase", "rank", "participant_id", "score", "duration_ms", "valid_attempts", "perfect_attempts",
                   "share_credit_attempts", "last_finish_ms", "days_mask")


class DuckDBFailed(Exception):
    """DuckDB could not compute the derivation (the sync fails, rolled back)."""


def _extension_folder() -> Path | None:
    spec = importlib.util.find_spec("duckdb_ext")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "extensions"
    return folder if any(folder.glob(f"v{DUCKDB_VERSION}/*/sqlite_scanner.duckdb_extension")) else None


def wanted() -> bool:
    """DuckDB derives only when asked (FINALS_APP_DERIVE=duckdb)."""
    return os.environ.get(ENGINE_ENV, "").strip().lower() == "duckdb"


def available() -> bool:
    """DuckDB of the pinned version and its sqlite extension are installed (and not turned off)."""
    if not wanted():
        return False
    try:
        import duckdb
    except ImportError:
        return False
    return duckdb.__version__ == DUCKDB_VERSION and _extension_folder() is not None


@dataclass
class Scratch:
    """The scratch folder beside the store: `source` (the rows this sync converted, in the
    store's columns) and `result` (what DuckDB derived). Removed with everything in it."""
    folder: Path
    sources: dict[str, Path]  # table -> its file (one each: the store's connection holds a file it read)
    result: Path
    # table -> the store's rows DuckDB must not read (their blocks are replaced by this sync),
    # None: the store's rows are all replaced. Set by the sync as it plans its reads.
    replaced: dict[str, object] = field(default_factory=dict)
    usable: bool = True  # False: a large table was not read through the scratch (SQLite derives)
    peak_mib: float | None = None  # the DuckDB child's peak memory

    @classmethod
    def beside(cls, store_file: Path, tables: dict) -> "Scratch":
        folder = Path(tempfile.mkdtemp(prefix=f".{store_file.name}.derive-", dir=store_file.parent))
        scratch = cls(folder, {name: folder / f"{name}.sqlite" for name in tables}, folder / "result.sqlite")
        for name, table in tables.items():
            with sqlite3.connect(scratch.sources[name]) as db:
                columns = ", ".join(f"{c.name} integer{' primary key' if c.primary_key else ''}"
                                    f"{' not null' if not c.nullable and not c.primary_key else ''}"
                                    for c in table.columns)
                db.execute(f"create table {name} ({columns})")
            db.close()
        with sqlite3.connect(scratch.result) as db:
            db.execute("create table status (phase text, participant_id integer, day integer, started_ms integer, "
                       "attempt_id integer, finished_ms integer, duration_ms integer, score integer, "
                       "perfect integer, reason text)")
            db.execute("create table ranking (phase text, rank integer, participant_id integer, score integer, "
                       "duration_ms integer, valid_attempts integer, perfect_attempts integer, "
                       "share_credit_attempts integer, last_finish_ms integer, days_mask integer)")
        db.close()
        return scratch

    def attached(self, name: str) -> str:
        """The name a table's file is attached as to the store's connection."""
        return f"{SOURCE}_{name}"

    def connect_source(self, name: str) -> sqlite3.Connection:
        """A connection of its own that writes a table's converted rows (committed before the
        store's connection first reads them: it cannot see a file's rows while reading it)."""
        db = sqlite3.connect(self.sources[name], isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-65536"):
            db.execute(f"PRAGMA {pragma}")
        return db

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _inside(phase, column: str) -> str:
    return "(" + " or ".join(f"({column} >= {w.start_ms} and {column} < {w.end_ms})" for w in phase.windows) + ")"


def _excluded(replaced, column: str = "id") -> str:
    """SQL: the store's rows of blocks this sync replaces (by the blocks' ranges)."""
    from finals_app.core.online import blocks
    if not replaced:
        return "false"
    runs: list[list[int]] = []
    for block in sorted(replaced):
        if runs and runs[-1][1] == block:
            runs[-1][1] = block + 1
        else:
            runs.append([block, block + 1])
    return "(" + " or ".join(f"({column} between {blocks.block_range(lo)[0]} and {blocks.block_range(hi - 1)[1]})"
                             for lo, hi in runs) + ")"


@dataclass(frozen=True)
class _Window:
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class _Phase:
    """What the derivation reads of a phase of the rules (sent to the child as JSON)."""
    id: str
    windows: tuple
    question_count: int
    points_per_correct: int
    attempts_per_day: int
    share_credits: int
    first_day_number: int


@dataclass(frozen=True)
class _Rules:
    utc_offset_hours: int
    phases: tuple
    ranking_order: tuple


def _plan(rules, phases) -> dict:
    def phase(p) -> dict:
        return {"id": p.id, "windows": [[w.start_ms, w.end_ms] for w in p.windows],
                "question_count": p.question_count, "points_per_correct": p.points_per_correct,
                "attempts_per_day": p.attempts_per_day, "share_credits": p.share_credits,
                "first_day_number": p.first_day_number}
    return {"utc_offset_hours": rules.utc_offset_hours, "ranking_order": list(rules.ranking_order),
            "phases": [phase(p) for p in rules.phases], "derive": [p.id for p in phases]}


def _unplan(plan: dict) -> tuple[_Rules, list[_Phase]]:
    phases = tuple(_Phase(p["id"], tuple(_Window(*w) for w in p["windows"]), p["question_count"],
                          p["points_per_correct"], p["attempts_per_day"], p["share_credits"], p["first_day_number"])
                   for p in plan["phases"])
    rules = _Rules(plan["utc_offset_hours"], phases, tuple(plan["ranking_order"]))
    return rules, [p for p in phases if p.id in plan["derive"]]


def compute(store_file: Path, scratch: Scratch, rules, phases) -> None:
    """The attempt statuses and the rankings of `phases` into the scratch's result file, by
    DuckDB in a child process. (Not in this one: DuckDB's SQLite is a second copy of SQLite in
    the process, and a file it closes loses every POSIX lock the process holds on it, the
    store's connection's too: its commit then failed with "locking protocol".)"""
    import json
    import subprocess
    import sys
    arguments = {"store": str(store_file), "folder": str(scratch.folder), "result": str(scratch.result),
                 "sources": {name: str(file) for name, file in scratch.sources.items()},
                 "replaced": {name: None if blocks is None else sorted(blocks)
                              for name, blocks in scratch.replaced.items()},
                 "memory_limit": MEMORY_LIMIT, "plan": _plan(rules, phases)}
    (scratch.folder / "derive.json").write_text(json.dumps(arguments), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "finals_app.core.online.derive_duck",
                           str(scratch.folder / "derive.json")], capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise DuckDBFailed(lines[-1] if lines else f"exit status {done.returncode}")
    scratch.peak_mib = float(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else None


def _main(arguments_file: str) -> None:
    """The child: DuckDB computes, prints its peak memory (MiB)."""
    import json
    import resource
    import sys

    import duckdb
    arguments = json.loads(Path(arguments_file).read_text(encoding="utf-8"))
    scratch = Scratch(Path(arguments["folder"]), {k: Path(v) for k, v in arguments["sources"].items()},
                      Path(arguments["result"]),
                      {k: None if v is None else frozenset(v) for k, v in arguments["replaced"].items()})
    rules, phases = _unplan(arguments["plan"])
    config = {"extension_directory": str(_extension_folder()), "autoinstall_known_extensions": False,
              "autoload_known_extensions": False, "memory_limit": arguments["memory_limit"],
              "temp_directory": str(scratch.folder / "spill"),
              "threads": max(1, min(4, os.cpu_count() or 1))}
    try:
        db = duckdb.connect(str(scratch.folder / "derive.duckdb"), config=config)
        try:
            _compute(db, Path(arguments["store"]), scratch, rules, phases)
        finally:
            db.close()
    except duckdb.Error as error:
        print(str(error).splitlines()[0], file=sys.stderr)
        raise SystemExit(1) from None
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _inputs(db, store_file: Path, scratch: Scratch, name: str, columns: str, instant: str, wanted_sql: str) -> str:
    """SQL: the rows of `name` after this sync (the store's kept rows and the converted ones)
    whose instant is in a derived phase's window."""
    parts = [f"select {columns} from src_{name}.{name} where {wanted_sql}"]
    replaced = scratch.replaced.get(name, ())
    if replaced is not None:
        # The store's committed rows, by its time index, less the blocks this sync replaces.
        inner = f"select {columns} from {name} where ({wanted_sql}) and not {_excluded(replaced)}"
        parts.append(f"select * from sqlite_query('store', {_quoted(inner)})")
    typed = ", ".join(f"cast({column} as bigint) as {column}" for column in columns.split(", "))
    return " union all ".join(f"select {typed} from ({part})" for part in parts)


def _compute(db, store_file: Path, scratch: Scratch, rules, phases) -> None:
    db.execute("SET enable_progress_bar = false")
    db.execute("LOAD sqlite")
    for name, file in scratch.sources.items():
        db.execute(f"ATTACH {_quoted(str(file))} AS src_{name} (TYPE sqlite, READ_ONLY)")
    db.execute(f"ATTACH {_quoted(str(store_file))} AS store (TYPE sqlite, READ_ONLY)")
    db.execute(f"ATTACH {_quoted(str(scratch.result))} AS result (TYPE sqlite)")
    offset_ms = rules.utc_offset_hours * 3_600_000
    chosen = {phase.id for phase in phases}
    windows = " or ".join(_inside(phase, "started_ms") for phase in phases)
    # An instant belongs to the first phase of the rules whose window holds it.
    which = "case " + " ".join(f"when {_inside(phase, 'started_ms')} then {_quoted(phase.id)}"
                               for phase in rules.phases) + " end"

    def per_phase(attribute: str) -> str:
        return "case phase " + " ".join(f"when {_quoted(p.id)} then {getattr(p, attribute)}"
                                            for p in phases) + " end"

    source = _inputs(db, store_file, scratch, "attempts",
                     "id, participant_id, started_ms, finished_ms, question_count, correct_count, score",
                     "started_ms", windows)
    db.execute(f"""
        create table classified as
        select * from (select {which} as phase, * from ({source}))
        where phase in ({', '.join(_quoted(p) for p in sorted(chosen))})""")
    # The attempt statuses before the allowance (derive._insert_attempt_status).
    db.execute(f"""
        create table status as
        select phase, participant_id, (started_ms + {offset_ms}) // {DAY_MS} as day, started_ms, id as attempt_id,
               finished_ms, finished_ms - started_ms as duration_ms, score,
               case when correct_count = question_count then 1 else 0 end as perfect,
               case when finished_ms < started_ms then 'finish_before_start'
                    when question_count <> {per_phase('question_count')} then 'wrong_question_count'
                    when correct_count < 0 or correct_count > question_count then 'correct_count_out_of_range'
                    when score <> correct_count * {per_phase('points_per_correct')} then 'score_mismatch'
               end as reason
        from classified""")
    db.execute("drop table classified")
    # Then phase by phase (a phase's windows and sorts fit in DuckDB's memory; all phases at
    # once ran out of it at 900 MB), in the phases' key order: the result is written in the
    # clustered order of attempt_status and phase_totals.
    for phase in sorted(phases, key=lambda p: p.id):
        _derive_phase(db, scratch, store_file, phase, rules)


def _derive_phase(db, scratch: Scratch, store_file: Path, phase, rules) -> None:
    name = _quoted(phase.id)
    # The allowance (derive._apply_allowance): the extras of a crowded day, the credits of the
    # people with extras, the greedy use of credits in closed form.
    db.execute(f"""
        create or replace table extras as
        select participant_id, started_ms, attempt_id,
               row_number() over (partition by participant_id order by started_ms, attempt_id) as k
        from (select participant_id, started_ms, attempt_id,
                     row_number() over (partition by participant_id, day order by started_ms, attempt_id) as nth
              from status where phase = {name} and reason is null)
        where nth > {phase.attempts_per_day}""")
    if phase.share_credits > 0:
        shares = _inputs(db, store_file, scratch, "shares", "id, participant_id, shared_ms", "shared_ms",
                         _inside(phase, "shared_ms"))
        # A share counts for every phase whose window holds it (derive: _inside, no first-phase rule).
        db.execute(f"""
            create or replace table credits as
            select participant_id, shared_ms as earned_ms from (
                select c.participant_id, c.shared_ms,
                       row_number() over (partition by c.participant_id order by c.shared_ms, c.id) as nth
                from ({shares}) c
                where c.participant_id in (select participant_id from extras))
            where nth <= {phase.share_credits}""")
        counted = """
            select x.participant_id, x.attempt_id, x.k,
                   (select count(*) from credits c where c.participant_id = x.participant_id
                    and c.earned_ms <= x.started_ms) as avail
            from extras x"""
        db.execute(f"""
            create or replace table decisions as
            select participant_id, attempt_id,
                   case when used > lag(used, 1, 0) over (partition by participant_id order by k)
                        then 1 else 0 end as granted
            from (select *, k + least(running, 0) as used from (
                    select *, min(avail - k) over (partition by participant_id order by k
                                                  rows between unbounded preceding and current row) as running
                    from ({counted})))""")
    else:
        db.execute("create or replace table decisions as select participant_id, attempt_id, 0 as granted from extras")
    db.execute(f"""
        create or replace table phase_status as
        select s.phase, s.participant_id, s.day, s.started_ms, s.attempt_id, s.finished_ms, s.duration_ms, s.score,
               s.perfect, coalesce(s.reason, case when d.granted = 0 then 'over_daily_allowance' end) as reason
        from status s left join decisions d on d.attempt_id = s.attempt_id
        where s.phase = {name}""")
    db.execute(f"""
        insert into result.status
        select {', '.join(STATUS_COLUMNS)} from phase_status
        order by participant_id, day, started_ms, attempt_id""")
    # The ranking (derive._insert_phase_ranking), in the order of the rules file.
    terms = {"score_desc": "score desc", "average_duration_asc": "cast(duration_ms as double) / valid_attempts asc",
             "last_finish_asc": "last_finish_ms asc", "participant_id_asc": "participant_id asc"}
    order = ", ".join(terms[key] for key in rules.ranking_order)
    db.execute(f"""
        insert into result.ranking
        select phase, row_number() over (order by {order}) as rank, participant_id,
               score, duration_ms, valid_attempts, perfect_attempts, share_credit_attempts, last_finish_ms, days_mask
        from (
            select any_value(s.phase) as phase, s.participant_id, cast(sum(s.score) as bigint) as score,
                   cast(sum(s.duration_ms) as bigint) as duration_ms, count(*) as valid_attempts,
                   cast(sum(s.perfect) as bigint) as perfect_attempts,
                   coalesce(any_value(g.granted), 0) as share_credit_attempts,
                   arg_max(s.finished_ms, (s.started_ms, s.attempt_id)) as last_finish_ms,
                   cast(sum(distinct cast(1 as bigint) << (s.day - {phase.first_day_number})) as bigint) as days_mask
            from phase_status s left join (
                select participant_id, count(*) as granted from decisions where granted = 1 group by participant_id
            ) g on g.participant_id = s.participant_id
            where s.reason is null
            group by s.participant_id)
        order by rank""")
    for table in ("extras", "decisions", "phase_status", "credits"):
        db.execute(f"drop table if exists {table}")


def land(connection) -> None:
    """The store's connection copies DuckDB's rows into the derived tables (their clustered
    order: written front to back), the people's columns from the store's own participants."""
    names = ", ".join(STATUS_COLUMNS)
    connection.exec_driver_sql(f"insert into attempt_status ({names}) select {names} from {RESULT}.status")
    person = ("name", "phone", "masked_name", "masked_phone", "branch_id", "is_party_member")
    ranked = [c for c in RANKING_COLUMNS]
    connection.exec_driver_sql(
        f"insert into phase_totals ({', '.join(ranked + list(person))}) "
        f"select {', '.join('r.' + c for c in ranked)}, {', '.join('p.' + c for c in person)} "
        f"from {RESULT}.ranking r cross join participants p on p.id = r.participant_id")


if __name__ == "__main__":
    import sys
    _main(sys.argv[1])
