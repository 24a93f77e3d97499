"""A block's fingerprint (blocks.fingerprint_sql) changes with any value of any row: also when
two rows swap values (each row's hash is mixed with its id), also at the ids whose number
could have cancelled the row out, at both ends of SQLite's integers."""
from __future__ import annotations

import sqlite3

import pytest

from finals_app.core.online.blocks import LARGEST, M, fingerprint_sql

ROW = (7, "2018-05-11 08:00:00.000", "2018-05-11 08:10:00.000", 20, 18, 90)


def _print(rows) -> tuple:
    db = sqlite3.connect(":memory:")
    db.execute("create table attempts (id integer primary key, participant_id, started_at, finished_at, "
               "question_count, correct_count, score)")
    db.executemany("insert into attempts values (?, ?, ?, ?, ?, ?, ?)", rows)
    found = db.execute(fingerprint_sql("attempts", "attempts e", "e.id >= ? and e.id <= ?"),
                       (-LARGEST - 1, LARGEST)).fetchone()
    db.close()
    return found


# M - 1000003 made id % M + 1000003 a multiple of M (every value of the row ignored); the ends
# of SQLite's integers; small and negative ids.
IDS = [M - 1_000_003, 2 * M - 1_000_003, -1_000_003, LARGEST, -LARGEST - 1, 1, 2, M, M - 1]


@pytest.mark.parametrize("row_id", IDS)
def test_every_value_of_a_row_counts(row_id):
    base = _print([(row_id, *ROW)])
    assert base[0] == 1 and base[2] == 0
    for index, changed in enumerate([8, "2018-05-11 08:00:01.000", "2018-05-11 08:10:01.000", 21, 17, 85]):
        row = list(ROW)
        row[index] = changed
        assert _print([(row_id, *row)]) != base, (row_id, index)


@pytest.mark.parametrize("one, other", [(1, 2), (M - 1_000_003, 5), (LARGEST, -LARGEST - 1)])
def test_two_rows_that_swap_a_value_change_the_fingerprint(one, other):
    a, b = (one, *ROW), (other, 9, *ROW[1:4], 20, 100)
    swapped = [(one, 9, *ROW[1:4], 20, 100), (other, *ROW)]
    assert _print([a, b]) != _print(swapped)


def test_a_value_sql_cannot_read_is_counted_not_hashed():
    assert _print([(3, *ROW[:1], "soon", *ROW[2:])])[2] == 1
    assert _print([(3, "7", *ROW[1:])])[2] == 1  # a text where an integer belongs
