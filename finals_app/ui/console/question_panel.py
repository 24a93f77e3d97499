"""The console's current question with its answer: what the host reads aloud, and what only the
host sees."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout

from finals_app.core.i18n import _, pgettext
from finals_app.core.stage.words import question_kind
from finals_app.ui import theme


class QuestionPanel(QGroupBox):
    def __init__(self, bridge, parent=None):
        super().__init__(_("Current question (answer seen by the host only)"), parent)
        self.bridge = bridge
        layout = QVBoxLayout(self)
        self.question = QLabel()
        self.question.setWordWrap(True)
        self.question.setFont(theme.font(20))
        self.question.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.answer = QLabel()
        self.answer.setWordWrap(True)
        self.answer.setFont(theme.font(18, bold=True))
        self.answer.setStyleSheet("color: #0a7d32;")
        self.question.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.question, 1)
        layout.addWidget(self.answer)

    def refresh(self, state) -> None:
        question = state.question
        if question is None:
            self.question.setText(_("(no question yet)"))
            self.answer.setText("")
            return
        contest = state.contest
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
