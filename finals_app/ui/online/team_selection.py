"""Team selection: each unit's candidates in the rules' order, the proposed three ticked; the
organiser confirms or swaps (at most three a unit), units short of three are flagged, never
padded, and the choice is written as a contest file."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from finals_app.core.i18n import _, pgettext
from finals_app.core.errors import FinalsError
from finals_app.core.online.teams import contest_skeleton, propose_teams
from finals_app.reports.writers import write_atomically
from finals_app.ui import theme


class TeamSelectionView(QWidget):
    def __init__(self, office, parent=None):
        super().__init__(parent)
        self.office = office
        self.proposal = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        load = QPushButton(_("Propose from the online results"))
        load.clicked.connect(self.load)
        self.write_button = QPushButton(_("Write the contest file…"))
        self.write_button.clicked.connect(lambda: self.write())
        bar.addWidget(load)
        bar.addWidget(self.write_button)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([_("Unit / candidate"), _("Final rank"), _("Best preliminary total"), _("Titles")])
        self.tree.itemChanged.connect(self._changed)
        layout.addWidget(self.tree, 1)
        self.message = QLabel()
        layout.addWidget(self.message)
        self._updating = False

    def load(self) -> bool:
        try:
            self.proposal = propose_teams(self.office.results())
        except FinalsError as error:
            self.message.setText(error.render())
            return False
        self._updating = True
        self.tree.clear()
        units: dict[int, QTreeWidgetItem] = {}
        for row in self.proposal.rows:
            unit = units.get(row["unit_id"])
            if unit is None:
                unit = QTreeWidgetItem([row["unit_name"]])
                unit.setData(0, Qt.ItemDataRole.UserRole, row["unit_id"])
                self.tree.addTopLevelItem(unit)
                units[row["unit_id"]] = unit
            if row["participant_id"] is None:
                continue
            child = QTreeWidgetItem([row["name"], str(row["final_rank"] or ""), str(row["best_prelim_total"] or ""),
                                     row["titles"]])
            child.setData(0, Qt.ItemDataRole.UserRole, row["participant_id"])
            child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            child.setCheckState(0, Qt.CheckState.Checked if row.get("proposed") else Qt.CheckState.Unchecked)
            unit.addChild(child)
        self._updating = False
        for unit in units.values():
            self._flag(unit)
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        missing = self.proposal.missing_draws
        self.message.setText(_("Periods whose awards have not been run: {periods} (titles from their random draws are missing)", periods=pgettext("punctuation", ", ").join(missing)) if missing else "")
        return True

    def chosen(self) -> dict[int, list[int]]:
        picked = {}
        for index in range(self.tree.topLevelItemCount()):
            unit = self.tree.topLevelItem(index)
            picked[unit.data(0, Qt.ItemDataRole.UserRole)] = [
                unit.child(i).data(0, Qt.ItemDataRole.UserRole) for i in range(unit.childCount())
                if unit.child(i).checkState(0) == Qt.CheckState.Checked]
        return picked

    def _changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._updating or item.parent() is None:
            return
        unit = item.parent()
        size = self.office.rules.team_size
        ticked = [unit.child(i) for i in range(unit.childCount()) if unit.child(i).checkState(0) == Qt.CheckState.Checked]
        if len(ticked) > size:
            self._updating = True
            item.setCheckState(0, Qt.CheckState.Unchecked)
            self._updating = False
            self.message.setText(_("{size} to a team: untick a member first, then tick the replacement.", size=size))
        self._flag(unit)

    def _flag(self, unit: QTreeWidgetItem) -> None:
        size = self.office.rules.team_size
        ticked = sum(1 for i in range(unit.childCount()) if unit.child(i).checkState(0) == Qt.CheckState.Checked)
        name = unit.text(0).split("  ")[0]
        self._updating = True
        unit.setText(0, name if ticked == size else _("{name}  ({ticked} chosen, fewer than {size})", name=name, ticked=ticked, size=size))
        unit.setForeground(0, QBrush(QColor(theme.DANGER if ticked < size else "#000000")))
        self._updating = False

    def write(self, path: str | None = None) -> Path | None:
        if self.proposal is None:
            return None
        if path is None:
            path, _ignored = QFileDialog.getSaveFileName(self, _("Write the contest file"), _("final.toml"), "TOML (*.toml)")
            if not path:
                return None
        rules = self.office.rules
        skeleton = contest_skeleton(self.proposal, rules.competition_name, rules.team_size, self.chosen())
        try:
            target = write_atomically(Path(path), lambda temporary: temporary.write_text(skeleton, encoding="utf-8"))
        except FinalsError as error:
            self.message.setText(error.render())
            return None
        self.message.setText(_("Written: {path} (add the judges and questions, then run finals-app contest check)", path=target))
        return target
