"""The audience big screen, read from the back of the hall (guide/stage-screens.md).

Every size is a fraction of the screen's height H, so the same layout holds at 1920×1080 and
1280×720: a title band with the round, the question's number and the timer (0.15 H); the
question zone (0.47 H, full width), its stem and options as large as they fit, options in two
columns when they are short; one state banner (0.09 H) whose colour is its meaning; the animated
scoreboard (0.29 H). The prize ceremony is a full screen per step, paced by the host. No
controls, no cursor; it cannot be closed from the audience side.
"""
from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QLabel, QWidget

from finals_app.core.i18n import _, pgettext
from finals_app.core.stage.engine import ceremony_steps
from finals_app.core.stage.words import prize_name
from finals_app.ui import theme
from finals_app.core.stage.display import AMBER, BLUE, GREEN, GREY, RED, banner_for, question_content, title_for  # noqa: F401
from finals_app.ui.widgets.countdown import Countdown
from finals_app.ui.widgets.kiosk_screen import KioskScreen
from finals_app.ui.widgets.scoreboard import Scoreboard

TOP, QUESTION, BANNER = 0.15, 0.47, 0.09  # fractions of H; the scoreboard takes the rest
MIN_TEXT = 0.03  # no text smaller than 0.03 H on an audience screen
WRAP = int(Qt.TextFlag.TextWordWrap)


class QuestionPanel(QWidget):
    """The question as large as it fits its zone: a headline (who is asked, the stake), the
    stem, the options (two columns when they are short), after the verdict the answer; the
    correct options turn green. `layout_for()` tells the size chosen, and whether it fits."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.headline = ""
        self.stem = ""
        self.options: list[str] = []
        self.correct: set[int] = set()
        self.answer = ""
        self.chosen: dict = {}

    def set_content(self, headline: str, stem: str, options: list[str], correct: set[int], answer: str) -> None:
        content = (headline, stem, list(options), set(correct), answer)
        if content != (self.headline, self.stem, self.options, self.correct, self.answer):
            self.headline, self.stem, self.options, self.correct, self.answer = content
            self.chosen = {}
            self.update()

    def text(self) -> str:
        lines = [self.headline, self.stem, *[f"{chr(65 + i)}. {o}" for i, o in enumerate(self.options)], self.answer]
        return "\n".join(line for line in lines if line)

    def _measure(self, px: int, width: int) -> dict:
        font = theme.font(px)
        metrics = QFontMetrics(font)
        gap = int(px * 0.35)
        parts = []
        height = 0
        for kind, text in (("headline", self.headline), ("stem", self.stem)):
            if text:
                rect = metrics.boundingRect(QRect(0, 0, width, 10 ** 6), WRAP, text)
                parts.append((kind, text, rect.height()))
                height += rect.height() + gap
        labels = [f"{chr(65 + i)}. {o}" for i, o in enumerate(self.options)]
        half = (width - gap) // 2
        two = bool(labels) and all(metrics.horizontalAdvance(label) <= half for label in labels)
        option_heights = [metrics.boundingRect(QRect(0, 0, half if two else width, 10 ** 6), WRAP, label).height()
                          for label in labels]
        if two:
            rows = [max(option_heights[i:i + 2]) for i in range(0, len(labels), 2)]
        else:
            rows = option_heights
        height += sum(rows) + gap * max(0, len(rows) - 1)
        if self.answer:
            height += gap + metrics.boundingRect(QRect(0, 0, width, 10 ** 6), WRAP, self.answer).height()
        return {"px": px, "two_columns": two, "height": height, "parts": parts, "labels": labels, "rows": rows,
                "gap": gap, "half": half}

    def layout_for(self, width: int, height: int) -> dict:
        """The largest text size (from 0.09 H down to 0.03 H) at which everything fits."""
        key = (width, height)
        if key in self.chosen:
            return self.chosen[key]
        screen_h = self.window().height() or height
        largest, smallest = int(0.09 * screen_h), max(10, int(MIN_TEXT * screen_h))
        px = largest
        layout = self._measure(px, width)
        while layout["height"] > height and px > smallest:
            px -= max(1, px // 24)
            layout = self._measure(max(px, smallest), width)
        layout["fits"] = layout["height"] <= height
        self.chosen = {key: layout}
        return layout

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        layout = self.layout_for(self.width(), self.height())
        painter = QPainter(self)
        font = theme.font(layout["px"])
        painter.setFont(font)
        y = 0
        gap = layout["gap"]
        for kind, text, height in layout["parts"]:
            painter.setPen(QColor(theme.ACCENT if kind == "headline" else theme.TEXT))
            painter.drawText(QRect(0, y, self.width(), height), WRAP, text)
            y += height + gap
        labels, rows, half = layout["labels"], layout["rows"], layout["half"]
        for row, row_height in enumerate(rows):
            indices = [row * 2, row * 2 + 1] if layout["two_columns"] else [row]
            for column, index in enumerate(i for i in indices if i < len(labels)):
                x = column * (half + gap)
                width = half if layout["two_columns"] else self.width()
                painter.setPen(QColor(GREEN if index in self.correct else theme.TEXT))
                if index in self.correct:
                    painter.fillRect(QRect(x - 6, y - 2, width + 6, row_height + 4), QColor(31, 157, 85, 60))
                painter.drawText(QRect(x, y, width, row_height), WRAP, labels[index])
            y += row_height + gap
        if self.answer:
            painter.setPen(QColor(GREEN))
            painter.drawText(QRect(0, y, self.width(), self.height() - y), WRAP, self.answer)
        painter.end()


class AudienceScreen(KioskScreen):
    def __init__(self, bridge, sounds=None, parent=None):
        super().__init__(_("Audience screen"), parent)
        self.bridge = bridge
        self.sounds = sounds
        self.title = QLabel(self)
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.countdown = Countdown(self)
        self.question = QuestionPanel(self)
        self.floor = QLabel(self)  # the state banner (floor won, verdict, foul, time up, paused)
        self.floor.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.answer = QLabel(self)  # the answer line, only after the verdict (also inside the zone)
        self.answer.hide()
        self.scoreboard = Scoreboard(bridge.contest, self)
        self.ceremony = QLabel(self)
        self.ceremony.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ceremony.setWordWrap(True)
        self.ceremony.hide()
        self.banner_colour = ""
        self.apply_sizes()
        bridge.changed.connect(self.refresh)
        bridge.tick.connect(self.countdown.show_ms)
        bridge.pressed.connect(self._on_press)
        bridge.floor_given.connect(self._on_floor_given)
        self.refresh(bridge.state)

    # ---- sizing: everything follows the screen's height ----

    def regions(self) -> dict[str, QRect]:
        w, h = self.width(), self.height()
        margin = int(0.02 * w)
        timer_w = int(0.2 * w)
        top, zone, banner = int(TOP * h), int(QUESTION * h), int(BANNER * h)
        return {"title": QRect(margin, 0, w - 2 * margin - timer_w, top),
                "timer": QRect(w - margin - timer_w, 0, timer_w, top),
                "question": QRect(margin, top, w - 2 * margin, zone),
                "banner": QRect(margin, top + zone + int(0.005 * h), w - 2 * margin, banner - int(0.01 * h)),
                "scoreboard": QRect(0, top + zone + banner, w, h - top - zone - banner),
                "ceremony": QRect(margin, 0, w - 2 * margin, h)}

    def apply_sizes(self) -> None:
        if "ceremony" not in self.__dict__:
            return  # a resize during construction
        h = max(self.height(), 360)
        rects = self.regions()
        self.title.setGeometry(rects["title"])
        self.countdown.setGeometry(rects["timer"])
        self.question.setGeometry(rects["question"])
        self.floor.setGeometry(rects["banner"])
        self.scoreboard.setGeometry(rects["scoreboard"])
        self.ceremony.setGeometry(rects["ceremony"])
        self.countdown.setFont(theme.font(int(0.15 * h), bold=True))
        self.scoreboard.set_text_size(int(0.05 * h), int(0.035 * h))
        self._fit_title()
        self._fit(self.floor, 0.06)
        self.question.chosen = {}
        if "_ceremony_text" in self.__dict__:
            self._fit_ceremony()

    def _fit_title(self) -> None:
        self._fit(self.title, 0.06)
        self.title.setStyleSheet(f"color: {theme.ACCENT};")

    def _fit(self, label: QLabel, largest: float) -> None:
        """The label's text as large as `largest` × H, smaller until it fits its rectangle."""
        h = max(self.height(), 360)
        px = int(largest * h)
        room = label.contentsRect()
        while px > MIN_TEXT * h:
            metrics = QFontMetrics(theme.font(px, bold=True))
            if metrics.horizontalAdvance(label.text()) <= room.width() and metrics.height() <= room.height():
                break
            px -= 1
        label.setFont(theme.font(px, bold=True))

    # ---- what the audience sees ----

    def refresh(self, state) -> None:
        contest = state.contest
        if state.final and state.prizes:
            self._show_ceremony(state)
            return
        for widget in (self.title, self.countdown, self.question, self.floor, self.scoreboard):
            widget.show()
        self.ceremony.hide()
        self.title.setText(title_for(state))
        self._fit_title()
        self._question(state)
        text, background, colour = banner_for(state)
        self.floor.setText(text)
        self._fit(self.floor, 0.06)
        self.banner_colour = background
        self.floor.setStyleSheet(f"color: {colour}; background-color: {background}; border-radius: 12px;"
                                 if text else "")
        if self.floor.text() != getattr(self, "_drawn_floor", None):
            self._drawn_floor = self.floor.text()
            self.floor.repaint()  # the buzzer winner is drawn now, not at the next frame
        holder, _ignored = state.floor()
        question = state.question
        buzzer = question is not None and contest.round(question.round).type == "buzzer"
        if state.in_tiebreak:  # head to head: only the tied teams, with their tie-break points
            teams = list(state.tiebreak_teams)
            self.scoreboard.update_scores({t: state.tiebreak_scores[t] for t in teams}, teams,
                                          holder if buzzer else None, caption=_("Tie-break points"))
        else:
            order = [row["team"] for row in state.ranking()]
            self.scoreboard.update_scores(dict(state.scores), order, holder if buzzer else None)

    def _question(self, state) -> None:
        headline, stem, options, correct, answer = question_content(state)
        self.question.set_content(headline, stem, options, correct, answer)
        self.answer.setText(answer)

    def _on_press(self, team: str, outcome: str) -> None:
        if self.sounds is not None and outcome == "foul":
            self.sounds.play("foul")

    def _on_floor_given(self, team: str) -> None:
        """The winner's sound when a team takes the floor (once its race has settled)."""
        if self.sounds is not None:
            self.sounds.play("winner")

    # ---- the prize ceremony: one step per host key, third prize first ----

    def _show_ceremony(self, state) -> None:
        for widget in (self.title, self.countdown, self.question, self.floor, self.scoreboard):
            widget.hide()
        self.ceremony.show()
        steps = ceremony_steps(state)
        step = state.ceremony_step
        contest = state.contest
        if step == 0:
            self._ceremony_text = (_("{contest}\nPrize ceremony", contest=contest.name), theme.ACCENT, theme.BACKGROUND)
        else:
            level, team_id = steps[step - 1]
            team = contest.team(team_id)
            text = _("{prize}\n{unit}\n{team}\n{members}\n{score} points", prize=prize_name(level), unit=team.unit,
                      team=team.name, members=pgettext("punctuation", ", ").join(team.members), score=state.scores[team_id])
            self._ceremony_text = (text, theme.BACKGROUND, team.color)
        self._fit_ceremony()

    def _fit_ceremony(self) -> None:
        text, colour, background = self._ceremony_text
        h = max(self.height(), 360)
        px = int(0.09 * h)
        room = self.ceremony.rect().adjusted(20, 20, -20, -20)
        while px > MIN_TEXT * h and QFontMetrics(theme.font(px, bold=True)).boundingRect(
                room, WRAP | int(Qt.AlignmentFlag.AlignCenter), text).height() > room.height():
            px -= 2
        self.ceremony.setFont(theme.font(px, bold=True))
        self.ceremony.setText(text)
        self.ceremony.setStyleSheet(f"color: {colour}; background-color: {background}; border-radius: 24px;")
