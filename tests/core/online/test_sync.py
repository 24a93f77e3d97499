"""The guarantees of export-schema.md: read-only, all or nothing, idempotent, updates by id,
rows gone missing reported, and every bad input named with table, row and field."""
from __future__ import annotations

import hashlib
import sqlite3

import pytest
from sqlalchemy import func, select

from finals_app.core.errors import ExportError
from finals_app.core.online.sync import sync
from finals_app.core.online.times import parse_instant
from finals_app.core.store.engine import open_store
from finals_app.core.store.schema import (attempt_status, attempts, missing_rows, org_branches,
                                          organizations, participants, phase_totals, sync_runs)


@pytest.fixture
def store(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield engine
    engine.dispose()


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snapshot(engine) -> dict:
    tables = (organizations, participants, attempts, attempt_status, phase_totals, sync_runs, org_branches)
    with engine.connect() as connection:
        return {t.name: sorted(tuple(r) for r in connection.execute(select(t))) for t in tables}


def test_sync_never_writes_to_the_export(store, export_copy, small_rules):
    before = _digest(export_copy)
    sync(store, str(export_copy), small_rules)
    assert _digest(export_copy) == before
    assert not export_copy.with_name(export_copy.name + "-wal").exists()


def test_second_sync_of_the_same_export_changes_nothing(store, export_copy, small_rules):
    first = sync(store, str(export_copy), small_rules)
    state = _snapshot(store)
    second = sync(store, str(export_copy), small_rules)
    assert not first.unchanged and second.unchanged
    assert second.invalid == first.invalid
    assert {n: c.rows for n, c in second.tables.items()} == {n: c.rows for n, c in first.tables.items()}
    after = _snapshot(store)
    assert after == state


def test_the_digest_is_read_beside_the_sync(store, export_copy, small_rules, monkeypatch):
    """A slow digest (a cold read of a province's export) holds neither a changed export's
    sync nor the recognition of an unchanged one: that sync stops when the digest is known,
    rolled back, the store as it was."""
    import threading
    import time

    from finals_app.core.online.export import Export
    sync(store, str(export_copy), small_rules)
    with sqlite3.connect(export_copy) as db:  # a newer export: one renamed person
        db.execute("update participants set name = name || '新' where id = (select min(id) from participants)")
    real = Export.digest
    gate = threading.Event()

    computed = threading.Event()

    def slow_digest(self):
        if not gate.wait(10):
            raise AssertionError("the sync waited for the digest")
        value = real(self)
        computed.set()
        return value
    monkeypatch.setattr(Export, "digest", slow_digest)
    stages = []

    def first_progress(stage, done, total):
        stages.append(stage)
        if stage == "attempts":
            gate.set()
    changed = sync(store, str(export_copy), small_rules, progress=first_progress)
    assert not changed.unchanged and changed.tables["participants"].changed == 1
    assert "participants" in stages  # the sync went on while the digest was still being read
    state = _snapshot(store)
    gate.clear()
    computed.clear()
    seen = []

    def progress(stage, done, total):
        seen.append(stage)
        if len(seen) == 3:
            gate.set()
            assert computed.wait(10)
            time.sleep(0.05)  # (its thread records it): the digest is known at the next step
    again = sync(store, str(export_copy), small_rules, progress=progress)
    assert again.unchanged and len(seen) >= 3
    assert _snapshot(store) == state


def test_same_content_through_a_url_is_recognised_by_comparison(store, export_copy, small_rules):
    sync(store, str(export_copy), small_rules)
    state = _snapshot(store)
    again = sync(store, f"sqlite:///{export_copy}", small_rules)  # no file digest for a URL
    assert again.unchanged
    assert all(c.added == c.changed == c.missing == 0 for c in again.tables.values())
    assert _snapshot(store) == {**state, "sync_runs": _snapshot(store)["sync_runs"]}


def test_newer_export_updates_by_id_and_reports_missing_rows(store, export_copy, small_rules):
    sync(store, str(export_copy), small_rules)
    db = sqlite3.connect(export_copy)
    db.execute("update participants set name = '新名字' where id = 5")
    last_attempt = db.execute("select max(id) from attempts").fetchone()[0]
    db.execute("delete from attempts where id = ?", (last_attempt,))
    db.execute("insert into shares (id, participant_id, shared_at) values (999999, 5, '2018-01-12 07:00:00')")
    db.commit()
    db.close()
    summary = sync(store, str(export_copy), small_rules)
    assert not summary.unchanged
    assert (summary.tables["participants"].changed, summary.tables["participants"].added) == (1, 0)
    assert summary.tables["attempts"].missing == 1 and summary.tables["attempts"].missing_ids == [last_attempt]
    assert summary.tables["shares"].added == 1
    with store.connect() as connection:
        assert connection.execute(select(participants.c.name).where(participants.c.id == 5)).scalar() == "新名字"
        assert connection.execute(select(attempts.c.id).where(attempts.c.id == last_attempt)).first() is None
        assert connection.execute(select(missing_rows.c.row_id).where(
            missing_rows.c.table_name == "attempts")).scalars().all() == [last_attempt]


def _break(path, *statements) -> None:
    db = sqlite3.connect(path)
    db.execute("pragma foreign_keys = off")
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


BAD_EXPORTS = {
    "missing table": (["drop table shares"], "shares", None, None),
    "missing column": (["alter table attempts drop column score"], "score", "attempts", None),
    "unknown schema version": (["update meta set value = '2' where key = 'schema_version'"], "schema_version 2", "meta", None),
    "dangling participant": (["update attempts set participant_id = 987654 where id = 3"], "987654", "attempts", 3),
    "dangling branch": (["update participants set branch_id = 55555 where id = 7"], "55555", "participants", 7),
    "unparsable time": (["update attempts set started_at = '2017-12-32 25:00:00' where id = 4"], "2017-12-32", "attempts", 4),
    # SQLite reads a time without seconds followed by spaces (and an offset): padded to the
    # lengths the sync converts in SQL (19, 20, 25), they were taken as 06:00 (local, or UTC).
    "time without seconds, padded": (["update attempts set started_at = '2017-12-20 06:00   ' where id = 4"],
                                     "2017-12-20 06:00", "attempts", 4),
    "time without seconds, padded, Z": (["update attempts set finished_at = '2017-12-20 06:05   Z' where id = 5"],
                                        "2017-12-20 06:05", "attempts", 5),
    "time without seconds, padded, offset": (["update shares set shared_at = '2017-12-20 06:00   +08:00' "
                                              "where id = (select min(id) from shares)"],
                                             "2017-12-20 06:00", "shares", None),
    # Finishes SQLite reads (moved to March 2; year 0) that parse_instant refuses.
    "finish past the month's end": (["update attempts set finished_at = '2018-02-30 10:00:00' where id = 6"],
                                    "2018-02-30", "attempts", 6),
    "finish in year 0": (["update attempts set finished_at = '0000-12-20 06:05:00.000' where id = 6"],
                         "0000-12-20", "attempts", 6),
    "cycle": (["update organizations set parent_id = 3 where id = 2"], "cycle", "organizations", 2),
    "participant in a committee": (["update participants set branch_id = 2 where id = 8"], "branch", "participants", 8),
    "unknown level": (["update organizations set level = 'cell' where id = 2"], "cell", "organizations", 2),
    "party member flag": (["update participants set is_party_member = 7 where id = 9"], "is_party_member", "participants", 9),
}


@pytest.mark.parametrize("case", sorted(BAD_EXPORTS))
def test_a_broken_export_is_named_and_leaves_the_store_as_it_was(case, store, sample_export, export_copy, small_rules):
    sync(store, str(sample_export), small_rules)
    before = _snapshot(store)
    statements, needle, table_name, row = BAD_EXPORTS[case]
    _break(export_copy, *statements)
    with pytest.raises(ExportError) as raised:
        sync(store, str(export_copy), small_rules)
    message = raised.value.render("en")
    assert needle in message
    if table_name:
        assert f"table {table_name}" in message
    if row is not None:
        assert f"row id {row}" in message
    assert _snapshot(store) == before


@pytest.mark.parametrize("finish, row", [
    ("soon", 10),
    # julianday reads it (a time without seconds, padded, with an offset); parse_instant does not.
    ("2017-12-31 10:00   +08:00", 12),
])
def test_a_broken_first_sync_leaves_an_empty_store(store, export_copy, small_rules, finish, row):
    _break(export_copy, f"update attempts set finished_at = '{finish}' where id = {row}")
    with pytest.raises(ExportError) as raised:
        sync(store, str(export_copy), small_rules)
    assert f"row id {row}, field finished_at" in raised.value.render("en")
    with store.connect() as connection:
        assert connection.execute(select(func.count()).select_from(attempts)).scalar() == 0
        assert connection.execute(select(func.count()).select_from(sync_runs)).scalar() == 0


def test_finishes_only_the_row_checker_converts_get_its_values(store, export_copy, small_rules):
    """Finishes SQL leaves to the row checker (hour 24: the end of the day; a second's fraction
    of one digit) are stored as parse_instant reads them."""
    _break(export_copy, "update attempts set finished_at = substr(finished_at, 1, 10) || ' 24:00:00' where id = 14",
           "update attempts set finished_at = substr(finished_at, 1, 19) || '.5' where id = 15")
    sync(store, str(export_copy), small_rules)
    with sqlite3.connect(export_copy) as db:
        texts = dict(db.execute("select id, finished_at from attempts where id in (14, 15)").fetchall())
    with store.connect() as connection:
        stored = dict(connection.execute(select(attempts.c.id, attempts.c.finished_ms).where(
            attempts.c.id.in_([14, 15]))).all())
    assert stored == {i: parse_instant(texts[i], small_rules.utc_offset_hours) for i in (14, 15)}
    assert None not in stored.values()


def test_not_an_export_at_all(store, tmp_path, small_rules):
    missing = tmp_path / "nothing.sqlite"
    with pytest.raises(ExportError, match="no such file"):
        sync(store, str(missing), small_rules)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ExportError, match="cannot open the export"):
        sync(store, str(junk), small_rules)


def test_messages_are_chinese_by_default(store, export_copy, small_rules):
    _break(export_copy, "update attempts set participant_id = 987654 where id = 3")
    with pytest.raises(ExportError) as raised:
        sync(store, str(export_copy), small_rules)
    assert "引用了不存在的 participants id 987654" in raised.value.render("zh_CN")
    assert "表 attempts" in raised.value.render("zh_CN")


def test_data_invalid_attempts_are_kept_with_their_reason(store, sample_export, small_rules):
    summary = sync(store, str(sample_export), small_rules)
    reasons = summary.invalid["P1"]
    for reason in ("finish_before_start", "wrong_question_count", "correct_count_out_of_range",
                   "score_mismatch", "over_daily_allowance"):
        assert reasons.get(reason, 0) >= 1, reason
    assert summary.invalid["FINAL"]["over_daily_allowance"] >= 1
