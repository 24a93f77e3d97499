"""The audience big screen, read from the back of the hall (guide/stage-screens.md), in any hall.

Every size is a fraction of the screen's height H. Two layouts, chosen by the screen's shape:

- **stacked** (narrower than 2:1: 4:3 and 5:4 projectors, 16:10, 16:9): the title band with the
  round, the question's number and the timer (0.13 H); the question zone, full width, its text as
  large as it fits; one state banner (0.09 H) whose colour is its meaning; the scoreboard below,
  as tall as its teams need at their least sizes (two columns of rows for eight teams, so no name
  is ever squeezed into a bar's width);
- **side by side** (2:1 and wider: 21:9, 32:9 LED walls): the title band across; the question
  zone and its banner on the left (60 %), the scoreboard as one column of rows on the right.

Around the questions the screen shows cards (widgets/stage_cards.py): a welcome before the first
round, a round's card as it starts (its rules in one line), the contest between a tie-break and
the prizes, and the prize ceremony — a full screen per prize paced by the host, the first prize
last in gold, then the roll of every winner. No controls, no cursor; it cannot be closed from
the audience side.
"""
from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QLabel, QWidget

from finals_app.core.i18n import _
from finals_app.core.stage import palette
from finals_app.core.stage.display import (AMBER, BLUE, CRIMSON, GOLD, GREEN, GREY, RED, banner_for, banner_style,  # noqa: F401
                                           ceremony_card, kind_of_question, prize_roll, question_content,
                                           round_card, stage_view, text_on, title_for, welcome_content)
from finals_app.ui import theme
from finals_app.ui.widgets.countdown import Countdown
from finals_app.ui.widgets.kiosk_screen import KioskScreen
from finals_app.ui.widgets.media_view import MediaView
from finals_app.ui.widgets.scoreboard import Scoreboard
from finals_app.ui.widgets.stage_cards import Card, Part, Tiles
from finals_app.ui.widgets.stage_text import TextBox, draw_lines, measured, pitch, width_of, wrap

TOP, BANNER = 0.13, 0.09  # fractions of H: the title band, the state banner
MIN_TEXT = 0.03  # no text smaller than 0.03 H on an audience screen
LARGEST_QUESTION = 0.09
WIDE = 2.0  # from this width-to-height ratio on, the question and the scores sit side by side
WRAP = int(Qt.TextFlag.TextWordWrap)


class QuestionPanel(QWidget):
    """The question as large as it fits its zone: the kind (单选题 / 多选题 / 判断题) and a
    headline (who is asked, the stake), the stem, the options (two columns when they are short),
    after the verdict the answer; the correct options turn green. `layout_for()` tells the size
    chosen, whether it fits, and every line's box."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.kind = ""
        self.headline = ""
        self.stem = ""
        self.options: list[str] = []
        self.correct: set[int] = set()
        self.answer = ""
        self.chosen: dict = {}
        self.screen_height = 0

    def set_content(self, headline: str, stem: str, options: list[str], correct: set[int], answer: str,
                    kind: str = "") -> None:
        content = (kind, headline, stem, list(options), set(correct), answer)
        if content != (self.kind, self.headline, self.stem, self.options, self.correct, self.answer):
            self.kind, self.headline, self.stem, self.options, self.correct, self.answer = content
            self.chosen = {}
            self.update()

    def text(self) -> str:
        lines = [" ".join(w for w in (self.kind, self.headline) if w), self.stem,
                 *[f"{chr(65 + i)}. {o}" for i, o in enumerate(self.options)], self.answer]
        return "\n".join(line for line in lines if line)

    def _measure(self, px: int, width: int) -> dict:
        """Where every line goes at `px`: (kind, lines, x, y, width, colour) per block."""
        gap = int(px * 0.3)
        blocks = []
        y = 0
        tag_w = width_of(self.kind, px, True) + int(px * 0.8) if self.kind else 0
        indent = tag_w + int(px * 0.4) if tag_w else 0
        if self.kind:  # the kind tag opens the headline, or the stem's first line (as on a paper)
            blocks.append(("tag", [self.kind], 0, y, tag_w, palette.BACKGROUND))
        if self.headline:
            room = width - indent
            lines = wrap(self.headline, px, room, True)
            blocks.append(("text", lines, indent, y, room, theme.ACCENT))
            y += pitch(px) * len(lines) + gap
            indent = 0
        answer_placed = False
        if self.stem:
            lines = wrap(self.stem, px, width, first_indent=indent)
            blocks.append(("stem", lines, 0, y, width, theme.TEXT, indent))
            last = width_of(lines[-1], px) + (indent if len(lines) == 1 else 0)
            answer_w = width_of(self.answer, px, True) if self.answer else 0
            if self.answer and self.options and last + 2 * gap + answer_w <= width:
                # the answer at the end of the stem's last line: the right options are marked
                blocks.append(("answer", [self.answer], width - answer_w, y + pitch(px) * (len(lines) - 1), answer_w,
                               GREEN))
                answer_placed = True
            y += pitch(px) * len(lines) + gap
        elif indent:
            y += pitch(px) + gap
        labels = [f"{chr(65 + i)}. {o}" for i, o in enumerate(self.options)]
        half = (width - gap) // 2
        two = bool(labels) and all(width_of(label, px) <= half for label in labels)
        column_w = half if two else width
        for start in range(0, len(labels), 2 if two else 1):
            row = labels[start:start + (2 if two else 1)]
            heights = []
            for offset, label in enumerate(row):
                index = start + offset
                lines = wrap(label, px, column_w)
                colour = theme.TEXT
                blocks.append(("option" if index in self.correct else "text", lines, offset * (half + gap), y,
                               column_w, colour))
                heights.append(pitch(px) * len(lines))
            y += max(heights) + int(gap * 0.6)
        if labels:
            y += gap - int(gap * 0.6)
        if self.answer and not answer_placed:
            lines = wrap(self.answer, px, width, True)
            blocks.append(("answer", lines, 0, y, width, GREEN))
            y += pitch(px) * len(lines) + gap
        return {"px": px, "two_columns": two, "height": max(0, y - gap), "blocks": blocks}

    def layout_for(self, width: int, height: int) -> dict:
        """The largest text size (from 0.09 H down to 0.03 H) at which everything fits."""
        key = (width, height)
        if key in self.chosen:
            return self.chosen[key]
        screen_h = self.screen_height or self.window().height() or height
        largest, smallest = int(LARGEST_QUESTION * screen_h), max(10, int(MIN_TEXT * screen_h + 0.999))
        low, high = smallest, largest
        while low < high:  # the largest px that fits (the height grows with px)
            middle = (low + high + 1) // 2
            if self._measure(middle, width)["height"] <= height:
                low = middle
            else:
                high = middle - 1
        layout = self._measure(low, width)
        layout["fits"] = layout["height"] <= height
        self.chosen = {key: layout}
        return layout

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._draw(painter)
        painter.end()

    def text_boxes(self) -> list[TextBox]:
        """What `paintEvent` draws, measured."""
        return measured(self, self._draw)

    def _draw(self, painter: QPainter) -> list[TextBox]:
        layout = self.layout_for(self.width(), self.height())
        px = layout["px"]
        boxes = []
        for kind, lines, x, y, width, colour, *indent in layout["blocks"]:
            rect = QRect(x, y, width, pitch(px) * len(lines))
            if kind == "stem":
                boxes += draw_lines(painter, lines, px, rect, colour, first_indent=indent[0])
                continue
            if kind == "tag":
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(theme.ACCENT))
                painter.drawRoundedRect(rect.adjusted(0, int(px * 0.05), 0, -int(px * 0.05)), px * 0.25, px * 0.25)
                inner = rect.adjusted(int(px * 0.4), 0, -int(px * 0.4), 0)
                boxes += draw_lines(painter, lines, px, inner, colour, True)
                continue
            if kind == "option":  # a right option: white on the verdict's green
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(GREEN))
                painter.drawRoundedRect(rect.adjusted(-int(px * 0.2), 0, int(px * 0.2), 0), px * 0.2, px * 0.2)
                colour = theme.TEXT
            boxes += draw_lines(painter, lines, px, rect, colour, kind in ("answer", "option") or colour == theme.ACCENT)
        return boxes


class AudienceScreen(KioskScreen):
    def __init__(self, bridge, sounds=None, parent=None):
        super().__init__(_("Audience screen"), parent)
        self.bridge = bridge
        self.sounds = sounds
        self.view = ""
        self.title = QLabel(self)
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.countdown = Countdown(self)
        self.question = QuestionPanel(self)
        self.media = MediaView(bridge, self, sounds=sounds)  # the question's picture or clip, in its zone beside or above the stem
        self.floor = QLabel(self)  # the state banner (floor won, verdict, foul, time up, paused)
        self.floor.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.answer = QLabel(self)  # the answer line, only after the verdict (drawn inside the zone)
        self.answer.hide()
        self.scoreboard = Scoreboard(bridge.contest, self)
        self.card = Card(self)  # welcome, a round's card, the interval: over the question zone
        self.card.hide()
        self.ceremony = Card(self)  # the prize ceremony: the whole screen
        self.ceremony.hide()
        self.banner_colour = ""
        self._cue = None  # the card whose sound was played last
        self.showing_roll = False
        self.apply_sizes()
        bridge.changed.connect(self.refresh)
        bridge.tick.connect(self.countdown.show_ms)
        bridge.pressed.connect(self._on_press)
        bridge.floor_given.connect(self._on_floor_given)
        self.refresh(bridge.state)

    # ---- sizing: everything follows the screen's height; the shape picks the layout ----

    @property
    def wide(self) -> bool:
        return self.width() >= WIDE * max(1, self.height())

    def regions(self) -> dict[str, QRect]:
        w, h = self.width(), max(1, self.height())
        margin = max(8, int(0.02 * min(w, h * 16 / 9)))
        gap = int(0.012 * h)
        top = int(TOP * h)
        banner = int(BANNER * h)
        timer_w = int(0.3 * h)
        regions = {"title": QRect(margin, 0, w - 2 * margin - timer_w - gap, top),
                   "timer": QRect(w - margin - timer_w, 0, timer_w, top),
                   "ceremony": QRect(0, 0, w, h)}
        teams = len(self.scoreboard.order) or len(self.bridge.contest.teams)
        if self.wide:
            left = int((w - 3 * margin) * 0.6)
            body = h - top - margin // 2
            regions["question"] = QRect(margin, top, left, body - banner - gap)
            regions["banner"] = QRect(margin, h - margin // 2 - banner, left, banner)
            regions["scoreboard"] = QRect(2 * margin + left, top, w - 3 * margin - left, body)
            regions["stage"] = QRect(margin, 0, left, h)
        else:
            inner = w - 2 * margin
            board = self.scoreboard.needed_height(inner, teams) if self.scoreboard.width() else int(0.29 * h)
            board = max(int(0.2 * h), min(int(0.34 * h), board + gap))
            zone = h - top - banner - board - 2 * gap
            regions["question"] = QRect(margin, top, inner, zone)
            regions["banner"] = QRect(margin, top + zone + gap, inner, banner)
            regions["scoreboard"] = QRect(margin, h - board, inner, board - gap // 2)
            regions["stage"] = QRect(margin, 0, inner, h - board - gap)
        return regions

    def apply_sizes(self) -> None:
        if "ceremony" not in self.__dict__:
            return  # a resize during construction
        h = max(self.height(), 200)
        self.question.screen_height = self.card.screen_height = self.ceremony.screen_height = h
        self.countdown.setFont(theme.font(int(0.15 * h), bold=True))
        self.scoreboard.set_text_size(int(0.05 * h + 0.999), int(0.035 * h + 0.999))
        self.scoreboard.setGeometry(self.regions()["scoreboard"])  # its size decides the others
        rects = self.regions()
        self.title.setGeometry(rects["title"])
        self.countdown.setGeometry(rects["timer"])
        self.question.setGeometry(self.media.place(rects["question"], h))
        self.floor.setGeometry(rects["banner"])
        self.scoreboard.setGeometry(rects["scoreboard"])
        self.scoreboard.relayout()  # hidden (the welcome), it hears of no resize until shown
        self.card.setGeometry(self.rect() if self.view == "welcome" else rects["stage"])
        self.ceremony.setGeometry(rects["ceremony"])
        self._fit(self.title, 0.06)
        self._fit(self.floor, 0.06)
        self.question.chosen = {}

    def _fit(self, label: QLabel, largest: float) -> None:
        """The label's text as large as `largest` × H, smaller until it fits its rectangle
        (never below 0.03 H)."""
        h = max(self.height(), 200)
        px = int(largest * h)
        room = label.contentsRect()
        while px > MIN_TEXT * h + 1:
            metrics = QFontMetrics(theme.font(px, bold=True))
            if metrics.horizontalAdvance(label.text()) + int(0.04 * h) <= room.width() and metrics.height() <= room.height():
                break
            px -= 1
        label.setFont(theme.font(px, bold=True))

    # ---- what the audience sees ----

    def refresh(self, state) -> None:
        view = stage_view(state)
        self.view = view
        if self.media.follow(state, visible=view == "question"):  # the zone shared with its picture or clip
            self.question.setGeometry(self.media.refit())
        self.title.setText(title_for(state))
        _restyle(self.title, f"color: {theme.ACCENT};")
        self._fit(self.title, 0.06)
        if view == "ceremony":
            self._show_ceremony(state)
            return
        self.showing_roll = False
        self.ceremony.hide()
        question_parts = (self.title, self.countdown, self.question, self.floor)
        card = view in ("welcome", "round", "interval")
        for widget in question_parts:
            widget.setVisible(not card)
        self.scoreboard.setVisible(view != "welcome")
        self.card.setVisible(card)
        if card:
            self._show_card(state, view)
        self._question(state)
        text, background = banner_for(state)
        self.banner_colour = background
        fill, words, border = banner_style(background)
        edge = max(2, round(0.004 * self.height()))
        _restyle(self.floor, f"color: {words}; background-color: {fill}; border: {edge}px solid {border}; "
                             f"border-radius: 12px;" if text else "")
        self.floor.setText(text)
        self._fit(self.floor, 0.06)  # inside its frame
        if self.floor.text() != getattr(self, "_drawn_floor", None):
            self._drawn_floor = self.floor.text()
            self.floor.repaint()  # the buzzer winner is drawn now, not at the next frame
        holder, _ignored = state.floor()
        question = state.question
        buzzer = question is not None and state.contest.round(question.round).type == "buzzer"
        if state.in_tiebreak:  # head to head: only the tied teams, with their tie-break points
            teams = list(state.tiebreak_teams)
            self.scoreboard.update_scores({t: state.tiebreak_scores[t] for t in teams}, teams,
                                          holder if buzzer else None, caption=_("Tie-break points"))
        else:
            order = [row["team"] for row in state.ranking()]
            self.scoreboard.update_scores(dict(state.scores), order, holder if buzzer else None)

    def _question(self, state) -> None:
        headline, stem, options, correct, answer = question_content(state)
        self.question.set_content(headline, stem, options, correct, answer, kind_of_question(state))
        self.answer.setText(answer)

    def _show_card(self, state, view: str) -> None:
        if view == "welcome":
            content = welcome_content(state)
            parts = [Part(content["name"], 0.1, 0.045, max_lines=3, gap_after=0.6),
                     Part(content["place"], 0.055, 0.035, theme.ACCENT, gap_after=0.4),
                     Part(content["issuer"], 0.04, 0.03, theme.MUTED, bold=False, gap_after=1.0),
                     Tiles(content["teams"], 0.05, 0.035)]
            self.card.setGeometry(self.rect())
            cue = ("welcome",)
        elif view == "round":
            content = round_card(state)
            parts = [Part(content["contest"], 0.04, 0.03, theme.MUTED, bold=False, max_lines=2, gap_after=1.0),
                     Part(content["title"], 0.16, 0.07, theme.ACCENT, gap_after=0.5),
                     Part(content["rules"], 0.065, 0.03, one_line=True)]
            if state.in_tiebreak:
                parts[-1].gap_after = 1.0
                parts.append(Tiles(content["teams"], 0.06, 0.035))
            self.card.setGeometry(self.regions()["stage"])
            cue = ("round", state.round.id, state.in_tiebreak)
        else:
            content = welcome_content(state)
            parts = [Part(content["name"], 0.08, 0.04, max_lines=3, gap_after=0.6),
                     Part(content["place"], 0.05, 0.03, theme.ACCENT)]
            self.card.setGeometry(self.regions()["stage"])
            cue = ("interval",)
        self.card.set_parts([p for p in parts if not isinstance(p, Part) or p.text])
        if cue != self._cue:
            self._cue = cue
            if cue[0] == "round":
                self._play("round")

    def _play(self, name: str) -> None:
        if self.sounds is not None:
            self.sounds.play(name)

    def _on_press(self, team: str, outcome: str) -> None:
        if outcome == "foul":
            self._play("foul")

    def _on_floor_given(self, team: str) -> None:
        """The winner's sound when a team takes the floor (once its race has settled)."""
        self._play("winner")

    # ---- the prize ceremony: one page per host key, third prize first, first prize last ----

    def _show_ceremony(self, state) -> None:
        for widget in (self.title, self.countdown, self.question, self.floor, self.scoreboard, self.card):
            widget.hide()
        self.ceremony.show()
        self.ceremony.raise_()
        card = ceremony_card(state)
        key = (card["kind"], state.ceremony_step)
        if key == getattr(self, "_ceremony_key", None) and self.showing_roll:
            return  # the roll stays until the host moves on
        self._ceremony_key = key
        self.showing_roll = False
        if card["kind"] == "roll":
            self.show_roll()
            return
        if card["kind"] == "intro":
            self.ceremony.set_parts([Part(card["contest"], 0.08, 0.04, max_lines=3, gap_after=1.0),
                                     Part(card["title"], 0.2, 0.1, GOLD)], background=theme.BACKGROUND,
                                    border=GOLD)
        elif card["climax"]:
            self.ceremony.set_parts([
                # No stars beside the prize: a reader of the screen (a camera's OCR, tesseract
                # here) took them for characters and misread the prize.
                Part(card["prize"], 0.2, 0.1, GOLD, gap_after=0.3),
                Part(card["unit"], 0.06, 0.035, theme.TEXT, gap_after=0.6),
                Tiles([(card["team"], card["colour"])], 0.11, 0.05, gap_after=0.0),
                Part("", 0.02, 0.02, gap_after=0.0),
                Part(card["members"], 0.07, 0.04, theme.TEXT, gap_after=0.4),
                Part(card["score"], 0.07, 0.04, GOLD)], background=CRIMSON, border=GOLD, band=card["colour"])
        else:
            colour = card["text"]
            self.ceremony.set_parts([
                Part(card["prize"], 0.17, 0.09, colour, gap_after=0.4),
                Part(card["unit"], 0.06, 0.035, colour, bold=False, gap_after=0.5),
                Part(card["team"], 0.11, 0.05, colour, gap_after=0.6),
                Part(card["members"], 0.065, 0.04, colour, gap_after=0.4),
                Part(card["score"], 0.065, 0.04, colour)], background=card["background"], band=theme.BACKGROUND)
        self.ceremony.setStyleSheet("")
        self.ceremony.setGeometry(self.rect())
        self._play(card["cue"])

    def show_roll(self) -> None:
        """After the first prize, on the host's key: one page with every prize winner."""
        state = self.bridge.state
        if not (state.final and state.prizes):
            return
        parts: list = [Part(_("Prize winners"), 0.09, 0.045, GOLD, gap_after=0.6)]
        for prize, teams in prize_roll(state):
            parts.append(Part(prize, 0.06, 0.035, GOLD, gap_after=0.3))
            parts.append(Tiles([(name, colour) for name, _unit, colour in teams], 0.05, 0.035, gap_after=0.7))
        self.ceremony.set_parts(parts, background=CRIMSON, border=GOLD)
        self.showing_roll = True
        self._play("roll")

    # ---- for the tests and the screenshots: every line drawn, where ----

    def text_boxes(self) -> list[tuple[str, TextBox, QRect]]:
        """(where, the line's box on the screen, the rectangle it must stay in) for every visible
        piece of text."""
        found = []
        for name, widget in (("question", self.question), ("card", self.card), ("ceremony", self.ceremony),
                             ("scoreboard", self.scoreboard)):
            if widget.isVisible():
                for box in widget.text_boxes():
                    found.append((name, TextBox(box.text, box.rect.translated(widget.pos()), box.px), widget.geometry()))
        for name, label in (("title", self.title), ("banner", self.floor)):
            if label.isVisible() and label.text():
                room = label.contentsRect()
                rect = QFontMetrics(label.font()).boundingRect(room, int(label.alignment()), label.text())
                found.append((name, TextBox(label.text(), rect.translated(label.pos()), label.font().pixelSize()),
                              label.geometry()))
        if self.countdown.isVisible() and self.countdown.text():
            ink = QFontMetrics(self.countdown.font()).tightBoundingRect(self.countdown.text())
            box = QRect(0, 0, ink.width(), ink.height())
            box.moveCenter(self.countdown.geometry().center())
            found.append(("timer", TextBox(self.countdown.text(), box, self.countdown.font().pixelSize()),
                          self.countdown.geometry()))
        return found


def _restyle(widget: QWidget, sheet: str) -> None:
    """A style sheet set only when it changes: setting one re-polishes the widget, and the
    banner is restyled at every change of the show (the buzzer winner's paint among them)."""
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)
