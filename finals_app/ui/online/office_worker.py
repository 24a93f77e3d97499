"""The office window's worker: one plain thread for long work (a sync, a listing, a report),
each job on store connections of its own, shut down with the window."""
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


class OfficeWorker:
    def __init__(self, engine, rules):
        self.engine = engine
        self.rules = rules
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="finals-office")
        self.jobs = 0

    async def run(self, job, *args):
        """Await `job(engine, *args)` run on the worker thread.

        Cyclic garbage is collected now, on this thread, and not again until the worker is idle:
        PySide6 aborted when the collector freed Qt/pyqtgraph objects while the worker ran Python."""
        if self.jobs == 0:
            gc.collect()
            gc.disable()
        self.jobs += 1
        try:
            url = self.engine.url.render_as_string(hide_password=False)
            return await asyncio.get_running_loop().run_in_executor(self.executor, _with_own_engine, url, job, *args)
        finally:
            self.jobs -= 1
            if self.jobs == 0:
                gc.enable()

    async def results(self, build, *args):
        """Await `build(results, *args)` on the worker thread: the window stays live meanwhile."""
        return await self.run(_results_job, self.rules, build, args)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False)
