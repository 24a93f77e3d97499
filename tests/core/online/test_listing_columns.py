"""The rankings read as tuples of the listing's columns (the fast path for a million rows: no
dict per row, the masks by columns) give exactly the listings made from dict rows (masks of
rules.md section 6, Python's csv module), on SQLite and PostgreSQL, including names and phones
that need quoting or trimming."""
from __future__ import annotations

import io
import sqlite3

import pytest

from finals_app.core.online.results import Results
from finals_app.core.online.sample_export import generate
from finals_app.core.online.sync import sync
from finals_app.core.store.engine import open_store
from finals_app.core.tables import listings
from finals_app.reports.writers import write_csv
from tests.core.online.conftest import store_url


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    store = open_store(store_url(request, request.param, tmp_path))
    yield store
    store.dispose()


TRICKY = [("Smith, John", "138 1234 1234"), ('He said "hi"', " 13812341234 "), ("line\nbreak", "1234567"),
          ("\u3000李四\u3000", None), ("司马光", "12345678"), ("欧阳志华", "+86,13812341234"), ("王", "")]


def _period_listing(results, payout):
    return (listings.standings(results.standings("P1"), payout=payout),
            listings.standings(results.standings_rows("P1", columns=listings.STANDINGS), payout=payout,
                               layout=listings.STANDINGS))


def _final_listing(results, payout):
    return (listings.final_standings(results.final_standings(), payout=payout),
            listings.final_standings(results.final_standings_rows(listings.FINAL_STANDINGS), payout=payout,
                                     layout=listings.FINAL_STANDINGS))


@pytest.mark.parametrize("make", [_period_listing, _final_listing], ids=["standings", "final-standings"])
def test_rankings_read_by_columns_equal_the_listings_from_dicts(engine, tmp_path, small_rules, make):
    export = generate(tmp_path / "export.sqlite", small_rules)
    with sqlite3.connect(export) as db:  # names and phones a CSV must quote, masks must trim
        for index, (name, phone) in enumerate(TRICKY):
            db.execute("update participants set name = ?, phone = ? where id = (select participant_id from "
                       "attempts group by participant_id order by count(*) desc, participant_id limit 1 offset ?)",
                       (name, phone, index))
    sync(engine, str(export), small_rules)
    results = Results(engine, small_rules)
    for payout in (False, True):
        from_dicts, from_tuples = make(results, payout)
        expected, fast = io.StringIO(), io.StringIO()
        write_csv(from_dicts, expected)
        write_csv(from_tuples, fast)
        fast = fast.getvalue()
        assert fast == expected.getvalue() and fast.count("\n") > 100
        if make is not _period_listing:
            continue  # the tricky people took part in P1; not all of them in the final
        if payout:  # the full names and phones, quoted where a CSV must quote them
            assert '"Smith, John"' in fast and '"He said ""hi"""' in fast and '"+86,13812341234"' in fast
        else:
            assert "S*n" in fast and "李*四" not in fast and "李*" in fast and "司马*" in fast
