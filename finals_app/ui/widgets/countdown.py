"""A large countdown: whole seconds, turning red in the last five."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from finals_app.ui import theme

WARNING_MS = 5_000


def seconds_text(remaining_ms: int) -> str:
    """Seconds shown rounded up: 19.2 s left shows 20 until it has really passed 19."""
    return str((max(0, remaining_ms) + 999) // 1000)


class Countdown(QLabel):
    def __init__(self, parent=None, normal_colour: str = theme.TEXT):
        super().__init__("", parent)
        self.normal_colour = normal_colour
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.remaining_ms = -1
        self.show_ms(-1)

    def show_ms(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms
        if remaining_ms < 0:
            self.setText("")
            return
        warning = remaining_ms <= WARNING_MS
        self.setText(seconds_text(remaining_ms))
        colour = theme.DANGER if warning else self.normal_colour
        self.setStyleSheet(f"color: {colour};")

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """The digits as tall as the font: centred on their own ink, not on the line's box, so
        a 0.15 H timer fits a 0.15 H band."""
        from PySide6.QtGui import QColor, QFontMetrics, QPainter
        if not self.text():
            return
        painter = QPainter(self)
        painter.setFont(self.font())
        painter.setPen(QColor(theme.DANGER if self.warning else self.normal_colour))
        ink = QFontMetrics(self.font()).tightBoundingRect(self.text())
        x = (self.width() - ink.width()) / 2 - ink.left()
        y = (self.height() - ink.height()) / 2 - ink.top()
        painter.drawText(int(x), int(y), self.text())
        painter.end()

    @property
    def warning(self) -> bool:
        return 0 <= self.remaining_ms <= WARNING_MS
