"""The console's current question with its answer: what the host reads aloud, and what only the
host sees; the question's media previewed (the picture small; the sound or clip by name, its
length, where it stands and whether it plays)."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QVBoxLayout

from finals_app.core.i18n import _, pgettext
from finals_app.core.stage.media import KIND_WORDS
from finals_app.core.stage.words import question_kind
from finals_app.ui import theme
from finals_app.ui.widgets.media_view import clock_text

PREVIEW = (200, 130)  # the picture's preview at most, in pixels


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
        media = QHBoxLayout()
        self.preview = QLabel()  # the picture, small
        self.preview.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.media = QLabel()  # each medium by name; the clip's length, position and state
        self.media.setWordWrap(True)
        self.media.setFont(theme.font(16))
        self.media.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        media.addWidget(self.preview)
        media.addWidget(self.media, 1)
        layout.addLayout(media)
        layout.addWidget(self.answer)
        self.preview.hide()
        self.media.hide()
        self._pictured = None  # the picture previewed
        self._clock = QTimer(self)  # the clip's position while it plays
        self._clock.setInterval(250)
        self._clock.timeout.connect(lambda: self.show_media(self.bridge.state))

    def refresh(self, state) -> None:
        question = state.question
        self.show_media(state)
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

    def show_media(self, state) -> None:
        """The question's picture small, and each medium's name and details; the clip's position
        and whether it plays (from the journal's playback)."""
        question = state.question
        item = state.contest.question(question.id) if question is not None else None
        media = item.media if item is not None else ()
        image = item.image if item is not None else None
        if image is not self._pictured:
            self._pictured = image
            pixmap = QPixmap(str(image.path)) if image is not None and image.path.is_file() else QPixmap()
            if not pixmap.isNull():
                pixmap = pixmap.scaled(*PREVIEW, Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation)
            self.preview.setPixmap(pixmap)
            self.preview.setVisible(not pixmap.isNull())
        lines = [_("{kind}: {name} ({details})", kind=_(KIND_WORDS[m.kind]), name=m.name, details=m.describe())
                 for m in media]
        playing = False
        clip = (item.video or item.audio) if item is not None else None
        if clip is not None:
            playback = question.playback if question.playback is not None and question.playback.medium == clip.kind \
                else None
            duration = clock_text(clip.duration_ms)
            if playback is None:
                lines.append(_("Not played yet ({duration})", duration=duration))
            else:
                position = playback.position(self.bridge.now_ms())
                ended = clip.duration_ms is not None and position >= clip.duration_ms
                playing = playback.playing and not ended
                at = clock_text(position)
                lines.append(_("Playing {position} / {duration}", position=at, duration=duration) if playing
                             else _("Played to its end ({duration})", duration=duration) if ended
                             else _("Paused at {position} / {duration}", position=at, duration=duration))
        self.media.setText("\n".join(lines))
        self.media.setVisible(bool(lines))
        if playing:
            self._clock.start()
        else:
            self._clock.stop()
