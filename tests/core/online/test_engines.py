"""Every engine returns exactly what the plain-Python reference of rules.md returns, on
generated exports full of edge cases: SQLite (embedded default) and PostgreSQL (server)."""
from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from finals_app.core.errors import ExportError
from finals_app.core.online import paperwork
from finals_app.core.online.results import Results
from finals_app.core.online.sample_export import SampleSize, generate
from finals_app.core.online.sync import sync
from finals_app.core.store.engine import open_store
from finals_app.core.store.schema import attempt_status, attempts, phase_totals
from tests.core.online.reference import Reference
from tests.core.online.conftest import store_url

SEED = "sse-close-2017-12-25"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_kind(request):
    if request.param == "postgresql":
        request.getfixturevalue("postgres_server")
    return request.param


@pytest.fixture
def engine(engine_kind, tmp_path, request):
    store = open_store(store_url(request, engine_kind, tmp_path))
    yield store
    store.dispose()


def _compare_everything(engine, export, rules) -> None:
    ref = Reference.from_export(export, rules)
    results = Results(engine, rules)

    with engine.connect() as connection:
        got = {row.attempt_id: (row.phase, row.reason) for row in connection.execute(select(attempt_status))}
        credited = {(row.phase, row.participant_id): row.share_credit_attempts for row in connection.execute(
            select(phase_totals.c.phase, phase_totals.c.participant_id, phase_totals.c.share_credit_attempts))}
    want = {a.id: (a.phase, a.reason) for a in ref.attempts if a.phase is not None}
    assert got == want
    want_credited = {}
    for attempt in ref.attempts:  # valid thanks to a share credit, per person and phase
        if attempt.phase is not None and attempt.reason is None:
            key = (attempt.phase, attempt.person)
            want_credited[key] = want_credited.get(key, 0) + attempt.share_credit
    assert credited == want_credited
    assert any(want_credited.values())

    for phase in rules.phases:
        expected = [(r["rank"], r["participant_id"], r["score"], r["duration_ms"], r["valid_attempts"],
                     r["perfect_attempts"]) for r in ref.totals(phase.id)]
        actual = [(r["rank"], r["participant_id"], r["score"], r["duration_ms"], r["valid_attempts"],
                   r["perfect_attempts"]) for r in results.standings(phase.id)]
        assert actual == expected, phase.id
        assert expected, f"the generated data must score in {phase.id}"

    with engine.connect() as connection:  # the days each person took part, kept as bits
        masks = {(row.phase, row.participant_id): row.days_mask
                 for row in connection.execute(select(phase_totals.c.phase, phase_totals.c.participant_id,
                                                      phase_totals.c.days_mask))}
    for phase in rules.phases:
        days: dict[int, int] = {}
        for attempt in ref.valid(phase.id):
            days[attempt.person] = days.get(attempt.person, 0) | 1 << (attempt.day - phase.first_day_number)
        assert {person: masks[(phase.id, person)] for person in days} == days, phase.id
        assert len([key for key in masks if key[0] == phase.id]) == len(days)

    for period in rules.periods[:2]:
        top, drawn = ref.awards(period.id, SEED)
        rows = results.awards(period.id, SEED)
        assert [r["participant_id"] for r in rows if r["award"] == "top"] == top
        assert [r["participant_id"] for r in rows if r["award"] == "random"] == drawn
        assert len(top) == rules.pioneer_top_count
        eligible = [r for r in ref.totals(period.id) if r["perfect_attempts"] and r["rank"] > len(top)]
        assert len(drawn) == min(rules.pioneer_random_count, len(eligible))  # fewer eligible: all win

        for kind, reference_rows in (("branches", ref.branches(period.id, SEED)),
                                     ("committees", ref.committees(period.id, SEED))):
            id_column = "branch_id" if kind == "branches" else "committee_id"
            actual = [(r["rank"], r[id_column], r["score"], r["participation_rate"], r["title_holders"],
                       r["party_members"]) for r in getattr(results, kind)(period.id, SEED)]
            expected = [(r["rank"], r["org_id"], r["score"], r["participation_rate"], r["title_holders"],
                         r["party_members"]) for r in reference_rows]
            assert actual == expected, (kind, period.id)

        for offset in range(3):
            day = period.first_day + timedelta(days=offset)
            want_winners = [(t, p) for t, p in ref.lottery(day, SEED)]
            got_winners = [(r["attempt_id"], r["participant_id"]) for r in results.lottery(day.isoformat(), SEED)]
            assert got_winners == want_winners
            assert 0 < len(got_winners) <= rules.lottery_winners_per_day

    final = results.final_standings()
    assert [r["participant_id"] for r in final] == [r["participant_id"] for r in ref.totals(rules.final.id)]
    assert [r["tier"] for r in final[:50]] == [1] * 10 + [2] * 20 + [3] * 20
    assert all(r["tier"] is None and r["amount_yuan"] == 0 for r in final[50:])


def test_engine_matches_reference(engine, sample_export, small_rules):
    sync(engine, str(sample_export), small_rules)
    _compare_everything(engine, sample_export, small_rules)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_engine_matches_reference_on_more_exports(seed, engine, tmp_path, small_rules):
    export = generate(tmp_path / f"export-{seed}.sqlite", small_rules,
                      SampleSize(participants=250, units=3, attempts_per_active_day=1.6), seed=seed)
    sync(engine, str(export), small_rules)
    _compare_everything(engine, export, small_rules)


def test_postgresql_and_sqlite_agree_row_for_row(postgres_server, sample_export, small_rules, tmp_path):
    outputs = []
    for url in (f"sqlite:///{tmp_path / 'store.sqlite'}", postgres_server()):
        engine = open_store(url)
        sync(engine, str(sample_export), small_rules)
        results = Results(engine, small_rules)
        outputs.append((results.standings("P1"), results.awards("P2", SEED), results.branches("P1", SEED),
                        results.committees("P1", SEED), results.final_standings(), results.invalid_attempts(),
                        results.lottery("2017-12-19", SEED), paperwork.excellent_organisations(results, "P1"),
                        paperwork.period_report_data(results, paperwork.excellent_organisations(results, "P1")[0][
                            "committee_id"], "P1")))
        engine.dispose()
    for output in outputs:
        output[-1]["pioneer_draw"].pop("created_at")  # when each store recorded the draw
    for index, (sqlite_output, postgres_output) in enumerate(zip(*outputs)):
        assert sqlite_output == postgres_output, index


def test_rows_sql_cannot_convert_reach_postgresql_as_sqlite(postgres_server, sample_export, small_rules, tmp_path):
    """Times only the row checker reads (microseconds, 24:00:00) inside blocks SQL converts:
    the server store gets exactly the SQLite store's attempts (its rows are written as COPY
    text a block at a time; the leftovers go through the checker)."""
    export = tmp_path / "odd.sqlite"
    shutil.copy(sample_export, export)
    db = sqlite3.connect(export)
    ids = [row[0] for row in db.execute("select id from attempts order by id limit 40")]
    for row_id in ids[:20]:
        db.execute("update attempts set started_at = substr(started_at, 1, 19) || '.123456' where id = ?", (row_id,))
    db.execute("update attempts set finished_at = substr(finished_at, 1, 10) || ' 24:00:00' where id = ?", (ids[30],))
    db.commit()
    db.close()
    stored = []
    for url in (f"sqlite:///{tmp_path / 'store.sqlite'}", postgres_server()):
        engine = open_store(url)
        sync(engine, str(export), small_rules)
        with engine.connect() as connection:
            stored.append(connection.execute(select(attempts).order_by(attempts.c.id)).all())
        engine.dispose()
    assert stored[0] == stored[1]
    by_id = {row.id: row for row in stored[1]}
    assert all(by_id[row_id].started_ms % 1000 == 123 for row_id in ids[:20])
    assert by_id[ids[30]].finished_ms % 86_400_000 == 16 * 3_600_000  # local midnight, UTC+8


def _keys_and_indexes(engine) -> dict:
    """Each large table's primary key and indexes: names, columns, uniqueness and the partial
    index's condition (dialect_options)."""
    inspector = inspect(engine)
    return {name: (inspector.get_pk_constraint(name),
                   sorted((i["name"], tuple(i["column_names"]), i["unique"], repr(i.get("dialect_options")))
                          for i in inspector.get_indexes(name)))
            for name in ("attempts", "shares", "attempt_status", "phase_totals")}


def test_a_first_sync_into_postgresql_keeps_its_keys_and_indexes(postgres_server, sample_export, export_copy,
                                                                  small_rules):
    """The first copy into a server store (and its whole derive) builds the large tables' keys
    and indexes after the rows; they are those of a store that was never synced, and a first
    sync that fails keeps them."""
    fresh = open_store(postgres_server())
    expected = _keys_and_indexes(fresh)
    assert expected["attempts"][0]["constrained_columns"] == ["id"] and expected["attempts"][1]
    assert "reason IS NOT NULL" in str(expected["attempt_status"][1])  # the partial index's condition is compared
    db = sqlite3.connect(export_copy)
    db.execute("update attempts set finished_at = 'soon' where id = 10")
    db.commit()
    db.close()
    with pytest.raises(ExportError):
        sync(fresh, str(export_copy), small_rules)
    assert _keys_and_indexes(fresh) == expected
    sync(fresh, str(sample_export), small_rules)
    assert _keys_and_indexes(fresh) == expected
    with fresh.connect() as connection:
        assert connection.execute(select(attempts.c.id).where(attempts.c.id == 10)).first() is not None
    fresh.dispose()


def _same_instant_repeats(export, rules) -> int:
    """Gives the second of every pair of valid attempts of a person on one day the first's start
    and an earlier finish: the last attempt (by start, then id) is then not the last to finish.
    Returns how many such ties of valid attempts the reference sees."""
    ref = Reference.from_export(export, rules)
    by_day: dict = {}
    for attempt in ref.attempts:
        if attempt.phase is not None and attempt.reason is None:
            by_day.setdefault((attempt.phase, attempt.person, attempt.day), []).append(attempt)
    with sqlite3.connect(export) as connection:
        for repeats in by_day.values():
            if len(repeats) >= 2:
                first, second = sorted(repeats, key=lambda a: a.id)[:2]
                started, finished = connection.execute("select started_at, finished_at from attempts where id = ?",
                                                       (first.id,)).fetchone()
                connection.execute("update attempts set started_at = ?, finished_at = ? where id = ?",
                                   (started, started, second.id))
    ref = Reference.from_export(export, rules)
    starts: dict = {}
    for attempt in ref.attempts:
        if attempt.phase is not None and attempt.reason is None:
            starts.setdefault((attempt.person, attempt.start), []).append(attempt)
    return sum(1 for tied in starts.values() if len(tied) > 1 and max(tied, key=lambda a: a.id).finish
               < max(a.finish for a in tied))


@pytest.mark.parametrize("id_offset", [0, 1 << 40])
def test_the_last_finish_is_that_of_the_last_attempt_by_start_then_id(id_offset, tmp_path, sample_export,
                                                                      small_rules):
    """The last attempt of a person (by start, then id: the ranking's last finish) is found with
    an integer key when ids are small and with a text key when ids are 2^40 and more; either
    way it is the reference's, also when attempts start at the same instant."""
    export = tmp_path / "ties.sqlite"
    shutil.copy(sample_export, export)
    with sqlite3.connect(export) as connection:
        connection.execute("update attempts set id = id + ?", (id_offset,))
    assert _same_instant_repeats(export, small_rules) >= 3
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    sync(store, str(export), small_rules)
    ref = Reference.from_export(export, small_rules)
    with store.connect() as connection:
        got = {(row.phase, row.participant_id): row.last_finish_ms for row in connection.execute(
            select(phase_totals.c.phase, phase_totals.c.participant_id, phase_totals.c.last_finish_ms))}
        assert connection.execute(select(attempts.c.id).limit(1)).scalar() > id_offset
    want = {(phase.id, row["participant_id"]): row["last_finish"] for phase in small_rules.phases
            for row in ref.totals(phase.id)}
    assert got == want
    _compare_everything(store, export, small_rules)
    store.dispose()


def test_an_instant_in_two_phases_belongs_to_the_first_of_the_rules(tmp_path, sample_export):
    """The rules do not forbid an online final's day inside a period's window: an attempt then
    counts in the period (the first phase of the rules), as the reference says, and only there."""
    from finals_app.core.rules import parse_rules
    from tests.conftest import small_rules_text
    text = small_rules_text()
    days = 'days = ["2018-06-04", "2018-06-05", "2018-06-06"]'
    assert days in text
    rules = parse_rules(text.replace(days, 'days = ["2017-12-20", "2017-12-25", "2017-12-26"]'), "overlap.toml")
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    sync(store, str(sample_export), rules)
    ref = Reference.from_export(sample_export, rules)
    with store.connect() as connection:
        rows = connection.execute(select(attempt_status)).all()
    got = {row.attempt_id: (row.phase, row.reason) for row in rows}
    want = {a.id: (a.phase, a.reason) for a in ref.attempts if a.phase is not None}
    assert got == want and len(rows) == len(got)  # each attempt in one phase only
    shared = rules.final.windows[0]
    overlapping = [a for a in ref.attempts if shared.start_ms <= a.start < shared.end_ms]
    assert overlapping and all(a.phase == "P1" for a in overlapping)
    results = Results(store, rules)
    assert [(r["rank"], r["participant_id"], r["score"]) for r in results.standings("P1")] == \
        [(r["rank"], r["participant_id"], r["score"]) for r in ref.totals("P1")]
    store.dispose()
