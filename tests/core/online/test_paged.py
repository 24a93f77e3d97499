"""The big listings a page at a time (core/online/paged.py), on SQLite and PostgreSQL: every
sort and filter gives exactly the rows, the order and the masks of the office's full listing
(the CLI's listing as the staff read it), page by page in any order and streamed whole."""
from __future__ import annotations

import random

import pytest

from finals_app.core.i18n import NP_, translate
from finals_app.core.online.queries import ResultQueries
from finals_app.core.online.results import Results
from finals_app.core.online.sync import sync
from finals_app.core.store.engine import open_store
from finals_app.core.tables import listings
from finals_app.core.tables.masking import mask_name, mask_phone
from finals_app.ui.online.staff_view import for_staff, period_title
from tests.core.online.conftest import store_url

UNSEARCHED = ("average_duration_ms", "started_at")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request, tmp_path_factory, sample_export, small_rules):
    engine = open_store(store_url(request, request.param, tmp_path_factory.mktemp("paged")))
    sync(engine, str(sample_export), small_rules)
    yield engine
    engine.dispose()


def full_listings(results) -> dict:
    """The office's full listings (the old way: every row loaded), by paged name."""
    period = results.synced_phases()[0].id
    return period, {
        "standings": for_staff(results, listings.standings(results.standings_rows(period),
                                                           layout=results.STANDINGS_LAYOUT)),
        "final-standings": for_staff(results, listings.final_standings(results.final_standings())),
        "validate": for_staff(results, listings.invalid_attempts(results.invalid_attempts(period))),
    }


def shown_display(rules) -> dict:
    return {"period": lambda value: period_title(rules, value),
            "reason": lambda value: translate(NP_("invalid reason", value))}


def expected(listing, sort, descending, text, display) -> list[tuple]:
    """The full listing filtered and sorted as paged.py says: a stable sort by value (empty
    first), the text in what a column shows."""
    rows = list(listing.rows)
    columns = listing.columns
    if text:
        def shows(row) -> bool:
            for column, value in zip(columns, row):
                if column in UNSEARCHED or value is None:
                    continue
                shown = display[column](value) if column in display else str(value)
                if text.lower() in shown.lower():
                    return True
            return False
        rows = [row for row in rows if shows(row)]
    if sort is not None:
        at = columns.index(sort)
        empty = "" if any(isinstance(row[at], str) for row in rows) else -1
        rows = sorted(rows, key=lambda row: empty if row[at] is None else row[at], reverse=descending)
    elif descending:
        rows.reverse()
    return rows


def every_page(queries, view, shuffled=False) -> list[tuple]:
    order = list(range(view.pages))
    if shuffled:
        random.Random(7).shuffle(order)
    pages = {page: queries.paged_page(view, page) for page in order}
    assert all(len(pages[page]) == view.page_rows for page in order[:-1] if page != view.pages - 1)
    return [row for page in range(view.pages) for row in pages[page]]


def test_every_sort_gives_the_full_listing_order(store, small_rules):
    results = Results(store, small_rules)
    queries = ResultQueries(store, small_rules)
    period, full = full_listings(results)
    display = shown_display(small_rules)
    for name, listing in full.items():
        assert listing.rows, name
        for sort in (None, *listing.columns):
            for descending in (False, True):
                view = queries.paged_view(name, period, sort, descending, "", display, page_rows=7)
                assert view.columns == listing.columns and view.count == len(listing.rows)
                want = expected(listing, sort, descending, "", display)
                assert every_page(queries, view, shuffled=sort == "name") == want, (name, sort, descending)
        streamed = queries.paged_rows(queries.paged_view(name, period, "score" if name != "validate" else "reason",
                                                         True, page_rows=7), batch=5)
        want = expected(listing, "score" if name != "validate" else "reason", True, "", display)
        assert [row for part in streamed for row in part] == want, name


def test_filters_give_the_full_listing_rows(store, small_rules):
    results = Results(store, small_rules)
    queries = ResultQueries(store, small_rules)
    period, full = full_listings(results)
    display = shown_display(small_rules)
    standings = full["standings"]
    top = standings.rows[0]
    branch = standings.rows[len(standings.rows) // 2][standings.columns.index("branch")]
    invalid = full["validate"]
    reason_words = display["reason"](invalid.rows[0][-1]) if invalid.rows else "x"
    texts = {
        "standings": [top[2][:1], top[3][-4:], "*", "1", "99", branch[:3], branch, "no such text", "%", "_"],
        "final-standings": ["2", full["final-standings"].rows[0][2][:1], "*"],
        "validate": [reason_words, reason_words[:2], display["period"](period)[:3], "3", "no such text"],
    }
    for name, words in texts.items():
        listing = full[name]
        for text in words:
            for sort, descending in ((None, False), ("score" if name != "validate" else "name", True),
                                     (listing.columns[2], False)):
                view = queries.paged_view(name, period, sort, descending, text, display, page_rows=5)
                want = expected(listing, sort, descending, text, display)
                assert view.count == len(want), (name, text, sort)
                assert every_page(queries, view) == want, (name, text, sort)
        assert len(expected(listing, None, False, words[0], display)) > 0, (name, words[0])


def test_the_masks_are_the_listing_masks(store, small_rules):
    """Names and phones masked exactly as core/tables/masking.py masks them (rules.md section
    6), on the ranking and the final's; the invalid attempts name the person (staff only)."""
    results = Results(store, small_rules)
    queries = ResultQueries(store, small_rules)
    period = results.synced_phases()[0].id
    people = {row["participant_id"]: row for row in results.standings(period)}
    view = queries.paged_view("standings", period, "phone", page_rows=50)
    rows = [row for page in range(view.pages) for row in queries.paged_page(view, page)]
    assert len(rows) == len(people)
    for row in rows:
        person = people[row[1]]
        assert row[2] == mask_name(person["name"]) and row[3] == mask_phone(person["phone"])
        assert person["phone"] not in row and (len(person["name"]) < 2 or person["name"] != row[2])
    final = queries.paged_view("final-standings", page_rows=50)
    assert all("*" in row[2] for row in queries.paged_page(final, 0))


def test_a_page_is_bounded_and_found_directly(store, small_rules):
    """Any page is one keyed query of page_rows rows; the view keeps a key per page, no rows."""
    results = Results(store, small_rules)
    queries = ResultQueries(store, small_rules)
    period = results.synced_phases()[0].id
    view = queries.paged_view("standings", period, "average_duration_ms", True, page_rows=10)
    assert len(view.starts) == view.pages - (0 if view.count % 10 else 1) or len(view.starts) == view.count // 10
    last = queries.paged_page(view, view.pages - 1)
    assert 0 < len(last) <= 10 and queries.paged_page(view, view.pages) == []
    plain = queries.paged_view("standings", period, page_rows=10)
    assert plain.starts == () and plain.bounds == (1, plain.count)  # rank order: no scan at all
    assert [row[0] for row in queries.paged_page(plain, 3)] == list(range(31, 41))
    backwards = queries.paged_view("standings", period, None, True, page_rows=10)
    assert [row[0] for row in queries.paged_page(backwards, 0)] == list(range(plain.count, plain.count - 10, -1))


def test_paged_views_are_read_only(store, small_rules):
    from sqlalchemy import event
    queries = ResultQueries(store, small_rules)
    period = Results(store, small_rules).synced_phases()[0].id
    statements = []
    listen = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(store, "before_cursor_execute", listen)
    try:
        view = queries.paged_view("validate", period, "name", False, "a", page_rows=3)
        queries.paged_page(view, 0)
        list(queries.paged_rows(view))
    finally:
        event.remove(store, "before_cursor_execute", listen)
    assert statements and all(s.lstrip().lower().startswith(("select", "with", "pragma", "begin", "rollback", "commit")) for s in statements)
