"""The large tables of an export (attempts, shares), read in SQL and compared by blocks.

A block is the rows whose id shares the same id >> BLOCK_BITS. For every block the export's
rows are fingerprinted in SQL (the count and a 31-bit hash of each row, its values weighted
and mixed with its id, summed over the block) over what decides a row's stored values: the
integers as written (with their type) and, for a time, the instant SQLite reads in it and its
length. The fingerprints of the last sync are kept in the store: a newer export's unchanged
blocks are neither read nor compared, so a sync costs what changed plus one cheap pass over the
export. A time SQLite cannot read at all (a shape only the row checker takes) makes its block
untrusted: read again at every sync.

Conversion in SQL (SQLite, no Python per row) takes the export's usual shapes only: integer
ids > 0 and integer counts, and times `YYYY-MM-DD HH:MM:SS[.fff]` (space or T), with `Z` or
`+HH:MM` when written with an offset; exactly the values `times.parse_instant` gives for them.
Anything else (a text id, a time of another shape, 24:00, bad UTF-8) is left to the row
checker of `export.py`, which converts or names it as before.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass

BLOCK_BITS = 16
LARGEST = 2 ** 63 - 1
FINGERPRINT_METHOD = "5"
M = 2147483647

# table -> (export columns, which are times)
TABLES = {
    "attempts": (("id", "participant_id", "started_at", "finished_at", "question_count", "correct_count", "score"),
                 (False, False, True, True, False, False, False)),
    "shares": (("id", "participant_id", "shared_at"), (False, False, True)),
}
POSITIVE = {"id", "participant_id"}


def time_ms(x: str, offset_hours: int) -> str:
    """SQL: the UTC epoch ms of an export time in one of the usual shapes, else NULL. julianday
    reads the digits and the separators between them; what it reads but parse_instant does not
    is refused here: another separator before the hour, a time without seconds (julianday takes
    `06:00` followed by spaces, or by spaces and an offset, padded to a length below), hour 24,
    year 0000, a day past the month's end (SQLite moves 2018-02-30 to March). (SQLite evaluates
    both sides of an OR: the costly date() check of a day past the 28th sits in a CASE, which it
    does not run for the other days: 0.45 µs a time saved.)"""
    jd = _jd_ms(x)
    common = (f"typeof({x}) = 'text' and substr({x}, 5, 1) = '-' and substr({x}, 11, 1) in (' ', 'T') "
              f"and substr({x}, 17, 1) = ':' "
              f"and substr({x}, 12, 2) < '24' and substr({x}, 1, 4) <> '0000' "
              f"and case when substr({x}, 9, 2) <= '28' then 1 "
              f"else date(substr({x}, 1, 10), '+0 days') = substr({x}, 1, 10) end")
    digit = "between '0' and '9'"
    local = f"{jd} - {offset_hours * 3_600_000}"
    return (f"(case when {common} then case length({x}) "
            f"when 19 then {local} "
            f"when 23 then case when substr({x}, 20, 1) = '.' and substr({x}, 23, 1) {digit} then {local} end "
            f"when 20 then case when substr({x}, 20, 1) = 'Z' then {jd} end "
            f"when 24 then case when substr({x}, 20, 1) = '.' and substr({x}, 23, 1) {digit} "
            f"and substr({x}, 24, 1) = 'Z' then {jd} end "
            f"when 25 then case when substr({x}, 20, 1) in ('+', '-') then {jd} end "
            f"when 29 then case when substr({x}, 20, 1) = '.' and substr({x}, 23, 1) {digit} "
            f"and substr({x}, 24, 1) in ('+', '-') then {jd} end "
            f"end end)")


def _integer(x: str, positive: bool) -> str:
    return f"(case when typeof({x}) = 'integer'{f' and {x} > 0' if positive else ''} then {x} end)"


def converted_columns(name: str, offset_hours: int, alias: str = "e") -> list[str]:
    """SQL expressions for the store's columns of a table, NULL where SQL cannot convert."""
    columns, times = TABLES[name]
    out = []
    for column, is_time in zip(columns, times):
        ref = f"{alias}.{column}"
        out.append(time_ms(ref, offset_hours) if is_time else _integer(ref, column in POSITIVE))
    return out


# One multiplier a value (each below 2**28: nine products of a value below M stay inside a
# 64-bit integer), then the row's sum mixed with its own id.
MULTIPLIERS = (48271, 16807, 69621, 39373, 40692, 40014, 53668, 2396403, 1103515)
ID_SALT = 1_000_003


def _row_hash(values: list[str], row_id: str) -> str:
    """SQL: a row's hash, NULL when a value is. The values' weighted sum is multiplied by a
    number taken from the row's id: two rows of a block that swap a value (two scores, two
    people) change the block's sum of hashes. (Method 3 summed hashes linear in the values
    alone: such a swap kept every column's sum, and went unseen about every other time.)"""
    assert len(values) <= len(MULTIPLIERS)
    weighted = " + ".join(f"({value}) % {M} * {k}" for value, k in zip(values, MULTIPLIERS))
    # The id's number is in 1 .. M - 1, never a multiple of the prime M: no row's values vanish
    # from the hash (with id % M + salt, the ids ≡ M - salt made every row hash 0).
    mixer = f"((({row_id} % {M}) + {M}) % {M} + {ID_SALT}) % {M - 1} + 1"
    return f"(({weighted}) % {M}) * ({mixer}) % {M}"


def _jd_ms(x: str) -> str:
    """SQL: the UTC epoch ms of the instant SQLite reads in a time (NULL when it reads none)."""
    return f"cast(round((julianday({x}) - 2440587.5) * 86400000.0) as integer)"


def fingerprint_sql(name: str, source: str, where: str) -> str:
    """SQL: (rows, hash, rows whose values SQL cannot read) of the rows of `source`."""
    columns, times = TABLES[name]
    values, lengths = [], []
    for column, is_time in zip(columns, times):
        ref = f"e.{column}"
        if is_time:
            values.append(_jd_ms(ref))
            lengths.append(f"length({ref})")
        else:
            values.append(f"(case when typeof({ref}) = 'integer' then {ref} end)")
    values.append(" + ".join(f"{length} * {4096 ** i}" for i, length in enumerate(lengths)))
    # The hash of each row once (LIMIT -1: a co-routine, not flattened into the aggregates,
    # which would compute it at each use); a row whose value SQL cannot read hashes to NULL.
    return (f"select count(*), coalesce(sum(h), 0), count(*) - count(h) "
            f"from (select {_row_hash(values, 'e.id')} as h from {source} where {where} limit -1)")


@dataclass(frozen=True)
class Fingerprint:
    rows: int
    hash: int
    unreadable: int  # rows whose values SQL cannot read: the block is read at every sync

    @property
    def trusted(self) -> bool:
        return self.unreadable == 0

    def digest(self) -> str:
        return f"{FINGERPRINT_METHOD}:{self.rows}:{self.hash}"


def _fingerprint(db: sqlite3.Connection, sql: str, block: int) -> Fingerprint:
    return Fingerprint(*db.execute(sql, block_range(block)).fetchone())


def block_range(block: int) -> tuple[int, int]:
    """The first and the last id of a block, both inclusive (the last block ends at SQLite's
    largest integer, which a bound one past it could not be given as)."""
    return max(block << BLOCK_BITS, -LARGEST - 1), min(((block + 1) << BLOCK_BITS) - 1, LARGEST)


def connect(uri: str) -> sqlite3.Connection:
    """A read-only connection to the export for a thread of its own."""
    db = sqlite3.connect(uri, uri=True, check_same_thread=False)
    db.execute("pragma cache_size=-131072")
    return db


def id_is_rowid(db: sqlite3.Connection, name: str) -> bool:
    """The table's id is SQLite's rowid (an INTEGER PRIMARY KEY): block ranges are seeks."""
    plan = db.execute(f'explain query plan select id from "{name}" where id >= 1 and id < 2').fetchall()
    return any("INTEGER PRIMARY KEY" in str(row[-1]) for row in plan)


def blocks_of(db: sqlite3.Connection, name: str) -> list[int]:
    """Every block holding a row, by seeking from one block to the next."""
    found = []
    row = db.execute(f'select min(id) from "{name}"').fetchone()
    if row is None or row[0] is None:
        return found
    block = int(row[0]) >> BLOCK_BITS
    while True:
        found.append(block)
        nxt = db.execute(f'select id from "{name}" where id > ? order by id limit 1',
                         (block_range(block)[1],)).fetchone()
        if nxt is None:
            return found
        block = int(nxt[0]) >> BLOCK_BITS


def table_blocks(uri: str, name: str) -> list[int] | None:
    """Every block of an export table; None when its id is not its rowid."""
    db = connect(uri)
    try:
        return blocks_of(db, name) if id_is_rowid(db, name) else None
    finally:
        db.close()


def export_fingerprints(uri: str, name: str,
                        threads: int = min(4, os.cpu_count() or 1)) -> dict[int, Fingerprint] | None:
    """The fingerprint of every block of an export table, read in `threads` connections (the
    work is inside SQLite, which runs in parallel). None when the table's id is not its rowid."""
    blocks = table_blocks(uri, name)
    if blocks is None:
        return None
    sql = fingerprint_sql(name, f'"{name}" e', "e.id >= ? and e.id <= ?")
    result: dict[int, Fingerprint] = {}
    errors: list[BaseException] = []
    stop = threading.Event()

    def work(part: list[int]) -> None:
        db = connect(uri)
        try:
            for block in part:
                if stop.is_set():
                    return
                result[block] = _fingerprint(db, sql, block)
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            stop.set()
            errors.append(error)
        finally:
            db.close()

    parts = [blocks[index::threads] for index in range(max(1, threads))]
    workers = [threading.Thread(target=work, args=(part,), daemon=True) for part in parts[1:]]
    for worker in workers:
        worker.start()
    try:
        work(parts[0])
    finally:
        for worker in workers:
            worker.join()
    if errors:
        raise errors[0]
    return result


class SideReader:
    """What a sync needs of the blocks it copies, read inside the export in a thread of its own
    while the main thread converts and writes (the machine has a second core): the rows whose
    participant_id names nobody in the export's participants, and, when asked, the blocks'
    fingerprints (a first sync, which has none to compare with)."""

    def __init__(self, uri: str, name: str, block_list: list[int], fingerprint: bool, limit: int = 20):
        self.dangling: list[tuple[int, object]] = []
        self.prints: dict[int, Fingerprint] = {}
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(uri, name, block_list, fingerprint, limit),
                                        name=f"side-{name}", daemon=True)
        self._thread.start()

    def _run(self, uri: str, name: str, block_list: list[int], fingerprint: bool, limit: int) -> None:
        references = (f'select e.id, e.participant_id from "{name}" e where e.id >= ? and e.id <= ? '
                      f'and e.participant_id is not null and not exists '
                      f'(select 1 from participants p where p.id = e.participant_id) order by e.id limit ?')
        prints = fingerprint_sql(name, f'"{name}" e', "e.id >= ? and e.id <= ?")
        db = connect(uri)
        try:
            for block in block_list:
                if self._stop.is_set():
                    return
                if len(self.dangling) < limit:
                    self.dangling += db.execute(references, (*block_range(block), limit - len(self.dangling))).fetchall()
                if fingerprint:
                    self.prints[block] = _fingerprint(db, prints, block)
        except BaseException as error:  # noqa: BLE001 - said by result()
            self.error = error
        finally:
            db.close()

    def result(self) -> "SideReader":
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self

    def cancel(self) -> None:
        self._stop.set()
        self._thread.join()
