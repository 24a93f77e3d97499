"""The top of the console: the one line the host reads first (what to do now, and its key, from
the engine's guide), which buzzer input is in use, and where the show is in its plan."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from finals_app.core.i18n import _, pgettext
from finals_app.core.stage.engine import ceremony_steps, next_turn
from finals_app.core.stage.words import prize_name
from finals_app.ui import theme
from finals_app.ui.console.action_bar import BUTTON_COMMANDS, STAKE_KEYS, risk_stakes


def next_words() -> dict[str, str]:
    """The next step's command as the next-step line says it."""
    return {"next_round": _("start the next round"), "show_question": _("Next question"),
            "reveal": _("put the question on the big screen"), "open_buzzers": _("Open buzzers"),
            "start_timer": _("Start timer"), "resolve_tie": _("Decide a simultaneous buzz"),
            "close_buzzers": _("end the question (no answer)"), "timeout": _("call time up"),
            "start_tiebreak": _("Start tie-break"), "end_tiebreak": _("End tie-break"), "assign_prizes": _("Set prizes")}


class StepLine(QWidget):
    """`keys`: the console's key for each action (the action bar's)."""

    def __init__(self, bridge, keys: dict[str, str], parent=None):
        super().__init__(parent)
        self.bridge = bridge
        self.keys = keys
        self.next_step = QLabel()
        self.next_step.setFont(theme.font(26, bold=True))
        self.next_step.setStyleSheet("color: #13294b; background: #e8f0fe; padding: 6px 12px; border-radius: 6px;")
        self.next_step.setWordWrap(True)
        self.mode = QLabel()  # which buzzer input is in use
        self.mode.setFont(theme.font(14))
        self.mode.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.plan = QLabel()
        self.plan.setWordWrap(True)
        self.plan.setFont(theme.font(16, bold=True))
        top = QGridLayout(self)
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.next_step, 0, 0)
        top.addWidget(self.mode, 0, 1)
        top.addWidget(self.plan, 1, 0, 1, 2)
        top.setColumnStretch(0, 4)
        top.setColumnStretch(1, 1)

    def refresh(self, state, step: str | None) -> None:
        """The next step (`step`, the engine's guide's) and the plan."""
        self.next_step.setText(self._next_text(state, step))
        self.plan.setText(self._plan_text(state))

    def show_mode(self, buzzers) -> None:
        if getattr(buzzers, "mode", "keys") == "devices":
            self.mode.setText(_("Buzzers: input devices ({count} teams paired)", count=len(buzzers.paired())))
            return
        reason = f"\n{buzzers.reason}" if buzzers.reason else ""
        self.mode.setText(_("Buzzers: key capture (keyboard)") + reason)

    @staticmethod
    def _plan_text(state) -> str:
        contest = state.contest
        plan = state.round
        steps = []
        for item in contest.rounds:
            done = state.shown_per_round.get(item.id, 0)
            marker = "▶ " if (plan is item and not state.in_tiebreak) else ""
            steps.append(f"{marker}{item.title} {done}/{state.round_quota(item)}")
        if state.in_tiebreak:
            steps.append(_("▶ Tie-break: ") + pgettext("punctuation", ", ").join(contest.team(t).name
                                                                                 for t in state.tiebreak_teams))
        if state.final:
            steps.append(_("The result is signed"))
        elif plan is None and not state.in_tiebreak:
            steps.insert(0, _("Not started: press Ctrl+N for the first round"))
        return "   |   ".join(steps)

    def _next_text(self, state, step: str | None) -> str:
        if state.final and step == "ceremony_next":
            steps = ceremony_steps(state)
            if state.ceremony_step >= len(steps):
                return _("Next: press G to show every prize winner")
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
            team = state.contest.team(next_turn(state)[0])
            keys = pgettext("punctuation", " / ").join(_("{key} {stake}", key=STAKE_KEYS[slot], stake=stake)
                                                       for slot, stake in enumerate(risk_stakes(state)))
            return _("Next: {team} chooses its stake ({keys})", team=team.name if team else "", keys=keys)
        if step == "sign_off":
            waiting = [j for j in state.contest.judges if j not in state.signoffs]
            return _("Next: the judges sign (judges' view): {judges}", judges=pgettext("punctuation", ", ").join(waiting))
        name = next(n for n, commands in BUTTON_COMMANDS.items() if step in commands)
        return _("Next: press {key} to {action}", key=self.keys[name], action=next_words()[step])

