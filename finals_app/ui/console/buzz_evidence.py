"""The console's buzzer evidence: every press on the current question in device-time order, with
its gap to the first, a phone's clock uncertainty, and what the engine made of it."""
from __future__ import annotations

from PySide6.QtWidgets import QListWidget

from finals_app.core.i18n import N_, _

OUTCOME_NAMES = {"accepted": N_("accepted"), "foul": N_("foul (too early)"), "ignored_locked_out": N_("locked out, ignored"),
                 "ignored_already_answered": N_("already answered, ignored"), "ignored_repeat": N_("repeat, ignored"),
                 "ignored_no_question": N_("no question open, ignored"), "ignored_not_playing": N_("not in this round, ignored"),
                 "ignored_not_buzzer_question": N_("not a buzzer question, ignored"), "ignored_closed": N_("question closed, ignored"),
                 "ignored_final": N_("result final, ignored")}


class BuzzEvidence(QListWidget):
    def __init__(self, bridge, parent=None):
        super().__init__(parent)
        self.bridge = bridge

    def refresh(self, state) -> None:
        self.clear()
        question = state.question
        if question is None:
            return
        contest = state.contest
        presses = sorted((p for p in state.presses if p.question == question.id), key=lambda p: (p.t_ms, p.seq))
        first = presses[0].t_ms if presses else 0
        for press in presses:
            outcome = _(OUTCOME_NAMES[press.outcome]) if press.outcome in OUTCOME_NAMES else press.outcome
            if press.device == "phone":
                self.addItem(_("{team} phone, mapped time {t_ms} (+{gap} ms, ±{u:.1f} ms) {outcome}",
                               team=contest.team(press.team).name, t_ms=press.t_ms,
                               gap=press.t_ms - first, u=press.uncertainty_us / 1000, outcome=outcome))
                continue
            self.addItem(_("{team} key {key} device time {t_ms} (+{gap} ms) {outcome}",
                           team=contest.team(press.team).name, key=press.key, t_ms=press.t_ms,
                           gap=press.t_ms - first, outcome=outcome))
