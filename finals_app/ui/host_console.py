"""The host's console: the question with its answer (host only), where we are in the plan, the
teams and scores, who holds the floor, the timer, a button and a shortcut for every action, a
score correction that asks for a reason, the audit trail, the buzzer evidence, and which display
shows what. Dangerous actions confirm; quitting is never one keystroke."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout, QGroupBox,
                               QInputDialog, QLabel, QLineEdit, QListWidget, QMainWindow,
                               QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from finals_app.core.i18n import _, N_, pgettext
from finals_app.core.online.times import format_instant
from finals_app.core.stage.engine import ceremony_steps, next_turn
from finals_app.core.stage.guide import guide, redo_prompt, undo_prompt
from finals_app.core.stage.journal import torn_tail_message
from finals_app.core.stage.words import prize_name, question_kind
from finals_app.ui import theme
from finals_app.ui.dialogs import ask_yes_no
from finals_app.ui.widgets.countdown import Countdown

OUTCOME_NAMES = {"accepted": N_("accepted"), "foul": N_("foul (too early)"), "ignored_locked_out": N_("locked out, ignored"),
                 "ignored_already_answered": N_("already answered, ignored"), "ignored_repeat": N_("repeat, ignored"),
                 "ignored_no_question": N_("no question open, ignored"), "ignored_not_playing": N_("not in this round, ignored"),
                 "ignored_not_buzzer_question": N_("not a buzzer question, ignored"), "ignored_closed": N_("question closed, ignored"),
                 "ignored_final": N_("result final, ignored")}
# The keys of a risk round's stakes, in the order its plan lists them (F8 and F9 are taken).
STAKE_KEYS = ("F5", "F6", "F7", "F10", "F11", "F12", "Shift+F5", "Shift+F6", "Shift+F7", "Shift+F10", "Shift+F11",
              "Shift+F12")
VERDICT_NAMES = {"correct": N_("Correct"), "wrong": N_("Wrong"), "timeout": N_("Time out")}


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

        self.next_step = QLabel()  # the one line the host reads first: what to do now, and its key
        self.next_step.setFont(theme.font(26, bold=True))
        self.next_step.setStyleSheet("color: #13294b; background: #e8f0fe; padding: 6px 12px; border-radius: 6px;")
        self.next_step.setWordWrap(True)
        self.mode = QLabel()  # which buzzer input is in use
        self.mode.setFont(theme.font(14))
        self.mode.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.plan = QLabel()
        self.plan.setWordWrap(True)
        self.plan.setFont(theme.font(16, bold=True))
        top = QGridLayout()
        top.addWidget(self.next_step, 0, 0)
        top.addWidget(self.mode, 0, 1)
        top.addWidget(self.plan, 1, 0, 1, 2)
        top.setColumnStretch(0, 4)
        top.setColumnStretch(1, 1)
        grid.addLayout(top, 0, 0, 1, 3)

        question_box = QGroupBox(_("Current question (answer seen by the host only)"))
        question_layout = QVBoxLayout(question_box)
        self.question = QLabel()
        self.question.setWordWrap(True)
        self.question.setFont(theme.font(20))
        self.question.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.answer = QLabel()
        self.answer.setWordWrap(True)
        self.answer.setFont(theme.font(18, bold=True))
        self.answer.setStyleSheet("color: #0a7d32;")
        self.question.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        question_layout.addWidget(self.question, 1)
        question_layout.addWidget(self.answer)
        grid.addWidget(question_box, 1, 0, 2, 1)

        middle = QVBoxLayout()
        self.floor = QLabel()
        self.floor.setFont(theme.font(22, bold=True))
        self.floor.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown = Countdown(normal_colour="#13294b")  # dark on the console's light background
        self.countdown.setFont(theme.font(64, bold=True))
        self.teams = QTableWidget(len(bridge.contest.teams), 4)
        self.teams.setHorizontalHeaderLabels([_("Team"), _("Key"), _("Score"), _("Tie-break")])
        self.teams.verticalHeader().setVisible(False)
        self.teams.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        middle.addWidget(self.floor)
        middle.addWidget(self.countdown)
        middle.addWidget(self.teams, 1)
        grid.addLayout(middle, 1, 1, 2, 1)

        right = QVBoxLayout()
        self.right = right  # the network panel goes on top when the show is served
        right.addWidget(QLabel(_("Score log (corrections and undos included)")))
        self.audit = QListWidget()
        self.audit.setWordWrap(True)  # an undone mark is never off-screen
        right.addWidget(self.audit, 2)
        right.addWidget(QLabel(_("Buzzes on this question (by device time)")))
        self.evidence = QListWidget()
        right.addWidget(self.evidence, 1)
        grid.addLayout(right, 1, 2, 2, 1)

        self.buttons: dict[str, QPushButton] = {}
        # A key for each stake the contest's risk rounds offer (their labels follow the round).
        self.stake_slots = max([len(r.stakes) for r in bridge.contest.rounds if r.type == "risk"] or [0])
        actions = QGridLayout()
        specs = [
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
            *[(f"stake{slot}", self._stake_label(slot), STAKE_KEYS[slot], lambda _checked=False, slot=slot: self.choose_stake(slot))
              for slot in range(self.stake_slots)],
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
        self.keys: dict[str, str] = {}
        self.shortcuts: dict[str, QShortcut] = {}
        for index, (name, text, key, slot) in enumerate(specs):
            button = QPushButton(f"{text}\n[{key}]")
            button.setMinimumHeight(56)
            button.setFont(theme.font(16, bold=True))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(slot)
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(slot)
            actions.addWidget(button, index // 9, index % 9)
            self.buttons[name] = button
            self.keys[name] = key
            self.shortcuts[name] = shortcut
        # Disabled actions are greyed, never hidden: the layout does not jump.
        self.setStyleSheet("QPushButton:disabled { color: #9aa0a6; background: #eceff1; }")
        grid.addLayout(actions, 3, 0, 1, 3)

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
        bridge.tick.connect(self.countdown.show_ms)
        self.refresh(bridge.state)
        torn = bridge.engine.journal.torn_tail
        if torn:  # a crash tore the last record: the host is told what was lost, at once
            self.message.setText(torn_tail_message(torn))

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

    def _risk_stakes(self) -> tuple[int, ...]:
        """The stakes of the risk round being played, or else of the next one (or the first)."""
        state = self.bridge.state
        plan = state.round
        if plan is not None and plan.type == "risk":
            return plan.stakes
        later = [r for r in self.bridge.contest.rounds[max(state.round_index, 0):] if r.type == "risk"]
        risk = later or [r for r in self.bridge.contest.rounds if r.type == "risk"]
        return risk[0].stakes if risk else ()

    def _stake_label(self, slot: int) -> str:
        stakes = self._risk_stakes()
        return _("Stake {stake}", stake=stakes[slot]) if slot < len(stakes) else _("Stake")

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

    def _refresh_audit(self, state) -> None:
        """Newest first; only new entries are added (a show has hundreds), unless an undo changed
        an old one, which redraws the list."""
        contest = state.contest
        wanted = [(c.seq, c.undone) for c in state.changes]
        shown = getattr(self, "_audit_shown", [])
        if wanted[:len(shown)] != shown:
            self.audit.clear()
            shown = []
        for change in state.changes[len(shown):]:
            sign = f"{change.delta:+d}"
            undone = ""
            if change.undone:
                undone = _("[undone by {who} at {time}] ", who=change.undone_by,
                            time=format_instant(change.undone_wall_ms)[11:19])
            kind = {"answer": _("answer"), "foul": _("foul"), "correction": _("correction")}.get(change.kind, change.kind)
            reason = _(VERDICT_NAMES[change.reason]) if change.reason in VERDICT_NAMES else change.reason
            self.audit.insertItem(0, undone + _("{time} {team} {delta} {kind}: {reason} [{operator}]{undone}",
                                                 time=format_instant(change.wall_ms)[11:19],
                                                 team=contest.team(change.team).name, delta=sign, kind=kind,
                                                 reason=reason, operator=change.operator, undone=""))
            if change.undone:
                item = self.audit.item(0)
                font = item.font()
                font.setStrikeOut(True)
                item.setFont(font)
                item.setForeground(theme.colour("#8a8f98"))
        self._audit_shown = wanted

    # which console button gives which command (for enabling and for the next-step line)
    BUTTON_COMMANDS = {"show": ("show_question",), "reveal": ("reveal",), "open": ("open_buzzers",),
                       "timer": ("start_timer",), "pause": ("pause_timer", "resume_timer"), "add": ("add_time",),
                       "correct": ("correct",), "wrong": ("wrong",), "timeout": ("timeout",), "reopen": ("reopen",),
                       "tie": ("resolve_tie",), "close": ("close_buzzers",), "undo": ("undo",), "redo": ("redo",),
                       "fix": ("correct_score",), "next_round": ("next_round",), "tiebreak": ("start_tiebreak",),
                       "end_tiebreak": ("end_tiebreak",), "prizes": ("assign_prizes",),
                       "ceremony": ("ceremony_next",), "replay": ("ceremony_replay",)}
    @staticmethod
    def next_words() -> dict[str, str]:
        return {"next_round": _("start the next round"), "show_question": _("Next question"), "reveal": _("put the question on the big screen"),
                  "open_buzzers": _("Open buzzers"), "start_timer": _("Start timer"), "resolve_tie": _("Decide a simultaneous buzz"),
                  "close_buzzers": _("end the question (no answer)"), "timeout": _("call time up"), "start_tiebreak": _("Start tie-break"),
                  "end_tiebreak": _("End tie-break"), "assign_prizes": _("Set prizes")}

    def _refresh_actions(self, state) -> None:
        advice = guide(self.bridge.engine)
        legal = set(advice["legal"])
        plan = state.round
        for name, commands in self.BUTTON_COMMANDS.items():
            self.buttons[name].setEnabled(any(c in legal for c in commands))
        for slot in range(self.stake_slots):
            button = self.buttons[f"stake{slot}"]
            button.setText(f"{self._stake_label(slot)}\n[{STAKE_KEYS[slot]}]")
            button.setEnabled("choose_stake" in legal and plan is not None and slot < len(plan.stakes))
        self.buttons["self_test"].setEnabled(self.buzzers is not None)
        self.buttons["pair"].setEnabled(getattr(self, "pairing", None) is not None)
        # Shortcuts stay live: a key pressed at the wrong moment is refused with its reason,
        # and a quick host is never a step ahead of a console that has not redrawn yet.
        self.next_step.setText(self._next_text(state, advice["next"]))
        if self.buzzers is not None:
            self.mode.setText(self._mode_text())

    def _next_text(self, state, step: str | None) -> str:
        if state.final and step == "ceremony_next":
            steps = ceremony_steps(state)
            level, team = steps[state.ceremony_step]
            prize = prize_name(level)
            return _("Next: press G to announce the {prize}: {team} ({done}/{total})", prize=prize,
                      team=state.contest.team(team).name, done=state.ceremony_step + 1, total=len(steps))
        if state.final:
            return _("The ceremony is over (Shift+G replays it)") if state.ceremony_step else _("The result is signed by the judges")
        if step is None:
            if state.question is not None and state.question.status == "open":
                return _("Waiting for a press… (K ends the question if nobody presses)")
            return _("Next: wait")
        if step == "correct":
            return _("Next: the verdict: C correct / X wrong / T time up")
        if step == "choose_stake":
            team = self.bridge.contest.team(next_turn(state)[0])
            keys = pgettext("punctuation", " / ").join(_("{key} {stake}", key=STAKE_KEYS[slot], stake=stake)
                                  for slot, stake in enumerate(self._risk_stakes()))
            return _("Next: {team} chooses its stake ({keys})", team=team.name if team else "", keys=keys)
        if step == "sign_off":
            waiting = [j for j in state.contest.judges if j not in state.signoffs]
            return _("Next: the judges sign (judges' view): {judges}", judges=pgettext("punctuation", ", ").join(waiting))
        name = next(n for n, commands in self.BUTTON_COMMANDS.items() if step in commands)
        return _("Next: press {key} to {action}", key=self.keys[name], action=self.next_words()[step])

    def add_network_panel(self, panel: QWidget) -> None:
        self.right.insertWidget(0, panel)

    def _mode_text(self) -> str:
        if getattr(self.buzzers, "mode", "keys") == "devices":
            return _("Buzzers: input devices ({count} teams paired)", count=len(self.buzzers.paired()))
        reason = f"\n{self.buzzers.reason}" if self.buzzers.reason else ""
        return _("Buzzers: key capture (keyboard)") + reason

    def refresh(self, state) -> None:
        self._refresh_actions(state)
        contest = state.contest
        plan = state.round
        steps = []
        for index, item in enumerate(contest.rounds):
            done = state.shown_per_round.get(item.id, 0)
            marker = "▶ " if (plan is item and not state.in_tiebreak) else ""
            steps.append(f"{marker}{item.title} {done}/{state.round_quota(item)}")
        if state.in_tiebreak:
            steps.append(_("▶ Tie-break: ") + pgettext("punctuation", ", ").join(contest.team(t).name for t in state.tiebreak_teams))
        if state.final:
            steps.append(_("The result is signed"))
        elif plan is None and not state.in_tiebreak:
            steps.insert(0, _("Not started: press Ctrl+N for the first round"))
        self.plan.setText("   |   ".join(steps))
        question = state.question
        if question is None:
            self.question.setText(_("(no question yet)"))
            self.answer.setText("")
        else:
            item = contest.question(question.id)
            source = item.source or _("bank")
            head = f"[{question_kind(item.kind)}·{source}] {item.id}"
            if question.team:
                team = contest.team(question.team)
                head += _("  answering: {team}", team=team.name)
                if question.member:
                    head += f" {team.members[question.member - 1]}"
                if question.stake:
                    head += _("  stake {stake}", stake=question.stake)
            options = "\n".join(f"{chr(65 + i)}. {o}" for i, o in enumerate(item.options))
            shown = _("on screen") if question.revealed else _("not on screen")
            self.question.setText(f"{head}  ({shown})\n\n{item.stem}\n{options}")
            self.answer.setText(pgettext("console", "Answer: {answer}", answer=item.answer_text())
                                + (_("\nExplanation: {explanation}", explanation=item.explanation) if item.explanation else ""))
        holder, tied = state.floor()
        if tied:
            self.floor.setText(_("Simultaneous buzz: ") + pgettext("punctuation", ", ").join(contest.team(t).name for t in tied) + _(" (press J to decide)"))
        elif holder and question is not None and question.status != "judged":
            self.floor.setText(_("Floor: {team}", team=contest.team(holder).name))
        elif question is not None and question.status == "open":
            self.floor.setText(_("Buzzers open"))
        else:
            self.floor.setText("")
        for row, team in enumerate(contest.teams):
            cells = [team.name, team.buzzer_key, str(state.scores[team.id]), str(state.tiebreak_scores[team.id] or "")]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if team.id == holder:
                    item.setBackground(theme.colour(team.color))
                self.teams.setItem(row, column, item)
        self.teams.resizeColumnsToContents()
        self._refresh_audit(state)
        self.evidence.clear()
        if question is not None:
            presses = sorted((p for p in state.presses if p.question == question.id), key=lambda p: (p.t_ms, p.seq))
            first = presses[0].t_ms if presses else 0
            for press in presses:
                outcome = _(OUTCOME_NAMES[press.outcome]) if press.outcome in OUTCOME_NAMES else press.outcome
                if press.device == "phone":
                    self.evidence.addItem(_("{team} phone, mapped time {t_ms} (+{gap} ms, ±{u:.1f} ms) {outcome}",
                                             team=contest.team(press.team).name, t_ms=press.t_ms,
                                             gap=press.t_ms - first, u=press.uncertainty_us / 1000, outcome=outcome))
                    continue
                self.evidence.addItem(_("{team} key {key} device time {t_ms} (+{gap} ms) {outcome}",
                                         team=contest.team(press.team).name, key=press.key, t_ms=press.t_ms,
                                         gap=press.t_ms - first, outcome=outcome))
