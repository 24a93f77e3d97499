"""What the end-to-end tests and benchmarks ask of a running window (kiosk, follower, office):
the latency of a buzzer winner's paint, and on SIGUSR1 a screenshot of every visible screen with
what it says (FINALS_APP_SCREENSHOTS names the folder)."""
from __future__ import annotations

import json
import os
import signal
import time
from itertools import count
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QComboBox, QLabel, QLineEdit, QStackedWidget,
                               QTabBar, QTabWidget, QWidget)

SCREENSHOTS_ENV = "FINALS_APP_SCREENSHOTS"  # a folder: SIGUSR1 saves every screen there


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


def _tab_path(widget: QWidget, top: QWidget) -> list[str]:
    """The titles of the tabs a widget sits in, outermost first."""
    path = []
    child, parent = widget, widget.parentWidget()
    while parent is not None and child is not top:
        if isinstance(parent, QStackedWidget) and isinstance(parent.parentWidget(), QTabWidget):
            tabs = parent.parentWidget()
            path.append(tabs.tabText(tabs.indexOf(child)))
        child, parent = parent, parent.parentWidget()
    return path[::-1]


def describe(window: QWidget) -> dict:
    """What a window says, as a person reading it would: its labels, buttons (enabled or not),
    choices, fields, tables (rows) and tab bars (each tab's place on the screen), every one with the
    tabs it sits in, its Qt object name when it has one, and whether it is shown now."""
    widgets = []
    for widget in window.findChildren(QWidget):
        entry: dict = {"class": type(widget).__name__, "tabs": _tab_path(widget, window),
                       "visible": widget.isVisible(), "enabled": widget.isEnabled()}
        if widget.objectName() and not widget.objectName().startswith("qt_"):
            entry["name"] = widget.objectName()
        if isinstance(widget, (QLabel, QAbstractButton, QLineEdit)):
            entry["text"] = widget.text()
        elif isinstance(widget, QComboBox):
            entry["text"] = widget.currentText()
            entry["data"] = str(widget.currentData())
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            entry["rows"] = widget.model().rowCount()
        elif isinstance(widget, QTabBar):
            entry["current"] = widget.currentIndex()
            entry["tab_list"] = []
            for index in range(widget.count()):
                rect = widget.tabRect(index)
                corner = widget.mapToGlobal(rect.topLeft())
                entry["tab_list"].append({"text": widget.tabText(index), "x": corner.x(), "y": corner.y(),
                                          "width": rect.width(), "height": rect.height()})
        else:
            continue
        widgets.append(entry)
    return {"title": window.windowTitle(), "widgets": widgets}


def screenshots_on_signal(windows: Callable[[], dict], folder: Path) -> None:
    """SIGUSR1 saves every visible window of `windows()` ({role: widget}) as NN-role.png, and what
    it says (describe) as NN-role.json, written after the picture."""
    numbers = count(1)

    def save() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        tag = f"{next(numbers):02d}"
        for role, window in windows().items():
            if window is not None and window.isVisible():
                window.grab().save(str(folder / f"{tag}-{role}.png"))
                target = folder / f"{tag}-{role}.json"
                partial = target.with_suffix(".json.partial")
                partial.write_text(json.dumps(describe(window), ensure_ascii=False, indent=1), encoding="utf-8")
                os.replace(partial, target)  # a reader never sees half a file

    signal.signal(signal.SIGUSR1, lambda *_: QTimer.singleShot(0, save))
