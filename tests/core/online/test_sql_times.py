"""The sync converts the export's times in SQL (blocks.time_ms); whatever SQL accepts must be
exactly what parse_instant gives (the row checker takes the rest): generated near-misses of
the usual shapes, every day of a leap and a common year, offsets and fractions."""
from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finals_app.core.online.blocks import time_ms
from finals_app.core.online.times import parse_instant

OFFSET = 8


def _sql(values: list[object]) -> list[int | None]:
    db = sqlite3.connect(":memory:")
    db.execute("create table t (i integer primary key, x)")
    db.executemany("insert into t (x) values (?)", [(v,) for v in values])
    got = [row[0] for row in db.execute(f"select {time_ms('x', OFFSET)} from t order by i")]
    db.close()
    return got


def _agree(values: list[object]) -> None:
    for value, converted in zip(values, _sql(values)):
        if converted is not None:
            assert converted == parse_instant(value, OFFSET), value


def test_every_day_of_two_years_and_the_days_that_do_not_exist():
    values = []
    for year in (2016, 2018):
        day = date(year, 1, 1)
        while day.year == year:
            values.append(f"{day.isoformat()} 23:59:59.999")
            day += timedelta(days=1)
        for month in range(1, 13):
            values += [f"{year}-{month:02d}-{d} 10:00:00" for d in ("29", "30", "31", "32", "00")]
    converted = _sql(values)
    _agree(values)
    for value, got in zip(values, converted):
        if parse_instant(value, OFFSET) is None:
            assert got is None, value
    # The usual shapes are converted in SQL, not left to the slow path.
    assert all(got is not None for value, got in zip(values, converted) if value.endswith(".999"))


PIECES = st.sampled_from(["2018", "0000", "1999", "-", "01", "02", "12", "13", "28", "29", "30", "31", "00",
                          " ", "T", "t", "23", "24", ":", "59", "60", ".", "000", "999", "5", "Z", "+08:00",
                          "-05:30", "+0800", "x", "\u3000", "１"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(
    st.lists(PIECES, min_size=1, max_size=14).map("".join),
    st.builds(lambda d, h, m, s, tail: f"{d.isoformat()} {h:02d}:{m:02d}:{s:02d}{tail}",
              st.dates(date(1, 1, 1), date(9999, 12, 31)), st.integers(0, 25), st.integers(0, 61),
              st.integers(0, 61), st.sampled_from(["", ".123", ".5", "Z", ".007Z", "+08:00", ".250-03:00", " "])),
    # Near misses julianday reads: a time without seconds, spaces, then a tail, at any length.
    st.builds(lambda d, h, m, spaces, tail: f"{d.isoformat()} {h:02d}:{m:02d}{' ' * spaces}{tail}",
              st.dates(date(2017, 1, 1), date(2019, 12, 31)), st.integers(0, 25), st.integers(0, 61),
              st.integers(0, 13), st.sampled_from(["", "Z", "+08:00", "-05:30", ":00", ".123"])),
    st.integers(-10, 10**13), st.none(), st.binary(max_size=8)), min_size=1, max_size=40))
def test_sql_accepts_only_what_parse_instant_gives(values):
    _agree(values)


def test_texts_sqlite_reads_as_a_time_of_day_alone_are_left_to_parse_instant():
    """SQLite's julianday also reads a bare time of day (on 2000-01-01) with spaces before an
    offset; padded to the lengths SQL converts (19 and 25), with a space where the date's
    separator would be, they pass every check but that of the date's '-'. parse_instant
    refuses them, so SQL must give NULL."""
    values = ["08:00:00.5   +08:00", "23:00:00.1   -05:00", "08:00:00.5         +08:00", "12:34:56.7         -03:30"]
    assert sorted({len(v) for v in values}) == [19, 25]
    db = sqlite3.connect(":memory:")
    assert all(db.execute("select julianday(?) is not null", (v,)).fetchone()[0] for v in values)
    db.close()
    assert _sql(values) == [None] * len(values)
    assert [parse_instant(v, OFFSET) for v in values] == [None] * len(values)


def test_a_time_without_seconds_padded_to_a_converted_length_is_left_to_parse_instant():
    """julianday reads `06:00` followed by spaces (and a Z or an offset); at the lengths SQL
    converts (19, 20, 25) those passed every check (they were read as 06:00). parse_instant
    refuses them, so SQL must give NULL; the whole shapes beside them still convert."""
    values = ["2018-05-11 06:00   ", "2018-05-11 06:00   Z", "2018-05-11 06:00   +08:00", "2018-05-11T06:00   "]
    assert sorted({len(v) for v in values}) == [19, 20, 25]
    db = sqlite3.connect(":memory:")
    assert all(db.execute("select julianday(?) is not null", (v,)).fetchone()[0] for v in values)
    db.close()
    assert _sql(values) == [None] * len(values)
    assert [parse_instant(v, OFFSET) for v in values] == [None] * len(values)
    whole = ["2018-05-11 06:00:00", "2018-05-11 06:00:00Z", "2018-05-11 06:00:00+08:00"]
    assert _sql(whole) == [parse_instant(v, OFFSET) for v in whole] and None not in _sql(whole)
