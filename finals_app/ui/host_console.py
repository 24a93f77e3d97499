"""The host's console: the question with its answer (host only), where we are in the plan, the
teams and scores, who holds the floor, the timer, a button and a shortcut for every action, a
score correction that asks for a reason, the audit trail, the buzzer evidence, and which display
shows what. Dangerous actions confirm; quitting is never one keystroke.

The console is composed of panels (ui/console/), each redrawn from the state; this window lays
them out, owns the one coalescing redraw and turns the host's keys and clicks into commands."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout, QInputDialog, QLabel,
                               QLineEdit, QMainWindow, QSpinBox, QVBoxLayout, QWidget)

from finals_app.core.i18n import _, pgettext
from finals_app.core.stage.engine import next_turn
from finals_app.core.stage.guide import guide, redo_prompt, undo_prompt
from finals_app.core.stage.journal import torn_tail_message
from finals_app.ui import theme
from finals_app.ui.console.action_bar import STAKE_KEYS, ActionBar, stake_label, stake_slots
from finals_app.ui.console.audit_trail import AuditTrail
from finals_app.ui.console.buzz_evidence import BuzzEvidence
from finals_app.ui.console.floor_panel import FloorPanel
from finals_app.ui.console.question_panel import QuestionPanel
from finals_app.ui.console.step_line import StepLine
from finals_app.ui.console.teams_table import TeamsTable
from finals_app.ui.dialogs import ask_yes_no


class CorrectionDialog(QDialog):
    """A manual score correction: team, points, and the reason (required)."""

    def __init__(self, contest, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Correct a score"))
        form = QFormLayout(self)
        self.team = QComboBox()
        for team in contest.teams:
            self.team.addItem(team.name, team.id)
        self.delta = QSpinBox()
        self.delta.setRange(-100, 100)
        self.delta.setSingleStep(5)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("Required: the reason"))
        form.addRow(_("Team"), self.team)
        form.addRow(_("Points"), self.delta)
        form.addRow(_("Reason"), self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def command(self) -> dict:
        return {"cmd": "correct_score", "team": self.team.currentData(), "delta": self.delta.value(),
                "reason": self.reason.text().strip()}


class HostConsole(QMainWindow):
    def __init__(self, bridge, buzzers=None, screens=None, confirm: Callable[[QWidget, str], bool] = ask_yes_no,
                 parent=None):
        super().__init__(parent)
        self.bridge = bridge
        self.buzzers = buzzers
        self.screens = screens
        self.confirm = confirm
        self.allow_close = False
        self.setWindowTitle(_("Host console — {contest}", contest=bridge.contest.name))
        self.setFont(theme.font(16))
        central = QWidget()
        self.setCentralWidget(central)
        grid = QGridLayout(central)

        self.action_bar = ActionBar(bridge, self._action_specs())
        self.step_line = StepLine(bridge, self.action_bar.keys)
        self.question_panel = QuestionPanel(bridge)
        self.floor_panel = FloorPanel(bridge)
        self.teams = TeamsTable(bridge)
        self.audit = AuditTrail(bridge)
        self.evidence = BuzzEvidence(bridge)
        self.panels = (self.question_panel, self.floor_panel, self.teams, self.audit, self.evidence)
        # What tests and the kiosk read directly: the panels' own widgets.
        self.buttons, self.keys, self.shortcuts = self.action_bar.buttons, self.action_bar.keys, self.action_bar.shortcuts
        self.stake_slots = self.action_bar.stake_slots
        self.next_step, self.mode, self.plan = self.step_line.next_step, self.step_line.mode, self.step_line.plan
        self.question, self.answer = self.question_panel.question, self.question_panel.answer
        self.floor, self.countdown = self.floor_panel.floor, self.floor_panel.countdown

        grid.addWidget(self.step_line, 0, 0, 1, 3)
        grid.addWidget(self.question_panel, 1, 0, 2, 1)
        middle = QVBoxLayout()
        middle.addWidget(self.floor_panel)
        middle.addWidget(self.teams, 1)
        grid.addLayout(middle, 1, 1, 2, 1)
        right = QVBoxLayout()
        self.right = right  # the network panel goes on top when the show is served
        right.addWidget(QLabel(_("Score log (corrections and undos included)")))
        right.addWidget(self.audit, 2)
        right.addWidget(QLabel(_("Buzzes on this question (by device time)")))
        right.addWidget(self.evidence, 1)
        grid.addLayout(right, 1, 2, 2, 1)
        # Disabled actions are greyed, never hidden: the layout does not jump.
        self.setStyleSheet("QPushButton:disabled { color: #9aa0a6; background: #eceff1; }")
        grid.addWidget(self.action_bar, 3, 0, 1, 3)
        if screens is not None:
            grid.addWidget(screens.panel(self), 4, 0, 1, 3)

        self.message = QLabel()
        self.message.setStyleSheet(f"color: {theme.DANGER};")
        self.statusBar().addWidget(self.message, 1)
        grid.setRowStretch(1, 3)
        grid.setRowStretch(2, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 2)

        # The console redraws a moment after each change, so that the audience's screens (the
        # buzzer winner above all) are drawn first; changes in between are coalesced.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(15)
        self._refresh_timer.timeout.connect(lambda: self.refresh(self.bridge.state))
        bridge.changed.connect(lambda state: self._refresh_timer.start())
        bridge.refused.connect(self.show_refusal)
        self.refresh(bridge.state)
        torn = bridge.engine.journal.torn_tail
        if torn:  # a crash tore the last record: the host is told what was lost, at once
            self.message.setText(torn_tail_message(torn))

    def _action_specs(self) -> list[tuple[str, str, str, Callable]]:
        """(name, words, key, what it does) of each button, in the order the action bar shows them."""
        state = self.bridge.state
        return [
            ("show", _("Next question"), "N", lambda: self.run({"cmd": "show_question"})),
            ("reveal", _("Show on screen"), "R", lambda: self.run({"cmd": "reveal"})),
            ("open", _("Open buzzers"), "B", self.open_buzzers),
            ("timer", _("Start timer"), "S", lambda: self.run({"cmd": "start_timer"})),
            ("pause", _("Pause/resume"), "P", self.pause_or_resume),
            ("add", _("+10 s"), "A", lambda: self.run({"cmd": "add_time", "seconds": 10})),
            ("correct", _("Correct"), "C", lambda: self.run({"cmd": "correct"})),
            ("wrong", _("Wrong"), "X", lambda: self.run({"cmd": "wrong"})),
            ("timeout", _("Time out"), "T", lambda: self.run({"cmd": "timeout"})),
            ("reopen", _("Reopen buzzers"), "O", self.reopen),
            ("tie", _("Decide a simultaneous buzz"), "J", self.resolve_tie),
            ("close", _("Close buzzers (no answer)"), "K", lambda: self.run({"cmd": "close_buzzers"})),
            ("undo", _("Undo"), "U", self.undo),
            ("redo", _("Redo"), "Shift+U", self.redo),
            # the question's sound or clip (legal only when the question on the big screen has one)
            ("play_media", _("Play the clip"), "M", lambda: self.run({"cmd": "play_media"})),
            ("pause_media", _("Pause the clip"), "Shift+M", lambda: self.run({"cmd": "pause_media"})),
            ("restart_media", _("Clip from the start"), "Ctrl+M", lambda: self.run({"cmd": "restart_media"})),
            # A key for each stake the contest's risk rounds offer (their labels follow the round).
            *[(f"stake{slot}", stake_label(state, slot), STAKE_KEYS[slot],
               lambda _checked=False, slot=slot: self.choose_stake(slot))
              for slot in range(stake_slots(self.bridge.contest))],
            ("fix", _("Correct a score"), "F2", self.correct_score),
            ("next_round", _("Next round"), "Ctrl+N", self.next_round),
            ("tiebreak", _("Start tie-break"), "Ctrl+T", lambda: self.run({"cmd": "start_tiebreak"})),
            ("end_tiebreak", _("End tie-break"), "Ctrl+E", lambda: self.run({"cmd": "end_tiebreak"})),
            ("prizes", _("Set prizes"), "Ctrl+P", self.assign_prizes),
            ("self_test", _("Buzzer self-test"), "F9", self.buzzer_self_test),
            ("pair", _("Pair buzzers"), "F8", self.pair_buzzers),
            ("ceremony", _("Next prize"), "G", lambda: self.run({"cmd": "ceremony_next"})),
            ("replay", _("Replay ceremony"), "Shift+G", lambda: self.run({"cmd": "ceremony_replay"})),
            ("quit", _("End and quit"), "Ctrl+Q", self.close),
        ]

    # ---- actions ----

    def run(self, command: dict) -> bool:
        self.message.setText("")
        return self.bridge.execute(command)

    def show_refusal(self, text: str) -> None:
        self.message.setText(_("Not done: {reason}", reason=text))

    def open_buzzers(self) -> None:
        device_now = self.buzzers.device_now_ms() if self.buzzers else None
        self.run({"cmd": "open_buzzers", "t_ms": device_now})

    def reopen(self) -> None:
        device_now = self.buzzers.device_now_ms() if self.buzzers else None
        self.run({"cmd": "reopen", "t_ms": device_now})

    def pause_or_resume(self) -> None:
        timer = self.bridge.state.timer
        self.run({"cmd": "pause_timer" if timer and timer.running else "resume_timer"})

    def resolve_tie(self) -> None:
        _ignored, tied = self.bridge.state.floor()
        if not tied:
            self.show_refusal(_("No simultaneous buzz to decide"))
            return
        names = [self.bridge.contest.team(t).name for t in tied]
        choice, ok = QInputDialog.getItem(self, _("Decide a simultaneous buzz"), _("Which team answers?"), names, 0, False)
        if ok:
            self.run({"cmd": "resolve_tie", "team": tied[names.index(choice)]})

    def choose_stake(self, slot: int) -> None:
        """The stake on key `slot` of the risk round being played (its plan says which)."""
        state = self.bridge.state
        plan = state.round
        if plan is None or plan.type != "risk":
            self.show_refusal(_("Only a risk question takes a stake"))
            return
        if slot >= len(plan.stakes):
            self.show_refusal(_("This round's stakes are only: {stakes}", stakes=pgettext("punctuation", ", ").join(map(str, plan.stakes))))
            return
        self.run({"cmd": "choose_stake", "team": next_turn(state)[0], "stake": plan.stakes[slot]})

    def undo(self) -> None:
        prompt = undo_prompt(self.bridge.engine)
        if prompt is None:
            self.run({"cmd": "undo"})  # refused, with the reason
            return
        if self.confirm(self, prompt):
            self.run({"cmd": "undo", "reason": _("undone by the host")})

    def redo(self) -> None:
        prompt = redo_prompt(self.bridge.engine)
        if prompt is None or self.confirm(self, prompt):
            self.run({"cmd": "redo"})

    def pair_buzzers(self) -> None:
        pairing = getattr(self, "pairing", None)
        if pairing is None:
            self.show_refusal(self.buzzers.reason if self.buzzers is not None and self.buzzers.reason
                              else _("No buzzer input device can be read"))
            return
        pairing()

    def buzzer_self_test(self) -> None:
        if self.buzzers is None:
            return
        from finals_app.ui.buzzer_test import BuzzerSelfTest
        self.self_test_dialog = BuzzerSelfTest(self.bridge, self.buzzers, self)
        self.self_test_dialog.open()

    def correct_score(self) -> None:
        dialog = CorrectionDialog(self.bridge.contest, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.run(dialog.command())

    def next_round(self) -> None:
        state = self.bridge.state
        plan = state.round
        if plan is not None and state.shown_per_round.get(plan.id, 0) < state.round_quota(plan):
            if not self.confirm(self, _("{round} is not finished: end it and go to the next round?", round=plan.title)):
                return
        self.run({"cmd": "next_round"})

    def assign_prizes(self) -> None:
        if self.confirm(self, _("Set the prizes from the current ranking and pass them to the judges to sign?")):
            self.run({"cmd": "assign_prizes"})

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.allow_close or self.confirm(self, _("End the show and close every screen? (The journal is saved; start again to resume.)")):
            self.allow_close = True
            event.accept()
            if self.screens is not None:
                self.screens.close_all()
        else:
            event.ignore()

    # ---- what the host sees ----

    def refresh(self, state) -> None:
        """Every panel redrawn from `state`; the actions enabled and the next step from the
        engine's guide."""
        advice = guide(self.bridge.engine)
        self.action_bar.refresh(state, advice["legal"])
        self.buttons["self_test"].setEnabled(self.buzzers is not None)
        self.buttons["pair"].setEnabled(getattr(self, "pairing", None) is not None)
        self.step_line.refresh(state, advice["next"])
        if self.buzzers is not None:
            self.step_line.show_mode(self.buzzers)
        for panel in self.panels:
            panel.refresh(state)

    def add_network_panel(self, panel: QWidget) -> None:
        self.right.insertWidget(0, panel)
