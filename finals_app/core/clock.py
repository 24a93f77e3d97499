"""One injectable clock: monotonic milliseconds for deadlines, wall milliseconds for people
and for surviving a restart. Tests use ManualClock and step time exactly."""
from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def monotonic_ms(self) -> int: ...

    def wall_ms(self) -> int: ...


class SystemClock:
    def monotonic_ms(self) -> int:
        return time.monotonic_ns() // 1_000_000

    def wall_ms(self) -> int:
        return time.time_ns() // 1_000_000


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, monotonic_ms: int = 1_000_000, wall_ms: int = 1_530_000_000_000):
        self.mono = monotonic_ms
        self.wall = wall_ms

    def monotonic_ms(self) -> int:
        return self.mono

    def wall_ms(self) -> int:
        return self.wall

    def advance(self, milliseconds: int) -> None:
        self.mono += milliseconds
        self.wall += milliseconds
