"""A buzzer race settles at its deadline while the show is served, kiosk window or not: a timer
in the event loop asks the engine to settle it (the engine says when; phones' presses may
arrive late, see clock.py's settle_ms)."""
from __future__ import annotations

import asyncio
import logging

from finals_app.core.stage.engine import StageEngine
from finals_app.core.stage.journal import JournalError

log = logging.getLogger("finals_app.net")


class RaceSettler:
    def __init__(self, engine: StageEngine):
        self.engine = engine
        self._race: asyncio.TimerHandle | None = None

    def on_events(self) -> None:
        settles_at = self.engine.settles_at_ms()
        if settles_at is not None:
            if self._race is not None:
                self._race.cancel()
            self._race = asyncio.get_event_loop().call_later(max(0.0, settles_at - self.engine.now_ms()) / 1000,
                                                             self._settle)

    def cancel(self) -> None:
        if self._race is not None:
            self._race.cancel()
            self._race = None

    def _settle(self) -> None:
        self._race = None
        try:
            self.engine.expire()
        except JournalError as problem:
            log.error("the buzzer race could not be settled: %s", problem.render("en"))
