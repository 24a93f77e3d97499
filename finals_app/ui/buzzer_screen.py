"""The contestants' buzzer screen: whether the buzzers are open, who won the floor, who fouled."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout

from finals_app.core.i18n import _, pgettext
from finals_app.ui import theme
from finals_app.ui.widgets.kiosk_screen import KioskScreen


class BuzzerScreen(KioskScreen):
    def __init__(self, bridge, parent=None):
        super().__init__(_("Buzzer screen"), parent)
        self.bridge = bridge
        layout = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setWordWrap(True)
        self.fouls = QLabel()
        self.fouls.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fouls.setWordWrap(True)
        layout.addWidget(self.status, 3)
        layout.addWidget(self.fouls, 1)
        bridge.changed.connect(self.refresh)
        self.apply_sizes()
        self.refresh(bridge.state)

    def apply_sizes(self) -> None:
        scale = self.scale()
        self.status.setFont(theme.font(120 * scale, bold=True))
        self.fouls.setFont(theme.font(56 * scale, bold=True))

    def refresh(self, state) -> None:
        question = state.question
        contest = state.contest
        plan = contest.round(question.round) if question else None
        holder, tied = state.floor()
        style = f"color: {theme.TEXT};"
        if plan is None or plan.type != "buzzer":
            text = ""
        elif holder:
            team = contest.team(holder)
            text = _("{team}\nhas the floor", team=team.name)
            style = f"color: {theme.BACKGROUND}; background-color: {team.color};"
        elif tied:
            text = _("Simultaneous buzz\nwait for the host")
            style = f"color: {theme.ACCENT};"
        elif question.status == "open":
            text = _("Buzz now")
            style = f"color: {theme.GOOD};"
        elif question.status == "shown":
            text = _("Listen to the question: buzzing has not opened")
        else:
            text = _("Question closed")
        self.status.setText(text)
        self.status.setStyleSheet(style)
        fouled = [contest.team(team).name for team in question.locked_out] if question else []
        self.fouls.setText((_("Buzzed too early: ") + pgettext("punctuation", ", ").join(fouled)) if fouled else "")
        self.fouls.setStyleSheet(f"color: {theme.DANGER};")
