"""One event loop for Qt and asyncio (qasync), for every window that runs async work: the office
(its sync), the kiosk (the served show), a follower (its socket)."""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable


def run_in_qt_loop(app, main: Callable[[asyncio.Event], Awaitable]):
    """Run `main(finished)` in a qasync loop on `app`; `finished` is set when the application is
    about to quit. Python 3.11 has no asyncio.run(loop_factory=...): the Qt loop is installed by
    hand (3.11-3.13)."""
    import qasync
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    finished = asyncio.Event()
    app.aboutToQuit.connect(finished.set)
    try:
        with loop:
            return loop.run_until_complete(main(finished))
    finally:
        asyncio.set_event_loop(None)


def start_task(coroutine) -> asyncio.Task:
    """`coroutine` as a task of the running loop (a window's qasync loop). Refused when no loop runs
    yet: asyncio.ensure_future would then put it on a new loop of its own that nothing ever runs,
    and what waits for it would wait for ever."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        coroutine.close()
        raise RuntimeError("async work started before the event loop runs (start it from the running loop)") from None
    return loop.create_task(coroutine)
