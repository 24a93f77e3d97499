"""The judges' view: the final ranking as the engine computes it, ties across prize boundaries
marked, the tie-break to play, the proposed prize list, each judge's sign-off (name and time,
journalled), and the final, frozen result (reopening needs the chief judge and a reason)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QInputDialog, QLabel,
                               QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from finals_app.core.i18n import _, pgettext
from finals_app.core.online.times import format_instant
from finals_app.core.stage.words import prize_name
from finals_app.ui import theme



def prize_lines(state) -> str:
    """The exact result a judge signs: each prize with its teams and their totals."""
    lines = []
    for level in ("first", "second", "third"):
        teams = (state.prizes or {}).get(level, [])
        if teams:
            names = pgettext("punctuation", ", ").join(_("{team} ({score} points)", team=state.contest.team(t).name, score=state.scores[t])
                                 for t in teams)
            lines.append(_("{prize}: {teams}", prize=prize_name(level), teams=names))
    return "\n".join(lines)


class PinDialog(QDialog):
    """A judge signs (or the chief reopens) with their own PIN, after reading what they sign. A
    judge without a PIN sets one here, typed twice."""

    def __init__(self, parent, judge: str, text: str, first_time: bool):
        super().__init__(parent)
        self.setWindowTitle(_("{judge}: sign", judge=judge))
        form = QFormLayout(self)
        shown = QLabel(text)
        shown.setWordWrap(True)
        shown.setFont(theme.font(18, bold=True))
        form.addRow(shown)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("Choose a PIN (4 to 12 digits)") if first_time else _("PIN"), self.pin)
        self.first_time = first_time
        if first_time:
            form.addRow(_("PIN again"), self.again)
        self.problem = QLabel()
        self.problem.setStyleSheet(f"color: {theme.DANGER};")
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _check(self) -> None:
        if self.first_time and self.pin.text() != self.again.text():
            self.problem.setText(_("The two PINs differ"))
            return
        self.accept()


def ask_pin(parent, judge: str, text: str, first_time: bool) -> str | None:
    dialog = PinDialog(parent, judge, text, first_time)
    return dialog.pin.text() if dialog.exec() == QDialog.DialogCode.Accepted else None


class JudgesView(QWidget):
    def __init__(self, bridge, parent=None, ask=ask_pin):
        super().__init__(parent)
        self.bridge = bridge
        self.ask = ask
        self.setWindowTitle(_("Judges — {contest}", contest=bridge.contest.name))
        self.setFont(theme.font(16))
        layout = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setFont(theme.font(20, bold=True))
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.ranking = QTableWidget(0, 5)
        self.ranking.setHorizontalHeaderLabels([_("Rank"), _("Team"), _("Total"), _("Tie-break"), _("Proposed prize")])
        self.ranking.verticalHeader().setVisible(False)
        self.ranking.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.ranking, 1)
        self.ties = QLabel()
        self.ties.setWordWrap(True)
        self.ties.setStyleSheet(f"color: {theme.DANGER};")
        layout.addWidget(self.ties)
        actions = QHBoxLayout()
        self.tiebreak_button = QPushButton(_("Start tie-break"))
        self.tiebreak_button.clicked.connect(lambda: self.bridge.execute({"cmd": "start_tiebreak"}))
        self.prizes_button = QPushButton(_("Set the prize list"))
        self.prizes_button.clicked.connect(lambda: self.bridge.execute({"cmd": "assign_prizes"}))
        self.reopen_button = QPushButton(_("Reopen (chief judge)"))
        self.reopen_button.clicked.connect(self.reopen)
        for button in (self.tiebreak_button, self.prizes_button, self.reopen_button):
            actions.addWidget(button)
        layout.addLayout(actions)
        signing = QHBoxLayout()
        self.sign_buttons = {}
        for judge in bridge.contest.judges:
            button = QPushButton(_("{judge}: sign", judge=judge))
            button.clicked.connect(lambda _checked=False, j=judge: self.sign(j))
            signing.addWidget(button)
            self.sign_buttons[judge] = button
        layout.addLayout(signing)
        self.message = QLabel()
        self.message.setStyleSheet(f"color: {theme.DANGER};")
        layout.addWidget(self.message)
        bridge.changed.connect(self.refresh)
        bridge.refused.connect(self.message.setText)
        if bridge.read_only:  # a follower's judges' screen shows; signing is on the kiosk or the tablet page
            for button in (self.tiebreak_button, self.prizes_button, self.reopen_button, *self.sign_buttons.values()):
                button.hide()
        self.refresh(bridge.state)

    def _first_time(self, judge: str) -> bool:
        state = self.bridge.state
        return state.contest.pin_of(judge) is None and judge not in state.pins

    def sign(self, judge: str) -> None:
        state = self.bridge.state
        if state.prizes is None:
            return
        shown = dict(state.prizes)
        text = _("I confirm this result:") + "\n" + prize_lines(state)
        pin = self.ask(self, judge, text, self._first_time(judge))
        if pin is not None:
            self.bridge.execute({"cmd": "sign_off", "judge": judge, "pin": pin, "prizes": shown, "operator": judge})

    def reopen(self) -> None:
        reason, ok = QInputDialog.getText(self, _("Reopen the result"), _("Reason (required):"))
        if not ok:
            return
        chief = self.bridge.contest.chief_judge
        pin = self.ask(self, chief, _("Reopen the confirmed result, reason: {reason}", reason=reason), self._first_time(chief))
        if pin is not None:
            self.bridge.execute({"cmd": "reopen_result", "judge": chief, "reason": reason, "pin": pin,
                                 "operator": chief})

    def refresh(self, state) -> None:
        self.message.setText("")
        contest = state.contest
        ranking = state.ranking()
        tied = {team for group in state.open_ties() for team in group}
        self.ranking.setRowCount(len(ranking))
        for row, item in enumerate(ranking):
            team = contest.team(item["team"])
            prize = item["prize"]
            if state.prizes is not None:
                prize = next((level for level, teams in state.prizes.items() if item["team"] in teams), None)
            cells = [str(item["rank"]), team.name, str(item["score"]), str(item["tiebreak"] or ""),
                     prize_name(prize) + (_(" (tied, tie-break pending)") if item["team"] in tied else "")]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if item["team"] in tied:
                    cell.setBackground(QColor("#ffe0e6"))
                self.ranking.setItem(row, column, cell)
        self.ranking.resizeColumnsToContents()
        groups = state.open_ties()
        self.ties.setText(_("Tied across a prize boundary, a tie-break must decide: ") + ";".join(pgettext("punctuation", ", ").join(contest.team(t).name for t in g)
                                                           for g in groups) if groups else "")
        if state.final:
            signed = ",".join(f"{judge} {format_instant(at)[:16]}" for judge, at in state.signoffs.items())
            self.status.setText(_("The result is final (frozen). Signed: {signed}", signed=signed))
        elif state.prizes is not None:
            waiting = [j for j in contest.judges if j not in state.signoffs]
            self.status.setText(_("Prize list awaiting the judges' signatures: ") + pgettext("punctuation", ", ").join(waiting))
        elif state.in_tiebreak:
            self.status.setText(_("Tie-break under way: ") + pgettext("punctuation", ", ").join(contest.team(t).name for t in state.tiebreak_teams))
        else:
            self.status.setText(_("The contest is under way") if not state.rounds_done else _("Every round is over: set the prize list"))
        self.tiebreak_button.setEnabled(bool(groups) and state.rounds_done and not state.in_tiebreak and not state.final)
        self.prizes_button.setEnabled(state.rounds_done and not groups and state.prizes is None and not state.final)
        self.reopen_button.setEnabled(state.final)
        for judge, button in self.sign_buttons.items():
            signed_at = state.signoffs.get(judge)
            button.setEnabled(state.prizes is not None and signed_at is None and not state.final)
            button.setText(_("{judge} signed {time}", judge=judge, time=format_instant(signed_at)[11:16]) if signed_at
                           else _("{judge}: sign", judge=judge))
