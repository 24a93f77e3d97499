"""The rankings' and the invalid attempts' CSV written by SQLite itself (tables/sqlite_csv), from
the masks the store keeps, is byte for byte the listing path's (masking.py at listing time, Python's csv module), on names
and phones chosen to break it; where it cannot promise that it steps aside."""
from __future__ import annotations

import io
import random
import sqlite3

import pytest
from sqlalchemy import select

from finals_app.cli import main
from finals_app.core.online.results import Results
from finals_app.core.online.sample_export import generate
from finals_app.core.online.sync import sync
from finals_app.core.rules import load_rules
from finals_app.core.store.engine import open_store
from finals_app.core.online import derive
from finals_app.core.store.engine import read_meta
from finals_app.core.store.schema import participants, phase_totals
from finals_app.core.tables import listings, sqlite_csv
from finals_app.core.tables.masking import COMPOUND_SURNAMES, MASKING_VERSION, mask_name, mask_phone
from finals_app.reports.writers import write_csv

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


@pytest.fixture(autouse=True)
def one_process(monkeypatch):
    """In the test process one reader makes every block (a fork beside pytest's threads is
    not safe); the helper process is tested in a fresh interpreter below."""
    monkeypatch.setattr(sqlite_csv, "_can_fork", lambda: False)


# Run in a fresh interpreter (one thread, so the helper process is forked): writes the ranking
# and the invalid attempts in many blocks; HOW says what the helper does.
HELPED = """
import json, os, sys
from pathlib import Path
from finals_app.core.rules import parse_rules
from finals_app.core.tables import listings, sqlite_csv
store, rules_file, out, how = sys.argv[1:5]
rules = parse_rules(Path(rules_file).read_text(encoding="utf-8"), "small-rules.toml")
sqlite_csv.BLOCK_RANKS, sqlite_csv.BLOCK_IDS = 37, 5
assert sqlite_csv._can_fork()
parent = os.getpid()
serve, state = sqlite_csv._Helper._serve, sqlite_csv._Reader.state
if how == "fails":  # the helper sends two blocks, then says it cannot go on
    def failing(path, planned, pipe):
        reader = sqlite_csv._Reader(path)
        found, blocks = planned(reader)
        sqlite_csv._send(pipe, json.dumps(found).encode())
        for sql, parameters in blocks[1:4:2]:
            sqlite_csv._send(pipe, reader.scalar(sql, parameters).encode())
        sqlite_csv._send(pipe, None)
    sqlite_csv._Helper._serve = staticmethod(failing)
if how == "stuck":  # the helper sends its state, then nothing: the parent waits so long, then reads
    sqlite_csv._Helper.PATIENCE_S = 0.5
    def stuck(path, planned, pipe):
        reader = sqlite_csv._Reader(path)
        sqlite_csv._send(pipe, json.dumps(planned(reader)[0]).encode())
        import time
        time.sleep(3600)
    sqlite_csv._Helper._serve = staticmethod(stuck)
if how == "other snapshot":  # as if a sync committed between the two snapshots
    sqlite_csv._Reader.state = lambda self: state(self) if os.getpid() == parent else ("0", "other", None)
helpers = []
start = sqlite_csv._Helper.start
sqlite_csv._Helper.start = classmethod(lambda cls, *args: helpers.append(start(*args)) or helpers[-1])
with open(out, "w", encoding="utf-8", newline="") as target:
    for phase in ("P1", "P2"):
        assert sqlite_csv.ranking(store, rules, phase, listings.STANDINGS, target.write)
    assert sqlite_csv.ranking(store, rules, rules.final.id, listings.FINAL_STANDINGS, target.write)
    assert sqlite_csv.invalid_attempts(store, rules, None, listings.INVALID, target.write)
assert len(helpers) == 4 and all(helper is not None and helper.pid is None for helper in helpers)  # each reaped
print("failed" if any(helper.failed for helper in helpers) else "whole")
"""


@pytest.mark.parametrize("how", ["helps", "fails", "stuck", "other snapshot"])
def test_a_helper_process_makes_every_other_block(store, small_rules, tmp_path, how):
    import subprocess
    import sys
    from tests.conftest import small_rules_text
    results = Results(store, small_rules)
    expected = "".join([
        *(listing_path(listings.standings(results.standings_rows(phase, columns=listings.STANDINGS),
                                          layout=listings.STANDINGS)) for phase in ("P1", "P2")),
        listing_path(listings.final_standings(results.final_standings_rows(listings.FINAL_STANDINGS),
                                              layout=listings.FINAL_STANDINGS)),
        listing_path(listings.invalid_attempts(results.invalid_attempts(None)))])
    (tmp_path / "rules.toml").write_text(small_rules_text(), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", HELPED, str(store.url), str(tmp_path / "rules.toml"),
                           str(tmp_path / "out.csv"), how], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("failed" if how in ("fails", "stuck") else "whole")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == expected


def sqlite_path(engine, rules, phase: str, columns) -> str | None:
    out = io.StringIO()
    if not sqlite_csv.ranking(str(engine.url), rules, phase, columns, out.write):
        assert out.getvalue() == ""  # nothing given when it steps aside
        return None
    return out.getvalue()


def test_sqlite_writes_the_listing_paths_bytes(store, small_rules, monkeypatch):
    results = Results(store, small_rules)
    monkeypatch.setattr(sqlite_csv, "BLOCK_RANKS", 37)  # many blocks
    for phase in ("P1", "P2"):
        expected = listing_path(listings.standings(results.standings_rows(phase, columns=listings.STANDINGS),
                                                   layout=listings.STANDINGS))
        fast = sqlite_path(store, small_rules, phase, listings.STANDINGS)
        assert fast is not None and fast.count("\n") > 100
        assert fast == expected
    expected = listing_path(listings.final_standings(results.final_standings_rows(listings.FINAL_STANDINGS),
                                                     layout=listings.FINAL_STANDINGS))
    fast = sqlite_path(store, small_rules, small_rules.final.id, listings.FINAL_STANDINGS)
    assert fast == expected
    assert any(line.split(",")[8] for line in fast.splitlines()[1:])  # some tiers were written


def test_one_block_and_many_give_the_same_bytes(store, small_rules, monkeypatch):
    monkeypatch.setattr(sqlite_csv, "BLOCK_RANKS", 37)
    many = sqlite_path(store, small_rules, "P1", listings.STANDINGS)
    assert many is not None and many.count("\n") > 3 * 37  # several blocks were written
    monkeypatch.setattr(sqlite_csv, "BLOCK_RANKS", 1 << 30)
    assert sqlite_path(store, small_rules, "P1", listings.STANDINGS) == many


def test_the_quoting_characters_are_the_csv_modules(small_rules):
    import csv
    for character in (",", '"', "\n", "\r", "\t", " ", "\u3000", "*", "\x85"):
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow([f"a{character}b", ""])
        assert (character in sqlite_csv._quoting_characters()) == out.getvalue().startswith('"'), repr(character)
    assert {",", '"', "\n"} <= set(sqlite_csv._quoting_characters())


def _cli_csv(url: str, extra: list[str] | None = None) -> str:
    out = io.StringIO()
    assert main(["standings", "--store", url, "--period", "P1", "--format", "csv", *(extra or [])], stdout=out) == 0
    return out.getvalue()


def test_the_command_gives_the_same_bytes_either_way(store, small_rules, tmp_path, monkeypatch):
    url = str(store.url)
    calls = []
    real = sqlite_csv.ranking
    monkeypatch.setattr(sqlite_csv, "ranking", lambda *args: calls.append(real(*args)) or calls[-1])
    first = _cli_csv(url)  # the command's rules are the shipped ones: derived for them first
    assert calls == [False, True]
    fast = _cli_csv(url)
    _cli_csv(url, ["--out", str(tmp_path / "fast.csv")])
    assert calls == [False, True, True, True]  # SQLite wrote both at once
    calls.clear()
    monkeypatch.setattr(sqlite_csv, "ranking", lambda *args: calls.append(False) or False)  # as if it cannot
    slow = _cli_csv(url)
    _cli_csv(url, ["--out", str(tmp_path / "slow.csv")])
    assert calls == [False, False, False, False]  # tried before and after the store's checks
    assert first == fast == slow == (tmp_path / "fast.csv").read_text(encoding="utf-8") == (
        tmp_path / "slow.csv").read_text(encoding="utf-8")
    assert "\u3000" not in fast.split("\n")[1]  # masked, trimmed
    assert not list(tmp_path.glob("*.partial*"))


def masks_current(engine, rules) -> bool:
    """The store's masks are this version's and the rankings copy them (derived since): what
    the lean path asks of the store, through the database toolkit."""
    Results(engine, rules)  # derives when out of date, as a listing does
    with engine.connect() as connection:
        return read_meta(connection, "masks") == MASKING_VERSION and derive.is_derived(connection, rules)


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
    assert masks_current(store, shipped)
    # A store synced before the masks were kept (or with masks of another version): the
    # rankings are listed by the Python path until they are made again, then by SQLite.
    with store.begin() as connection:
        connection.exec_driver_sql("update participants set masked_name = null, masked_phone = 'stale'")
        connection.exec_driver_sql("update phase_totals set masked_name = null, masked_phone = 'stale'")
        connection.exec_driver_sql("delete from store_meta where key = 'masks'")
    assert not masks_current(store, shipped)
    assert _cli_csv(url) == before
    with store.begin() as connection:
        derive.derive(connection, shipped)
        assert read_meta(connection, "masks") is not None
    assert masks_current(store, shipped)
    _masks_are_masking_pys(store)
    assert _cli_csv(url) == before


def test_a_carriage_return_is_written_as_the_csv_module_writes_it(store, small_rules):
    results = Results(store, small_rules)
    # kept by the phone's mask (its first three characters); a name's mask is trimmed of it
    name, phone = '"\r,\r\nb', "1\r2345678"
    assert "\r" in mask_phone(phone) and mask_name(name) == '"*b'
    with store.begin() as connection:
        connection.exec_driver_sql("update phase_totals set name = ?, phone = ?, masked_name = ?, masked_phone = ? "
                                   "where rank <= 2", (name, phone, mask_name(name), mask_phone(phone)))
        connection.exec_driver_sql("update phase_totals set phone = ?, masked_phone = ? where rank = 3",
                                   ("\r\r\r45678", mask_phone("\r\r\r45678")))
    for phase in ("P1", "P2"):
        expected = listing_path(listings.standings(results.standings_rows(phase, columns=listings.STANDINGS),
                                                   layout=listings.STANDINGS))
        assert "\r" in expected
        assert sqlite_path(store, small_rules, phase, listings.STANDINGS) == expected


def test_it_steps_aside_where_it_cannot_promise_the_bytes(store, small_rules, tmp_path):
    assert sqlite_path(store, small_rules, "P1", listings.STANDINGS) is not None
    for elsewhere in ("postgresql+psycopg://nobody@127.0.0.1:1/none", "sqlite://", f"sqlite:///{tmp_path / 'none'}",
                      f"sqlite:///{tmp_path / 'store.sqlite'}?mode=ro"):
        out = io.StringIO()
        assert not sqlite_csv.ranking(elsewhere, small_rules, "P1", listings.STANDINGS, out.write), elsewhere
    assert sqlite_path(store, small_rules, "P9", listings.STANDINGS) is None  # no such period
    assert sqlite_path(store, small_rules, "P1", ("rank", "title")) is None  # a column it does not know
    assert sqlite_path(store, load_rules(), "P1", listings.STANDINGS) is None  # derived for other rules
    with store.begin() as connection:
        connection.exec_driver_sql("delete from attempt_status where phase = 'P2'")
    assert sqlite_path(store, small_rules, "P2", listings.STANDINGS) is None  # not synced: the listing path says so
    (tmp_path / "garbage.sqlite").write_bytes(b"not a database at all" * 100)
    out = io.StringIO()
    assert not sqlite_csv.ranking(str(tmp_path / "garbage.sqlite"), small_rules, "P1", listings.STANDINGS, out.write)


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
        assert not masks_current(reopened, shipped)
        with reopened.begin() as connection:
            derive.derive(connection, shipped)
        assert masks_current(reopened, shipped)
        _masks_are_masking_pys(reopened)
        assert _cli_csv(url) == before
    finally:
        reopened.dispose()


def test_the_invalid_attempts_are_the_listing_paths_bytes(store, small_rules, monkeypatch):
    results = Results(store, small_rules)
    with store.begin() as connection:  # reasons and periods as the csv module must quote them
        connection.exec_driver_sql("update attempt_status set reason = 'a,b\"c' || char(13) where attempt_id % 5 = 0 "
                                   "and reason is not null")
    for blocks in (1 << 30, 3):
        monkeypatch.setattr(sqlite_csv, "BLOCK_IDS", blocks)
        for phase in (None, "P1", "P2", small_rules.final.id):
            expected = listing_path(listings.invalid_attempts(results.invalid_attempts(phase)))
            assert expected.count("\n") > (5 if phase else 50)
            out = io.StringIO()
            assert sqlite_csv.invalid_attempts(str(store.url), small_rules, phase, listings.INVALID, out.write)
            assert out.getvalue() == expected, (phase, blocks)
    out = io.StringIO()
    assert not sqlite_csv.invalid_attempts(str(store.url), small_rules, "P9", listings.INVALID, out.write)
    assert not sqlite_csv.invalid_attempts(str(store.url), load_rules(), "P1", listings.INVALID, out.write)
    assert out.getvalue() == ""


def test_the_validate_command_gives_the_same_bytes_either_way(store, tmp_path, monkeypatch):
    url = str(store.url)

    def validate(*extra: str) -> str:
        out = io.StringIO()
        assert main(["validate", "--store", url, "--format", "csv", *extra], stdout=out) == 0
        return out.getvalue()
    validate()  # derived for the shipped rules
    calls = []
    real = sqlite_csv.invalid_attempts
    monkeypatch.setattr(sqlite_csv, "invalid_attempts", lambda *args: calls.append(real(*args)) or calls[-1])
    fast = [validate(), validate("--period", "P2"), validate("--period", "P2", "--out", str(tmp_path / "fast.csv"))]
    assert calls == [True, True, True]
    monkeypatch.setattr(sqlite_csv, "invalid_attempts", lambda *args: False)
    slow = [validate(), validate("--period", "P2"), validate("--period", "P2", "--out", str(tmp_path / "slow.csv"))]
    assert fast == slow and fast[0].count("\n") > fast[1].count("\n") > 10
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "slow.csv").read_bytes() == fast[1].encode()
