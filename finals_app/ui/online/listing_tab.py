"""One listing of the office window: its parameters, a filter, the table (model/view, sorted by
value) and an export to XLSX/CSV. The rows are the CLI's, so the two never disagree."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Callable

import shiboken6
from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (QCheckBox, QComboBox, QCompleter, QFileDialog, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from finals_app.core.i18n import _, pgettext
from finals_app.core.errors import FinalsError
from finals_app.core.online import paperwork
from finals_app.core.tables.listings import Listing
from finals_app.reports.writers import emit
from finals_app.ui import theme
from finals_app.ui.online.table_model import ListingModel, ListingProxy
from finals_app.ui.qt_loop import start_task

def level_name(level: str) -> str:
    """An organisation level in the interface's language."""
    return {"branch": _("Branch"), "committee": _("Committee"), "unit": _("Unit")}.get(level, level)


@dataclass(frozen=True)
class Params:
    """What the parameter bar of a tab holds when the user asks for the listing."""

    period: str
    seed: str | None
    day: str
    org: str  # as typed: a name, `name (id)` or an id; resolved by the listing
    member: str
    final: bool


RESIZE_ROWS = 100  # the rows measured to fit a column's width (those in view, not a page more)

class OrgField(QLineEdit):
    """An organisation by name or id. It completes `name (id)` from the store's organisations of
    the wanted levels (any part of the name matches), loaded when the field is first used."""

    def __init__(self, office, levels: tuple[str, ...]):
        super().__init__()
        self.office = office
        self.levels = levels
        self.setPlaceholderText(_("Name or ID (type part of the name to choose)"))
        self.setMinimumWidth(320)
        self.loaded_for: object = None

    def focusInEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.load_choices()
        super().focusInEvent(event)

    def load_choices(self) -> int:
        """Fill the completer from the store (again after a sync); returns how many."""
        try:
            results = self.office.results()
        except FinalsError:
            return 0
        version = self.office.data_version()
        if version == self.loaded_for:
            return self.completer().model().rowCount() if self.completer() else 0
        texts = [f"{name} ({org_id})" + ("" if len(self.levels) == 1 else f" · {level_name(level)}")
                 for org_id, name, level in paperwork.organisation_choices(results, self.levels)]
        completer = QCompleter(QStringListModel(texts, self), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(15)
        self.setCompleter(completer)
        self.loaded_for = version
        return len(texts)

    def text_for_lookup(self) -> str:
        return self.text().split(" · ")[0]


def fill_periods(combo: QComboBox, rules, phases) -> None:
    """Periods as the staff name them (第3期（2月11日—20日）); the item's data is the id."""
    from finals_app.ui.online.staff_view import period_title
    for phase in phases:
        combo.addItem(period_title(rules, phase.id), phase.id)


def choose_latest(combo: QComboBox, synced: list[str]) -> None:
    """Select the combo's latest period the store has data of (none: the choice stays)."""
    for index in reversed(range(combo.count())):
        if combo.itemData(index) in synced:
            combo.setCurrentIndex(index)
            return


def staff_listing(results, build, params):
    """`build`'s listing as the staff read it (staff_view), with its note if it has one."""
    from finals_app.ui.online.staff_view import for_staff
    built = build(results, params)
    listing, note = built if isinstance(built, tuple) else (built, "")
    return for_staff(results, listing), note


class ListingTab(QWidget):
    """Parameters, a filter, the table, and an export button for one listing.

    `build(results, params)` returns the Listing, or (Listing, note) when the user must be told
    something about it (a draw not run yet)."""

    def __init__(self, office, name: str, build: Callable, needs: tuple[str, ...] = (),
                 levels: tuple[str, ...] = ("branch",), note: str = ""):
        super().__init__()
        self.office = office
        self.name = name
        self.build = build
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.period = QComboBox()
        fill_periods(self.period, office.rules, office.rules.phases if "phase" in needs else office.rules.periods)
        self.seed = QLineEdit()
        self.seed.setPlaceholderText(_("Seed (as published)"))
        self.day = QLineEdit(office.rules.periods[0].first_day.isoformat())
        self.org = OrgField(office, levels)
        self.member = QLineEdit()
        self.member.setPlaceholderText(_("Participant ID"))
        self.member.setValidator(QRegularExpressionValidator(r"\d{1,19}", self.member))
        self.final = QCheckBox(_("Online final"))
        self.final.toggled.connect(lambda checked: self.period.setEnabled(not checked))
        self.final.toggled.connect(lambda checked: self.seed.setEnabled(not checked))
        org_label = _("Branch") if levels == ("branch",) else _("Organisation")
        for key, widget, label in (("org", self.org, org_label), ("member", self.member, _("Participant")),
                                   ("period", self.period, _("Period")), ("phase", self.period, _("Period")),
                                   ("seed", self.seed, _("Seed")), ("day", self.day, _("Day")), ("final", self.final, "")):
            if key in needs:
                if label:
                    bar.addWidget(QLabel(label))
                bar.addWidget(widget)
        self.refresh_button = QPushButton(_("Show"))
        self.refresh_button.setObjectName("query")  # object names: what diagnostics.describe reports
        self.period.setObjectName("period")
        self.day.setObjectName("day")
        self.refresh_button.clicked.connect(self.start_refresh)
        self.task: asyncio.Task | None = None
        self.loaded_for: object = None  # the store's data version the table shows
        bar.addWidget(self.refresh_button)
        for field in (self.seed, self.day, self.org, self.member):
            field.returnPressed.connect(self.start_refresh)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(_("Filter (any column)"))
        bar.addWidget(self.filter, 1)
        self.export_button = QPushButton(_("Export XLSX/CSV"))
        self.export_button.clicked.connect(self.export)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)
        if note:
            notice = QLabel(note)
            notice.setStyleSheet(f"color: {theme.DANGER};")
            layout.addWidget(notice)
        self.view = QTableView()
        self.view.setObjectName("table")
        self.view.setModel(self.make_model())
        # Shown in the listing's own order (rank, order of the award list) until a header is
        # clicked; Qt would otherwise sort by the first column, descending.
        header = self.view.horizontalHeader()
        # Columns fitted to the rows a screen shows (Qt measures the first 1,000 by default: a
        # second of text layout for the proposed teams' 2,501 rows of titles).
        header.setResizeContentsPrecision(RESIZE_ROWS)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorClearable(True)
        self.view.setSortingEnabled(True)
        self.view.setAlternatingRowColors(True)
        layout.addWidget(self.view, 1)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

    def make_model(self):
        """The table's model (set as self.model) and what the view shows: the whole listing,
        sorted and filtered by a proxy."""
        self.model = ListingModel()
        self.proxy = ListingProxy()
        self.proxy.setSourceModel(self.model)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        return self.proxy

    def params(self) -> Params:
        return Params(self.period.currentData(), self.seed.text().strip() or None, self.day.text(),
                      self.org.text_for_lookup(), self.member.text(), self.final.isChecked())

    def say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {theme.DANGER};" if error else "")

    def start_refresh(self) -> asyncio.Task:
        """Build the listing on the office's worker thread; the window stays live meanwhile."""
        self.loaded_for = self.office.data_version()
        self.refresh_button.setEnabled(False)
        self.say(_("Working…"))
        self.task = start_task(self._refresh_in_worker(self.params()))
        return self.task

    async def _refresh_in_worker(self, params: Params) -> bool:
        try:
            built = await self.office.in_worker(staff_listing, self.build, params)
        except FinalsError as error:
            if shiboken6.isValid(self):
                self.say(error.render(), error=True)
            return False
        finally:
            if shiboken6.isValid(self.refresh_button):  # the window may have closed meanwhile
                self.refresh_button.setEnabled(True)
        return self._show(built) if shiboken6.isValid(self) else False

    def _show(self, built) -> bool:
        listing, note = built if isinstance(built, tuple) else (built, "")
        self.model.set_listing(listing)
        self.view.resizeColumnsToContents()
        self.say(_("{rows:,} rows", rows=len(listing.rows)) + (pgettext("punctuation", ". ") + note if note else ""), error=bool(note))
        return True

    def export(self, path: str | None = None) -> None:
        listing: Listing | None = self.model.listing
        if listing is None:
            self.say(_("Show the listing first, then export it"), error=True)
            return
        if path is None:
            path, _ignored = QFileDialog.getSaveFileName(self, _("Export"), f"{self.name}.xlsx", "Excel (*.xlsx);;CSV (*.csv)")
            if not path:
                return
        fmt = "csv" if path.lower().endswith(".csv") else "xlsx"
        try:
            emit(listing, fmt, path, None)
            self.say(_("Exported: {path}", path=path))
        except FinalsError as error:
            self.say(error.render(), error=True)
