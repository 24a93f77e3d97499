"""The office's sync bar: choose an export, sync it on the worker thread with its progress shown
(the window stays live), cancel it (the store rolls back)."""
from __future__ import annotations

import asyncio
import threading
from typing import Awaitable, Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from finals_app.core.errors import FinalsError
from finals_app.core.i18n import _, stage_title
from finals_app.core.online.sync import SyncCancelled, sync
from finals_app.ui import theme
from finals_app.ui.qt_loop import start_task


class SyncProgress:
    """Progress written by the worker thread and read by the GUI's timer: the worker never
    touches a Qt object."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latest: tuple[str, int, int] | None = None

    def put(self, stage: str, done: int, total: int) -> None:
        with self.lock:
            self.latest = (stage, done, total)

    def take(self) -> tuple[str, int, int] | None:
        with self.lock:
            latest, self.latest = self.latest, None
        return latest


class SyncPanel(QWidget):
    """`worker`: the office's (office_worker.py); `message`: where the outcome is said;
    `after_sync`: awaited after a sync that went through."""

    def __init__(self, worker, message: QLabel, after_sync: Callable[[], Awaitable[None]], parent=None):
        super().__init__(parent)
        self.worker = worker
        self.message = message
        self.after_sync = after_sync
        self.task: asyncio.Task | None = None
        self.cancel_requested = threading.Event()
        self.button = QPushButton(_("Sync an export…"))
        self.button.clicked.connect(lambda: self.choose_export())
        self.progress = QProgressBar()
        self.progress.setFormat("%p%")
        self.stage = QLabel("")
        self.cancel_button = QPushButton(_("Cancel sync"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.button, self.stage, self.progress, self.cancel_button):
            row.addWidget(widget)
        self.sync_progress = SyncProgress()
        self.progress_timer = QTimer(self)
        self.progress_timer.setInterval(50)
        self.progress_timer.timeout.connect(self._poll_progress)

    def choose_export(self, path: str | None = None) -> None:
        if path is None:
            path, _ignored = QFileDialog.getOpenFileName(self, _("Choose the export"), "", _("SQLite (*.sqlite *.db);;All files (*)"))
            if not path:
                return
        self.start(path)

    def start(self, path: str) -> asyncio.Task:
        self.cancel_requested.clear()
        self.button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.message.setText(_("Syncing {path} …", path=path))
        self.task = start_task(self._sync(path))
        return self.task

    def cancel(self) -> None:
        self.cancel_requested.set()
        self.message.setText(_("Cancelling…"))

    def stop(self) -> None:
        """The window closes: a sync under way stops at its next step; the store rolls back."""
        if self.task is not None and not self.task.done():
            self.cancel_requested.set()
            self.task.cancel()

    def _progress_from_worker(self, stage: str, done: int, total: int | None) -> None:
        if self.cancel_requested.is_set():
            raise SyncCancelled("the sync was cancelled; the store is as it was")
        self.sync_progress.put(stage, done, total or 0)

    def _poll_progress(self) -> None:
        latest = self.sync_progress.take()
        if latest is None:
            return
        stage, done, total = latest
        self.stage.setText(stage_title(stage))
        self.progress.setRange(0, total if total else 0)
        if total:
            self.progress.setValue(done)

    async def _sync(self, path: str):
        self.progress_timer.start()
        try:
            summary = await self.worker.run(sync, path, self.worker.rules, self._progress_from_worker)
        except FinalsError as error:
            self.message.setText(error.render())
            self.message.setStyleSheet(f"color: {theme.DANGER};")
            return None
        finally:
            self.progress_timer.stop()
            self.button.setEnabled(True)
            self.cancel_button.setEnabled(False)
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
        self.message.setStyleSheet("")
        counts = ",".join(f"{name} {change.rows:,}" for name, change in summary.tables.items())
        self.message.setText((_("The export has not changed. ") if summary.unchanged else _("Sync done. ")) + counts +
                             _(" ({seconds:.1f} s)", seconds=summary.seconds))
        await self.after_sync()
        return summary
