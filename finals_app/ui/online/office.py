"""The organisers' office window: sync an export (progress, cancel, the window stays live), every
listing as a sortable, filterable table exported to XLSX/CSV, charts, and the draw ceremony.

The window composes its rooms (the sync bar, the listing tabs, team selection, the paperwork, the
charts, the draws) and owns what they share: the store, the rules, the worker thread, the periods
the store has data of and which tab loads when."""
from __future__ import annotations

import asyncio

import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QMainWindow, QPushButton, QTabWidget, QVBoxLayout, QWidget

from finals_app.core.errors import FinalsError
from finals_app.core.i18n import _
from finals_app.core.online.results import Results
from finals_app.ui import theme
from finals_app.ui.dialogs import ask_yes_no
from finals_app.ui.online.charts_tab import ChartsTab
from finals_app.ui.online.draw_ceremony import DrawCeremony, ask_reason, run_draw
from finals_app.ui.online.listing_tab import ListingTab, choose_latest
from finals_app.ui.online.office_listings import PAGED, office_listings
from finals_app.ui.online.office_worker import OfficeWorker
from finals_app.ui.online.paged_tab import PagedListingTab
from finals_app.ui.online.paperwork_tabs import PaperworkTabs
from finals_app.ui.online.staff_view import period_title
from finals_app.ui.online.sync_panel import SyncPanel
from finals_app.ui.online.team_selection import TeamSelectionView
from finals_app.ui.qt_loop import start_task


def _synced_phase_ids(results) -> list[str]:
    return [phase.id for phase in results.synced_phases()]


class OfficeWindow(QMainWindow):
    def __init__(self, engine, rules, parent=None, confirm=ask_yes_no, reason=ask_reason):
        super().__init__(parent)
        self.confirm = confirm
        self.ask_reason = reason
        self.engine = engine
        self.rules = rules
        # The window owns its worker: one plain thread for long work, shut down with the window.
        self.worker = OfficeWorker(engine, rules)
        self.setWindowTitle(_("Online rounds office — {competition}", competition=rules.competition_name))
        self.setFont(theme.font(15))
        central = QWidget()
        self.setCentralWidget(central)
        layout = QVBoxLayout(central)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.sync_panel = SyncPanel(self.worker, self.message, self._after_sync)
        self.sync_button, self.cancel_requested = self.sync_panel.button, self.sync_panel.cancel_requested
        layout.addWidget(self.sync_panel)
        layout.addWidget(self.message)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.listing_tabs = {}
        for name, title, build, needs in office_listings():
            tab = PagedListingTab(self, name, build, needs, PAGED[name]) if name in PAGED else ListingTab(
                self, name, build, needs)
            self.listing_tabs[name] = tab
            self.tabs.addTab(tab, title)
        ceremony = QPushButton(_("Draw on the big screen…"))
        ceremony.clicked.connect(self.open_ceremony)
        self.listing_tabs["awards"].layout().itemAt(0).layout().addWidget(ceremony)
        lottery = QPushButton(_("Draw the day's lottery…"))
        lottery.clicked.connect(self.draw_lottery)
        self.listing_tabs["lottery"].layout().itemAt(0).layout().addWidget(lottery)
        self.team_selection = TeamSelectionView(self)
        self.tabs.addTab(self.team_selection, _("Team selection"))
        self.paperwork = PaperworkTabs(self)
        self.tabs.addTab(self.paperwork, _("Monthly paperwork"))
        self.charts = ChartsTab(engine, rules, self.results, self.message.setText, worker=self.worker)
        self.chart_period = self.charts.period
        self.tabs.addTab(self.charts, _("Charts"))
        self.ceremony: DrawCeremony | None = None
        # The periods the store has data of, and the data version they were read for: the period
        # choices open on the latest of them before any listing loads.
        self.synced_periods: list[str] | None = None
        self.periods_for: object = None
        self.periods_task: asyncio.Task | None = None
        self.tabs.currentChanged.connect(self._tab_opened)

    def _tab_opened(self, index: int) -> None:
        """A listing loads when its tab is opened (no empty table until 查询), once the store has
        data and the period choices are on its latest period; a sync makes every tab load again
        when next opened."""
        version = self.data_version()
        tab = self.tabs.widget(index)
        if version is None:
            return
        if self.periods_for != version:  # first the periods (off the GUI thread), then this tab
            if self.periods_task is None or self.periods_task.done():
                if isinstance(tab, ListingTab):
                    tab.say(_("Working…"))
                self.periods_task = start_task(self._periods_then_open())
            return
        if not isinstance(tab, ListingTab) or tab.loaded_for == version:
            return
        if tab.task is not None and not tab.task.done():
            return
        tab.start_refresh()

    async def _periods_then_open(self) -> None:
        await self.choose_latest_periods()
        if shiboken6.isValid(self):  # the window may have closed meanwhile
            self._tab_opened(self.tabs.currentIndex())

    async def choose_latest_periods(self) -> None:
        """Every period choice (and the lottery's day) on the latest period the store has data of,
        when the window opens and when a sync brought other periods; otherwise the staff's choices
        stay."""
        version = self.data_version()
        try:
            synced = await self.in_worker(_synced_phase_ids)
        except FinalsError:
            synced = []  # the listings will say what is wrong with the store
        finally:
            self.periods_for = version
        if synced == self.synced_periods or not shiboken6.isValid(self):
            return
        self.synced_periods = synced
        tabs = [*self.listing_tabs.values(), *self.paperwork.tabs.values()]
        for combo in [*(tab.period for tab in tabs), self.paperwork.report.period, self.chart_period]:
            choose_latest(combo, synced)
        days = [self.rules.phase(phase_id).first_day for phase_id in synced
                if self.rules.phase(phase_id).kind == "preliminary"]
        if days:
            for tab in tabs:
                tab.day.setText(days[-1].isoformat())

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        # Not now: a window is shown before its event loop runs (run_office), and work started
        # now would be put on no running loop. The timer fires once the loop runs.
        QTimer.singleShot(0, self, lambda: self._tab_opened(self.tabs.currentIndex()))

    # ---- what the rooms share ----

    def results(self) -> Results:
        return Results(self.engine, self.rules)

    def data_version(self) -> str | None:
        """Changes with every sync that changed the data (cached lists reload then)."""
        from finals_app.core.store.engine import read_meta
        with self.engine.connect() as connection:
            return read_meta(connection, "data_version")

    async def in_worker(self, build, *args):
        """Await `build(results, *args)` on the worker thread: the window stays live meanwhile."""
        return await self.worker.results(build, *args)

    # ---- sync, charts ----

    def start_sync(self, path: str) -> asyncio.Task:
        return self.sync_panel.start(path)

    async def _after_sync(self) -> None:
        await self.choose_latest_periods()  # a sync may have brought a later period
        self.refresh_charts()
        self._tab_opened(self.tabs.currentIndex())  # the tab in view shows the new data

    def refresh_charts(self) -> asyncio.Task | None:
        return self.charts.refresh()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.sync_panel.stop()
        for tab in self.listing_tabs.values():
            if isinstance(tab, PagedListingTab):
                tab.cancel_export()  # an export under way stops, leaving no file
        self.worker.shutdown()
        super().closeEvent(event)

    # ---- the draws ----

    def open_ceremony(self) -> None:
        tab = self.listing_tabs["awards"]
        period = tab.period.currentData()
        results = self.results()
        label = _("{period}: random draw of the Lighthouse Pioneers among perfect scores", period=period_title(self.rules, period))
        try:
            name = results.rules.pioneer_draw(results.phase(period, preliminary_only=True).id)
            draw = run_draw(self, results, name, label, tab.seed.text().strip() or None,
                                 lambda seed, reason: results.pioneer_draw(period, seed, redraw_reason=reason),
                            confirm=self.confirm, ask_reason=self.ask_reason)
        except FinalsError as error:
            tab.say(error.render(), error=True)
            return
        if draw is None:
            tab.say(_("Not drawn"))
            return
        self.ceremony = DrawCeremony(results, label, draw)
        self.ceremony.resize(1280, 720)
        self.ceremony.show()
        tab.start_refresh()  # the award list now carries the recorded draw

    def draw_lottery(self) -> None:
        tab = self.listing_tabs["lottery"]
        results = self.results()
        try:
            day, _ignored = results.lottery_day(tab.day.text())
            label = _("the daily lottery of {day}", day=_("{month}/{day}", month=day.month, day=day.day))
            draw = run_draw(self, results, results.rules.lottery_draw(day), label, tab.seed.text().strip() or None,
                                 lambda seed, reason: results.lottery_draw(tab.day.text(), seed, redraw_reason=reason),
                            confirm=self.confirm, ask_reason=self.ask_reason)
        except FinalsError as error:
            tab.say(error.render(), error=True)
            return
        tab.say(_("Not drawn") if draw is None else "")
        tab.start_refresh()


def run_office(engine, rules, argv=None) -> int:
    import os
    import sys

    os.environ.setdefault("QT_API", "pyside6")
    from PySide6.QtWidgets import QApplication

    import signal

    from finals_app.logs import qt_messages_to_log, start_logging
    start_logging("office")
    qt_messages_to_log()
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setFont(theme.font(15))
    from finals_app.ui.qt_language import install_qt_translations
    install_qt_translations(app)
    window = OfficeWindow(engine, rules)
    signal.signal(signal.SIGINT, lambda *_: app.quit())  # Ctrl+C in the terminal closes the window
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    from PySide6.QtCore import QTimer
    wake = QTimer()  # lets Python run those handlers while Qt waits for events
    wake.start(200)
    wake.timeout.connect(lambda: None)
    window.resize(1400, 900)
    from pathlib import Path

    from finals_app.ui.diagnostics import SCREENSHOTS_ENV, screenshots_on_signal
    if os.environ.get(SCREENSHOTS_ENV):  # SIGUSR1 saves the window and what it says there
        screenshots_on_signal(lambda: {"office": window}, Path(os.environ[SCREENSHOTS_ENV]))
    window.show()
    import logging
    logging.getLogger("finals_app.office").info("office window open on %s", engine.url.render_as_string(hide_password=True))
    from finals_app.ui.qt_loop import run_in_qt_loop

    async def main(finished: asyncio.Event) -> None:
        await finished.wait()

    run_in_qt_loop(app, main)
    return 0
