"""A query never writes: every listing of ResultQueries (and the paperwork and team proposal read
through it) works on a store the database opens read-only and gives what the Results facade
gives; its way in refuses any write (SQLite and PostgreSQL) and issues nothing but reads; a
listing whose draw has not been run says so instead of running it. Drawing is DrawRecorder's."""
from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event, func, insert, select
from sqlalchemy.exc import DBAPIError

from finals_app.core.online import paperwork
from finals_app.core.online.queries import ResultQueries
from finals_app.core.online.recorder import DrawRecorder
from finals_app.core.online.results import Results, prepare_store
from finals_app.core.online.sync import sync
from finals_app.core.online.teams import propose_teams
from finals_app.core.store.engine import open_store
from finals_app.core.store.schema import draws, store_meta
from finals_app.core.tables import listings
from tests.core.online.conftest import store_url

SEED = "read-only-seed"


@pytest.fixture(scope="module")
def drawn_store(tmp_path_factory, sample_export, small_rules):
    """A synced SQLite store with P1's random draw and P1's first lottery day recorded; P2's
    draw and every other day not run."""
    store = tmp_path_factory.mktemp("read-only") / "store.sqlite"
    engine = open_store(f"sqlite:///{store}")
    sync(engine, str(sample_export), small_rules)
    _record_some_draws(Results(engine, small_rules))
    engine.dispose()
    return store


def _record_some_draws(results: Results) -> None:
    results.pioneer_draw("P1", SEED)
    results.lottery_draw(results.rules.phase("P1").first_day.isoformat(), SEED)


def _every_listing(queries, rules) -> dict:
    """What each listing gives, read through `queries` (a ResultQueries or the facade)."""
    first, second = rules.phase("P1").first_day, rules.phase("P1").first_day + timedelta(days=1)
    drawn = queries.recorded_draw(rules.pioneer_draw("P1"))
    branch = queries.branch_ranking(queries.phase("P1"), drawn)[0]["branch_id"]
    committee = paperwork.excellent_organisations(queries, "P1")[0]["committee_id"]
    invalid = queries.invalid_attempts()
    return {
        "synced": [phase.id for phase in queries.synced_phases()],
        "day": queries.lottery_day(first.isoformat()),
        "invalid": invalid, "invalid P1": queries.invalid_attempts("P1"),
        "invalid details": queries.invalid_attempt_details([row["attempt_id"] for row in invalid]),
        "organisations": queries.organisation_names(),
        "standings": {p.id: queries.standings(p.id) for p in rules.phases},
        "standings rows": queries.standings_rows("P1", columns=listings.STANDINGS),
        "top 5": queries.standings_rows("P2", limit=5),
        "final": queries.final_standings(),
        "final rows": queries.final_standings_rows(listings.FINAL_STANDINGS),
        "people": queries.people([1, 2, 3]),
        "branch ranking": queries.branch_ranking(queries.phase("P2"), None),
        "excellent": paperwork.excellent_organisations(queries, "P2"),
        "member archive": paperwork.member_archive(queries, drawn.winners[0].participant_id),
        "branch archive": paperwork.branch_archive(queries, branch),
        "ledger": paperwork.ledger(queries, branch, "P1"),
        "choices": paperwork.organisation_choices(queries, ("branch", "committee")),
        "resolved": paperwork.resolve_organisation(queries, str(branch), ("branch",)),
        "name": paperwork.organisation_name(queries, branch),
        "report": paperwork.period_report_data(queries, committee, "P1"),
        "teams": propose_teams(queries),
        "draws": {(period, kind): _drawn_rows(queries, kind, period) for period in ("P1", "P2")
                  for kind in ("awards", "branches", "committees")}
        | {(day, "lottery"): _drawn_rows(queries, "lottery", day.isoformat()) for day in (first, second)},
    }


def _drawn_rows(queries, kind: str, key: str):
    if isinstance(queries, Results):  # the office's way: the recorded draw, never a new one
        return getattr(queries, kind)(key, None, run=False)
    return getattr(queries, kind)(key).rows


def _read_only_engine(store, tmp_path):
    """The store as a database opened read-only (mode=ro: the file cannot be written, even by
    root), journalled without a -wal so no file beside it is needed."""
    copy = tmp_path / "read-only.sqlite"
    shutil.copyfile(store, copy)
    with sqlite3.connect(copy) as database:
        database.execute("PRAGMA journal_mode = DELETE")
    database.close()
    return create_engine("sqlite://", creator=lambda: sqlite3.connect(f"file:{copy}?mode=ro", uri=True))


def test_every_listing_works_on_a_read_only_store_as_the_facade_lists_it(drawn_store, small_rules, tmp_path):
    engine = _read_only_engine(drawn_store, tmp_path)
    queries = ResultQueries(engine, small_rules)
    read_only = _every_listing(queries, small_rules)
    writable = open_store(f"sqlite:///{drawn_store}")
    try:
        assert _every_listing(Results(writable, small_rules), small_rules) == read_only
    finally:
        writable.dispose()
    assert read_only["draws"][("P1", "awards")] and read_only["teams"].rows
    # The store really is read-only: the recorder cannot draw there.
    with pytest.raises(DBAPIError, match="readonly"):
        DrawRecorder(queries).pioneer_draw("P2", SEED)
    engine.dispose()


def test_a_listing_whose_draw_was_not_run_says_so_and_runs_nothing(drawn_store, small_rules, tmp_path):
    engine = _read_only_engine(drawn_store, tmp_path)
    queries = ResultQueries(engine, small_rules)
    awards, branches, committees = queries.awards("P2"), queries.branches("P2"), queries.committees("P2")
    for listing in (awards, branches, committees):
        assert listing.undrawn and listing.draw is None and listing.draw_name == small_rules.pioneer_draw("P2")
        assert listing.rows
    assert {row["award"] for row in awards.rows} == {"top"}
    drawn = queries.awards("P1")
    assert not drawn.undrawn and drawn.draw.seed == SEED and any(r["award"] == "random" for r in drawn.rows)
    day = small_rules.phase("P1").first_day + timedelta(days=1)
    lottery = queries.lottery(day.isoformat())
    assert lottery.undrawn and lottery.rows == [] and lottery.draw_name == small_rules.lottery_draw(day)
    assert not queries.lottery(small_rules.phase("P1").first_day.isoformat()).undrawn
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def synced_engine(request, tmp_path, sample_export, small_rules):
    engine = open_store(store_url(request, request.param, tmp_path))
    sync(engine, str(sample_export), small_rules)
    _record_some_draws(Results(engine, small_rules))
    yield engine
    engine.dispose()


def test_the_read_only_way_in_refuses_writes_and_hands_writers_back_a_writable_connection(synced_engine,
                                                                                           small_rules):
    queries = ResultQueries(synced_engine, small_rules)
    for write in (lambda c: c.execute(insert(store_meta).values(key="written", value="by a query")),
                  lambda c: c.exec_driver_sql("DELETE FROM store_meta"),
                  lambda c: c.connection.driver_connection.cursor().execute("DELETE FROM store_meta")):
        with pytest.raises(Exception, match="(?i)read.?only"):
            with queries.connect() as connection:
                write(connection)
    with synced_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(store_meta)).scalar() > 0
    with synced_engine.begin() as connection:  # the pool's connections write again after a listing
        connection.execute(insert(store_meta).values(key="written", value="by a writer"))


def test_every_listing_issues_reads_only_and_runs_no_draw(synced_engine, small_rules):
    prepare_store(synced_engine, small_rules)  # derived before any listing: the store's own cache
    with synced_engine.connect() as connection:
        draws_before = connection.execute(select(func.count()).select_from(draws)).scalar()
    statements: list[str] = []

    def seen(connection, cursor, statement, parameters, context, executemany):
        statements.append(statement.lstrip().split(None, 1)[0].upper())
    event.listen(synced_engine, "before_cursor_execute", seen)
    try:
        listed = _every_listing(ResultQueries(synced_engine, small_rules), small_rules)
    finally:
        event.remove(synced_engine, "before_cursor_execute", seen)
    assert listed["draws"][("P2", "awards")] and statements
    # SQLite's deferred BEGIN (engine.open_store) takes no write lock; the rest are selects.
    assert set(statements) <= {"SELECT", "WITH", "BEGIN"}, sorted(set(statements))
    with synced_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(draws)).scalar() == draws_before
