"""Sync: bring an export into the store, all or nothing, idempotent, updating rows by id.

The export is read table by table into temporary staging tables (every row checked), the
references and the organisation tree are validated, each table is compared with the store by
id, changed tables are replaced, rows gone missing are recorded, and the derived results are
rebuilt for the rules in force: all inside one transaction, so a failure leaves the store as it
was. An export file identical to the last synced one (same SHA-256) is recognised at once.
"""
from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from pathlib import Path
from urllib.parse import unquote

from sqlalchemy import (BigInteger, Column, MetaData, String, Table, and_, bindparam, delete,
                        exists, func, insert, literal, literal_column, or_, select, union, update)
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from finals_app.core.errors import ExportError, FinalsError, Location, Problem
from finals_app.core.online import blocks, derive, derive_duck
from finals_app.core.online.export import Export, ProgressCallback, RowChecker, open_export
from finals_app.core.rules import Rules
from finals_app.core.store.bulk import deferred_indexes
from finals_app.core.store.engine import read_meta, write_meta
from finals_app.core.store.schema import (EXPORT_TABLES, attempt_status, export_blocks, missing_rows,
                                          org_branches, organizations, sync_runs)
from finals_app.core.tables.masking import MASKING_VERSION

class SyncCancelled(FinalsError):
    """The user stopped the sync; the transaction was rolled back."""


# Read order: referenced tables first, so messages read naturally.
SYNC_ORDER = ("organizations", "participants", "shares", "attempts", "questions")
EXPORT_COLUMNS = {
    "organizations": ("id", "parent_id", "name", "level"),
    "participants": ("id", "name", "phone", "is_party_member", "branch_id"),
    "shares": ("id", "participant_id", "shared_at"),
    "attempts": ("id", "participant_id", "started_at", "finished_at", "question_count",
                 "correct_count", "score"),
    "questions": ("id", "kind", "stem", "options", "answer", "source"),
}
# Store columns computed here, not read from the export (and so not compared).
DERIVED_COLUMNS = ("id", "unit_id", "masked_name", "masked_phone")
# (table, field, referenced table)
REFERENCES = (
    ("organizations", "parent_id", "organizations"),
    ("participants", "branch_id", "organizations"),
    ("shares", "participant_id", "participants"),
    ("attempts", "participant_id", "participants"),
)


@dataclass
class TableChange:
    rows: int = 0
    added: int = 0
    changed: int = 0
    missing: int = 0
    missing_ids: list[int] = field(default_factory=list)  # the first few, for the summary


@dataclass
class SyncSummary:
    source: str
    unchanged: bool
    seconds: float
    tables: dict[str, TableChange]
    invalid: dict[str, dict[str, int]]  # phase -> reason -> count
    warnings: list[str]
    exported_at: str | None = None
    # Which engine computed the derived tables: "duckdb", "sqlite", "postgresql"; None when
    # nothing was derived (unchanged data, or derived tables already up to date).
    derived_by: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "SyncSummary":
        data = json.loads(text)
        data["tables"] = {name: TableChange(**change) for name, change in data["tables"].items()}
        return cls(**data)


def sync(engine, export_spec: str, rules: Rules, progress: ProgressCallback | None = None,
         allow_removal: bool = False, removal_limit: float = 0.05) -> SyncSummary:
    """Sync the export named by `export_spec` (a SQLite path or a URL) into the store. A sync
    that would remove more than `removal_limit` of a table's rows (an empty or truncated
    export?) is refused unless `allow_removal` confirms it."""
    started = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    export = open_export(export_spec)
    try:
        with engine.connect() as connection:
            last = connection.execute(select(sync_runs).order_by(sync_runs.c.id.desc()).limit(1)).first()
            derived_now = derive.is_derived(connection, rules)
        # The digest is read beside the sync (the file's reads and the hashing release the
        # interpreter): an export identical to the last synced one is recognised the moment its
        # digest is known (the sync under way is rolled back), and a changed export's sync does
        # not wait for it (a cold read of a province's export took 29 s here, all of it before
        # the sync began).
        digest = _Digest(export)
        known = last.export_digest if last is not None and derived_now else None

        def watched(stage: str, done: int, total: int | None) -> None:
            if known is not None and digest.finished() and digest.value == known:
                raise _Unchanged()
            report(stage, done, total)

        scratch = None
        try:
            with engine.connect() as connection:
                attached = _attach_export(connection, export)
                try:
                    scratch = _derive_scratch(connection, engine) if attached else None
                    with connection.begin():
                        summary = _sync_in_transaction(connection, export, rules, digest, watched, allow_removal,
                                                       removal_limit, attached, scratch)
                        # A writer that started after the export was opened: refused before
                        # the commit, so nothing of what was read is kept.
                        export.refuse_if_written()
                finally:
                    if attached:
                        _detach_export(connection, scratch)
        except _Unchanged:
            return _unchanged_summary(last, export, started)
        finally:
            if scratch is not None:
                scratch.remove()
        summary.seconds = time.perf_counter() - started
        return summary
    except FinalsError:
        raise
    except SQLAlchemyError as error:
        raise store_error(engine, error, export) from None
    finally:
        export.close()


class _Unchanged(Exception):
    """The export is the one synced last: the sync under way stops (rolled back)."""


def _unchanged_summary(last, export: Export, started: float) -> SyncSummary:
    summary = SyncSummary.from_json(last.summary)
    summary.unchanged = True
    summary.derived_by = None
    summary.source = export.label
    summary.seconds = time.perf_counter() - started
    for change in summary.tables.values():
        change.added = change.changed = change.missing = 0
        change.missing_ids = []
    return summary


class _Digest:
    """The export's digest, computed in a thread of its own."""

    def __init__(self, export: Export):
        import threading
        self.value: str | None = None
        self.error: BaseException | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(export,), name="export-digest", daemon=True)
        self._thread.start()

    def _run(self, export: Export) -> None:
        try:
            self.value = export.digest()
        except BaseException as error:  # noqa: BLE001 - said by get()
            self.error = error
        finally:
            self._done.set()

    def finished(self) -> bool:
        return self._done.is_set()

    def get(self) -> str | None:
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self.value


def store_error(engine, error: Exception, export: Export | None = None) -> FinalsError:
    """What went wrong with the store, in words a user can act on (the transaction was rolled
    back: the store is as it was)."""
    import shutil
    from pathlib import Path

    from finals_app.core.store.location import STORE_WAIT_ENV, store_wait_seconds
    text = str(getattr(error, "orig", None) or error).splitlines()[0]
    store = engine.url.render_as_string(hide_password=True)
    if "locked" in text or "busy" in text:
        return FinalsError("the store {store} is busy: another finals-app is writing to it (a sync?); waited "
                           "{seconds} s ({env}); nothing was changed, try again when it has finished",
                           store=store, seconds=store_wait_seconds(), env=STORE_WAIT_ENV)
    if "full" in text or "No space" in text:
        folder = Path(engine.url.database or ".").parent if engine.dialect.name == "sqlite" else None
        free = shutil.disk_usage(folder).free if folder is not None and folder.exists() else None
        size = export.file.stat().st_size if export is not None and export.file is not None else None
        return FinalsError("the disk is full: the store {store} could not be written ({reason}); {folder} has "
                           "{free} free and this sync needs about {needed}; nothing was changed",
                           store=store, reason=text, folder=folder or store, free=_size(free),
                           needed=_size(3 * size) if size else "?")
    if "malformed" in text or "not a database" in text:
        return FinalsError("the store {store} is damaged ({reason}): restore it from a backup, or move it away "
                           "and sync the export again; nothing was changed", store=store, reason=text)
    return FinalsError("cannot write the store {store}: {reason}; nothing was changed", store=store, reason=text)


def _size(count: int | None) -> str:
    if count is None:
        return "?"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if count < 1024 or unit == "TiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return str(count)


ATTACHED = "finals_export"


def _detach_export(connection, scratch=None) -> None:
    """Undo the export's ATTACH (and the derive's scratch files'). A connection an interrupt
    (Ctrl+C) invalidated is a new one without it; one that cannot detach is discarded, never
    pooled with the export attached."""
    names = {ATTACHED} | ({derive_duck.RESULT} | {scratch.attached(name) for name in scratch.sources}
                          if scratch is not None else set())
    try:
        connection.rollback()
        raw = connection.connection.driver_connection
        for row in raw.execute("PRAGMA database_list").fetchall():
            if row[1] in names:
                raw.execute(f"DETACH DATABASE {row[1]}")
    except (sqlite3.Error, SQLAlchemyError):
        connection.invalidate()


def _derive_scratch(connection, engine) -> derive_duck.Scratch | None:
    """A SQLite file store derived by DuckDB (derive_duck.py): its scratch folder beside the
    store, its two files attached to the store's connection (before the transaction: SQLite
    attaches outside one). None: SQLite derives (DuckDB not installed or turned off)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or not derive_duck.available():
        return None
    scratch = derive_duck.Scratch.beside(Path(database).resolve(), {name: EXPORT_TABLES[name] for name in blocks.TABLES})
    raw = connection.connection.driver_connection
    for name, file in scratch.sources.items():
        raw.execute(f"ATTACH DATABASE ? AS {scratch.attached(name)}", (str(file),))
    raw.execute(f"ATTACH DATABASE ? AS {derive_duck.RESULT}", (str(scratch.result),))
    return scratch


def _attach_export(connection, export: Export) -> bool:
    """A SQLite store reads a SQLite export in SQL: the export is attached read-only to the
    store's connection (before the transaction: SQLite attaches outside one). False when the
    store or the export is not SQLite, or this SQLite cannot attach by URI."""
    if connection.dialect.name != "sqlite" or export.read_uri is None:
        return False
    raw = connection.connection.driver_connection
    raw.execute(f"ATTACH DATABASE ? AS {ATTACHED}", (export.read_uri,))
    files = {name: file for _, name, file in raw.execute("PRAGMA database_list")}
    wanted = export.read_uri.split("?")[0].removeprefix("file:")
    if unquote(wanted) != files.get(ATTACHED, ""):  # the URI was taken as a file name
        raw.execute(f"DETACH DATABASE {ATTACHED}")
        stray = Path(files.get(ATTACHED) or "")
        if stray.name.startswith("file:") and stray.exists():
            stray.unlink()
        return False
    return True


def _staging_tables(connection) -> dict[str, Table]:
    staging_metadata = MetaData()
    staged = {}
    for name, target in EXPORT_TABLES.items():
        columns = [Column(c.name, c.type, primary_key=c.primary_key, autoincrement=False,
                          nullable=c.nullable) for c in target.columns]
        staged[name] = Table(f"staging_{name}", staging_metadata, *columns, prefixes=["TEMPORARY"])
        staged[name].drop(connection, checkfirst=True)
        staged[name].create(connection)
    return staged


def _bulk_insert(connection, target: Table, rows: list[tuple], names: list[str] | None = None) -> None:
    if not rows:
        return
    names = names or [c.name for c in target.columns]
    dialect = connection.dialect.name
    if dialect == "sqlite":
        sql = f'INSERT INTO {target.name} ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})'
        connection.exec_driver_sql(sql, rows)
    elif dialect == "postgresql":
        with _copy(connection, target, names) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        connection.execute(insert(target), [dict(zip(names, row)) for row in rows])


@contextmanager
def _copy(connection, target: Table, names: list[str]):
    """PostgreSQL: a COPY into the table's columns `names`, inside the caller's transaction."""
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f'COPY {target.name} ({", ".join(names)}) FROM STDIN') as copy:
            yield copy


@dataclass
class BlockPlan:
    """What a sync reads of a large table (blocks.py): the export's blocks that differ from the
    last sync's (or are new), the blocks gone, and the export's fingerprints to keep."""
    prints: dict[int, "blocks.Fingerprint"]
    dirty: list[int]
    gone: list[int]
    whole_store: bool = False  # the store has rows but no fingerprints (synced before them)
    stored: frozenset = frozenset()  # the blocks the last sync kept fingerprints of
    direct: set = field(default_factory=set)  # dirty blocks written straight into the store

    def scope(self, id_column):
        """The store's rows this sync compares and replaces: those in a dirty or gone block
        (not the blocks written straight in)."""
        touched = sorted((set(self.dirty) - self.direct) | set(self.gone))
        if not touched:
            return literal(False)
        runs: list[list[int]] = []
        for block in touched:
            if runs and runs[-1][1] == block:
                runs[-1][1] = block + 1
            else:
                runs.append([block, block + 1])
        if len(runs) > 200:
            return (id_column.op(">>")(blocks.BLOCK_BITS)).in_(touched)
        return or_(*[and_(id_column >= blocks.block_range(lo)[0], id_column <= blocks.block_range(hi - 1)[1])
                     for lo, hi in runs])


def _block_plan(connection, export: Export, name: str, report) -> BlockPlan | None:
    """Which blocks of a large table this sync reads. With fingerprints of the last sync, the
    export's blocks are fingerprinted (in SQL, in threads) and only those that differ are read;
    without (a first sync), every block is read and the side reader fingerprints them. None:
    the table is read by the row checker in full (not a SQLite export, or its id not a rowid)."""
    if export.read_uri is None:
        return None
    b = export_blocks.c
    stored = dict(connection.execute(select(b.block, b.digest).where(b.table_name == name)).all())
    if read_meta(connection, "fingerprints") != blocks.FINGERPRINT_METHOD:
        stored = {}
    try:
        if not stored:
            every = blocks.table_blocks(export.read_uri, name)
            if every is None:
                return None
            has_rows = connection.execute(select(EXPORT_TABLES[name].c.id).limit(1)).first() is not None
            return BlockPlan({}, every, [], whole_store=has_rows)  # a store synced before fingerprints
        report(f"fingerprint {name}", 0, None)
        prints = blocks.export_fingerprints(export.read_uri, name)
    except sqlite3.DatabaseError as error:
        raise export.read_error(name, error) from None
    if prints is None:
        return None
    dirty = [block for block, fp in sorted(prints.items()) if not fp.trusted or stored.get(block) != fp.digest()]
    gone = sorted(set(stored) - set(prints))
    return BlockPlan(prints, dirty, gone, stored=frozenset(stored))


def _stage_blocks(connection, export: Export, name: str, plan: BlockPlan, stage: Table, checker: RowChecker,
                  attached: bool, report, scratch=None) -> None:
    """The converted rows of the plan's dirty blocks, in SQL: straight into the store's table
    for a block the store has no row of (new rows: nothing to compare), into the staging table
    otherwise. The rows SQL cannot convert go to the row checker (its messages, its values)."""
    columns = EXPORT_COLUMNS[name]
    target = EXPORT_TABLES[name]
    names = [c.name for c in target.columns]
    plan.direct = {block for block in plan.dirty if not plan.whole_store and block not in plan.stored
                   and connection.execute(select(target.c.id).where(
                       target.c.id >= blocks.block_range(block)[0],
                       target.c.id <= blocks.block_range(block)[1]).limit(1)).first() is None}
    # A first sync into PostgreSQL: the table's keys are built after the copy (store/bulk.py).
    rebuild = deferred_indexes(connection, target, lambda: report(f"index {name}", 0, None)) if plan.direct else None
    if scratch is not None:
        _stage_through_scratch(connection, export, name, plan, stage, checker, report, scratch)
        return
    try:
        loose_ids = _copy_blocks(connection, export, name, plan, stage, names, checker.offset_hours, attached, report)
    except (sqlite3.DatabaseError, SQLAlchemyError) as error:
        reason = str(getattr(error, "orig", None) or error)
        if attached and ("full" in reason or "locked" in reason or "busy" in reason or "interrupt" in reason):
            raise  # the store's side: said as the store's
        raise export.read_error(name, error) from None
    if loose_ids:
        loose_ids.sort()
        rows, _ = checker.convert(name, export.raw_rows(name, columns, loose_ids), None, columns)
        if checker.problems:
            return  # the sync fails: the transaction takes the dropped indexes back with it
        _bulk_insert(connection, target, [row for row in rows if row[0] >> blocks.BLOCK_BITS in plan.direct], names)
        _bulk_insert(connection, stage, [row for row in rows if row[0] >> blocks.BLOCK_BITS not in plan.direct], names)
    if rebuild is not None:
        rebuild()


def _stage_through_scratch(connection, export: Export, name: str, plan: BlockPlan, stage: Table,
                           checker: RowChecker, report, scratch: derive_duck.Scratch) -> None:
    """_stage_blocks for a store DuckDB derives: the dirty blocks are converted (in SQL, as
    _copy_blocks does) into the scratch's copy of the table, by a connection of its own that
    commits them (DuckDB reads them there), then copied from it into the store's table or the
    staging table, in the store's transaction."""
    columns = EXPORT_COLUMNS[name]
    target = EXPORT_TABLES[name]
    names = [c.name for c in target.columns]
    converted = blocks.converted_columns(name, checker.offset_hours)
    total = sum(plan.prints[block].rows for block in plan.dirty) if plan.prints else export.count(name)
    report(name, 0, total)
    writer = scratch.connect_source(name)
    done = 0
    loose_ids: list[int] = []
    try:
        writer.execute(f"ATTACH DATABASE ? AS {ATTACHED}", (export.read_uri,))
        source = f'{ATTACHED}."{name}"'
        select_sql = (f"select e.id, {', '.join(converted[1:])} from {source} e "
                      f"where e.id >= ? and e.id <= ? and e.id > 0")
        for block in plan.dirty:
            low, high = blocks.block_range(block)
            written = writer.execute(f"insert or ignore into main.{name} ({', '.join(names)}) {select_sql}",
                                     (low, high)).rowcount
            rows = plan.prints[block].rows if block in plan.prints else writer.execute(
                f"select count(*) from {source} where id >= ? and id <= ?", (low, high)).fetchone()[0]
            if written < rows:
                loose_ids += [row_id for (row_id,) in writer.execute(
                    f"select e.id from {source} e where e.id >= ? and e.id <= ? and not exists "
                    f"(select 1 from main.{name} t where t.id = e.id)", (low, high))]
            done = min(total, done + (plan.prints[block].rows if block in plan.prints else 1 << blocks.BLOCK_BITS))
            report(name, done, total)
        if loose_ids:
            loose_ids.sort()
            rows, _ = checker.convert(name, export.raw_rows(name, columns, loose_ids), None, columns)
            if checker.problems:
                return  # the sync fails
            writer.executemany(f"insert into main.{name} ({', '.join(names)}) values "
                               f"({', '.join('?' * len(names))})", rows)
        writer.execute(f"DETACH DATABASE {ATTACHED}")
    except sqlite3.DatabaseError as error:
        reason = str(error)
        if "full" in reason or "interrupt" in reason:  # the scratch's side: said as the store's
            raise OperationalError(f"scratch {name}", None, error) from None
        raise export.read_error(name, error) from None
    finally:
        writer.close()
    for into, chosen in ((target, sorted(plan.direct)), (stage, sorted(set(plan.dirty) - plan.direct))):
        if chosen:
            scope = BlockPlan({}, chosen, []).scope(literal_column("id"))
            where = str(scope.compile(compile_kwargs={"literal_binds": True}))
            connection.exec_driver_sql(f"insert into {into.name} ({', '.join(names)}) select {', '.join(names)} "
                                       f"from {scratch.attached(name)}.{name} where {where}")


def _copy_blocks(connection, export: Export, name: str, plan: BlockPlan, stage: Table, names: list[str],
                 offset_hours: int, attached: bool, report) -> list[int]:
    """Copies the dirty blocks, converting in SQL; returns the ids of the rows SQL left over.
    Such a row has a NULL and is skipped on insert (OR IGNORE, the columns being NOT NULL);
    when a block's count falls short, those rows are looked up."""
    converted = blocks.converted_columns(name, offset_hours)
    total = sum(plan.prints[block].rows for block in plan.dirty) if plan.prints else export.count(name)
    done = 0
    report(name, 0, total)
    target = EXPORT_TABLES[name]
    loose_ids: list[int] = []
    source = f'{ATTACHED}."{name}"' if attached else f'"{name}"'
    # e.id > 0: a NULL in a rowid column would be given a new id, not refused.
    select_sql = f"select e.id, {', '.join(converted[1:])} from {source} e where e.id >= ? and e.id <= ? and e.id > 0"
    private = None if attached else blocks.connect(export.read_uri)
    copy_sql = loose_sql = None
    if connection.dialect.name == "postgresql" and not attached:
        # Every converted column is an integer: printf's %d is COPY's text format as it is
        # (0.16 s a block of 65,536 attempts; a chain of || took 0.45 s). Each value is
        # computed once (LIMIT -1 keeps the subquery from being flattened into the aggregate).
        values = ", ".join(["e.id as c0", *[f"{sql} as c{i}" for i, sql in enumerate(converted[1:], start=1)]])
        every = [f"c{i}" for i in range(len(converted))]
        inner = f"select {values} from {source} e where e.id >= ? and e.id <= ?"
        line = f"printf('{chr(9).join(['%d'] * len(every))}{chr(10)}', {', '.join(every)})"
        copy_sql = (f"select count(*), group_concat({line}, '') from ({inner} and e.id > 0 limit -1) "
                    f"where {' and '.join(f'{c} is not null' for c in every)}")
        loose_sql = f"select c0 from ({inner} limit -1) where c0 <= 0 or {' or '.join(f'{c} is null' for c in every)}"
    try:
        for block in plan.dirty:
            low, high = blocks.block_range(block)
            into = target if block in plan.direct else stage
            if attached:
                written = connection.exec_driver_sql(
                    f"insert or ignore into {into.name} ({', '.join(names)}) {select_sql}", (low, high)).rowcount
                rows = plan.prints[block].rows if block in plan.prints else connection.exec_driver_sql(
                    f"select count(*) from {source} where id >= ? and id <= ?", (low, high)).scalar_one()
                if written < rows:
                    loose_ids += [row_id for (row_id,) in connection.exec_driver_sql(
                        f"select e.id from {source} e where e.id >= ? and e.id <= ? and not exists "
                        f"(select 1 from {into.name} t where t.id = e.id)", (low, high))]
            elif copy_sql is not None:
                # PostgreSQL: the export's SQLite writes the block as COPY text (integers
                # only), one string; a row SQL cannot convert (a NULL) is left out.
                written, text = private.execute(copy_sql, (low, high)).fetchone()
                rows = plan.prints[block].rows if block in plan.prints else private.execute(
                    f"select count(*) from {source} where id >= ? and id <= ?", (low, high)).fetchone()[0]
                if written < rows:
                    loose_ids += [row_id for (row_id,) in private.execute(loose_sql, (low, high))]
                if text:  # rows already in COPY's text format: one write
                    with _copy(connection, into, names) as copy:
                        copy.write(text)
            else:
                good = [row for row in private.execute(select_sql, (low, high)) if None not in row]
                rows = plan.prints[block].rows if block in plan.prints else private.execute(
                    f"select count(*) from {source} where id >= ? and id <= ?", (low, high)).fetchone()[0]
                if len(good) < rows:
                    kept = {row[0] for row in good}
                    loose_ids += [row_id for (row_id,) in private.execute(
                        f"select id from {source} where id >= ? and id <= ?", (low, high)) if row_id not in kept]
                _bulk_insert(connection, into, good, names)
            done = min(total, done + (plan.prints[block].rows if block in plan.prints else 1 << blocks.BLOCK_BITS))
            report(name, done, total)
    finally:
        if private is not None:
            private.close()
    return loose_ids


def _sync_in_transaction(connection, export: Export, rules: Rules, digest,
                         report: ProgressCallback, allow_removal: bool = False,
                         removal_limit: float = 0.05, attached: bool = False, scratch=None) -> SyncSummary:
    staged = _staging_tables(connection)
    checker = RowChecker(export.label, rules.utc_offset_hours)
    plans: dict[str, BlockPlan | None] = {}
    checks: dict[str, blocks.SideReader] = {}
    try:
        _read_tables(connection, export, rules, staged, checker, plans, checks, attached, report, scratch)
        checker.fail_if_any()
        report("validate", 0, None)
        dangling = {}
        for name, check in checks.items():
            side = check.result()
            dangling[name] = side.dangling
            plans[name].prints.update(side.prints)
    finally:
        for check in checks.values():
            check.cancel()
    warnings = _validate(connection, staged, export.label, dangling)

    report("compare", 0, None)
    sync_id = (connection.execute(select(func.max(sync_runs.c.id))).scalar() or 0) + 1
    changes: dict[str, TableChange] = {}
    scopes = {}
    for name, target in EXPORT_TABLES.items():
        plan = plans.get(name)
        scopes[name] = None if plan is None or plan.whole_store else plan.scope(target.c.id)
        changes[name] = _compare(connection, staged[name], target, scopes[name])
        if plan is not None:
            changes[name].rows = sum(fp.rows for fp in plan.prints.values())
            changes[name].added += sum(plan.prints[block].rows for block in plan.direct)
    if not allow_removal:
        _refuse_mass_removal(connection, changes, export.label, removal_limit)
    if changes["participants"].missing:
        _refuse_orphans(connection, staged, scopes, export.label)
    phases_touched = set()
    people = _temporary_ids(connection, "changed_people")
    branches = _temporary_ids(connection, "changed_branches")
    # Derived tables built for these rules are brought up to date by what changed: the phases
    # holding a changed attempt or share are derived again, changed people are refreshed.
    incremental = derive.derived_for_rules(connection, rules)
    for name, target in EXPORT_TABLES.items():
        change = changes[name]
        if not incremental or not (change.added or change.changed or change.missing):
            continue
        if name in ("attempts", "shares"):
            phases_touched |= _touched_phases(connection, staged[name], target, scopes[name], rules)
            if plans.get(name) is not None and plans[name].direct:
                phases_touched |= _direct_phases(connection, target, plans[name], rules)
        if name == "participants":
            _changed_ids(connection, staged[name], target, people)
            # Their branches before and after (read before the rows are replaced): the branch
            # totals of those branches alone are made again.
            connection.execute(insert(branches).from_select(["id"], union(
                select(target.c.branch_id).where(target.c.id.in_(select(people.c.id))),
                select(staged[name].c.branch_id).where(staged[name].c.id.in_(select(people.c.id))))))
    any_change = False
    for name, target in EXPORT_TABLES.items():
        change = changes[name]
        scope = scopes[name]
        if change.added or change.changed or change.missing:
            any_change = True
            report(f"write {name}", 0, None)
            stage = staged[name]
            if change.missing:
                gone = select(literal(sync_id, BigInteger), literal(name, String), target.c.id).where(
                    ~exists().where(stage.c.id == target.c.id))
                if scope is not None:
                    gone = gone.where(scope)
                connection.execute(insert(missing_rows).from_select(["sync_id", "table_name", "row_id"], gone))
            connection.execute(delete(target).where(scope) if scope is not None else delete(target))
            names = [c.name for c in target.columns]
            connection.execute(insert(target).from_select(names, select(*[stage.c[n] for n in names])))
    _keep_fingerprints(connection, plans)
    people_change = changes["participants"]
    if people_change.rows == people_change.added:  # every person's masks were made by this sync
        write_meta(connection, "masks", MASKING_VERSION)
    if any_change or read_meta(connection, "data_version") is None:
        report("organisation tree", 0, None)
        _rebuild_org_tree(connection)
        derive.bump_data_version(connection)
    duck = scratch if scratch is not None and scratch.usable else None
    derived_by = None
    if not incremental:
        report("rules", 0, None)
        derived_by = derive.derive(connection, rules, duck=duck)
    elif not derive.is_derived(connection, rules):
        report("rules", 0, None)
        derived_by = derive.derive(connection, rules, phases_touched, duck=duck)
        if changes["participants"].added or changes["participants"].changed or changes["participants"].missing:
            derive.refresh_people(connection, rules, people, branches)
    for stage in staged.values():
        stage.drop(connection)
    people.drop(connection)
    branches.drop(connection)

    summary = SyncSummary(
        source=export.label, unchanged=not any_change, seconds=0.0, tables=changes,
        invalid=invalid_counts(connection), warnings=warnings,
        exported_at=export.meta.get("exported_at"), derived_by=derived_by,
    )
    if isinstance(digest, _Digest):
        digest = digest.get()
    connection.execute(insert(sync_runs).values(
        id=sync_id, source=export.label, export_digest=digest, exported_at=summary.exported_at,
        finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), summary=summary.to_json()))
    return summary


def _read_tables(connection, export: Export, rules: Rules, staged, checker: RowChecker, plans, checks,
                 attached: bool, report, scratch=None) -> None:
    """Every table of the export into the staging tables (or, for new blocks of the large
    ones, straight into the store), checked row by row."""
    for name in SYNC_ORDER:
        if name not in export.tables:
            continue  # only optional tables can be absent: required ones were checked on open
        plan = _block_plan(connection, export, name, report) if name in blocks.TABLES else None
        plans[name] = plan
        if scratch is not None and name in blocks.TABLES:
            # DuckDB derives from the rows this sync converts (kept in the scratch) and the
            # store's rows outside the blocks it replaces; a table read otherwise: SQLite derives.
            scratch.replaced[name] = (None if plan is None or plan.whole_store
                                      else frozenset(plan.dirty) | frozenset(plan.gone))
            scratch.usable = scratch.usable and plan is not None
        if plan is not None:
            checks[name] = blocks.SideReader(export.read_uri, name, plan.dirty, fingerprint=not plan.prints)
            _stage_blocks(connection, export, name, plan, staged[name], checker, attached, report,
                          scratch if scratch is not None and scratch.usable else None)
            continue
        total = export.count(name)
        done = 0
        previous_id = None
        report(name, 0, total)
        for chunk in export.rows(name, EXPORT_COLUMNS[name]):
            rows, previous_id = checker.convert(name, chunk, previous_id, EXPORT_COLUMNS[name])
            if not checker.problems:
                _bulk_insert(connection, staged[name], rows, [c.name for c in EXPORT_TABLES[name].columns])
            done += len(chunk)
            report(name, done, total)


def _temporary_ids(connection, name: str) -> Table:
    table = Table(name, MetaData(), Column("id", BigInteger, primary_key=True, autoincrement=False),
                  prefixes=["TEMPORARY"])
    table.drop(connection, checkfirst=True)
    table.create(connection)
    return table


def _differs(stage: Table, target: Table):
    return or_(*[stage.c[c.name].is_distinct_from(c) for c in target.columns if c.name not in DERIVED_COLUMNS])


def _changed_ids(connection, stage: Table, target: Table, into: Table) -> None:
    """The ids of rows added, changed or gone."""
    joined = stage.join(target, target.c.id == stage.c.id, isouter=True)
    new_or_changed = select(stage.c.id).select_from(joined).where(or_(target.c.id.is_(None), _differs(stage, target)))
    gone = select(target.c.id).where(~exists().where(stage.c.id == target.c.id))
    connection.execute(insert(into).from_select(["id"], new_or_changed.union(gone)))


def _touched_phases(connection, stage: Table, target: Table, scope, rules: Rules) -> set[str]:
    """The phases holding a row that was added, changed or removed (before or after)."""
    instant = "started_ms" if "started_ms" in target.c else "shared_ms"
    joined = stage.join(target, target.c.id == stage.c.id, isouter=True)
    new_side = select(derive.phase_case(rules, stage.c[instant])).select_from(joined).where(
        or_(target.c.id.is_(None), _differs(stage, target))).distinct()
    old_side = select(derive.phase_case(rules, target.c[instant])).select_from(
        target.join(stage, stage.c.id == target.c.id, isouter=True)).where(
        or_(stage.c.id.is_(None), _differs(stage, target))).distinct()
    if scope is not None:
        old_side = old_side.where(scope)
    found = {phase for (phase,) in connection.execute(new_side)} | {phase for (phase,) in connection.execute(old_side)}
    return {phase for phase in found if phase is not None}


def _direct_phases(connection, target: Table, plan: BlockPlan, rules: Rules) -> set[str]:
    """The phases of the rows written straight into the store (new blocks)."""
    instant = target.c.started_ms if "started_ms" in target.c else target.c.shared_ms
    direct = BlockPlan(plan.prints, sorted(plan.direct), [])
    found = connection.execute(select(derive.phase_case(rules, instant)).where(
        direct.scope(target.c.id)).distinct()).scalars()
    return {phase for phase in found if phase is not None}


def _refuse_orphans(connection, staged, scopes, label: str) -> None:
    """People gone from the export while rows this sync keeps (unchanged blocks) still refer
    to them: the same message as a dangling reference in the export."""
    problems = []
    p = staged["participants"]
    for name in ("attempts", "shares"):
        target = EXPORT_TABLES[name]
        if scopes.get(name) is None:
            continue  # read in full: checked with the staged rows
        query = select(target.c.id, target.c.participant_id).where(
            ~scopes[name], ~exists().where(p.c.id == target.c.participant_id)).order_by(target.c.id).limit(20)
        for row_id, ref in connection.execute(query):
            problems.append(Problem("refers to {target} id {value}, which does not exist",
                                    Location(label, table=name, row=row_id, field="participant_id"),
                                    {"target": "participants", "value": ref}))
    if problems:
        raise ExportError.of(problems)


def _keep_fingerprints(connection, plans: dict[str, BlockPlan | None]) -> None:
    b = export_blocks.c
    for name in blocks.TABLES:
        plan = plans.get(name)
        if plan is None:
            connection.execute(delete(export_blocks).where(b.table_name == name))
            continue
        touched = sorted(set(plan.dirty) | set(plan.gone))
        if plan.whole_store:
            connection.execute(delete(export_blocks).where(b.table_name == name))
        for start in range(0, len(touched), 500):
            connection.execute(delete(export_blocks).where(b.table_name == name,
                                                           b.block.in_(touched[start:start + 500])))
        rows = [(name, block, plan.prints[block].digest()) for block in plan.dirty if plan.prints[block].trusted]
        _bulk_insert(connection, export_blocks, rows)
    write_meta(connection, "fingerprints", blocks.FINGERPRINT_METHOD)


def _refuse_mass_removal(connection, changes: dict[str, "TableChange"], label: str, limit: float) -> None:
    """A sync that would remove more than `limit` of the rows of a table is most likely a wrong
    or truncated export: refused, saying how many rows would go, unless confirmed."""
    problems = []
    for name, change in changes.items():
        before = change.rows - change.added + change.missing
        if before and change.missing / before > limit:
            problems.append(Problem("this export would remove {missing:,} of the {before:,} rows of table {table} "
                                    "({share:.1%}, more than {limit:.0%}); if that is right, sync again with "
                                    "--allow-removal", Location(label, table=name),
                                    {"missing": change.missing, "before": before, "table": name,
                                     "share": change.missing / before, "limit": limit}))
    if problems:
        raise ExportError.of(problems)


def invalid_counts(connection) -> dict[str, dict[str, int]]:
    t = attempt_status.c
    rows = connection.execute(
        select(t.phase, t.reason, func.count()).where(t.reason.is_not(None))
        .group_by(t.phase, t.reason).order_by(t.phase, t.reason)).all()
    counts: dict[str, dict[str, int]] = {}
    for phase, reason, count in rows:
        counts.setdefault(phase, {})[reason] = count
    return counts


def _compare(connection, stage: Table, target: Table, scope=None) -> TableChange:
    """Staged rows against the store's: all of them, or the store's rows in `scope` only."""
    rows = connection.execute(select(func.count()).select_from(stage)).scalar_one()
    added = connection.execute(select(func.count()).select_from(stage).where(
        ~exists().where(target.c.id == stage.c.id))).scalar_one()
    missing_query = select(target.c.id).where(~exists().where(stage.c.id == target.c.id))
    if scope is not None:
        missing_query = missing_query.where(scope)
    missing = connection.execute(select(func.count()).select_from(missing_query.subquery())).scalar_one()
    missing_ids = list(connection.execute(missing_query.order_by(target.c.id).limit(20)).scalars())
    changed = connection.execute(select(func.count()).select_from(stage).join(
        target, target.c.id == stage.c.id).where(_differs(stage, target))).scalar_one()
    return TableChange(rows=rows, added=added, changed=changed, missing=missing, missing_ids=missing_ids)


def _validate(connection, staged: dict[str, Table], label: str, looked_up=None) -> list[str]:
    """References, the organisation tree, participants' branches. `dangling`: the tables whose
    references were looked up inside the export (blocks.SideReader), with what was found."""
    problems: list[Problem] = []
    looked_up = looked_up or {}
    for name, field_name, target_name in REFERENCES:
        if name in looked_up:
            for row_id, ref in looked_up[name]:
                problems.append(Problem("refers to {target} id {value}, which does not exist",
                                        Location(label, table=name, row=row_id, field=field_name),
                                        {"target": target_name, "value": ref}))
            continue
        table = staged[name]
        target = staged[target_name].alias("referenced")
        value = table.c[field_name]
        dangling = select(table.c.id, value).where(
            value.is_not(None), ~exists().where(target.c.id == value)).order_by(table.c.id).limit(20)
        for row_id, ref in connection.execute(dangling):
            problems.append(Problem("refers to {target} id {value}, which does not exist",
                                    Location(label, table=name, row=row_id, field=field_name),
                                    {"target": target_name, "value": ref}))
    orgs = {row.id: row for row in connection.execute(select(staged["organizations"]))}
    problems.extend(_tree_problems(orgs, label))
    p, o = staged["participants"], staged["organizations"]
    wrong_level = select(p.c.id, o.c.level).join(o, o.c.id == p.c.branch_id).where(
        o.c.level != "branch").order_by(p.c.id).limit(20)
    for row_id, level in connection.execute(wrong_level):
        problems.append(Problem("a participant's branch_id must name a branch, not a {level}",
                                Location(label, table="participants", row=row_id, field="branch_id"),
                                {"level": level}))
    if problems:
        raise ExportError.of(problems)
    warnings = []
    without_unit = [org_id for org_id in orgs if orgs[org_id].level != "unit" and _unit_of(orgs, org_id) is None]
    if without_unit:
        warnings.append(f"organisations with no unit above them (cannot field a stage team): "
                        f"{', '.join(map(str, sorted(without_unit)[:20]))}"
                        + (f" and {len(without_unit) - 20} more" if len(without_unit) > 20 else ""))
    return warnings


def _tree_problems(orgs: dict, label: str) -> list[Problem]:
    problems = []
    reported_cycles: set[int] = set()
    children: dict[int, list[int]] = {}
    for org in orgs.values():
        if org.parent_id is not None:
            children.setdefault(org.parent_id, []).append(org.id)
        if org.level == "unit" and org.parent_id is not None:
            problems.append(Problem("a unit must have no parent",
                                    Location(label, table="organizations", row=org.id, field="parent_id")))
    for org_id, kids in sorted(children.items()):
        if org_id in orgs and orgs[org_id].level == "branch":
            problems.append(Problem("a branch has organisations under it: {children}",
                                    Location(label, table="organizations", row=org_id, field="level"),
                                    {"children": ", ".join(map(str, sorted(kids)[:10]))}))
    state: dict[int, int] = {}  # 1 on the current path, 2 done
    for start in sorted(orgs):
        path = []
        node = start
        while node in orgs and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = orgs[node].parent_id
        if node in orgs and state.get(node) == 1 and node not in reported_cycles:
            cycle = path[path.index(node):]
            reported_cycles.update(cycle)
            problems.append(Problem("the organisation tree has a cycle: {path}",
                                    Location(label, table="organizations", row=min(cycle), field="parent_id"),
                                    {"path": " -> ".join(map(str, cycle + [node]))}))
        for visited in path:
            state[visited] = 2
    return problems


def _unit_of(orgs: dict, org_id: int) -> int | None:
    seen = set()
    node = org_id
    while node is not None and node in orgs and node not in seen:
        seen.add(node)
        if orgs[node].level == "unit":
            return node
        node = orgs[node].parent_id
    return None


def _rebuild_org_tree(connection) -> None:
    """Fill organizations.unit_id and org_branches (every committee/unit to each branch below)."""
    orgs = {row.id: row for row in connection.execute(select(organizations))}
    connection.execute(delete(org_branches))
    pairs = []
    units: dict[int, int | None] = {}
    for org_id, org in orgs.items():
        units[org_id] = _unit_of(orgs, org_id)
        if org.level != "branch":
            continue
        node = org.parent_id
        while node is not None and node in orgs:
            pairs.append((node, org_id))
            node = orgs[node].parent_id
    for start in range(0, len(pairs), 50_000):
        _bulk_insert(connection, org_branches, pairs[start:start + 50_000])
    changed_units = [(unit, org_id) for org_id, unit in units.items() if orgs[org_id].unit_id != unit]
    if changed_units:
        statement = update(organizations).where(organizations.c.id == bindparam("org")).values(
            unit_id=bindparam("unit"))
        connection.execute(statement, [{"org": org, "unit": unit} for unit, org in changed_units])
