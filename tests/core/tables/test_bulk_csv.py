"""The rankings' CSV written by the analytical engine (tables/bulk_csv) from the masks the store
keeps is byte for byte the listing path's (masking.py at listing time, Python's csv module), on
names and phones chosen to break it; where it cannot promise that it steps aside."""
from __future__ import annotations

import io
import random
import sqlite3

import pytest
from sqlalchemy import create_engine, select

from finals_app.cli import main
from finals_app.core.online.results import Results
from finals_app.core.online.sample_export import generate
from finals_app.core.online.sync import sync
from finals_app.core.rules import load_rules
from finals_app.core.store.engine import open_store
from finals_app.core.online import derive
from finals_app.core.store.engine import read_meta
from finals_app.core.store.schema import participants, phase_totals
from finals_app.core.tables import bulk_csv, listings
from finals_app.core.tables.masking import COMPOUND_SURNAMES, mask_name, mask_phone
from finals_app.reports.writers import write_csv

pytest.importorskip("duckdb")
if bulk_csv._extension_folder() is None:
    pytest.skip("DuckDB's sqlite extension is not installed", allow_module_level=True)

PIECES = ["王", "李", "欧阳", "司马", "光", "志华", "Smith", "John", ",", '"', "\n", "\t", " ", "\u3000", "\xa0",
          "\x85", "\u2028", "e\u0301", "👍🏽", "'", "*", "0", "１", "\u200b", "—", "ß"]


def tricky_people(rng: random.Random, count: int) -> list[tuple[str | None, str | None]]:
    people = [("Smith, John", "138 1234 1234"), ('He said "hi"', " 13812341234 "), ("line\nbreak", "1234567"),
              ("\u3000李四\u3000", None), ("司马光", "12345678"), ("欧阳志华", "+86,13812341234"), ("王", ""),
              ("", " "), (None, "\t13812341234\u3000"), ("\u2028", "12"), ("诸葛", "1381234123412345"),
              # whitespace next to characters whose UTF-8 shares bytes with it (光 ends in 0x89)
              (" 光", "\u30001381234"), ("、\u3000", "\xa013812341234\x85"), ("\u3000王光\u3000", " e\u0301 ")]
    people += [(surname + "x", "1" * rng.randrange(0, 14)) for surname in sorted(COMPOUND_SURNAMES)[:10]]
    while len(people) < count:
        name = "".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 6)))
        phone = "".join(rng.choice("0123456789 \u3000+-,") for _ in range(rng.randrange(0, 16)))
        people.append((name if rng.random() > 0.05 else None, phone if rng.random() > 0.05 else None))
    return people


@pytest.fixture
def store(tmp_path, small_rules):
    export = generate(tmp_path / "export.sqlite", small_rules)
    rng = random.Random(7)
    with sqlite3.connect(export) as db:
        ids = [row[0] for row in db.execute("select id from participants order by id")]
        for person, (name, phone) in zip(ids, tricky_people(rng, len(ids))):
            db.execute("update participants set name = ?, phone = ? where id = ?", (name or "", phone, person))
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    sync(engine, str(export), small_rules)
    yield engine
    engine.dispose()


def listing_path(listing) -> str:
    out = io.StringIO()
    write_csv(listing, out)
    return out.getvalue()


def engine_path(results, query, columns, tmp_path) -> str | None:
    target = tmp_path / "fast.csv"
    if not bulk_csv.write(results.engine, query, columns, target):
        return None
    return target.read_text(encoding="utf-8")


def test_the_engine_writes_the_listing_paths_bytes(store, small_rules, tmp_path):
    results = Results(store, small_rules)
    for phase in ("P1", "P2"):
        expected = listing_path(listings.standings(results.standings_rows(phase, columns=listings.STANDINGS),
                                                   layout=listings.STANDINGS))
        fast = engine_path(results, results.standings_query(phase, columns=listings.STANDINGS, published=True),
                           listings.STANDINGS, tmp_path)
        assert fast is not None and fast.count("\n") > 100
        assert fast == expected
    expected = listing_path(listings.final_standings(results.final_standings_rows(listings.FINAL_STANDINGS),
                                                     layout=listings.FINAL_STANDINGS))
    fast = engine_path(results, results.final_standings_query(listings.FINAL_STANDINGS, published=True),
                       listings.FINAL_STANDINGS, tmp_path)
    assert fast == expected


def _cli_csv(url: str, extra: list[str] | None = None) -> str:
    out = io.StringIO()
    assert main(["standings", "--store", url, "--period", "P1", "--format", "csv", *(extra or [])], stdout=out) == 0
    return out.getvalue()


def test_the_command_gives_the_same_bytes_either_way(store, small_rules, tmp_path, monkeypatch):
    url = str(store.url)
    calls = []
    real = bulk_csv.write
    monkeypatch.setattr(bulk_csv, "write", lambda *args: calls.append(1) or real(*args))
    fast = _cli_csv(url)
    _cli_csv(url, ["--out", str(tmp_path / "fast.csv")])
    assert len(calls) == 2  # the engine wrote both
    monkeypatch.setattr(bulk_csv, "_extension_folder", lambda: None)  # as on a machine without the engine
    slow = _cli_csv(url)
    assert fast == slow == (tmp_path / "fast.csv").read_text(encoding="utf-8")
    assert "\u3000" not in fast.split("\n")[1]  # masked, trimmed


def _masks_are_masking_pys(engine) -> None:
    with engine.connect() as connection:
        for table in (participants, phase_totals):
            rows = connection.execute(select(table.c.name, table.c.phone, table.c.masked_name,
                                             table.c.masked_phone)).all()
            assert rows
            assert all((masked_name, masked_phone) == (mask_name(name), mask_phone(phone))
                       for name, phone, masked_name, masked_phone in rows), table.name


def test_the_store_keeps_the_masks_of_masking_py_through_changes_and_upgrades(store, small_rules, tmp_path):
    _masks_are_masking_pys(store)
    export = tmp_path / "export.sqlite"
    with sqlite3.connect(export) as db:  # a newer export: renamed people, a new phone
        db.execute("update participants set name = '欧阳' || name, phone = ' 13900001111 ' where id % 7 = 0")
    sync(store, str(export), small_rules)
    _masks_are_masking_pys(store)
    url = str(store.url)
    before = _cli_csv(url)  # (the command's rules are the shipped ones: derived for them now)
    shipped = load_rules()
    assert Results(store, shipped).masks_current()
    # A store synced before the masks were kept (or with masks of another version): the
    # rankings are listed by the Python path until they are made again, then by the engine.
    with store.begin() as connection:
        connection.exec_driver_sql("update participants set masked_name = null, masked_phone = 'stale'")
        connection.exec_driver_sql("update phase_totals set masked_name = null, masked_phone = 'stale'")
        connection.exec_driver_sql("delete from store_meta where key = 'masks'")
    assert not Results(store, shipped).masks_current()
    assert _cli_csv(url) == before
    with store.begin() as connection:
        derive.derive(connection, shipped)
        assert read_meta(connection, "masks") is not None
    assert Results(store, shipped).masks_current()
    _masks_are_masking_pys(store)
    assert _cli_csv(url) == before


def test_a_carriage_return_or_another_store_leaves_it_to_the_listing_path(store, small_rules, tmp_path):
    results = Results(store, small_rules)
    with store.begin() as connection:
        # kept by the phone's mask (its first three characters): the two writers quote it differently
        connection.exec_driver_sql("update phase_totals set masked_phone = '1' || char(13) || '2*5678' where rank = 1")
    query = results.standings_query("P1", columns=listings.STANDINGS, published=True)
    assert engine_path(results, query, listings.STANDINGS, tmp_path) is None
    elsewhere = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never connected to
    assert not bulk_csv.write(elsewhere, query, listings.STANDINGS, tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


def test_a_store_made_before_the_masks_were_kept_is_brought_up_to_date(store, small_rules, tmp_path):
    """An older store has no mask columns: they are added when it is opened, the rankings are
    listed by the listing path meanwhile, and the next derive makes the masks."""
    url = str(store.url)
    before = _cli_csv(url)
    with store.begin() as connection:
        for table in ("participants", "phase_totals"):
            for column in ("masked_name", "masked_phone"):
                connection.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
        connection.exec_driver_sql("delete from store_meta where key = 'masks'")
    store.dispose()
    reopened = open_store(url)
    try:
        with reopened.connect() as connection:
            names = {row[1] for row in connection.exec_driver_sql("PRAGMA table_info(participants)")}
        assert {"masked_name", "masked_phone"} <= names
        assert _cli_csv(url) == before  # listed by the listing path: masks not made yet
        shipped = load_rules()
        assert not Results(reopened, shipped).masks_current()
        with reopened.begin() as connection:
            derive.derive(connection, shipped)
        assert Results(reopened, shipped).masks_current()
        _masks_are_masking_pys(reopened)
        assert _cli_csv(url) == before
    finally:
        reopened.dispose()
