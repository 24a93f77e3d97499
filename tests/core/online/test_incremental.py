"""A newer export is synced by what changed, and the store ends exactly as a sync from scratch
would leave it (on SQLite and PostgreSQL), on exports of the whole competition's shape."""
from __future__ import annotations

import shutil
import sqlite3

import pytest
from sqlalchemy import select

from benchmarks.competition import Shape, generate
from finals_app.core.errors import ExportError
from finals_app.core.online import blocks as blocks_module
from finals_app.core.online.sync import sync
from finals_app.core.rules import load_rules
from finals_app.core.store.engine import open_store
from finals_app.core.store.schema import (attempt_status, attempts, branch_totals, org_branches, organizations,
                                          participants, phase_totals, shares)

SHAPE = Shape(people=3000, units=3, committees_per_unit=4, branches_per_committee=6)
COMPARED = (organizations, org_branches, participants, shares, attempts, attempt_status, phase_totals, branch_totals)


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("competition")
    made = {}
    for through in (5, 6, 7):
        made[through] = generate(folder / f"after-{through}.sqlite", through, SHAPE, seed=7, progress=lambda _: None)
    return made


def _dump(engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {table.name: sorted(tuple(row) for row in connection.execute(select(table))) for table in COMPARED}


def _store(tmp_path, name):
    return open_store(f"sqlite:///{tmp_path / name}")


def _stages(engine, export, rules):
    seen: dict[str, int | None] = {}
    summary = sync(engine, str(export), rules, progress=lambda stage, done, total: seen.__setitem__(stage, total))
    return summary, seen


def test_exports_of_a_seed_are_prefixes_and_hold_the_edge_cases(exports):
    old, new = (sqlite3.connect(exports[n]) for n in (5, 6))
    for table in ("attempts", "shares"):
        last = old.execute(f"select max(id) from {table}").fetchone()[0]
        assert old.execute(f"select * from {table} order by id").fetchall() == \
            new.execute(f"select * from {table} where id <= ? order by id", (last,)).fetchall()
    times = [row[0] for row in new.execute("select started_at from attempts")]
    assert any(t.endswith("+00:00") for t in times) and any(len(t) == 19 for t in times)
    assert any(t.endswith("05:59:59.999") for t in times) and any(t.endswith("06:00:00.000") for t in times)
    assert new.execute("select count(*) from attempts where finished_at < started_at").fetchone()[0] > 0
    assert new.execute("select count(*) from attempts where correct_count > question_count").fetchone()[0] > 0
    assert new.execute("select count(*) from participants").fetchone()[0] > \
        old.execute("select count(*) from participants").fetchone()[0]
    new.execute("attach database ? as old", (str(exports[5]),))
    corrected = new.execute("select count(*) from participants n join old.participants o using (id) "
                            "where n.phone is not o.phone or n.name <> o.name").fetchone()[0]
    assert 0 < corrected < 20  # a few people corrected their phone or name


def test_a_newer_export_reads_what_changed_and_equals_a_sync_from_scratch(exports, tmp_path):
    rules = load_rules()
    step = _store(tmp_path, "step.sqlite")
    sync(step, str(exports[5]), rules)
    summary, seen = _stages(step, exports[6], rules)
    with sqlite3.connect(exports[6]) as db:
        total = db.execute("select count(*) from attempts").fetchone()[0]
    with sqlite3.connect(exports[5]) as db:
        before = db.execute("select count(*) from attempts").fetchone()[0]
    assert summary.tables["attempts"].added == total - before
    assert summary.tables["attempts"].changed == summary.tables["attempts"].missing == 0
    assert summary.tables["participants"].added > 0 and summary.tables["participants"].changed > 0
    assert "fingerprint attempts" in seen and seen["attempts"] < total  # not every block read again
    scratch = _store(tmp_path, "scratch.sqlite")
    sync(scratch, str(exports[6]), rules)
    assert _dump(step) == _dump(scratch)

    # An old row corrected in the export, a row with a time SQL leaves to the row checker, a
    # share removed: each block read again, the result still that of a sync from scratch.
    edited = tmp_path / "edited.sqlite"
    shutil.copyfile(exports[6], edited)
    with sqlite3.connect(edited) as db:
        db.execute("update attempts set score = score - 5, correct_count = correct_count - 1 "
                   "where id = (select min(id) from attempts where started_at like '2018-01-13%' and score >= 5)")
        db.execute("update attempts set started_at = substr(started_at, 1, 10) || 'T' || substr(started_at, 12, 8) "
                   "|| '+08:00', finished_at = substr(finished_at, 1, 19) || '.5' "
                   "where id = (select min(id) from attempts where started_at like '2018-03-1%' and length(started_at) = 23)")
        db.execute("delete from shares where id = (select min(id) from shares where shared_at like '2018-04-1%')")
    summary, seen = _stages(step, edited, rules)
    # The score, and the finish (now .500 s): the start with its offset is the same instant.
    assert summary.tables["attempts"].changed == 2 and summary.tables["shares"].missing == 1
    fresh = _store(tmp_path, "fresh.sqlite")
    sync(fresh, str(edited), rules)
    assert _dump(step) == _dump(fresh)
    again, _ = _stages(step, edited, rules)
    assert again.unchanged

    # A store synced before fingerprints compares every row, with the same result.
    with step.begin() as connection:
        connection.exec_driver_sql("delete from export_blocks")
    summary, _ = _stages(step, exports[7], rules)
    scratch7 = _store(tmp_path, "scratch7.sqlite")
    sync(scratch7, str(exports[7]), rules)
    assert _dump(step) == _dump(scratch7)


def test_corrections_that_keep_each_columns_sum_are_read(exports, tmp_path, monkeypatch):
    """In each of several blocks two attempts swap their scores (or their people, or their
    finishes): every column's sum over the block is what it was. A block's fingerprint was a
    sum of row hashes linear in the row's values, so such a swap went unseen about every other
    time and the store kept the old values; each row's hash is now mixed with its id. (Blocks
    of 1,024 ids here, so that the swaps fall in blocks of their own.)"""
    monkeypatch.setattr(blocks_module, "BLOCK_BITS", 10)
    rules = load_rules()
    step = _store(tmp_path, "step.sqlite")
    sync(step, str(exports[6]), rules)
    edited = tmp_path / "swapped.sqlite"
    shutil.copyfile(exports[6], edited)
    swaps = 0
    with sqlite3.connect(edited) as db:
        def swap(column, one, other):
            a, b = (db.execute(f"select {column} from attempts where id = ?", (i,)).fetchone()[0] for i in (one, other))
            db.execute(f"update attempts set {column} = ? where id = ?", (b, one))
            db.execute(f"update attempts set {column} = ? where id = ?", (a, other))

        blocks = [b for (b,) in db.execute("select distinct id >> 10 from attempts order by 1")]
        assert len(blocks) >= 9
        for block, column in zip(blocks[:9], ["score", "participant_id", "finished_at"] * 3):
            rows = db.execute(f"select id, {column} from attempts where id >> 10 = ? order by id limit 400",
                              (block,)).fetchall()
            first = rows[0]
            other = next(r for r in rows[1:] if r[1] != first[1] and
                         (column != "finished_at" or len(r[1]) == len(first[1])))
            swap(column, first[0], other[0])
            if column == "score":
                swap("correct_count", first[0], other[0])
            swaps += 1
    summary = sync(step, str(edited), rules)
    assert summary.tables["attempts"].changed == 2 * swaps
    fresh = _store(tmp_path, "fresh.sqlite")
    sync(fresh, str(edited), rules)
    assert _dump(step) == _dump(fresh)


def test_people_who_move_join_leave_or_quit_the_party_change_their_branches_totals(exports, tmp_path):
    """A newer export in which a party member moves to another branch, one without attempts
    leaves, one joins the party and a new member arrives: the branch totals of the branches
    they were and are in are made again (those alone), equal to a sync from scratch."""
    rules = load_rules()
    step = _store(tmp_path, "step.sqlite")
    sync(step, str(exports[6]), rules)
    edited = tmp_path / "people.sqlite"
    shutil.copyfile(exports[6], edited)
    with sqlite3.connect(edited) as db:
        branches = [b for (b,) in db.execute("select id from organizations where level = 'branch' order by id")]
        mover, home = db.execute("select p.id, p.branch_id from participants p where p.is_party_member = 1 and "
                                 "exists (select 1 from attempts a where a.participant_id = p.id) "
                                 "order by p.id limit 1").fetchone()
        db.execute("update participants set branch_id = ? where id = ?", (next(b for b in branches if b != home), mover))
        (leaver,) = db.execute("select p.id from participants p where p.is_party_member = 1 and not exists "
                               "(select 1 from attempts a where a.participant_id = p.id) and not exists "
                               "(select 1 from shares s where s.participant_id = p.id) order by p.id limit 1").fetchone()
        db.execute("delete from participants where id = ?", (leaver,))
        db.execute("update participants set is_party_member = 1 where id = (select min(p.id) from participants p "
                   "where p.is_party_member = 0 and exists (select 1 from attempts a where a.participant_id = p.id))")
        db.execute("insert into participants (id, name, phone, is_party_member, branch_id) "
                   "values ((select max(id) + 1 from participants), '新党员', null, 1, ?)", (branches[-1],))
    summary = sync(step, str(edited), rules, allow_removal=True)
    assert summary.tables["participants"].changed == 2 and summary.tables["participants"].missing == 1
    fresh = _store(tmp_path, "fresh.sqlite")
    sync(fresh, str(edited), rules)
    assert _dump(step) == _dump(fresh)


def test_a_person_gone_while_unchanged_rows_refer_to_them_is_refused(exports, tmp_path):
    rules = load_rules()
    store = _store(tmp_path, "store.sqlite")
    sync(store, str(exports[5]), rules)
    before = _dump(store)
    broken = tmp_path / "broken.sqlite"
    shutil.copyfile(exports[6], broken)
    with sqlite3.connect(broken) as db:
        person = db.execute("select participant_id from attempts order by id limit 1").fetchone()[0]
        db.execute("delete from participants where id = ?", (person,))
    with pytest.raises(ExportError) as raised:
        sync(store, str(broken), rules)
    text = str(raised.value)
    assert f"refers to participants id {person}" in text and "table attempts" in text and "row id 1" in text
    assert _dump(store) == before


def test_sqlite_and_postgresql_give_the_same_store(exports, tmp_path, postgres_server):
    rules = load_rules()
    lite = _store(tmp_path, "lite.sqlite")
    server = open_store(postgres_server())
    for export in (exports[5], exports[6]):
        sync(lite, str(export), rules)
        sync(server, str(export), rules)
    assert _dump(lite) == _dump(server)
    server.dispose()


def test_ids_at_the_ends_of_sqlite_integers_are_read_and_compared(exports, tmp_path):
    """The largest id SQLite holds lies in the last block: its range cannot end one past it."""
    rules = load_rules()
    edge = tmp_path / "edge.sqlite"
    shutil.copyfile(exports[5], edge)
    largest = 2 ** 63 - 1
    with sqlite3.connect(edge) as db:
        db.execute("update attempts set id = ? where id = (select max(id) from attempts)", (largest,))
        db.execute("update shares set id = ? where id = (select max(id) from shares)", (largest - 1,))
    store = _store(tmp_path, "store.sqlite")
    first = sync(store, str(edge), rules)
    with store.connect() as connection:
        assert connection.execute(select(attempts.c.id).where(attempts.c.id == largest)).scalar() == largest
    with sqlite3.connect(edge) as db:
        db.execute("update attempts set score = score - 5, correct_count = correct_count - 1 where id = ?", (largest,))
    second = sync(store, str(edge), rules)
    assert first.tables["attempts"].added > 0 and second.tables["attempts"].changed == 1
    fresh = _store(tmp_path, "fresh.sqlite")
    sync(fresh, str(edge), rules)
    assert _dump(store) == _dump(fresh)
