"""The monthly paperwork in the office window (issue: 优秀组织奖, archives, ledgers, payouts and
the period report): the same rows and files as the CLI, picked by organisation name."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QPushButton, QTabWidget,
                               QVBoxLayout, QWidget)

from finals_app.core.errors import FinalsError, UsageError
from finals_app.core.online import paperwork
from finals_app.core.tables import listings
from finals_app.ui import theme
from finals_app.ui.online.listing_tab import LEVEL_NAMES, ListingTab, OrgField

REPORT_LEVELS = ("branch", "committee", "unit")


def _member_id(text: str) -> int:
    if not text.strip().isdigit():
        raise UsageError("give a participant id (digits)")
    return int(text)


def _payouts(results, params):
    rows, missing = paperwork.payouts(results, None if params.final else params.period, params.seed, params.final)
    note = f"尚未抽取每日参与奖的日期:{', '.join(missing)}(在“每日参与奖”页抽取)" if missing else ""
    return listings.payouts(rows), note


def _branch_archive(results, params):
    rows, undrawn = paperwork.branch_archive(results, paperwork.resolve_organisation(results, params.org, ("branch",)))
    note = f"{', '.join(undrawn)} 期尚未进行满分随机抽取:获称号人数仅含排名前列者" if undrawn else ""
    return listings.branch_archive(rows), note


def paperwork_listings():
    """(key, title, build, needs, levels, note) of each paperwork listing."""
    return [
        ("archive-member", "党员学习档案", lambda r, p: listings.member_archive(
            paperwork.member_archive(r, _member_id(p.member))), ("member",), ("branch",), ""),
        ("archive-branch", "党支部学习档案", _branch_archive, ("org",), ("branch",), ""),
        ("ledger", "参学参赛台账", lambda r, p: listings.ledger(
            paperwork.ledger(r, paperwork.resolve_organisation(r, p.org, ("branch",)), p.period)),
         ("org", "period"), ("branch",), ""),
        ("payouts", "话费发放名单", _payouts, ("period", "seed", "final"), ("branch",),
         "本名单含完整手机号,仅供组织者发放话费使用,请勿公开或转发。"),
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
        for period in office.rules.periods:
            self.period.addItem(period.id)
        self.preview_button = QPushButton("预览")
        self.preview_button.clicked.connect(self.preview)
        self.org.returnPressed.connect(self.preview)
        self.pdf_button = QPushButton("生成 PDF…")
        self.pdf_button.clicked.connect(lambda: self.write(suffix=".pdf"))
        self.xlsx_button = QPushButton("生成 XLSX…")
        self.xlsx_button.clicked.connect(lambda: self.write(suffix=".xlsx"))
        for widget in (QLabel("组织"), self.org, QLabel("期次"), self.period, self.preview_button, self.pdf_button,
                       self.xlsx_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.figures = QFormLayout()
        layout.addLayout(self.figures)
        layout.addStretch(1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

    def say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {theme.DANGER};" if error else "")

    def load(self) -> dict | None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            results = self.office.results()
            org_id = paperwork.resolve_organisation(results, self.org.text_for_lookup(), REPORT_LEVELS)
            self.data = paperwork.period_report_data(results, org_id, self.period.currentText())
        except FinalsError as error:
            self.data = None
            self.say(error.render(), error=True)
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
        return self.data

    def preview(self) -> bool:
        data = self.load()
        while self.figures.rowCount():
            self.figures.removeRow(0)
        if data is None:
            return False
        org = data["org"]
        excellent = data["excellent"]
        for label, value in (
                (LEVEL_NAMES[org["level"]], f"{org['name']}(ID {org['id']})"),
                ("期次", f"{data['period']}({data['first_day']:%Y-%m-%d} 至 {data['last_day']:%Y-%m-%d})"),
                ("登记党员", f"{data['party_members']:,}"),
                ("参与人数", f"{data['participants']:,}({data['participation_rate'] * 100:.2f}%)"),
                ("有效答题次数", f"{data['valid_attempts']:,}"),
                ("分享获赠答题次数", f"{data['share_bonus_attempts']:,}"),
                ("得分(总得分÷登记党员)", f"{data['score']:.2f}"),
                ("学习先锋", f"{len(data['pioneers'])} 人"),
                ("未参与的党员", f"{len(data['absent'])} 人"),
                ("优秀组织奖", f"第 {excellent['rank']} 名" if excellent else "—")):
            self.figures.addRow(QLabel(label), QLabel(value))
        self.say("可生成 PDF(打印归档)或 XLSX(排序筛选)。")
        return True

    def write(self, path: str | None = None, suffix: str = ".pdf") -> Path | None:
        if not self.preview():
            return None
        data = self.data
        if path is None:
            default = f"{data['org']['name']}-{data['period']}-汇报材料{suffix}"
            kinds = "PDF (*.pdf)" if suffix == ".pdf" else "Excel (*.xlsx)"
            path, _ = QFileDialog.getSaveFileName(self, "保存汇报材料", default, kinds)
            if not path:
                return None
        from finals_app.reports.period_report import write_report
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            target = write_report(data, Path(path), date.today())
        except FinalsError as error:
            self.say(error.render(), error=True)
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.say(f"已生成:{target}({target.stat().st_size / 1024:,.0f} KB)")
        return target


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
        self.addTab(self.report, "汇报材料")
