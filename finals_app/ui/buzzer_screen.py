"""The contestants' buzzer screen: whether the buzzers are open, who won the floor, who fouled."""
from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QLabel

from finals_app.core.i18n import _, pgettext
from finals_app.ui import theme
from finals_app.ui.widgets.kiosk_screen import KioskScreen


class BuzzerScreen(KioskScreen):
    def __init__(self, bridge, parent=None):
        super().__init__(_("Buzzer screen"), parent)
        self.bridge = bridge
        self.status = QLabel(self)
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setWordWrap(True)
        self.fouls = QLabel(self)
        self.fouls.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fouls.setWordWrap(True)
        bridge.changed.connect(self.refresh)
        self.apply_sizes()
        self.refresh(bridge.state)

    def apply_sizes(self) -> None:
        """Who may press or holds the floor in the top three quarters (0.11 H, smaller when a
        long name needs it), the fouls below (0.052 H)."""
        if "fouls" not in self.__dict__:
            return
        w, h = self.width(), max(1, self.height())
        margin = int(0.03 * min(w, h))
        split = int(0.72 * h)
        self.status.setGeometry(QRect(0, 0, w, split))
        self.status.setContentsMargins(margin, margin, margin, 0)
        self.fouls.setGeometry(QRect(0, split, w, h - split))
        self.fouls.setContentsMargins(margin, 0, margin, margin)
        self.fit(self.status, 0.11)
        self.fit(self.fouls, 0.052)

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
        self.apply_sizes()
