"""A big listing's tab (a province's ranking of 700,000 people, the final's, a period's invalid
attempts): the table holds a few pages, fetched as the user scrolls; a header click and the filter
make a new view in the store (core/online/paged.py); the export streams the view into the file on
the worker thread, with its progress, and can be cancelled (no file is left then)."""
from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QProgressBar, QPushButton

from finals_app.core.errors import FinalsError
from finals_app.core.i18n import N_, _
from finals_app.core.online.paged import PAGE_ROWS  # (read at each call: tests set it)
from finals_app.core.online.queries import ResultQueries
from finals_app.core.online.results import Results
from finals_app.core.tables import listings
from finals_app.core.tables.listings import shown_as
from finals_app.reports.writers import ExportCancelled, write_atomically, write_csv_batches, write_xlsx
from finals_app.ui.online.listing_tab import ListingTab, Params
from finals_app.ui.online.sync_panel import SyncProgress
from finals_app.ui.online.table_model import PagedListingModel
from finals_app.ui.qt_loop import start_task

# The CLI's listing of each paged one, with no rows: its columns, titles and displays.
EMPTY_LISTINGS = {"standings": lambda: listings.standings([]),
                  "final-standings": lambda: listings.final_standings([]),
                  "validate": lambda: listings.invalid_attempts([])}
CODED = ("period", "reason")  # what the filter matches by the words shown for each code
FILTER_PAUSE_MS = 300  # the filter runs once the user stops typing
EXPORT_BATCH = 5000  # rows read and written between two progress reports


def open_view(engine, rules, paged: str, period: str, text: str, sort, descending: bool, meta, still_wanted):
    """On the reader thread: the listing's columns as the staff read them (`meta`, made once),
    the view sorted and filtered in the store, and its first page. None when a newer view was
    asked for meanwhile."""
    if not still_wanted():
        return None
    results = Results(engine, rules)
    if meta is None:
        from finals_app.ui.online.staff_view import for_staff
        meta = for_staff(results, EMPTY_LISTINGS[paged]())
    display = {column: shown_as(meta, column) for column in CODED if column in meta.columns}
    view = results.queries.paged_view(paged, period, sort, descending, text, display, page_rows=PAGE_ROWS)
    if view.columns != meta.columns:
        raise AssertionError(f"paged columns {view.columns} are not the listing's {meta.columns}")
    return meta, view, results.queries.paged_page(view, 0)


def read_page(engine, rules, view, page: int) -> list[tuple]:
    return ResultQueries(engine, rules).paged_page(view, page)


def export_view(engine, rules, view, meta, path: str, progress) -> Path:
    """On the worker thread: every row of the view, in its order, into `path` (XLSX or CSV),
    written whole or not at all (write_atomically); `progress(done, total)` may stop it."""
    batches = ResultQueries(engine, rules).paged_rows(view, EXPORT_BATCH)
    if path.lower().endswith(".csv"):
        write = lambda temporary: write_csv_batches(meta, batches, temporary, view.count, progress)  # noqa: E731
    else:
        write = lambda temporary: write_xlsx(meta, temporary, batches=batches, total=view.count,  # noqa: E731
                                             progress=progress)
    try:
        return write_atomically(Path(path), write)
    finally:
        batches.close()  # the read ends with the export (its connection goes back at once)


class PagedListingTab(ListingTab):
    """`paged`: the listing's name in core/online/paged.py."""

    def __init__(self, office, name: str, build, needs: tuple[str, ...], paged: str):
        self.paged = paged
        self.sort_column: str | None = None
        self.descending = False
        self.generation = 0  # the newest view asked for (older ones are not made)
        self.meta = None
        self.meta_for: object = None
        super().__init__(office, name, build, needs)
        self.export_task: asyncio.Task | None = None
        self.export_cancel = threading.Event()
        self.export_progress = SyncProgress()
        self.progress = QProgressBar()
        self.progress.setFormat("%p%")
        self.progress.hide()
        self.cancel_export_button = QPushButton(_("Cancel export"))
        self.cancel_export_button.clicked.connect(self.cancel_export)
        self.cancel_export_button.hide()
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_export_button)
        self.layout().addLayout(row)
        self.progress_timer = QTimer(self)
        self.progress_timer.setInterval(100)
        self.progress_timer.timeout.connect(self._poll_export)

    def make_model(self):
        self.model = PagedListingModel(self._fetch, self.resort, self)
        self.proxy = None
        self.filter_timer = QTimer(self)
        self.filter_timer.setSingleShot(True)
        self.filter_timer.setInterval(FILTER_PAUSE_MS)
        self.filter_timer.timeout.connect(self.start_refresh)
        self.filter.textChanged.connect(lambda text: self.filter_timer.start())
        return self.model

    async def _fetch(self, view, page: int) -> list[tuple]:
        return await self.office.worker.read(read_page, self.office.rules, view, page)

    def resort(self, column: str | None, descending: bool) -> None:
        """A header click: the same rows in another order, sorted in the store."""
        if (column, descending) == (self.sort_column, self.descending):
            return
        self.sort_column, self.descending = column, descending
        self.start_refresh()

    def start_refresh(self) -> asyncio.Task:
        self.filter_timer.stop()
        return super().start_refresh()

    async def _refresh_in_worker(self, params: Params) -> bool:
        self.generation += 1
        generation = self.generation
        version = self.loaded_for  # read by start_refresh, just before
        meta = self.meta if self.meta_for == version else None
        try:
            built = await self.office.worker.read(open_view, self.office.rules, self.paged, params.period,
                                                  self.filter.text(), self.sort_column, self.descending, meta,
                                                  lambda: generation == self.generation)
        except FinalsError as error:
            if shiboken6.isValid(self):
                self.model.clear()
                self.say(error.render(), error=True)
            return False
        finally:
            if shiboken6.isValid(self.refresh_button):  # the window may have closed meanwhile
                self.refresh_button.setEnabled(True)
        if built is None or not shiboken6.isValid(self) or generation != self.generation:
            return False
        self.meta, view, first = built
        self.meta_for = version
        resize = self.model.view is None or self.model.listing is not self.meta
        self.model.set_view(self.meta, view, first)
        if resize:
            self.view.resizeColumnsToContents()
        self.say(_("{rows:,} rows", rows=view.count))
        return True

    # ---- the export ----

    def export(self, path: str | None = None) -> asyncio.Task | None:
        view = self.model.view
        if view is None:
            self.say(_("Show the listing first, then export it"), error=True)
            return None
        if self.export_task is not None and not self.export_task.done():
            return self.export_task
        if path is None:
            path, _ignored = QFileDialog.getSaveFileName(self, _("Export"), f"{self.name}.xlsx", "Excel (*.xlsx);;CSV (*.csv)")
            if not path:
                return None
        self.export_cancel.clear()
        self.export_button.setEnabled(False)
        self.progress.setRange(0, max(view.count, 1))
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_export_button.show()
        self.progress_timer.start()
        self.say(_("Exporting… {done:,} of {total:,} rows", done=0, total=view.count))
        self.export_task = start_task(self._export(view, path))
        return self.export_task

    def cancel_export(self) -> None:
        """An export under way stops at its next batch, leaving no file (the cancel button, or
        the window closing)."""
        self.export_cancel.set()

    def _export_progress(self, done: int, total: int) -> None:  # on the worker thread
        if self.export_cancel.is_set():
            raise ExportCancelled(N_("the export was cancelled; nothing was written"))
        self.export_progress.put("export", done, total)

    def _poll_export(self) -> None:
        latest = self.export_progress.take()
        if latest is None:
            return
        _stage, done, total = latest
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.say(_("Exporting… {done:,} of {total:,} rows", done=done, total=total))

    async def _export(self, view, path: str) -> Path | None:
        try:
            written = await self.office.worker.run(export_view, self.office.rules, view, self.meta, path,
                                                   self._export_progress)
        except ExportCancelled:
            if shiboken6.isValid(self):
                self.say(_("Export cancelled: nothing was written"))
            return None
        except FinalsError as error:
            if shiboken6.isValid(self):
                self.say(error.render(), error=True)
            return None
        finally:
            if shiboken6.isValid(self):
                self.progress_timer.stop()
                self.progress.hide()
                self.cancel_export_button.hide()
                self.export_button.setEnabled(True)
        if shiboken6.isValid(self):
            self.say(_("Exported: {path}", path=path))
        return written

