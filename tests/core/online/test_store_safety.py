"""Issue 24, trust where nobody looked: a refused sync leaves the store as it lies (its bytes,
and no file beside it), whatever state the store is in: cut short, garbage, empty, another
application's database, a newer finals-app's."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.core.online.safety import cli_sync, digest


def _other_application(path: Path) -> None:
    with sqlite3.connect(path) as database:
        database.execute("create table invoices (id integer primary key, amount integer)")
        database.execute("insert into invoices values (1, 100)")
    database.close()


def _newer_version(path: Path) -> None:
    from finals_app.core.store.schema import STORE_VERSION
    database = sqlite3.connect(path)
    database.execute(f"pragma user_version = {STORE_VERSION + 1}")
    database.close()


def _damaged(kind: str, store: Path) -> None:
    import random
    raw = store.read_bytes()
    noise = random.Random(24)
    if kind == "cut to 30 %":
        store.write_bytes(raw[: len(raw) * 3 // 10])
    elif kind == "cut inside its first page":
        store.write_bytes(raw[:1228])
    elif kind == "garbage bytes":
        store.write_bytes(noise.randbytes(len(raw)))
    elif kind == "garbage after the header":
        store.write_bytes(raw[:100] + noise.randbytes(4096 - 100) + raw[4096:])
    elif kind == "zero-length":
        store.write_bytes(b"")
    elif kind == "another application's database":
        store.unlink()
        _other_application(store)
    elif kind == "a newer finals-app's store":
        _newer_version(store)


@pytest.mark.parametrize("kind", ["cut to 30 %", "cut inside its first page", "garbage bytes",
                                  "garbage after the header", "zero-length", "another application's database",
                                  "a newer finals-app's store"])
def test_a_refused_sync_leaves_a_damaged_store_as_it_lies(sync_setting, kind):
    """Whatever state the store is in, the sync refuses it before anything writes: exit 2, a
    message naming the store file, its bytes the same, nothing created beside it."""
    store, rules, export = sync_setting
    _damaged(kind, store)
    assert sorted(p.name for p in store.parent.iterdir()) == ["store.sqlite"]
    before = digest(store)
    done = cli_sync(store, rules, export)
    assert done.returncode == 2, (kind, done.returncode, done.stderr[-500:])
    message = done.stderr.strip().splitlines()[-1]
    assert str(store) in message and "nothing was changed" in message, message
    assert digest(store) == before, kind
    assert sorted(p.name for p in store.parent.iterdir()) == ["store.sqlite"], kind


def test_a_refused_export_leaves_an_empty_or_foreign_store_as_it_lies(sync_setting, tmp_path):
    """The store is looked at before the export is: a foreign database is not given the
    store's tables on the way to refusing a missing export."""
    store, rules, _ = sync_setting
    store.unlink()
    _other_application(store)
    before = digest(store)
    done = cli_sync(store, rules, tmp_path / "no-such-export.sqlite")
    assert done.returncode == 2
    assert digest(store) == before


def test_a_store_in_use_by_another_process_still_syncs(sync_setting):
    """A -wal beside the store (another finals-app has it open): the look before the sync
    reads it with SQLite's locks, and the sync goes on."""
    store, rules, export = sync_setting
    other = sqlite3.connect(store)
    try:
        assert other.execute("pragma journal_mode").fetchone() == ("wal",)
        other.execute("select count(*) from participants").fetchone()
        assert store.with_name("store.sqlite-wal").exists()
        done = cli_sync(store, rules, export)
    finally:
        other.close()
    assert done.returncode == 0, done.stderr[-500:]


def test_a_new_store_says_its_version_and_an_older_one_still_syncs(synced_store, sync_setting):
    from finals_app.core.store.schema import STORE_VERSION
    database = sqlite3.connect(f"file:{synced_store[0]}?mode=ro&immutable=1", uri=True)
    assert database.execute("pragma user_version").fetchone() == (STORE_VERSION,)
    database.close()
    store, rules, export = sync_setting
    database = sqlite3.connect(store)
    database.execute("pragma user_version = 0")  # a store made before its version was kept
    database.close()
    done = cli_sync(store, rules, export)
    assert done.returncode == 0, done.stderr[-500:]
