"""The monthly paperwork in the office window (issue: 优秀组织奖, archives, ledgers, payouts and
the period report): the same rows and files as the CLI, picked by organisation name."""
from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QPushButton, QTabWidget,
                               QVBoxLayout, QWidget)

from finals_app.core.i18n import _
from finals_app.core.errors import FinalsError, UsageError
from finals_app.core.online import paperwork
from finals_app.core.tables import listings
from finals_app.reports.period_report import write_report
from finals_app.ui import theme
from finals_app.ui.online.listing_tab import ListingTab, OrgField, fill_periods, level_name
from finals_app.ui.qt_loop import start_task

REPORT_LEVELS = ("branch", "committee", "unit")


def _member_id(text: str) -> int:
    if not text.strip().isdigit():
        raise UsageError("give a participant id (digits)")
    return int(text)


def _payouts(results, params):
    rows, missing = paperwork.payouts(results, None if params.final else params.period, None, params.final,
                                      run=False)  # the recorded draws: a listing never runs one
    note = _("Days whose daily lottery has not been drawn: {days} (draw them on the Daily lottery tab)", days=", ".join(missing)) if missing else ""
    if not params.final and not any(row["award"] == "random" for row in rows):
        phase = results.phase(params.period, preliminary_only=True)
        if results.recorded_draw(results.rules.pioneer_draw(phase.id)) is None:
            note = _("The period's Lighthouse Pioneer draw has not been run (draw it on the awards tab). ") + note
    return listings.payouts(rows), note


def _branch_archive(results, params):
    rows, undrawn = paperwork.branch_archive(results, paperwork.resolve_organisation(results, params.org, ("branch",)))
    note = _("{periods}: the random draw has not been run, title holders count the top of the ranking only", periods=", ".join(undrawn)) if undrawn else ""
    return listings.branch_archive(rows), note


def paperwork_listings():
    """(key, title, build, needs, levels, note) of each paperwork listing."""
    return [
        ("archive-member", _("Member archive"), lambda r, p: listings.member_archive(
            paperwork.member_archive(r, _member_id(p.member))), ("member",), ("branch",), ""),
        ("archive-branch", _("Branch archive"), _branch_archive, ("org",), ("branch",), ""),
        ("ledger", _("Participation ledger"), lambda r, p: listings.ledger(
            paperwork.ledger(r, paperwork.resolve_organisation(r, p.org, ("branch",)), p.period)),
         ("org", "period"), ("branch",), ""),
        ("payouts", _("Payout list"), _payouts, ("period", "final"), ("branch",),
         _("This list holds full phone numbers for paying the phone credit: for the organisers only, never publish or forward it.")),
    ]


class ReportTab(QWidget):
    """The period report of a branch, committee or unit: pick it by name, see its key figures,
    write the PDF a secretary prints or the XLSX staff sort."""

    def __init__(self, office):
        super().__init__()
        self.office = office
        self.data: dict | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.org = OrgField(office, REPORT_LEVELS)
        self.period = QComboBox()
        fill_periods(self.period, office.rules, office.rules.periods)
        self.preview_button = QPushButton(_("Preview"))
        self.preview_button.clicked.connect(self.start_preview)
        self.org.returnPressed.connect(self.start_preview)
        self.pdf_button = QPushButton(_("Write PDF…"))
        self.pdf_button.clicked.connect(lambda: self.start_write(".pdf"))
        self.xlsx_button = QPushButton(_("Write XLSX…"))
        self.xlsx_button.clicked.connect(lambda: self.start_write(".xlsx"))
        self.buttons = (self.preview_button, self.pdf_button, self.xlsx_button)
        self.task: asyncio.Task | None = None
        for widget in (QLabel(_("Organisation")), self.org, QLabel(_("Period")), self.period, self.preview_button, self.pdf_button,
                       self.xlsx_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.figures = QFormLayout()
        layout.addLayout(self.figures)
        # The report's daily chart, as the secretary will see it on paper.
        self.daily = pg.PlotWidget(title=_("Party members taking part, by day"), background="w")
        self.daily.setMenuEnabled(False)
        self.daily.setMouseEnabled(x=False, y=False)
        self.daily.hide()
        layout.addWidget(self.daily, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

    def say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {theme.DANGER};" if error else "")

    def _chosen(self) -> tuple[int, str]:
        """The organisation typed or picked: its id and name (raises FinalsError)."""
        results = self.office.results()
        org_id = paperwork.resolve_organisation(results, self.org.text_for_lookup(), REPORT_LEVELS)
        return org_id, paperwork.organisation_name(results, org_id)

    def fail(self, error: FinalsError) -> None:
        self.data = None
        self.show_figures(None)
        self.say(error.render(), error=True)

    def show_figures(self, data: dict | None) -> None:
        while self.figures.rowCount():
            self.figures.removeRow(0)
        self.daily.clear()
        self.daily.setVisible(data is not None)
        if data is None:
            return
        days = data["daily"]
        self.daily.addItem(pg.BarGraphItem(x=list(range(len(days))), height=[d["participants"] for d in days],
                                           width=0.7, brush="#c0392b"))
        every = max(1, len(days) // 12)
        self.daily.getAxis("bottom").setTicks([[(i, f"{d['day']:%m-%d}") for i, d in enumerate(days) if i % every == 0]])
        org = data["org"]
        excellent = data["excellent"]
        for label, value in (
                (level_name(org["level"]), f"{org['name']}(ID {org['id']})"),
                (_("Period"), _("{period} ({first:%Y-%m-%d} to {last:%Y-%m-%d})", period=data["period"], first=data["first_day"], last=data["last_day"])),
                (_("Registered party members"), f"{data['party_members']:,}"),
                (_("Took part"), f"{data['participants']:,}({data['participation_rate'] * 100:.2f}%)"),
                (_("Valid attempts"), f"{data['valid_attempts']:,}"),
                (_("Share-bonus attempts"), f"{data['share_bonus_attempts']:,}"),
                (_("Score (total ÷ registered party members)"), f"{data['score']:.2f}"),
                (_("Lighthouse Pioneers"), _("{count}", count=len(data["pioneers"]))),
                (_("Daily lottery"), _("{count} wins", count=len(data["lottery_winners"]))),
                (_("Members who did not take part"), _("{count}", count=len(data["absent"]))),
                (_("Excellent organisations"), _("rank {rank}", rank=excellent["rank"]) if excellent else "—")):
            self.figures.addRow(QLabel(label), QLabel(value))

    def ask_path(self, name: str, suffix: str) -> str | None:
        default = _("{name}-{period}-report", name=name, period=self.period.currentData()) + suffix
        kinds = "PDF (*.pdf)" if suffix == ".pdf" else "Excel (*.xlsx)"
        path, _ignored = QFileDialog.getSaveFileName(self, _("Save the period report"), default, kinds)
        return path or None

    def done(self, target: Path) -> Path:
        self.say(_("Written: {path} ({size:,.0f} KB)", path=target, size=target.stat().st_size / 1024))
        return target

    def start_preview(self) -> asyncio.Task | None:
        """Gather the figures on the office's worker thread and show them."""
        return self._start(None)

    def start_write(self, suffix: str = ".pdf", path: str | None = None) -> asyncio.Task | None:
        """Ask where, then gather and write the report on the office's worker thread."""
        return self._start(suffix, path)

    def _start(self, suffix: str | None, path: str | None = None) -> asyncio.Task | None:
        try:
            org_id, name = self._chosen()
        except FinalsError as error:
            self.fail(error)
            return None
        if suffix is not None and path is None:
            path = self.ask_path(name, suffix)
            if path is None:
                return None
        self.say(_("Writing…") if path else _("Working…"))
        for button in self.buttons:
            button.setEnabled(False)
        target = Path(path) if path else None
        self.task = start_task(self._in_worker(org_id, self.period.currentData(), target))
        return self.task

    async def _in_worker(self, org_id: int, period: str, path: Path | None) -> dict | Path | None:
        try:
            data, target = await self.office.in_worker(_gather_and_write, org_id, period, path)
        except FinalsError as error:
            self.fail(error)
            return None
        finally:
            for button in self.buttons:
                button.setEnabled(True)
        self.data = data
        self.show_figures(data)
        if target is None:
            self.say(_("Write the PDF (to print and file) or the XLSX (to sort and filter)."))
            return data
        return self.done(target)


def _gather_and_write(results, org_id: int, period: str, path: Path | None):
    """On the worker: the report's figures, then its file when asked (Qt paints PDFs off the GUI
    thread)."""
    data = paperwork.period_report_data(results, org_id, period)
    return data, (write_report(data, path, date.today()) if path else None)


class PaperworkTabs(QTabWidget):
    """月度材料: archives, ledger, payouts, and the period report."""

    def __init__(self, office):
        super().__init__()
        self.tabs: dict[str, ListingTab] = {}
        for key, title, build, needs, levels, note in paperwork_listings():
            tab = ListingTab(office, key, build, needs, levels, note)
            self.tabs[key] = tab
            self.addTab(tab, title)
        self.report = ReportTab(office)
        self.addTab(self.report, _("Period report"))
