"""Sync: bring an export into the store, all or nothing, idempotent, updating rows by id.

The export is read table by table into temporary staging tables (every row checked), the
references and the organisation tree are validated, each table is compared with the store by
id, changed tables are replaced, rows gone missing are recorded, and the derived results are
rebuilt for the rules in force: all inside one transaction, so a failure leaves the store as it
was. An export file identical to the last synced one (same SHA-256) is recognised at once.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from sqlalchemy import (BigInteger, Column, MetaData, String, Table, bindparam, delete, exists,
                        func, insert, literal, or_, select, update)
from sqlalchemy.exc import SQLAlchemyError

from finals_app.core.errors import ExportError, FinalsError, Location, Problem
from finals_app.core.online import derive
from finals_app.core.online.export import Export, ProgressCallback, RowChecker, open_export
from finals_app.core.rules import Rules
from finals_app.core.store.engine import read_meta
from finals_app.core.store.schema import (EXPORT_TABLES, attempt_status, missing_rows,
                                          org_branches, organizations, sync_runs)

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
DERIVED_COLUMNS = ("id", "unit_id")
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
        report("digest", 0, None)
        digest = export.digest()
        with engine.connect() as connection:
            last = connection.execute(select(sync_runs).order_by(sync_runs.c.id.desc()).limit(1)).first()
            derived_now = derive.is_derived(connection, rules)
        if last is not None and digest is not None and last.export_digest == digest and derived_now:
            summary = SyncSummary.from_json(last.summary)
            summary.unchanged = True
            summary.source = export.label
            summary.seconds = time.perf_counter() - started
            for change in summary.tables.values():
                change.added = change.changed = change.missing = 0
                change.missing_ids = []
            return summary
        with engine.begin() as connection:
            summary = _sync_in_transaction(connection, export, rules, digest, report, allow_removal,
                                           removal_limit)
        summary.seconds = time.perf_counter() - started
        return summary
    except FinalsError:
        raise
    except SQLAlchemyError as error:
        raise store_error(engine, error, export) from None
    finally:
        export.close()


def store_error(engine, error: Exception, export: Export | None = None) -> FinalsError:
    """What went wrong with the store, in words a user can act on (the transaction was rolled
    back: the store is as it was)."""
    import shutil
    from pathlib import Path

    from finals_app.core.store.engine import STORE_WAIT_ENV, store_wait_seconds
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


def _staging_tables(connection) -> dict[str, Table]:
    staging_metadata = MetaData()
    staged = {}
    for name, target in EXPORT_TABLES.items():
        columns = [Column(c.name, c.type, primary_key=c.primary_key, autoincrement=False) for c in target.columns]
        staged[name] = Table(f"staging_{name}", staging_metadata, *columns, prefixes=["TEMPORARY"])
        staged[name].drop(connection, checkfirst=True)
        staged[name].create(connection)
    return staged


def _bulk_insert(connection, target: Table, rows: list[tuple]) -> None:
    if not rows:
        return
    names = [c.name for c in target.columns]
    dialect = connection.dialect.name
    if dialect == "sqlite":
        sql = f'INSERT INTO {target.name} ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})'
        connection.exec_driver_sql(sql, rows)
    elif dialect == "postgresql":
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor:
            with cursor.copy(f'COPY {target.name} ({", ".join(names)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        connection.execute(insert(target), [dict(zip(names, row)) for row in rows])


def _sync_in_transaction(connection, export: Export, rules: Rules, digest: str | None,
                         report: ProgressCallback, allow_removal: bool = False,
                         removal_limit: float = 0.05) -> SyncSummary:
    staged = _staging_tables(connection)
    checker = RowChecker(export.label, rules.utc_offset_hours)
    for name in SYNC_ORDER:
        if name not in export.tables:
            continue  # only optional tables can be absent: required ones were checked on open
        total = export.count(name)
        done = 0
        previous_id = None
        report(name, 0, total)
        for chunk in export.rows(name, EXPORT_COLUMNS[name]):
            rows, previous_id = checker.convert(name, chunk, previous_id, EXPORT_COLUMNS[name])
            if not checker.problems:
                _bulk_insert(connection, staged[name], rows)
            done += len(chunk)
            report(name, done, total)
    checker.fail_if_any()

    report("validate", 0, None)
    warnings = _validate(connection, staged, export.label)

    report("compare", 0, None)
    sync_id = (connection.execute(select(func.max(sync_runs.c.id))).scalar() or 0) + 1
    changes: dict[str, TableChange] = {}
    any_change = False
    for name, target in EXPORT_TABLES.items():
        changes[name] = _compare(connection, staged[name], target)
    if not allow_removal:
        _refuse_mass_removal(connection, changes, export.label, removal_limit)
    for name, target in EXPORT_TABLES.items():
        change = changes[name]
        if change.added or change.changed or change.missing:
            any_change = True
            report(f"write {name}", 0, None)
            if change.missing:
                stage = staged[name]
                gone = select(literal(sync_id, BigInteger), literal(name, String), target.c.id).where(
                    ~exists().where(stage.c.id == target.c.id))
                connection.execute(insert(missing_rows).from_select(["sync_id", "table_name", "row_id"], gone))
            connection.execute(delete(target))
            connection.execute(insert(target).from_select([c.name for c in target.columns], select(staged[name])))
    if any_change or read_meta(connection, "data_version") is None:
        report("organisation tree", 0, None)
        _rebuild_org_tree(connection)
        derive.bump_data_version(connection)
    if not derive.is_derived(connection, rules):
        report("rules", 0, None)
        derive.derive(connection, rules)
    for stage in staged.values():
        stage.drop(connection)

    summary = SyncSummary(
        source=export.label, unchanged=not any_change, seconds=0.0, tables=changes,
        invalid=invalid_counts(connection), warnings=warnings,
        exported_at=export.meta.get("exported_at"),
    )
    connection.execute(insert(sync_runs).values(
        id=sync_id, source=export.label, export_digest=digest, exported_at=summary.exported_at,
        finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), summary=summary.to_json()))
    return summary


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


def _compare(connection, stage: Table, target: Table) -> TableChange:
    rows = connection.execute(select(func.count()).select_from(stage)).scalar_one()
    added = connection.execute(select(func.count()).select_from(stage).where(
        ~exists().where(target.c.id == stage.c.id))).scalar_one()
    missing_query = select(target.c.id).where(~exists().where(stage.c.id == target.c.id))
    missing = connection.execute(select(func.count()).select_from(missing_query.subquery())).scalar_one()
    missing_ids = list(connection.execute(missing_query.order_by(target.c.id).limit(20)).scalars())
    differs = [stage.c[c.name].is_distinct_from(c) for c in target.columns if c.name not in DERIVED_COLUMNS]
    changed = connection.execute(select(func.count()).select_from(stage).join(
        target, target.c.id == stage.c.id).where(or_(*differs))).scalar_one()
    return TableChange(rows=rows, added=added, changed=changed, missing=missing, missing_ids=missing_ids)


def _validate(connection, staged: dict[str, Table], label: str) -> list[str]:
    problems: list[Problem] = []
    for name, field_name, target_name in REFERENCES:
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
