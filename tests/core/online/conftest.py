"""Fixtures of the online tests: a store of either engine; for the issue 24 tests (test_sync_safety,
test_store_safety) a store made by a real sync, and a private copy of it beside a changed export."""
from __future__ import annotations

import shutil
import sqlite3

import pytest

from tests.conftest import small_rules_text
from tests.core.online.safety import cli_sync


def store_url(request, kind: str, folder) -> str:
    """A store of `kind` ("sqlite": a file in `folder`; "postgresql": a fresh database on the
    test server the postgres_server fixture starts)."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'store.sqlite'}"
    return request.getfixturevalue("postgres_server")()


@pytest.fixture(scope="module")
def synced_store(tmp_path_factory, sample_export):
    """A store made by a real sync of the sample export (closed: no -wal beside it), and the
    rules it was synced with."""
    folder = tmp_path_factory.mktemp("synced")
    rules = folder / "rules.toml"
    rules.write_text(small_rules_text(), encoding="utf-8")
    store = folder / "store.sqlite"
    done = cli_sync(store, rules, sample_export)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["rules.toml", "store.sqlite"]
    return store, rules


@pytest.fixture
def sync_setting(synced_store, tmp_path, export_copy):
    """A private copy of the synced store (alone in its folder), the rules, and a changed
    export (one renamed person: a sync that would write)."""
    store = tmp_path / "store" / "store.sqlite"
    store.parent.mkdir()
    shutil.copyfile(synced_store[0], store)
    with sqlite3.connect(export_copy) as database:
        database.execute("update participants set name = name || '新' where id = (select max(id) from participants)")
    database.close()
    return store, synced_store[1], export_copy
