"""Issue 24, trust where nobody looked: an export still being written (another process holds
a writer's lock on it, or left a transaction half-done) is never read as if finished."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.online.safety import cli_sync, digest

# A second process writing the export as the platform's export job does: a transaction begun
# and a change made, not committed, held until its stdin closes.
WRITER = r"""
import sqlite3, sys
database = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[3] == "wal":
    database.execute("pragma journal_mode=wal")
if sys.argv[3] == "spill":  # a page cache too small for the change: pages go to the file itself
    database.execute("pragma cache_size=1")
database.execute(sys.argv[2])
database.execute("update participants set name = name || '改' where id = (select min(id) from participants)")
if sys.argv[3] == "spill":
    database.execute("update attempts set score = score + 1")
print("writing", flush=True)
sys.stdin.read()
"""


class Writer:
    """The writing process; ended by closing its stdin (or killed)."""

    def __init__(self, export: Path, begin: str, mode: str = "delete"):
        self.process = subprocess.Popen([sys.executable, "-c", WRITER, str(export), begin, mode],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "writing"

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(10)
        self._close()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)
        self._close()

    def _close(self) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            if not stream.closed:
                stream.close()


def _assert_refused_as_being_written(done, store: Path, before: str, export: Path) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    assert str(export) in done.stderr
    assert "being written by another process" in done.stderr and "sync again when it is finished" in done.stderr
    assert digest(store) == before
    assert sorted(p.name for p in store.parent.iterdir()) == ["store.sqlite"]


@pytest.mark.parametrize("begin", ["BEGIN EXCLUSIVE", "BEGIN IMMEDIATE"])
def test_an_export_a_process_is_writing_is_refused(sync_setting, begin):
    """BEGIN EXCLUSIVE (the export job) or BEGIN IMMEDIATE (a RESERVED lock), a change pending:
    the sync refuses the export, exit 2, naming it; the store is as it was."""
    store, rules, export = sync_setting
    before = digest(store)
    writer = Writer(export, begin)
    try:
        done = cli_sync(store, rules, export)
    finally:
        writer.end()
    _assert_refused_as_being_written(done, store, before, export)
    assert cli_sync(store, rules, export).returncode == 0  # once the writer has finished


def test_a_wal_export_a_process_is_writing_is_refused(sync_setting):
    store, rules, export = sync_setting
    before = digest(store)
    writer = Writer(export, "BEGIN IMMEDIATE", "wal")
    try:
        done = cli_sync(store, rules, export)
    finally:
        writer.end()
    _assert_refused_as_being_written(done, store, before, export)


def test_an_export_whose_writer_stopped_half_way_is_refused(sync_setting):
    """The writer killed in the middle of its transaction, after some of its pages reached the
    file: its -journal beside the export holds the pages to put back; the export as it lies is
    half of a transaction."""
    store, rules, export = sync_setting
    before = digest(store)
    writer = Writer(export, "BEGIN EXCLUSIVE", "spill")
    writer.kill()
    journal = export.with_name(export.name + "-journal")
    assert journal.exists()
    done = cli_sync(store, rules, export)
    assert done.returncode == 2, done.stderr[-500:]
    assert str(export) in done.stderr and journal.name in done.stderr
    assert digest(store) == before


def test_an_export_a_process_only_reads_syncs(sync_setting):
    """A reader's lock (the platform browsing its export) is no writer."""
    store, rules, export = sync_setting
    reader = sqlite3.connect(export, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("select count(*) from attempts").fetchone()
        done = cli_sync(store, rules, export)
    finally:
        reader.close()
    assert done.returncode == 0, done.stderr[-500:]


def test_an_export_written_during_the_sync_is_refused(store_engine_and_rules, export_copy):
    """A writer that starts after the check: the export's size, time or change counter differ
    at the end of the read, and the sync is refused, rolled back."""
    from finals_app.core.errors import ExportError
    from finals_app.core.online.sync import sync
    engine, rules = store_engine_and_rules
    started = []

    def progress(stage, done, total):
        if stage == "attempts" and not started:
            started.append(True)
            with sqlite3.connect(export_copy) as database:
                database.execute("update participants set name = name || '后' where id = (select min(id) from participants)")
            database.close()
    with pytest.raises(ExportError, match="being written by another process"):
        sync(engine, str(export_copy), rules, progress)
    assert started
    with engine.connect() as connection:
        assert connection.exec_driver_sql("select count(*) from sync_runs").scalar_one() == 0
        assert connection.exec_driver_sql("select count(*) from participants").scalar_one() == 0


@pytest.fixture
def store_engine_and_rules(tmp_path, small_rules):
    from finals_app.core.store.engine import open_store
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield engine, small_rules
    engine.dispose()

