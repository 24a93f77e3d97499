"""The console's floor: who may answer (or the simultaneous buzz to decide) and the timer,
counting down on the bridge's ticks."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from finals_app.core.i18n import _, pgettext
from finals_app.ui import theme
from finals_app.ui.widgets.countdown import Countdown


class FloorPanel(QWidget):
    def __init__(self, bridge, parent=None):
        super().__init__(parent)
        self.bridge = bridge
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.floor = QLabel()
        self.floor.setFont(theme.font(22, bold=True))
        self.floor.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown = Countdown(normal_colour="#13294b")  # dark on the console's light background
        self.countdown.setFont(theme.font(64, bold=True))
        layout.addWidget(self.floor)
        layout.addWidget(self.countdown)
        bridge.tick.connect(self.countdown.show_ms)

    def refresh(self, state) -> None:
        contest = state.contest
        question = state.question
        holder, tied = state.floor()
        if tied:
            self.floor.setText(_("Simultaneous buzz: ") + pgettext("punctuation", ", ").join(contest.team(t).name for t in tied)
                               + _(" (press J to decide)"))
        elif holder and question is not None and question.status != "judged":
            self.floor.setText(_("Floor: {team}", team=contest.team(holder).name))
        elif question is not None and question.status == "open":
            self.floor.setText(_("Buzzers open"))
        else:
            self.floor.setText("")
