"""Reading the platform's export (schema version 1): read-only, table by table, row-checked."""
from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import quote

from sqlalchemy import Engine, column, create_engine, func, inspect, select, table
from sqlalchemy.exc import SQLAlchemyError

from finals_app.core.i18n import N_
from finals_app.core.errors import without_passwords, ExportError, Location, Problem
from finals_app.core.online.times import parse_instant
from finals_app.core.tables.masking import mask_name, mask_phone

SCHEMA_VERSION = "1"
REQUIRED_COLUMNS = {
    "meta": ("key", "value"),
    "organizations": ("id", "parent_id", "name", "level"),
    "participants": ("id", "name", "phone", "is_party_member", "branch_id"),
    "shares": ("id", "participant_id", "shared_at"),
    "attempts": ("id", "participant_id", "started_at", "finished_at", "question_count",
                 "correct_count", "score"),
}
OPTIONAL_COLUMNS = {
    "questions": ("id", "kind", "stem", "options", "answer", "source"),
}
LEVELS = (N_("unit"), N_("committee"), N_("branch"))  # also named in messages: in the catalogue
INT64 = 2 ** 63  # what the store (and SQLite, and PostgreSQL's bigint) can hold


class BadText(str):
    """Text of the export that is not valid UTF-8: kept (with its bytes escaped) so that the row
    checker can name the row and field instead of the driver failing the whole read."""


def _decode_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return BadText(raw.decode("utf-8", "backslashreplace"))


def _read_only_file_url(file: Path) -> tuple[str, Path | None]:
    """A URL that opens the export file strictly read-only, whatever its journal mode and
    wherever it lies (a read-only folder, a CD): `immutable=1` writes no -wal or -shm file
    beside it. An export with a -wal file of its own (copied while the platform was writing)
    is read from a private copy of both, so that its last transactions count and nothing is
    written beside the export. Returns (url, the temporary folder to remove after)."""
    wal = file.with_name(file.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        import shutil
        import tempfile
        folder = Path(tempfile.mkdtemp(prefix="finals-app-export-"))
        copy = folder / file.name
        shutil.copyfile(file, copy)
        shutil.copyfile(wal, folder / wal.name)
        return f"sqlite:///file:{quote(str(copy))}?mode=ro&uri=true", folder
    return f"sqlite:///file:{quote(str(file))}?mode=ro&immutable=1&uri=true", None


# The byte-range locks SQLite's POSIX file layer takes on a database file (os_unix.c): a writer
# holds RESERVED from its first change on, PENDING and the SHARED range (a write lock) while it
# writes the file itself. In WAL mode its lock is the -shm file's write lock (then checkpoint).
PENDING_BYTE = 0x40000000
RESERVED_BYTE = PENDING_BYTE + 1
SHARED_SIZE = 510
WAL_WRITE_LOCK_BYTE = 120
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")  # a rollback journal holding a transaction
BEING_WRITTEN = N_("the export is being written by another process: sync again when it is finished")


def _flock_layout() -> tuple[str, tuple[str, ...]] | None:
    """struct flock as this system lays it out, or None where it is unknown (Windows)."""
    if sys.platform.startswith("linux"):
        return "hhqqi", ("type", "whence", "start", "length", "pid")
    if sys.platform == "darwin" or "bsd" in sys.platform:
        return "qqihh", ("start", "length", "pid", "type", "whence")
    return None


def _lock_held(file: Path, start: int, length: int, write: bool) -> bool:
    """Whether another process holds a lock on these bytes of the file that would keep us from
    taking a write lock (write=True: any lock) or a read lock (a write lock): the kernel is
    asked (F_GETLK), nothing is locked or written, and the file is opened read-only (a
    read-only folder, a CD). False where the system cannot say. Only SQLite's own lock bytes
    are asked about, and this process never locks the export (it opens it immutable): closing
    the descriptor cannot drop a lock of ours."""
    layout = _flock_layout()
    if layout is None or not file.exists():
        return False
    import fcntl
    import struct
    form, names = layout
    values = {"type": fcntl.F_WRLCK if write else fcntl.F_RDLCK, "whence": os.SEEK_SET, "start": start,
              "length": length, "pid": 0}
    # F_OFD_GETLK (Linux) also sees a lock another connection of this process holds.
    command = getattr(fcntl, "F_OFD_GETLK", fcntl.F_GETLK)
    try:
        descriptor = os.open(file, os.O_RDONLY)
    except OSError:
        return False
    try:
        answer = fcntl.fcntl(descriptor, command, struct.pack(form, *(values[name] for name in names)))
    except OSError:
        return False
    finally:
        os.close(descriptor)
    found = dict(zip(names, struct.unpack(form, answer[:struct.calcsize(form)])))
    return found["type"] != fcntl.F_UNLCK


def _being_written(file: Path) -> bool:
    """A process holds a writer's lock on the export: RESERVED or more on the file (rollback
    journal), or the write or checkpoint lock of its -shm (WAL)."""
    shm = file.with_name(file.name + "-shm")
    return (_lock_held(file, RESERVED_BYTE, 1, write=True)
            or _lock_held(file, PENDING_BYTE, 2 + SHARED_SIZE, write=False)
            or _lock_held(shm, WAL_WRITE_LOCK_BYTE, 2, write=False))


def _hot_journal(file: Path) -> Path | None:
    """The -journal beside the export when it holds a transaction (a writer at work, or one
    stopped half-way: the file as it lies has half of a transaction's pages). A journal
    committed in PERSIST mode has its header zeroed; in TRUNCATE mode it is empty."""
    journal = file.with_name(file.name + "-journal")
    try:
        with journal.open("rb") as stream:
            return journal if stream.read(len(JOURNAL_MAGIC)) == JOURNAL_MAGIC else None
    except OSError:
        return None


def _refuse_unfinished(file: Path, label: str) -> None:
    """An export in the middle of being written is never read: `immutable=1` ignores every
    lock, so a writer is looked for before the read (and again at its end, WrittenState)."""
    if _being_written(file):
        raise ExportError(BEING_WRITTEN, Location(label))
    journal = _hot_journal(file)
    if journal is not None:
        raise ExportError("the export was left half-written: {journal} beside it holds an unfinished "
                          "transaction; sync again when its writer has finished, or ask the platform for a "
                          "new copy", Location(label), journal=journal.name)


@dataclass(frozen=True)
class WrittenState:
    """What changes when a process writes the export: the file's size, time and inode (a new
    copy moved over it), SQLite's change counter, and the size and time of its -wal."""

    stats: tuple

    @classmethod
    def of(cls, file: Path) -> "WrittenState":
        stats: list = []
        for path in (file, file.with_name(file.name + "-wal")):
            try:
                status = path.stat()
                stats.append((status.st_size, status.st_mtime_ns, status.st_ino))
            except OSError:
                stats.append(None)
        try:
            with file.open("rb") as stream:
                stats.append(stream.read(100)[24:28])  # the file change counter
        except OSError:
            stats.append(None)
        return cls(tuple(stats))


def _describe_database_error(error: Exception) -> str:
    text = str(getattr(error, "orig", None) or error).splitlines()[0]
    if "malformed" in text or "not a database" in text or "file is encrypted" in text:
        return text + " — the file is damaged or not an SQLite database: ask the platform for a new copy"
    return text
QUESTION_KINDS = ("single", "multiple", "judge", "fill")
MAX_PROBLEMS = 50


@dataclass
class Export:
    """An opened export: its engine, a name for messages, and a digest when it is a file."""

    engine: Engine
    label: str
    file: Path | None
    tables: set[str]
    meta: dict[str, str]
    scratch: Path | None = None  # a private copy's folder, removed on close
    read_uri: str | None = None  # a SQLite export: the read-only URI of the file to read
    written: WrittenState | None = None  # a file: as it was when opened

    def refuse_if_written(self) -> None:
        """The second guard against a writer (the first, on open, cannot see one that starts
        after it): at the end of the read, before anything is kept, the export must be as it
        was opened and no writer must hold it; else the sync is refused (rolled back)."""
        if self.file is None or self.written is None:
            return
        if _being_written(self.file) or WrittenState.of(self.file) != self.written:
            raise ExportError(BEING_WRITTEN, Location(self.label))

    def read_error(self, name: str, error: Exception) -> ExportError:
        """A failed read of a table, said with the table (a damaged file as such)."""
        return ExportError("cannot read the export: {reason}", Location(self.label, table=name),
                           reason=without_passwords(_describe_database_error(error)))

    def raw_rows(self, name: str, columns: tuple[str, ...], ids: list[int]) -> list[tuple]:
        """The rows with these ids, as the export holds them (for the row checker)."""
        found: list[tuple] = []
        query = select(*[column(c) for c in columns]).select_from(table(name))
        try:
            with self.engine.connect() as connection:
                for start in range(0, len(ids), 5000):
                    chunk = ids[start:start + 5000]
                    found.extend(tuple(row) for row in connection.execute(query.where(column("id").in_(chunk))))
        except (SQLAlchemyError, OSError) as error:
            raise self.read_error(name, error) from None
        return sorted(found, key=lambda row: row[0])

    def digest(self) -> str | None:
        """SHA-256 of the export file: equal digests mean an identical export."""
        if self.file is None:
            return None
        hasher = hashlib.sha256()
        with self.file.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 22), b""):
                hasher.update(block)
        return hasher.hexdigest()

    def count(self, name: str) -> int:
        try:
            with self.engine.connect() as connection:
                return connection.execute(select(func.count()).select_from(table(name))).scalar_one()
        except (SQLAlchemyError, OSError) as error:
            raise self.read_error(name, error) from None

    def rows(self, name: str, columns: tuple[str, ...], chunk: int = 50_000) -> Iterator[list[tuple]]:
        """The rows of a table in id order, in chunks. A damaged file is said with the table."""
        query = select(*[column(c) for c in columns]).select_from(table(name)).order_by(column("id"))
        try:
            with self.engine.connect() as connection:
                result = connection.execution_options(stream_results=True, yield_per=chunk).execute(query)
                for part in result.partitions(chunk):
                    yield [tuple(row) for row in part]
        except (SQLAlchemyError, OSError) as error:
            raise self.read_error(name, error) from None

    def close(self) -> None:
        self.engine.dispose()
        if self.scratch is not None:
            import shutil
            shutil.rmtree(self.scratch, ignore_errors=True)


def open_export(spec: str) -> Export:
    """Open an export read-only: a path to a SQLite file, or a SQLAlchemy URL."""
    file: Path | None = None
    scratch: Path | None = None
    written: WrittenState | None = None
    if "://" in spec:
        url, label = spec, without_passwords(spec)  # the label is printed and stored: never the password
    else:
        file = Path(spec).expanduser().resolve()
        label = str(spec)
        if file.is_dir():
            raise ExportError("cannot open the export: {reason}", Location(label), reason="it is a folder")
        if not file.is_file():
            raise ExportError("cannot open the export: {reason}", Location(label), reason="no such file")
        _refuse_unfinished(file, label)
        written = WrittenState.of(file)
        try:
            url, scratch = _read_only_file_url(file)
        except OSError as error:
            raise ExportError("cannot open the export: {reason}", Location(label), reason=error.strerror) from None
    try:
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            from sqlalchemy import event
            event.listen(engine, "connect", lambda dbapi, _: setattr(dbapi, "text_factory", _decode_text))
        with engine.connect() as connection:
            names = set(inspect(connection).get_table_names())
            _check_columns(connection, names, label)
            pairs = connection.execute(select(column("key"), column("value")).select_from(table("meta"))).all()
    except ExportError:
        raise
    except (SQLAlchemyError, OSError, ValueError) as error:
        raise ExportError("cannot open the export: {reason}", Location(label),
                          reason=without_passwords(_describe_database_error(error))) from None
    meta: dict = {}
    for key, value in pairs:
        if key in meta:
            raise ExportError("key {key} appears more than once ({first!r}, then {second!r}): the export is "
                              "inconsistent", Location(label, table="meta", field="key"), key=key, first=meta[key],
                              second=value)
        meta[key] = value
    version = meta.get("schema_version")
    if version is None:
        raise ExportError("the export has no schema_version in table meta", Location(label, table="meta"))
    if str(version).strip() != SCHEMA_VERSION:
        raise ExportError("unknown schema_version {value} (this version reads 1)",
                          Location(label, table="meta", field="schema_version"), value=version)
    read_uri = url.removeprefix("sqlite:///").removesuffix("&uri=true") if file is not None else None
    return Export(engine, label, file, names, {k: str(v) for k, v in meta.items()}, scratch, read_uri, written)


def _check_columns(connection, names: set[str], label: str) -> None:
    problems = []
    inspector = inspect(connection)
    for name, wanted in {**REQUIRED_COLUMNS, **OPTIONAL_COLUMNS}.items():
        if name not in names:
            if name in REQUIRED_COLUMNS:
                problems.append(Problem("the export has no table {table}", Location(label), {"table": name}))
            continue
        present = {c["name"] for c in inspector.get_columns(name)}
        for wanted_column in wanted:
            if wanted_column not in present:
                problems.append(Problem("the export's table lacks column {column}",
                                        Location(label, table=name, field=wanted_column),
                                        {"column": wanted_column}))
    if problems:
        raise ExportError.of(problems)


class RowChecker:
    """Turns export rows into store rows, collecting located problems (at most MAX_PROBLEMS)."""

    def __init__(self, label: str, offset_hours: int):
        self.label = label
        self.offset_hours = offset_hours
        self.problems: list[Problem] = []
        self.extra = 0

    def row_problem(self, template: str, table_name: str, row, field: str | None = None, **values) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(template, Location(self.label, table=table_name, row=row, field=field), values))
        else:
            self.extra += 1

    def fail_if_any(self) -> None:
        if self.problems:
            problems = list(self.problems)
            if self.extra:
                problems.append(Problem("{count} more problems not shown", Location(self.label), {"count": self.extra}))
            raise ExportError.of(problems)

    def _int(self, value, table_name, row, field, positive=False, nullable=False):
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                value = int(value)
            elif isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                template = (N_("must be a positive integer id, found {value!r}") if positive
                            else N_("must be an integer, found {value!r}"))
                self.row_problem(template, table_name, row, field, value=value)
                return None
        if positive and value <= 0:
            self.row_problem("must be a positive integer id, found {value!r}", table_name, row, field, value=value)
            return None
        if not -INT64 <= value < INT64:
            self.row_problem("is out of range for a whole number: {value!r}", table_name, row, field, value=value)
            return None
        return value

    def _time(self, value, table_name, row, field):
        instant = parse_instant(value, self.offset_hours)
        if instant is None:
            self.row_problem("time does not parse: {value!r}", table_name, row, field, value=value)
        return instant

    def convert(self, table_name: str, rows: list[tuple], previous_id: int | None,
                columns: tuple[str, ...] = ()) -> tuple[list[tuple], int | None]:
        convert = getattr(self, f"_{table_name}")
        out = []
        for raw in rows:
            row_id = self._int(raw[0], table_name, raw[0], "id", positive=True)
            for index, value in enumerate(raw):
                if isinstance(value, BadText):
                    self.row_problem("is not valid UTF-8 text: {value}", table_name, row_id if row_id is not None else raw[0],
                                columns[index] if index < len(columns) else None, value=value[:60])
            if row_id is not None and row_id == previous_id:
                self.row_problem("duplicate id {value} in the export", table_name, row_id, "id", value=row_id)
            previous_id = row_id if row_id is not None else previous_id
            converted = convert(row_id, raw)
            if converted is not None and row_id is not None:
                out.append(converted)
        return out, previous_id

    def _organizations(self, row_id, raw):
        _, parent_id, name, level = raw
        parent = self._int(parent_id, "organizations", row_id, "parent_id", positive=True, nullable=True)
        if level not in LEVELS:
            self.row_problem("unknown level {value!r} (unit, committee or branch)", "organizations", row_id, "level", value=level)
        if name is None or not str(name).strip():
            self.row_problem("must not be empty", "organizations", row_id, "name")
        return (row_id, parent, str(name or ""), level, None)

    def _participants(self, row_id, raw):
        _, name, phone, is_member, branch_id = raw
        member = self._int(is_member, "participants", row_id, "is_party_member")
        if member is not None and member not in (0, 1):
            self.row_problem("is_party_member must be 0 or 1, found {value!r}", "participants", row_id, "is_party_member", value=is_member)
        branch = self._int(branch_id, "participants", row_id, "branch_id", positive=True)
        if name is None:
            self.row_problem("must not be empty", "participants", row_id, "name")
        phone_text = (None if phone is None else str(phone).strip()) or None
        text = str(name or "")
        return (row_id, text, phone_text, member, branch, mask_name(text), mask_phone(phone_text))

    def _shares(self, row_id, raw):
        _, participant_id, shared_at = raw
        return (row_id, self._int(participant_id, "shares", row_id, "participant_id", positive=True),
                self._time(shared_at, "shares", row_id, "shared_at"))

    def _attempts(self, row_id, raw):
        _, participant_id, started_at, finished_at, question_count, correct_count, score = raw
        return (row_id,
                self._int(participant_id, "attempts", row_id, "participant_id", positive=True),
                self._time(started_at, "attempts", row_id, "started_at"),
                self._time(finished_at, "attempts", row_id, "finished_at"),
                self._int(question_count, "attempts", row_id, "question_count"),
                self._int(correct_count, "attempts", row_id, "correct_count"),
                self._int(score, "attempts", row_id, "score"))

    def _questions(self, row_id, raw):
        _, kind, stem, options, answer, source = raw
        if kind not in QUESTION_KINDS:
            self.row_problem("must be one of {allowed}", "questions", row_id, "kind", allowed=", ".join(QUESTION_KINDS))
        if options is not None:
            try:
                parsed = json.loads(options)
                if not isinstance(parsed, list):
                    raise ValueError
            except ValueError:
                self.row_problem("expected {expected}, found {found}", "questions", row_id, "options",
                             expected="JSON array", found=str(options)[:40])
        if not stem:
            self.row_problem("must not be empty", "questions", row_id, "stem")
        if answer is None or str(answer) == "":
            self.row_problem("must not be empty", "questions", row_id, "answer")
        return (row_id, kind, str(stem or ""), options, str(answer or ""), source)


ProgressCallback = Callable[[str, int, int | None], None]
