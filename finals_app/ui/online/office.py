"""The organisers' office window: sync an export (progress, cancel, the window stays live), every
listing as a sortable, filterable table exported to XLSX/CSV, charts, and the draw ceremony."""
from __future__ import annotations

import asyncio
import gc
import threading
from concurrent.futures import ThreadPoolExecutor
from collections import Counter

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QInputDialog, QLabel, QMainWindow, QProgressBar, QPushButton, QTabWidget, QVBoxLayout, QWidget)

from finals_app.core.i18n import _
from finals_app.core.i18n import stage_title
from finals_app.core.errors import FinalsError, UsageError
from finals_app.core.online import paperwork
from finals_app.core.online.results import Results
from finals_app.core.online.sync import SyncCancelled, sync
from finals_app.core.online.teams import propose_teams
from finals_app.core.tables import listings
from finals_app.core.tables.masking import mask_name, mask_phone
from finals_app.ui import theme
from finals_app.ui.dialogs import ask_yes_no
from finals_app.ui.online.listing_tab import ListingTab, choose_latest, fill_periods
from finals_app.ui.online.staff_view import period_title
from finals_app.ui.online.paperwork_tabs import PaperworkTabs
from finals_app.ui.online.team_selection import TeamSelectionView
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


def _synced_phase_ids(results) -> list[str]:
    return [phase.id for phase in results.synced_phases()]


class DrawCeremony(QWidget):
    """The draw on the big screen: the published seed, names rolling, then every winner, name
    and masked phone on one line, page by page as the host turns them (→ / PageDown / Space
    forward, ← / PageUp back). Nothing internal is shown: no ids, no commands."""

    PER_PAGE = 10

    def __init__(self, office, title: str, draw):
        super().__init__()
        self.office = office
        self.draw = draw
        self.setWindowTitle(_("Draw ceremony"))
        self.setStyleSheet(theme.SCREEN_STYLE)
        layout = QVBoxLayout(self)
        self.title = QLabel(_("{title}\nSeed: {seed}", title=title, seed=draw.seed))
        self.title.setFont(theme.font(40, bold=True))
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.rolling = QLabel()
        self.rolling.setFont(theme.font(48, bold=True))
        self.rolling.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.rolling.setStyleSheet(f"color: {theme.ACCENT};")
        self.winners = QLabel()
        self.winners.setFont(theme.font(30))
        self.winners.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_label = QLabel()
        self.page_label.setFont(theme.font(20))
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for widget in (self.title, self.rolling, self.winners, self.page_label):
            layout.addWidget(widget)
        layout.setStretch(2, 1)
        people = office.results().people([w.participant_id for w in draw.winners])
        self.shown = [f"{mask_name(people[w.participant_id]['name'])}    {mask_phone(people[w.participant_id]['phone'])}"
                      for w in draw.winners]
        self.page = 0
        self.steps = 0
        self.timer = QTimer(self)
        self.timer.setInterval(60)
        self.timer.timeout.connect(self._roll)
        self.timer.start()

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.shown) // self.PER_PAGE))

    def _roll(self) -> None:
        self.steps += 1
        if not self.shown:
            self.timer.stop()
            self.rolling.setText(_("Nobody is eligible"))
            return
        if self.steps < 40:
            self.rolling.setText(self.shown[(self.steps * 7) % len(self.shown)])
            return
        self.timer.stop()
        self.rolling.setText(_("{winners} winners ({eligible} in the draw)", winners=len(self.shown),
                                eligible=self.draw.eligible_count))
        self.show_page(0)

    def show_page(self, page: int) -> None:
        self.page = max(0, min(page, self.pages - 1))
        lines = self.shown[self.page * self.PER_PAGE:(self.page + 1) * self.PER_PAGE]
        self.winners.setText("\n".join(lines))
        self.page_label.setText(_("Page {page} / {pages} (→ next)", page=self.page + 1, pages=self.pages))

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.timer.isActive():
            return
        forward = (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space, Qt.Key.Key_Down)
        back = (Qt.Key.Key_Left, Qt.Key.Key_PageUp, Qt.Key.Key_Up)
        if event.key() in forward:
            self.show_page(self.page + 1)
        elif event.key() in back:
            self.show_page(self.page - 1)
        else:
            super().keyPressEvent(event)


def ask_reason(parent, text: str) -> str | None:
    reason, ok = QInputDialog.getText(parent, _("Redraw"), text)
    return reason.strip() if ok and reason.strip() else None


class OfficeWindow(QMainWindow):
    def __init__(self, engine, rules, parent=None, confirm=ask_yes_no, reason=ask_reason):
        super().__init__(parent)
        self.confirm = confirm
        self.ask_reason = reason
        self.engine = engine
        self.rules = rules
        self.task: asyncio.Task | None = None
        self.cancel_requested = threading.Event()
        # The window owns its worker: one plain thread for long work, shut down with the window.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="finals-office")
        self.worker_jobs = 0
        self.setWindowTitle(_("Online rounds office — {competition}", competition=rules.competition_name))
        self.setFont(theme.font(15))
        central = QWidget()
        self.setCentralWidget(central)
        layout = QVBoxLayout(central)
        top = QHBoxLayout()
        self.sync_button = QPushButton(_("Sync an export…"))
        self.sync_button.clicked.connect(lambda: self.choose_export())
        self.progress = QProgressBar()
        self.progress.setFormat("%p%")
        self.stage = QLabel("")
        self.cancel_button = QPushButton(_("Cancel sync"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_sync)
        for widget in (self.sync_button, self.stage, self.progress, self.cancel_button):
            top.addWidget(widget)
        layout.addLayout(top)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.sync_progress = SyncProgress()
        self.progress_timer = QTimer(self)
        self.progress_timer.setInterval(50)
        self.progress_timer.timeout.connect(self._poll_progress)
        self.listing_tabs = {}
        for name, title, build, needs in self._listings():
            tab = ListingTab(self, name, build, needs)
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
        self.charts = self._charts_tab()
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

    # ---- the listings (same rows as the CLI) ----

    def _listings(self):
        return [
            ("standings", _("Standings"), lambda r, p: listings.standings(
                r.standings_rows(p.period), layout=r.STANDINGS_LAYOUT), ("phase",)),
            # The listings show the recorded draws; they never run one (抽取 is its own, confirmed act).
            ("awards", _("Awards"), lambda r, p: _with_draw_note(
                r, listings.awards(r.awards(p.period, None, run=False)), pioneer=p.period), ("period", "seed")),
            ("lottery", _("Daily lottery"), lambda r, p: _with_draw_note(
                r, listings.lottery(r.lottery(p.day, None, run=False)), day=p.day), ("day", "seed")),
            ("branches", _("Branches"), lambda r, p: _with_draw_note(
                r, listings.branches(r.branches(p.period, None, run=False)), pioneer=p.period), ("period",)),
            ("committees", _("Committees"), lambda r, p: _with_draw_note(
                r, listings.committees(r.committees(p.period, None, run=False)), pioneer=p.period), ("period",)),
            ("excellent", _("Excellent organisations"), lambda r, p: listings.excellent_orgs(
                paperwork.excellent_organisations(r, p.period)), ("period",)),
            ("final", _("Final standings"), lambda r, p: listings.final_standings(r.final_standings()), ()),
            ("teams", _("Proposed teams"), lambda r, p: listings.teams(propose_teams(r).rows), ()),
            ("invalid", _("Invalid attempts"), lambda r, p: listings.invalid_attempts(r.invalid_attempts(p.period)), ("phase",)),
        ]

    def results(self) -> Results:
        return Results(self.engine, self.rules)

    def data_version(self) -> str | None:
        """Changes with every sync that changed the data (cached lists reload then)."""
        from finals_app.core.store.engine import read_meta
        with self.engine.connect() as connection:
            return read_meta(connection, "data_version")

    # ---- sync off the GUI thread ----

    def choose_export(self, path: str | None = None) -> None:
        if path is None:
            path, _ignored = QFileDialog.getOpenFileName(self, _("Choose the export"), "", _("SQLite (*.sqlite *.db);;All files (*)"))
            if not path:
                return
        self.start_sync(path)

    def start_sync(self, path: str) -> asyncio.Task:
        self.cancel_requested.clear()
        self.sync_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.message.setText(_("Syncing {path} …", path=path))
        self.task = start_task(self._sync(path))
        return self.task

    def cancel_sync(self) -> None:
        self.cancel_requested.set()
        self.message.setText(_("Cancelling…"))

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

    async def _in_worker(self, job, *args):
        """Await `job(engine, *args)` run on the window's worker thread.

        Cyclic garbage is collected now, on this thread, and not again until the worker is idle:
        PySide6 aborted when the collector freed Qt/pyqtgraph objects while the worker ran Python."""
        if self.worker_jobs == 0:
            gc.collect()
            gc.disable()
        self.worker_jobs += 1
        try:
            url = self.engine.url.render_as_string(hide_password=False)
            return await asyncio.get_running_loop().run_in_executor(self.executor, _with_own_engine, url, job, *args)
        finally:
            self.worker_jobs -= 1
            if self.worker_jobs == 0:
                gc.enable()

    async def in_worker(self, build, *args):
        """Await `build(results, *args)` on the worker thread: the window stays live meanwhile."""
        return await self._in_worker(_results_job, self.rules, build, args)

    async def _sync(self, path: str):
        self.progress_timer.start()
        try:
            summary = await self._in_worker(sync, path, self.rules, self._progress_from_worker)
        except FinalsError as error:
            self.message.setText(error.render())
            self.message.setStyleSheet(f"color: {theme.DANGER};")
            return None
        finally:
            self.progress_timer.stop()
            self.sync_button.setEnabled(True)
            self.cancel_button.setEnabled(False)
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
        self.message.setStyleSheet("")
        counts = ",".join(f"{name} {change.rows:,}" for name, change in summary.tables.items())
        self.message.setText((_("The export has not changed. ") if summary.unchanged else _("Sync done. ")) + counts +
                             _(" ({seconds:.1f} s)", seconds=summary.seconds))
        await self.choose_latest_periods()  # a sync may have brought a later period
        self.refresh_charts()
        self._tab_opened(self.tabs.currentIndex())  # the tab in view shows the new data
        return summary

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.task is not None and not self.task.done():
            self.cancel_requested.set()  # the worker stops at its next step; the store rolls back
            self.task.cancel()
        self.executor.shutdown(wait=False)
        super().closeEvent(event)

    # ---- charts ----

    def _charts_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        bar = QHBoxLayout()
        self.chart_period = QComboBox()
        fill_periods(self.chart_period, self.rules, self.rules.periods)
        refresh = QPushButton(_("Draw"))
        refresh.clicked.connect(self.refresh_charts)
        bar.addWidget(QLabel(_("Period")))
        bar.addWidget(self.chart_period)
        bar.addWidget(refresh)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.plots = {}
        axes = {"scores": (_("Personal total (points)"), _("People")), "daily": (_("Day"), _("Took part")),
                "perfect": (_("Unit"), _("Perfect attempts (%)"))}
        for key, title in (("scores", _("Personal totals")), ("daily", _("Participants per day")), ("perfect", _("Perfect attempts per unit (%)"))):
            plot = pg.PlotWidget(title=title, background="w")
            plot.setMenuEnabled(False)
            bottom, left = axes[key]
            plot.setLabel("bottom", bottom)
            plot.setLabel("left", left)
            layout.addWidget(plot, 1)
            self.plots[key] = plot
        return tab

    def chart_data(self, period_id: str) -> dict:
        """The charts' figures from the ranking table alone (one pass over the period's people):
        the days each took part are bits of days_mask, perfect and valid attempts are counted."""
        from sqlalchemy import func, select

        from finals_app.core.store.schema import organizations, phase_totals
        pt, o = phase_totals.c, organizations.c
        phase = self.results().phase(period_id)
        days = phase.days()
        with self.engine.connect() as connection:
            scores = list(connection.execute(select(pt.score).where(pt.phase == phase.id)).scalars())
            per_day = connection.execute(select(*[func.sum(pt.days_mask.op(">>")(bit).op("&")(1))
                                                  for bit in range(len(days))]).where(pt.phase == phase.id)).one()
            perfect = connection.execute(
                select(o.unit_id, func.sum(pt.perfect_attempts), func.sum(pt.valid_attempts))
                .join(organizations, o.id == pt.branch_id).where(pt.phase == phase.id)
                .group_by(o.unit_id).order_by(o.unit_id)).all()
            unit_names = dict(connection.execute(select(o.id, o.name).where(o.level == "unit")).all())
        bins = Counter(min(score // 50, 40) for score in scores)
        return {"score_bins": [(f"{k * 50}-", v) for k, v in sorted(bins.items())],
                "daily": [(day.strftime("%m-%d"), int(count or 0)) for day, count in zip(days, per_day)],
                "perfect": [(unit_names.get(unit, str(unit))[:8], 100 * ok / total)
                            for unit, ok, total in perfect if unit is not None and total]}

    def refresh_charts(self) -> None:
        try:
            data = self.chart_data(self.chart_period.currentData())
        except Exception as error:  # noqa: BLE001 - an empty store: nothing to draw, say so
            self.message.setText(str(error))
            return
        for key, pairs, width in (("scores", data["score_bins"], 0.8), ("daily", data["daily"], 0.7),
                                  ("perfect", data["perfect"], 0.7)):
            plot = self.plots[key]
            plot.clear()
            if pairs:
                xs = list(range(len(pairs)))
                plot.addItem(pg.BarGraphItem(x=xs, height=[v for _ignored, v in pairs], width=width, brush="#c0392b"))
                labels = [(i, str(label)) for i, (label, _ignored) in enumerate(pairs)]
                plot.getAxis("bottom").setTicks([labels])

    # ---- the draw ceremony ----

    def run_draw(self, name: str, label: str, seed: str | None, run) -> object | None:
        """A draw is an official act: the seed is shown and confirmed; a draw of a name already
        recorded is shown again with its own seed, and another seed is only an explicit redraw
        with a reason (recorded, public). Returns the draw, or None when nothing was run."""
        results = self.results()
        recorded = results.recorded_draw(name)
        if not seed:
            if recorded is not None:
                return recorded
            raise UsageError("a seed is required (--seed): the draw must be reproducible from a published seed")
        if recorded is not None and recorded.seed == seed:
            return recorded
        if recorded is not None:
            reason = self.ask_reason(self, _("{label} was drawn on {date} with seed “{seed}”. To draw again with the new seed “{new}”, give the reason (recorded, and shown by the verification and in the report):", label=label,
                                              date=(recorded.created_at or "")[:10], seed=recorded.seed, new=seed))
            if reason is None:
                return None
            return run(seed, reason)
        if not self.confirm(self, _("Run {label} with the seed “{seed}”?\nThe result is recorded and anyone can re-compute it; it cannot be re-rolled quietly with another seed.", seed=seed, label=label)):
            return None
        return run(seed, None)

    def open_ceremony(self) -> None:
        tab = self.listing_tabs["awards"]
        period = tab.period.currentData()
        results = self.results()
        label = _("{period}: random draw of the Lighthouse Pioneers among perfect scores", period=period_title(self.rules, period))
        try:
            name = results.rules.pioneer_draw(results.phase(period, preliminary_only=True).id)
            draw = self.run_draw(name, label, tab.seed.text().strip() or None,
                                 lambda seed, reason: results.pioneer_draw(period, seed, redraw_reason=reason))
        except FinalsError as error:
            tab.say(error.render(), error=True)
            return
        if draw is None:
            tab.say(_("Not drawn"))
            return
        self.ceremony = DrawCeremony(self, label, draw)
        self.ceremony.resize(1280, 720)
        self.ceremony.show()
        tab.start_refresh()  # the award list now carries the recorded draw

    def draw_lottery(self) -> None:
        tab = self.listing_tabs["lottery"]
        results = self.results()
        try:
            day, _ignored = results.lottery_day(tab.day.text())
            label = _("the daily lottery of {day}", day=_("{month}/{day}", month=day.month, day=day.day))
            draw = self.run_draw(results.rules.lottery_draw(day), label, tab.seed.text().strip() or None,
                                 lambda seed, reason: results.lottery_draw(tab.day.text(), seed, redraw_reason=reason))
        except FinalsError as error:
            tab.say(error.render(), error=True)
            return
        tab.say(_("Not drawn") if draw is None else "")
        tab.start_refresh()



def _with_draw_note(results, listing, pioneer: str | None = None, day: str | None = None):
    """A listing with the word the staff need when its draw has not been run yet."""
    if pioneer is not None:
        name = results.rules.pioneer_draw(results.phase(pioneer, preliminary_only=True).id)
    else:
        name = results.rules.lottery_draw(results.lottery_day(day)[0])
    if results.recorded_draw(name) is None:
        return listing, _("This draw has not been run: the list holds the top only (run it with the draw button, confirming the seed)")
    return listing


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
