"""The listings of up to a million rows as CSV straight from a SQLite store, lean: no database
toolkit, no analytical engine, the rows never becoming Python objects. Two listings: a published
ranking (a period's standings, the online final's) and the invalid attempts.

SQLite writes each line itself (one printf), a block of rows per statement; on Linux a forked
helper process with its own snapshot of the store makes every other block (the second core), and
the blocks are given in order. The bytes are
exactly those of the listing path's csv writer (writers.write_csv over listings.publish):
integers as their decimal text, NULL as nothing, a text quoted exactly when the csv module
quotes it (the characters that make it quote are asked of the csv module itself), names and
phones the masks the store keeps (masking.py, made at sync). Tests compare the bytes on names
and phones chosen to break it.

Only an accelerator: `ranking` and `invalid_attempts` say False, having given nothing, whenever
they cannot promise those bytes or the checks the listing path makes (not a SQLite file store,
a store not derived for these rules or with masks of another version, a period unknown or not
synced, a column they do not know, any error reading the store); the caller then takes the
listing path, which says what is wrong or derives first.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import select
import signal
import sqlite3
import struct
import sys
import threading
from pathlib import Path
from typing import Callable

from finals_app.core.online.versions import derived_key
from finals_app.core.store.location import sqlite_file
from finals_app.core.tables.masking import MASKING_VERSION

BLOCK_RANKS = 32_768  # ranks a statement writes (about 2 MB of text)
BLOCK_IDS = 1 << 20  # attempt ids a statement of the invalid attempts covers

# phase_totals' columns by the listing's name: published names and phones are the kept masks.
_SOURCE = {"name": "masked_name", "phone": "masked_phone", "attempts": "valid_attempts", "period": "phase"}
_INTEGER = frozenset({"rank", "participant_id", "branch_id", "is_party_member", "score", "duration_ms",
                      "valid_attempts", "perfect_attempts", "share_credit_attempts", "last_finish_ms", "days_mask",
                      "attempt_id"})
_TEXT = frozenset({"masked_name", "masked_phone", "phase", "reason"})

Emit = Callable[[str], None]
Blocks = list[tuple[str, tuple]]  # each statement gives one text: a block of lines


def _csv_field(value) -> str:
    """A constant as the csv module writes it (the listing path's writer)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([value, ""])
    return out.getvalue()[:-2]


@functools.cache
def _quoting_characters() -> list[str]:
    """The characters that make this Python's csv writer quote a field (lineterminator \\n):
    asked of the module, not assumed (they have changed between versions)."""
    return [c for c in (",", '"', "\n", "\r") if _csv_field(f"a{c}b").startswith('"')]


def _sql_text(value: str) -> str:
    """A SQL text literal (line breaks as char(), so that the statement stays one line)."""
    parts = [f"char({ord(part)})" if part in "\r\n" else "'" + part.replace("'", "''") + "'"
             for part in re.split(r"([\r\n])", value) if part]
    return " || ".join(parts) or "''"


def _field_sql(column: str, rules) -> str:
    """SQL giving the CSV text of one listing column."""
    if column in ("tier", "amount_yuan"):
        # The online final's prize tiers: constants of the rules, written as csv writes them.
        otherwise = "''" if column == "tier" else _sql_text(_csv_field(0))
        whens = " ".join(f"when rank between {int(t.first_rank)} and {int(t.last_rank)} "
                         f"then {_sql_text(_csv_field(getattr(t, column)))}" for t in rules.exemplar_tiers)
        return f"(case {whens} else {otherwise} end)" if whens else otherwise
    source = _SOURCE.get(column, column)
    if source in _INTEGER:
        return source  # printf's %s: its decimal text, NULL as nothing
    if source in _TEXT:
        special = " or ".join(f"instr({source}, {_sql_text(c)})" for c in _quoting_characters())
        quoted = f"""'"' || replace({source}, '"', '""') || '"'"""
        return f"(case when {special} then {quoted} else {source} end)"
    raise KeyError(column)


def line_sql(columns: tuple[str, ...], rules) -> str:
    """One CSV line (with its \\n), laid out as `columns`: one printf (a chain of || made a new
    string at every step, twice the time). KeyError: a column it does not know."""
    fields = [_field_sql(c, rules) for c in columns]
    return f"printf('{','.join(['%s'] * len(fields))}' || char(10), {', '.join(fields)})"


def _block_sql(columns: tuple[str, ...], rules, table: str, where: str, order: str) -> str | None:
    """The statement giving one block's lines as one text, in `order`; None for a column it
    does not know (the listing path lists it)."""
    try:
        line = line_sql(columns, rules)
    except KeyError:
        return None
    return f"select group_concat(line, '') from (select {line} as line from {table} where {where} order by {order})"


def ranking(store: str | None, rules, phase_id: str, columns: tuple[str, ...], emit: Emit) -> bool:
    """The published ranking of `phase_id` (rank order) as CSV with the header `columns`."""
    phase = rules.phase(phase_id or "")
    sql = _block_sql(columns, rules, "phase_totals", "phase = ? and rank >= ? and rank < ?", "rank")
    if phase is None or sql is None:
        return False

    def blocks(reader: _Reader, state: tuple) -> Blocks | None:
        if state[2] != MASKING_VERSION or not reader.has_attempts(phase.id):
            return None
        last = reader.scalar("select max(rank) from phase_totals where phase = ?", (phase.id,)) or 0
        return [(sql, (phase.id, low, low + BLOCK_RANKS)) for low in range(1, last + 1, BLOCK_RANKS)]
    return _write(store, rules, columns, blocks, emit)


def invalid_attempts(store: str | None, rules, phase_id: str | None, columns: tuple[str, ...], emit: Emit) -> bool:
    """The invalid attempts of `phase_id` (or of every phase), by phase then attempt id, as CSV
    with the header `columns`: what the listing path's Results.invalid_attempts lists."""
    sql = _block_sql(columns, rules, "attempt_status",
                     "phase = ? and reason is not null and attempt_id >= ? and attempt_id < ?", "attempt_id")
    phase = rules.phase(phase_id) if phase_id else None
    if sql is None or (phase_id and phase is None):
        return False
    # The listing's order: by the phase's text.
    phases = [phase.id] if phase is not None else sorted(p.id for p in rules.phases)

    def blocks(reader: _Reader, state: tuple) -> Blocks | None:
        found: Blocks = []
        for phase in phases:
            # Each end apart: together, SQLite reads the whole phase instead of the index's ends.
            low, high = (reader.scalar(f"select {end}(attempt_id) from attempt_status where phase = ? and reason "
                                       "is not null", (phase,)) for end in ("min", "max"))
            if low is not None:
                found += [(sql, (phase, start, start + BLOCK_IDS)) for start in range(low, high + 1, BLOCK_IDS)]
        return found
    return _write(store, rules, columns, blocks, emit)


def _write(store: str | None, rules, columns: tuple[str, ...], plan: Callable[["_Reader", tuple], Blocks | None],
           emit: Emit) -> bool:
    """The header, then each block `plan` lists (read in the snapshot whose state it is given)."""
    path = sqlite_file(store)
    if path is None or not path.is_file():
        return False

    def planned(reader: _Reader) -> tuple[tuple, Blocks | None]:
        state = reader.state()
        data_version, derived_for, _ = state
        if data_version is None or derived_for != derived_key(rules, data_version):
            return state, None
        return state, plan(reader, state)

    helper = reader = None
    given = False
    try:
        if _can_fork() and _blocks_at_a_glance(path, planned) >= 2:
            # Forked while this process has no connection open (SQLite's rule for fork), and
            # only for a listing of several blocks.
            helper = _Helper.start(path, planned)
        reader = _Reader(path)
        state, blocks = planned(reader)
        if blocks is None:
            return False
        if helper is not None and (len(blocks) < 2 or not helper.agrees(state)):
            helper.stop()  # one block, or a sync committed in between: this process reads them all
            helper = None
        emit(",".join(_csv_field(c) for c in columns) + "\n")
        given = True
        for index, (sql, parameters) in enumerate(blocks):
            text = helper.block(index) if helper is not None and index % 2 else None
            emit(text if text is not None else reader.scalar(sql, parameters) or "")
        return True
    except sqlite3.Error as error:
        if not given:
            return False
        from finals_app.core.errors import FinalsError
        raise FinalsError("the store {store} could not be read to the end of the listing ({reason}); what was "
                          "written of it is incomplete", store=str(path), reason=str(error)) from None
    finally:
        if reader is not None:
            reader.close()
        if helper is not None:
            helper.stop()


def _blocks_at_a_glance(path: Path, planned) -> int:
    """How many blocks the listing has now (a connection opened and closed again)."""
    reader = _Reader(path)
    try:
        return len(planned(reader)[1] or ())
    finally:
        reader.close()


class _Reader:
    """A read-only connection holding one read transaction (one snapshot of the store)."""

    def __init__(self, path: Path):
        self.connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        self.connection.execute("begin")

    def scalar(self, sql: str, parameters: tuple = ()):
        row = self.connection.execute(sql, parameters).fetchone()
        return row[0] if row else None

    def state(self) -> tuple:
        """What a listing depends on, as this snapshot records it (its first read fixes it)."""
        meta = dict(self.connection.execute(
            "select key, value from store_meta where key in ('data_version', 'derived_for', 'masks')").fetchall())
        return meta.get("data_version"), meta.get("derived_for"), meta.get("masks")

    def has_attempts(self, phase_id: str) -> bool:
        return self.scalar("select 1 from attempt_status where phase = ? limit 1", (phase_id,)) is not None

    def close(self) -> None:
        self.connection.close()


def _can_fork() -> bool:
    """A second process makes every other block (threads do not help: SQLite's allocator is
    shared by the connections of one process; measured slower with two). Only where fork is
    the system's own and this process has no other thread that a fork could catch mid-lock."""
    return sys.platform == "linux" and threading.active_count() == 1


class _Helper:
    """A forked process with its own snapshot of the store that makes the odd blocks and sends
    them through a pipe: first its state (the parent compares it with its own), then each block
    as a length and its UTF-8 text, in order. A length of -1: it could not go on (the parent
    reads the rest itself)."""

    PATIENCE_S = 30.0  # a helper silent this long is taken as stuck: the parent reads the rest

    def __init__(self, pid: int, pipe: int):
        self.pid = pid
        self.pipe = pipe
        self.failed = False

    @classmethod
    def start(cls, path: Path, planned) -> "_Helper | None":
        try:
            read_end, write_end = os.pipe()
            pid = os.fork()
        except OSError:
            return None
        if pid == 0:  # the helper: never returns
            os.close(read_end)
            code = 0
            try:
                with os.fdopen(write_end, "wb") as out:
                    cls._serve(path, planned, out)
            except BaseException:  # noqa: BLE001 - the parent reads what is missing itself
                code = 1
            os._exit(code)
        os.close(write_end)
        return cls(pid, read_end)

    @staticmethod
    def _serve(path: Path, planned, out) -> None:
        reader = _Reader(path)
        try:
            state, blocks = planned(reader)
            _send(out, json.dumps(state).encode())
            for sql, parameters in (blocks or [])[1::2]:
                _send(out, (reader.scalar(sql, parameters) or "").encode())
        except sqlite3.Error:
            _send(out, None)
        finally:
            reader.close()

    def _read(self, size: int) -> bytes | None:
        """Exactly `size` bytes from the helper; None when it ended, or stayed silent too long."""
        chunks, left = [], size
        while left:
            if not select.select([self.pipe], [], [], self.PATIENCE_S)[0]:
                return None
            chunk = os.read(self.pipe, min(left, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _receive(self) -> bytes | None:
        head = self._read(8)
        if head is None:
            return None
        size = struct.unpack("<q", head)[0]
        return None if size < 0 else self._read(size)

    def agrees(self, state: tuple) -> bool:
        data = self._receive()
        return data is not None and tuple(json.loads(data)) == state

    def block(self, index: int) -> str | None:
        """The text of odd block `index` (asked in order), or None when the helper failed."""
        if self.failed:
            return None
        data = self._receive()
        if data is None:
            self.failed = True
            return None
        return data.decode()

    def stop(self) -> None:
        if self.pid is None:
            return
        os.close(self.pipe)
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        self.pid = None


def _send(out, data: bytes | None) -> None:
    out.write(struct.pack("<q", -1 if data is None else len(data)))
    if data is not None:
        out.write(data)
    out.flush()
