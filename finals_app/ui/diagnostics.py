"""What the end-to-end tests and benchmarks ask of a running kiosk or follower: the latency of a
buzzer winner's paint, and screenshots of every visible screen on SIGUSR1."""
from __future__ import annotations

import signal
import time
from itertools import count
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer


class _PaintWatch(QObject):
    def __init__(self, pending: dict, write: Callable[[object], None]):
        super().__init__()
        self.pending = pending
        self.write = write

    def eventFilter(self, target, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint and "press" in self.pending:
            self.write(self.pending.pop("press"))
        return False


def watch_winner_paints(  # when an audience screen draws a new buzzer winner: `device_ms
        # received_ms painted_ms offset_ms` (this machine's monotonic ms; a follower on the same
        # machine has the kiosk's received_ms on the same clock)
bridge, audience, path: Path, offset: Callable[[], int] = lambda: 0) -> _PaintWatch:
    pending: dict = {}
    stream = open(path, "a", buffering=1)

    def on_floor(team: str) -> None:
        pending["press"] = next(p for p in reversed(bridge.state.presses) if p.team == team)

    def write(press) -> None:
        stream.write(f"{press.t_ms} {press.received_mono_ms} {time.monotonic_ns() // 1_000_000} {offset() or 0}\n")

    watch = _PaintWatch(pending, write)
    watch.stream = stream
    audience.floor.installEventFilter(watch)
    bridge.floor_given.connect(on_floor)
    audience._latency_watch = watch  # kept as long as the screen
    return watch


def screenshots_on_signal(windows: Callable[[], dict], folder: Path) -> None:
    """SIGUSR1 saves every visible window of `windows()` ({role: widget}) as NN-role.png."""
    numbers = count(1)

    def save() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        tag = f"{next(numbers):02d}"
        for role, window in windows().items():
            if window is not None and window.isVisible():
                window.grab().save(str(folder / f"{tag}-{role}.png"))

    signal.signal(signal.SIGUSR1, lambda *_: QTimer.singleShot(0, save))
