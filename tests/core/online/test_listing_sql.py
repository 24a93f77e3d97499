"""The masks and the CSV the database writes for a million-row listing are exactly the Python
ones (rules.md section 6; Python's csv module), on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import literal, select

from finals_app.core.online.results import Results
from finals_app.core.online.sample_export import generate
from finals_app.core.online.sync import sync
from finals_app.core.store.engine import open_store
from finals_app.core.tables import listings
from finals_app.core.tables.listings import sql_csv_line
from finals_app.core.tables.masking import mask_name, mask_phone, sql_mask_name, sql_mask_phone
from finals_app.reports.writers import write_csv

NAMES = ["孙勇", "孙志勇", "欧阳华", "欧阳志华", "司马光", "诸葛亮", " 王五 ", "\u3000李四\u3000", "王", "A", "",
         None, "Smith, John", 'He said "hi"', "line\nbreak", "tab\tname", "东方不败者", "上官"]
PHONES = ["13812341234", " 13812341234 ", "1234567", "12345678", "", None, "+86 138 1234 1234", "\u300013812341234"]


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}" if request.param == "sqlite" else \
        request.getfixturevalue("postgres_server")()
    store = open_store(url)
    yield store
    store.dispose()


def test_sql_masks_are_the_python_masks(engine):
    dialect = engine.dialect.name
    with engine.connect() as connection:
        for name in NAMES:
            assert connection.execute(select(sql_mask_name(literal(name), dialect))).scalar() == mask_name(name), name
        for phone in PHONES:
            assert connection.execute(select(sql_mask_phone(literal(phone), dialect))).scalar() == mask_phone(phone), phone


def test_sql_csv_lines_are_python_csv(engine):
    dialect = engine.dialect.name
    with engine.connect() as connection:
        for values in ([1, "a,b", None, 'x"y'], [2, "line\nbreak", "plain", 0], [3, "cr\rhere", "", -5]):
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerow(["" if v is None else v for v in values])
            line = connection.execute(select(sql_csv_line([literal(v) for v in values], dialect))).scalar()
            assert line + "\n" == buffer.getvalue()


def _period_listing(results, payout):
    rows = results.standings_rows("P1")
    return (listings.standings(rows, payout=payout, layout=results.STANDINGS_LAYOUT),
            results.standings_csv("P1", listings.STANDINGS, payout=payout))


def _final_listing(results, payout):
    return (listings.final_standings(results.final_standings(), payout=payout),
            results.final_standings_csv(listings.FINAL_STANDINGS, payout=payout))


@pytest.mark.parametrize("make", [_period_listing, _final_listing], ids=["standings", "final-standings"])
def test_rankings_as_csv_from_the_database_equal_the_listings(engine, tmp_path, small_rules, make):
    export = generate(tmp_path / "export.sqlite", small_rules)
    sync(engine, str(export), small_rules)
    results = Results(engine, small_rules)
    for payout in (False, True):
        listing, chunks = make(results, payout)
        buffer = io.StringIO()
        write_csv(listing, buffer)
        fast = "".join(chunks)
        assert fast == buffer.getvalue() and fast.count("\n") > 100
