"""The two derive paths of a SQLite store (issue 28): DuckDB's (derive_duck.py, where installed)
and SQLite's own (derive.py; FINALS_APP_DERIVE=sqlite, or DuckDB missing) give the same rows,
each equal to the plain-Python reference; a DuckDB failure mid-derive leaves the store byte for
byte as it was; the sync says which path derived."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from benchmarks.competition import Shape
from benchmarks.competition import generate as generate_competition
from finals_app.core.errors import FinalsError
from finals_app.core.online import derive_duck
from finals_app.core.online.sample_export import SampleSize, generate
from finals_app.core.online.sync import sync
from finals_app.core.rules import load_rules
from finals_app.core.store.engine import open_store
from finals_app.core.store.schema import DERIVED_TABLES
from tests.core.online.test_engines import _compare_everything

def _duckdb_installed() -> bool:
    previous = os.environ.get(derive_duck.ENGINE_ENV)
    os.environ[derive_duck.ENGINE_ENV] = "duckdb"
    try:
        return derive_duck.available()
    finally:
        if previous is None:
            del os.environ[derive_duck.ENGINE_ENV]
        else:
            os.environ[derive_duck.ENGINE_ENV] = previous


needs_duckdb = pytest.mark.skipif(not _duckdb_installed(),
                                  reason="DuckDB 1.4.4 and its sqlite extension are not installed here")


@pytest.fixture(params=["duckdb", "sqlite"])
def derive_path(request, monkeypatch):
    """Each derive path in turn (DuckDB's only where it is installed)."""
    if request.param == "duckdb" and not _duckdb_installed():
        pytest.skip("DuckDB 1.4.4 and its sqlite extension are not installed here")
    monkeypatch.setenv(derive_duck.ENGINE_ENV, request.param)
    return request.param


def _derived(engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
            select(table).order_by(*table.primary_key.columns))] for table in DERIVED_TABLES}


def test_each_path_matches_the_reference_and_says_it_derived(derive_path, sample_export, small_rules, tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    summary = sync(engine, str(sample_export), small_rules)
    assert summary.derived_by == derive_path
    _compare_everything(engine, sample_export, small_rules)
    assert sync(engine, str(sample_export), small_rules).derived_by is None  # unchanged: nothing derived
    engine.dispose()
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".")) == []  # no scratch left


@pytest.mark.parametrize("seed", [11, 12])
def test_more_exports_match_the_reference_on_each_path(derive_path, seed, small_rules, tmp_path):
    export = generate(tmp_path / f"export-{seed}.sqlite", small_rules,
                      SampleSize(participants=250, units=3, attempts_per_active_day=1.6), seed=seed)
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    sync(engine, str(export), small_rules)
    _compare_everything(engine, export, small_rules)
    engine.dispose()


@pytest.fixture(scope="module")
def competition(tmp_path_factory):
    folder = tmp_path_factory.mktemp("derive-paths")
    shape = Shape(people=2500, units=3, committees_per_unit=4, branches_per_committee=5)
    return {through: generate_competition(folder / f"after-{through}.sqlite", through, shape, seed=5,
                                          progress=lambda _: None) for through in (5, 7)}


@needs_duckdb
def test_both_paths_give_identical_rows_first_and_incremental(competition, tmp_path, monkeypatch):
    """The whole competition, and a newer export synced into a store of the older one (the
    incremental derive: DuckDB reads the store's kept rows and the sync's new ones)."""
    rules = load_rules()
    dumps = {}
    for path in ("sqlite", "duckdb"):
        monkeypatch.setenv(derive_duck.ENGINE_ENV, path)
        whole = open_store(f"sqlite:///{tmp_path / f'whole-{path}.sqlite'}")
        assert sync(whole, str(competition[7]), rules).derived_by == path
        step = open_store(f"sqlite:///{tmp_path / f'step-{path}.sqlite'}")
        sync(step, str(competition[5]), rules)
        assert sync(step, str(competition[7]), rules).derived_by == path
        dumps[path] = (_derived(whole), _derived(step))
        whole.dispose()
        step.dispose()
    assert dumps["duckdb"][0] == dumps["sqlite"][0]
    assert dumps["duckdb"][1] == dumps["sqlite"][1] == dumps["sqlite"][0]
    assert all(dumps["sqlite"][0].values())


def test_without_duckdb_sqlite_derives(sample_export, small_rules, tmp_path, monkeypatch):
    monkeypatch.delenv(derive_duck.ENGINE_ENV, raising=False)
    monkeypatch.setattr(derive_duck, "available", lambda: False)  # another platform, or an import failure
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    assert sync(engine, str(sample_export), small_rules).derived_by == "sqlite"
    _compare_everything(engine, sample_export, small_rules)
    engine.dispose()


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@needs_duckdb
def test_a_duckdb_failure_mid_derive_leaves_the_store_as_it_was(competition, tmp_path, monkeypatch):
    """DuckDB's child fails after it wrote the attempt statuses (before the rankings): the sync
    fails with a message, and the store (its file, its folder) is byte for byte as it was."""
    monkeypatch.setenv(derive_duck.ENGINE_ENV, "duckdb")
    rules = load_rules()
    folder = tmp_path / "store"
    folder.mkdir()
    engine = open_store(f"sqlite:///{folder / 'store.sqlite'}")
    sync(engine, str(competition[5]), rules)
    engine.dispose()
    before = _files(folder)
    assert list(before) == ["store.sqlite"]
    planned = derive_duck._plan

    def broken(rules, phases):  # a ranking key the child does not know: it fails mid-derive
        return {**planned(rules, phases), "ranking_order": ["no_such_order"]}
    monkeypatch.setattr(derive_duck, "_plan", broken)
    engine = open_store(f"sqlite:///{folder / 'store.sqlite'}")
    with pytest.raises(FinalsError, match="DuckDB could not derive the results .*no_such_order.*nothing was changed"):
        sync(engine, str(competition[7]), rules)
    engine.dispose()
    assert _files(folder) == before
    shutil.rmtree(folder)


def test_sqlite_derives_unless_duckdb_is_asked_for(sample_export, small_rules, tmp_path, monkeypatch):
    """The faster path measured on the whole competition (SQLite's, 415 s against DuckDB's 914 s
    in one run) is the default; DuckDB derives only with FINALS_APP_DERIVE=duckdb."""
    monkeypatch.delenv(derive_duck.ENGINE_ENV, raising=False)
    assert not derive_duck.wanted()
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    assert sync(engine, str(sample_export), small_rules).derived_by == "sqlite"
    engine.dispose()
    monkeypatch.setenv(derive_duck.ENGINE_ENV, "duckdb")
    assert derive_duck.wanted()
