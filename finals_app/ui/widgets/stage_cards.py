"""Full cards of the big screen: the welcome, a round's opening card, each prize of the ceremony
and the roll of every winner. A card is a column of parts (lines of text, a row of team tiles),
centred, each part as large as its share allows between its largest and least size (fractions
of the screen's height H); the whole column shrinks together until it fits, never below the
least sizes. The words come from core/stage/display.py; this module only sets them."""
from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QWidget

from finals_app.core.stage.display import text_on
from finals_app.ui import theme
from finals_app.ui.widgets.stage_text import TextBox, draw_lines, measured, natural_lines, pitch, wrap

MIN_TEXT = 0.03  # no text smaller than 0.03 H on an audience screen


@dataclass
class Part:
    """A line (or lines) of a card: `largest` and `least` are fractions of H. `natural` breaks
    only at natural points (names, titles), else Qt wraps; `one_line` must stay on one line."""
    text: str
    largest: float
    least: float = MIN_TEXT
    colour: str = theme.TEXT
    bold: bool = True
    natural: bool = True
    one_line: bool = False
    max_lines: int = 3
    gap_after: float = 0.5  # in em of this part


@dataclass
class Tiles:
    """The teams as tiles in their colours: names on their colour, in a grid."""
    teams: list[tuple[str, str]]
    largest: float
    least: float = 0.035
    gap_after: float = 0.0
    extra: list[str] = field(default_factory=list)  # a second line per tile (a score), or none


class Card(QWidget):
    """A column of parts centred on a background; `screen_height` is the H the sizes refer to."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.parts: list = []
        self.background = theme.BACKGROUND
        self.border = ""
        self.band = ""  # a stripe of the team's colour across the card's foot and head
        self.screen_height = 0
        self.fits = True
        self._plan: list | None = None

    def set_parts(self, parts: list, background: str = theme.BACKGROUND, border: str = "", band: str = "") -> None:
        self.parts, self.background, self.border, self.band = parts, background, border, band
        self._plan = None
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._plan = None

    def text(self) -> str:
        """Every word on the card, a part a line (what a person reads, for tests and logs)."""
        words = []
        for part in self.parts:
            words += [part.text] if isinstance(part, Part) else [name for name, _colour in part.teams] + part.extra
        return "\n".join(word for word in words if word)

    def H(self) -> int:  # noqa: N802 - the guide's name for the screen height
        return self.screen_height or self.window().height() or self.height()

    def inner(self) -> QRect:
        margin = int(0.04 * min(self.width(), self.H() * 16 / 9))
        frame = int(0.035 * self.H()) if (self.border or self.band) else 0
        return self.rect().adjusted(margin, frame + margin // 2, -margin, -frame - margin // 2)

    # ---- layout: the largest scale at which the column fits ----

    def plan(self) -> list:
        if self._plan is None:
            self._plan = self._fit()
        return self._plan

    def _fit(self) -> list:
        room = self.inner()
        best = None
        for step in range(100, -1, -2):
            scale = step / 100
            placed, height, wide = self._place(scale, room.width())
            best = (placed, height, wide)
            if height <= room.height() and not wide:
                break
        placed, height, wide = best
        self.fits = height <= room.height() and not wide
        top = room.top() + max(0, (room.height() - height) // 2)
        ops = []
        for kind, item, px, lines, rows, h in placed:
            ops.append((kind, item, px, lines, rows, QRect(room.left(), top, room.width(), h)))
            top += h + int(item.gap_after * px)
        return ops

    def _px(self, item, scale: float) -> int:
        H = self.H()  # noqa: N806
        return max(int(item.least * H), int((item.least + (item.largest - item.least) * scale) * H))

    def _place(self, scale: float, width: int):
        placed, total, wide = [], 0, False
        for item in self.parts:
            px = self._px(item, scale)
            if isinstance(item, Tiles):
                lines, rows, h, over = self._tiles(item, px, width)
                wide = wide or over
                placed.append(("tiles", item, px, lines, rows, h))
            else:
                if item.one_line or item.natural:
                    lines = natural_lines(item.text, px, width, item.bold, 1 if item.one_line else item.max_lines)
                else:
                    lines = wrap(item.text, px, width, item.bold)
                metrics = QFontMetrics(theme.font(px, item.bold))
                wide = wide or any(metrics.horizontalAdvance(line) > width for line in lines)
                wide = wide or (not item.natural and len(lines) > item.max_lines)
                h = pitch(px) * len(lines)
                placed.append(("text", item, px, lines, 0, h))
            total += h + int(item.gap_after * px)
        if placed:
            total -= int(placed[-1][1].gap_after * placed[-1][2])
        return placed, total, wide

    def _tiles(self, item: Tiles, px: int, width: int):
        """Team tiles: as many columns as fit, names on one or two lines."""
        metrics = QFontMetrics(theme.font(px, True))
        pad = int(0.45 * px)
        gap = max(6, int(0.35 * px))
        count = max(1, len(item.teams))
        tries = []  # every name on one line if a grid allows it, else the most columns that fit
        for columns in range(min(count, 4), 0, -1):
            rows = -(-count // columns)
            tile_w = (width - gap * (columns - 1)) // columns
            lines = [natural_lines(name, px, tile_w - 2 * pad, True, 2) for name, _colour in item.teams]
            over = any(metrics.horizontalAdvance(line) > tile_w - 2 * pad for name in lines for line in name)
            tries.append((over, max(len(name) for name in lines) > 1, columns, rows, tile_w, lines))
        one_line = [t for t in tries if not t[0] and not t[1]]
        over, _two, columns, rows, tile_w, lines = (one_line or [t for t in tries if not t[0]] or tries)[0]
        widest = max(metrics.horizontalAdvance(line) for name in lines for line in name)
        tile_w = min(tile_w, max(widest + 6 * pad, width // 4))  # a lone winner's tile, not a full-width bar
        most = max(len(name) for name in lines) + (1 if item.extra else 0)
        tile_h = most * pitch(px) + 2 * pad
        return lines, (columns, rows, tile_w, tile_h, pad, gap), rows * tile_h + (rows - 1) * gap, over

    # ---- drawing ----

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.boxes = self._draw(painter)
        painter.end()

    def text_boxes(self) -> list[TextBox]:
        """What `paintEvent` draws, measured."""
        return measured(self, self._draw)

    def _draw(self, painter: QPainter) -> list[TextBox]:
        painter.fillRect(self.rect(), QColor(self.background))
        H = self.H()  # noqa: N806
        if self.band:
            stripe = int(0.02 * H)
            painter.fillRect(QRect(0, 0, self.width(), stripe), QColor(self.band))
            painter.fillRect(QRect(0, self.height() - stripe, self.width(), stripe), QColor(self.band))
        if self.border:
            width = max(3, int(0.008 * H))
            painter.setPen(QPen(QColor(self.border), width))
            inset = int(0.03 * H)
            painter.drawRoundedRect(QRectF(self.rect().adjusted(inset, inset, -inset, -inset)), 0.02 * H, 0.02 * H)
            painter.setPen(QPen(QColor(self.border), max(1, width // 3)))
            inset2 = inset + 2 * width
            painter.drawRoundedRect(QRectF(self.rect().adjusted(inset2, inset2, -inset2, -inset2)), 0.015 * H, 0.015 * H)
        boxes: list[TextBox] = []
        for kind, item, px, lines, rows, rect in self.plan():
            if kind == "text":
                boxes += draw_lines(painter, lines, px, rect, item.colour, item.bold, Qt.AlignmentFlag.AlignHCenter)
                continue
            columns, row_count, tile_w, tile_h, pad, gap = rows
            used = min(columns, len(item.teams))
            left = rect.left() + (rect.width() - (used * tile_w + (used - 1) * gap)) // 2
            for index, ((name, colour), name_lines) in enumerate(zip(item.teams, lines)):
                row, column = divmod(index, columns)
                in_row = min(columns, len(item.teams) - row * columns)
                row_left = left + (columns - in_row) * (tile_w + gap) // 2 if in_row < used else left
                tile = QRect(row_left + column * (tile_w + gap), rect.top() + row * (tile_h + gap), tile_w, tile_h)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(colour))
                painter.drawRoundedRect(QRectF(tile), pad * 0.6, pad * 0.6)
                text_lines = name_lines + ([item.extra[index]] if item.extra else [])
                block = pitch(px) * len(text_lines)
                inner = QRect(tile.left() + pad, tile.top() + (tile_h - block) // 2, tile_w - 2 * pad, block)
                boxes += draw_lines(painter, text_lines, px, inner, text_on(colour), True, Qt.AlignmentFlag.AlignHCenter)
        return boxes
