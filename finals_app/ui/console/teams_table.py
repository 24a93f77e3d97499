"""The console's teams: name, buzzer key, score and tie-break score, the team holding the floor
in its colour."""
from __future__ import annotations

from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from finals_app.core.i18n import _
from finals_app.ui import theme


class TeamsTable(QTableWidget):
    def __init__(self, bridge, parent=None):
        super().__init__(len(bridge.contest.teams), 4, parent)
        self.bridge = bridge
        self.setHorizontalHeaderLabels([_("Team"), _("Key"), _("Score"), _("Tie-break")])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

    def refresh(self, state) -> None:
        holder, _ignored = state.floor()
        for row, team in enumerate(state.contest.teams):
            cells = [team.name, team.buzzer_key, str(state.scores[team.id]), str(state.tiebreak_scores[team.id] or "")]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if team.id == holder:
                    item.setBackground(theme.colour(team.color))
                self.setItem(row, column, item)
        self.resizeColumnsToContents()
