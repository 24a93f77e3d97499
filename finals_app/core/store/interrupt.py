"""Ctrl+C during a long statement: the store's connections are interrupted, not waited for."""
from __future__ import annotations

import contextlib
import os
import signal
import threading

from sqlalchemy import event


@contextlib.contextmanager
def interruptible(engine):
    """Ctrl+C stops a sync at once, even in the middle of one long SQL statement: the signal's
    wake-up byte reaches a watcher thread while the main thread waits in the database, and the
    watcher interrupts every connection the store has checked out (SQLite `interrupt()`,
    PostgreSQL `cancel()`). The statement fails, the transaction rolls back, the store is as it
    was, and the KeyboardInterrupt that follows is said as such. Off the main thread (where no
    signal arrives) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    active: set = set()

    def checkout(dbapi, record, proxy):
        active.add(dbapi)

    def checkin(dbapi, record):
        active.discard(dbapi)

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    previous = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                data = os.read(read_end, 64)
            except OSError:
                return
            if done.is_set() or not data:
                return
            if signal.SIGINT in data or signal.SIGTERM in data:
                for connection in list(active):
                    stop = getattr(connection, "interrupt", None) or getattr(connection, "cancel", None)
                    try:
                        stop()
                    except Exception:  # noqa: BLE001 - a connection already gone
                        pass

    watcher = threading.Thread(target=watch, name="sync-interrupt", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        signal.set_wakeup_fd(previous)
        os.write(write_end, b"\0")
        watcher.join(1)
        os.close(write_end)
        os.close(read_end)
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "checkin", checkin)
