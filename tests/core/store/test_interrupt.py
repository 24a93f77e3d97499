"""Ctrl+C in the middle of one long statement stops it at once (core/store/interrupt.py)."""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from finals_app.core.store.interrupt import interruptible

# About a minute of SQLite's work in one statement, were it not interrupted.
LONG = text("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000000) "
            "SELECT count(*) FROM n")


@pytest.fixture
def ctrl_c_raises():
    """Python's own Ctrl+C handler, also when the tests were started with SIGINT ignored (a
    background job of a shell without job control): then Python leaves it ignored."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_interrupts_a_long_statement_and_leaves_the_store_usable(ctrl_c_raises):
    engine = create_engine("sqlite://")
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    with pytest.raises((KeyboardInterrupt, OperationalError)):
        with interruptible(engine), engine.connect() as connection:
            connection.execute(LONG)
    assert time.monotonic() - started < 10
    timer.join()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    assert signal.set_wakeup_fd(-1) == -1  # the wake-up descriptor is given back


def test_off_the_main_thread_it_does_nothing():
    engine = create_engine("sqlite://")
    outcome = []

    def run() -> None:
        with interruptible(engine), engine.connect() as connection:
            outcome.append(connection.execute(text("SELECT 2")).scalar())
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert outcome == [2]
