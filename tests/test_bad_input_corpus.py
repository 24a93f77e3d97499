"""Bad input of every kind gets a clear answer and loses nothing (issue 14), over the corpus that
tests/corpus/make.py generates: for every case the exit code (2 for bad input), the message
naming the file, table, row id (or line) and field, no traceback, the export and the store
byte-identical afterwards, nothing written beside the export; rows that rules.md keeps but
marks invalid are synced and listed by `validate` with their reason."""
from __future__ import annotations

import hashlib
import io
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from finals_app.cli import main
from tests.corpus.make import build


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    cases = build(folder / "cases")
    store = folder / "base-store.sqlite"
    out, err = io.StringIO(), io.StringIO()
    code = main(["--store", str(store), "--rules", str(folder / "cases" / "rules.toml"), "sync",
                 str(folder / "cases" / "base.sqlite")], out, err)
    assert code == 0, err.getvalue()
    _settle(store)
    return folder, cases, store


def _settle(store: Path) -> None:
    """Everything of the store in its main file (no WAL), so that a copy is the whole store."""
    with sqlite3.connect(store) as db:
        db.execute("pragma wal_checkpoint(truncate)")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


def _content(store: Path) -> str:
    """Every row of every table of the store (what a user could lose)."""
    hasher = hashlib.sha256()
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        for (name,) in db.execute("select name from sqlite_master where type = 'table' order by name"):
            for row in sorted(db.execute(f'select * from "{name}"'), key=repr):
                hasher.update(repr((name, row)).encode())
    return hasher.hexdigest()


def _run(folder: Path, case, store: Path, monkeypatch) -> tuple[int, str, str]:
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    argv = [part.replace("{damaged_store}", str(folder / "damaged-store.sqlite")) for part in case.argv]
    if "--store" not in argv:
        argv = ["--store", str(store), *argv]
    out, err = io.StringIO(), io.StringIO()
    code = main(["--rules", str(folder / "cases" / "rules.toml"), *argv], out, err)
    return code, out.getvalue(), err.getvalue()


def _files_beside(case_folder: Path) -> set[str]:
    return {p.name for p in case_folder.iterdir()}


def test_the_corpus_is_large_and_covers_every_kind_of_input(corpus):
    _, cases, _ = corpus
    groups = Counter(case.group for case in cases)
    assert len(cases) >= 60, len(cases)
    assert set(groups) == {"export", "export-kept", "store", "contest", "bank", "rules", "journal"}, groups
    assert len({case.name for case in cases}) == len(cases)


def test_every_bad_input_gets_its_message_and_changes_nothing(corpus, monkeypatch, tmp_path):
    folder, cases, base_store = corpus
    case_folder = folder / "cases"
    failures = []
    for case in cases:
        if case.group == "export-kept":
            continue
        store = tmp_path / f"{case.name}.sqlite"
        shutil.copyfile(base_store, store)
        if case.name == "store-garbage-page":
            damaged = folder / "damaged-store.sqlite"
            data = bytearray(base_store.read_bytes())
            for start in range(4096 * 3, len(data) - 4096, 4096 * 7):
                data[start:start + 4096] = bytes((i * 37) % 256 for i in range(4096))
            damaged.write_bytes(bytes(data))
            store = damaged
        inputs = {Path(part) for part in case.argv if Path(part).is_file()}
        before = {path: _digest(path) for path in (*inputs, store)}
        unreadable = case.name in ("store-not-sqlite", "store-garbage-page")  # nothing in them can be read
        content = None if unreadable else _content(store)
        beside = _files_beside(case_folder)
        with monkeypatch.context() as patch:
            blocker = None
            if case.name == "store-busy":  # another finals-app is writing to the store
                blocker = sqlite3.connect(store, isolation_level=None)
                blocker.execute("begin immediate")
            if case.name == "store-disk-full":  # the disk fills up while the sync writes
                import finals_app.core.store.engine as store_engine
                tune = store_engine._tune_sqlite
                with sqlite3.connect(store) as probe:
                    pages = probe.execute("pragma page_count").fetchone()[0]

                def full_disk(dbapi_connection, record, _tune=tune, _pages=pages):
                    _tune(dbapi_connection, record)
                    dbapi_connection.execute(f"pragma max_page_count = {_pages}")
                patch.setattr(store_engine, "_tune_sqlite", full_disk)
            try:
                code, out, err = _run(folder, case, store, patch)
            finally:
                if blocker is not None:
                    blocker.execute("rollback")
                    blocker.close()
        said = out if case.stream == "stdout" else err
        problems = []
        if code != case.code:
            problems.append(f"exit {code}, wanted {case.code}")
        missing = [word for word in case.says if word not in said]
        if missing:
            problems.append(f"message lacks {missing}")
        if "Traceback" in out + err:
            problems.append("a traceback reached the user")
        resumed = case.group == "journal" and case.code == 0  # a resume repairs its own journal (the torn record is kept)
        changed = [str(path) for path, digest in before.items()
                   if path != store and not resumed and _digest(path) != digest]
        journals = [path for path in inputs if path.suffix == ".journal"]
        if resumed and not all(Path(f"{path}.torn").exists() for path in journals):
            problems.append("the torn record was not kept")
        if changed:
            problems.append(f"input changed: {changed}")
        if content is not None and case.code != 0 and _content(store) != content:
            problems.append("the store changed")
        left = {name for name in _files_beside(case_folder) - beside if name.endswith(("-wal", "-shm", "-journal"))}
        if left:
            problems.append(f"left beside the export: {sorted(left)}")
        if problems:
            failures.append(f"{case.name}: {'; '.join(problems)}\n    said: {said.strip()[:400]}")
    assert not failures, "\n".join(failures)


def test_rows_kept_but_marked_invalid_are_synced_and_listed(corpus, tmp_path):
    folder, cases, base_store = corpus
    kept = [case for case in cases if case.group == "export-kept"]
    assert len(kept) >= 5
    failures = []
    for case in kept:
        store = tmp_path / f"{case.name}.sqlite"
        shutil.copyfile(base_store, store)
        rules = str(folder / "cases" / "rules.toml")
        out, err = io.StringIO(), io.StringIO()
        code = main(["--store", str(store), "--rules", rules, *case.argv], out, err)
        listed = io.StringIO()
        main(["--store", str(store), "--rules", rules, "validate", "--format", "csv"], listed, io.StringIO())
        attempt, reason = case.validate_lists
        rows = [line.split(",") for line in listed.getvalue().splitlines()[1:]]
        if code != 0 or [attempt, reason] not in [[row[0], row[3]] for row in rows]:
            failures.append(f"{case.name}: exit {code} {err.getvalue()[:200]}; validate: {listed.getvalue()[:300]}")
    assert not failures, "\n".join(failures)


def test_a_wal_export_in_a_read_only_folder_opens_and_nothing_is_written_beside_it(corpus, tmp_path):
    folder, _, base_store = corpus
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    export = shelf / "wal-export.sqlite"
    shutil.copyfile(folder / "cases" / "base.sqlite", export)
    db = sqlite3.connect(export)
    db.execute("pragma journal_mode=wal")
    db.execute("update participants set name = '改名的人' where id = (select min(id) from participants)")
    db.commit()
    db.close()  # a clean WAL database: its changes are in the main file, no -wal beside it
    assert sorted(p.name for p in shelf.iterdir()) == ["wal-export.sqlite"]
    digest = _digest(export)
    shelf.chmod(0o555)
    try:
        store = tmp_path / "store.sqlite"
        shutil.copyfile(base_store, store)
        out, err = io.StringIO(), io.StringIO()
        code = main(["--store", str(store), "--rules", str(folder / "cases" / "rules.toml"), "sync", str(export)],
                    out, err)
        assert code == 0, err.getvalue()
        assert sorted(p.name for p in shelf.iterdir()) == ["wal-export.sqlite"] and _digest(export) == digest
        with sqlite3.connect(store) as db:
            assert db.execute("select count(*) from participants where name = '改名的人'").fetchone() == (1,)
    finally:
        shelf.chmod(0o755)


def test_a_mass_removal_goes_through_when_confirmed(corpus, tmp_path):
    folder, cases, base_store = corpus
    case = next(c for c in cases if c.name == "a-tenth-of-the-people-gone")
    store = tmp_path / "store.sqlite"
    shutil.copyfile(base_store, store)
    out, err = io.StringIO(), io.StringIO()
    code = main(["--store", str(store), "--rules", str(folder / "cases" / "rules.toml"), *case.argv,
                 "--allow-removal"], out, err)
    assert code == 0, err.getvalue()
    assert "participants" in out.getvalue()
