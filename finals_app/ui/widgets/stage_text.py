"""Text on a stage screen, set like a typesetter would: lines broken by Qt's Unicode line
breaking (no 。，at a line's start) or at the natural points core/stage/display.py names, a CJK
line pitch of 1.3 em, and every line's box kept so tests can measure what is drawn."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QTextLayout, QTextOption

from finals_app.core.stage.display import break_lines
from finals_app.ui import theme

LEADING = 1.3  # line pitch of wrapped text, in em
FLAGS = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine
            | Qt.TextFlag.TextDontClip)


@dataclass
class TextBox:
    """One drawn line: its words, its box on the widget, its pixel size."""
    text: str
    rect: QRect
    px: int


def pitch(px: int) -> int:
    return round(px * LEADING)


def wrap(text: str, px: int, width: int, bold: bool = False, first_indent: int = 0) -> list[str]:
    """`text` wrapped to `width` at `px` as Qt breaks it (Unicode rules: no closing punctuation
    at a line's start, Latin words whole); the first line `first_indent` shorter."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        layout = QTextLayout(paragraph, theme.font(px, bold))
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        layout.beginLayout()
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(max(1, width - (first_indent if not lines else 0)))
            lines.append(paragraph[line.textStart():line.textStart() + line.textLength()].rstrip())
        layout.endLayout()
    return lines


def width_of(text: str, px: int, bold: bool = False) -> int:
    return QFontMetrics(theme.font(px, bold)).horizontalAdvance(text)


def natural_lines(text: str, px: int, room: int, bold: bool = False, max_lines: int = 4) -> list[str]:
    """`text` broken only at natural points (never inside 竞赛), for names and titles."""
    metrics = QFontMetrics(theme.font(px, bold))
    return break_lines(text, metrics.horizontalAdvance, room, max_lines)


def draw_lines(painter: QPainter, lines: list[str], px: int, rect: QRect, colour: str, bold: bool = False,
               align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft, first_indent: int = 0) -> list[TextBox]:
    """Lines at `px` from `rect`'s top, each in a box one pitch tall, aligned in `rect` (the
    first `first_indent` in from the left)."""
    font = theme.font(px, bold)
    metrics = QFontMetrics(font)
    painter.setFont(font)
    painter.setPen(QColor(colour))
    boxes = []
    y = rect.top()
    for line in lines:
        advance = metrics.horizontalAdvance(line)
        if align == Qt.AlignmentFlag.AlignHCenter:
            x = rect.left() + (rect.width() - advance) // 2
        elif align == Qt.AlignmentFlag.AlignRight:
            x = rect.right() + 1 - advance
        else:
            x = rect.left() + (first_indent if not boxes else 0)
        box = QRect(x, y, advance, pitch(px))
        painter.drawText(box.adjusted(0, 0, 2, 0), FLAGS, line)
        boxes.append(TextBox(line, box, px))
        y += pitch(px)
    return boxes


def measured(widget, draw) -> list[TextBox]:
    """The boxes `draw(painter)` would paint on `widget`, painted on a throwaway image."""
    from PySide6.QtGui import QImage
    image = QImage(max(1, widget.width()), max(1, widget.height()), QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        return draw(painter)
    finally:
        painter.end()
