"""The listings of up to a million rows as CSV straight from a SQLite store, lean: no database
toolkit, no analytical engine, the rows never becoming Python objects. Two listings: a published
ranking (a period's standings, the online final's) and the invalid attempts.

SQLite writes each line itself, a block of rows per statement, on two connections reading one
snapshot of the store (the second core), and the blocks are given in order. The bytes are
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
import io
import sqlite3
import threading
from contextlib import closing
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


def _quoting_characters() -> list[str]:
    """The characters that make this Python's csv writer quote a field (lineterminator \\n):
    asked of the module, not assumed (they have changed between versions)."""
    return [c for c in (",", '"', "\n", "\r") if _csv_field(f"a{c}b").startswith('"')]


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''").replace("\r", "' || char(13) || '").replace("\n", "' || char(10) || '") + "'"


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
        return f"coalesce(cast({source} as text), '')"
    if source in _TEXT:
        special = " or ".join(f"instr({source}, {_sql_text(c)})" for c in _quoting_characters())
        quoted = f"""'"' || replace({source}, '"', '""') || '"'"""
        return f"(case when {source} is null then '' when {special} then {quoted} else {source} end)"
    raise KeyError(column)


def line_sql(columns: tuple[str, ...], rules) -> str:
    """One CSV line (with its \\n), laid out as `columns`."""
    return " || ',' || ".join(_field_sql(c, rules) for c in columns) + " || char(10)"


def ranking(store: str | None, rules, phase_id: str, columns: tuple[str, ...], emit: Emit) -> bool:
    """The published ranking of `phase_id` (rank order) as CSV with the header `columns`."""
    phase = rules.phase(phase_id or "")
    if phase is None:
        return False

    def blocks(reader: _Reader, state: tuple) -> Blocks | None:
        if state[2] != MASKING_VERSION or not reader.has_attempts(phase.id):
            return None
        sql = (f"select group_concat(line, '') from (select {line_sql(columns, rules)} as line from phase_totals "
               f"where phase = ? and rank >= ? and rank < ? order by rank)")
        last = reader.scalar("select max(rank) from phase_totals where phase = ?", (phase.id,)) or 0
        return [(sql, (phase.id, low, low + BLOCK_RANKS)) for low in range(1, last + 1, BLOCK_RANKS)]
    return _write(store, rules, columns, blocks, emit)


def invalid_attempts(store: str | None, rules, phase_id: str | None, columns: tuple[str, ...], emit: Emit) -> bool:
    """The invalid attempts of `phase_id` (or of every phase), by phase then attempt id, as CSV
    with the header `columns`: what the listing path's Results.invalid_attempts lists."""
    if phase_id:
        phase = rules.phase(phase_id)
        if phase is None:
            return False
        phases = [phase.id]
    else:
        phases = sorted(p.id for p in rules.phases)  # the listing's order: by the phase's text

    def blocks(reader: _Reader, state: tuple) -> Blocks | None:
        sql = (f"select group_concat(line, '') from (select {line_sql(columns, rules)} as line from attempt_status "
               f"where phase = ? and reason is not null and attempt_id >= ? and attempt_id < ? order by attempt_id)")
        found: Blocks = []
        for phase in phases:
            low, high = reader.connection.execute(
                "select min(attempt_id), max(attempt_id) from attempt_status where phase = ? and reason is not null",
                (phase,)).fetchone()
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
    try:
        line_sql(columns, rules)
    except KeyError:
        return False
    readers: list[_Reader] = []
    given = False
    try:
        readers.append(_Reader(path))
        state = readers[0].state()
        data_version, derived_for, _ = state
        if data_version is None or derived_for != derived_key(rules, data_version):
            return False
        blocks = plan(readers[0], state)
        if blocks is None:
            return False
        if len(blocks) > 1:
            second = _Reader(path)
            readers.append(second)
            if second.state() != state:  # a sync committed in between: one reader is enough
                readers.pop().close()
        emit(",".join(_csv_field(c) for c in columns) + "\n")
        given = True
        with closing(_in_order(blocks, readers)) as texts:  # its thread ends here
            for text in texts:
                emit(text)
        return True
    except sqlite3.Error as error:
        if not given:
            return False
        from finals_app.core.errors import FinalsError
        raise FinalsError("the store {store} could not be read to the end of the listing ({reason}); what was "
                          "written of it is incomplete", store=str(path), reason=str(error)) from None
    finally:
        for reader in readers:
            reader.close()


class _Reader:
    """A read-only connection holding one read transaction (one snapshot of the store)."""

    def __init__(self, path: Path):
        self.connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                                          check_same_thread=False)
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


def _in_order(blocks: Blocks, readers: list[_Reader]):
    """Each block's text, in order; with two readers, the odd blocks are made by a thread
    (SQLite works without the interpreter's lock) while this one makes the even ones."""
    if len(readers) == 1:
        for sql, parameters in blocks:
            yield readers[0].scalar(sql, parameters) or ""
        return
    made: dict[int, str] = {}
    ready = threading.Condition()
    failed: list[BaseException] = []
    stop = threading.Event()

    def side() -> None:
        try:
            for index in range(1, len(blocks), 2):
                if stop.is_set():
                    return
                text = readers[1].scalar(*blocks[index]) or ""
                with ready:
                    made[index] = text
                    ready.notify()
                    while len(made) > 2 and not stop.is_set():  # a few blocks ahead at most
                        ready.wait()
        except BaseException as error:  # noqa: BLE001 - raised by the main thread
            with ready:
                failed.append(error)
                ready.notify()

    thread = threading.Thread(target=side, name="sqlite-csv", daemon=True)
    thread.start()
    try:
        for index, (sql, parameters) in enumerate(blocks):
            if index % 2 == 0:
                yield readers[0].scalar(sql, parameters) or ""
                continue
            with ready:
                while index not in made and not failed:
                    ready.wait()
                if failed:
                    raise failed[0]
                text = made.pop(index)
                ready.notify()
            yield text
    finally:
        stop.set()
        with ready:
            ready.notify_all()
        thread.join()
