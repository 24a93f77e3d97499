"""The office window's worker: one plain thread for long work (a sync, a listing, a report, an
export), each job on store connections of its own, and a reader thread for the big tables' pages
and views (quick keyed reads on one engine it keeps open, so that scrolling never waits behind an
export); both shut down with the window."""
from __future__ import annotations

import asyncio
import gc
from concurrent.futures import ThreadPoolExecutor

from finals_app.core.online.results import Results


def _with_own_engine(url, job, *args):
    """Run `job(engine, *args)` on the worker thread with connections of its own (SQLite
    connections stay in the thread that opened them)."""
    from finals_app.core.store.engine import open_store
    engine = open_store(url)
    try:
        return job(engine, *args)
    finally:
        engine.dispose()


def _results_job(engine, rules, build, args):
    return build(Results(engine, rules), *args)


READER_CACHE_KIB = 65536  # SQLite's page cache of the reader's connection (a job's is 256 MiB)


def _reader_cache(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA cache_size=-{READER_CACHE_KIB}")
    cursor.close()


class _Reader:
    """The reader thread's engine, opened there on its first job and kept (closed at shutdown)."""

    def __init__(self, url: str):
        self.url = url
        self.engine = None

    def run(self, job, *args):
        if self.engine is None:
            from sqlalchemy import event

            from finals_app.core.store.engine import open_store
            self.engine = open_store(self.url)
            if self.engine.dialect.name == "sqlite":  # kept open: a smaller page cache than a job's
                event.listen(self.engine, "connect", _reader_cache)
                self.engine.dispose()  # no connection opened before it keeps the larger cache
        return job(self.engine, *args)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None


class OfficeWorker:
    def __init__(self, engine, rules):
        self.engine = engine
        self.rules = rules
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="finals-office")
        self.reader_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="finals-office-pages")
        self.reader = _Reader(engine.url.render_as_string(hide_password=False))
        self.jobs = 0

    async def run(self, job, *args):
        """Await `job(engine, *args)` run on the worker thread."""
        url = self.engine.url.render_as_string(hide_password=False)
        return await self._in(self.executor, _with_own_engine, url, job, *args)

    async def read(self, job, *args):
        """Await `job(engine, *args)` run on the reader thread (its engine stays open)."""
        return await self._in(self.reader_executor, self.reader.run, job, *args)

    async def _in(self, executor, *call):
        """Cyclic garbage is collected now, on this thread, and not again until both threads are
        idle: PySide6 aborted when the collector freed Qt/pyqtgraph objects while a thread ran
        Python."""
        if self.jobs == 0:
            gc.collect()
            gc.disable()
        self.jobs += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, *call)
        finally:
            self.jobs -= 1
            if self.jobs == 0:
                gc.enable()

    async def results(self, build, *args):
        """Await `build(results, *args)` on the worker thread: the window stays live meanwhile."""
        return await self.run(_results_job, self.rules, build, args)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False)
        try:
            self.reader_executor.submit(self.reader.close)  # after the reads already queued
        except RuntimeError:
            return  # shut down already
        self.reader_executor.shutdown(wait=False)
