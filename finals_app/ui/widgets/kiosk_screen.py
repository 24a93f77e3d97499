"""What every contestant- or audience-facing screen shares: the stage look, no cursor, text
sized from the screen's height, and no closing from that side while it is a kiosk screen."""
from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QWidget

from finals_app.ui import theme


class KioskScreen(QWidget):
    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.kiosk = False  # full screen on a display of its own: only the host console closes it
        self.setWindowTitle(title)
        self.setStyleSheet(theme.SCREEN_STYLE)
        self.setCursor(Qt.CursorShape.BlankCursor)

    def scale(self) -> float:
        return theme.scale_for(max(self.height(), 360))

    def apply_sizes(self) -> None:
        """Set the fonts for the current size (each screen says how)."""

    def fit(self, label: QLabel, largest: float, least: float = 0.03) -> None:
        """The label's text as large as `largest` × H, smaller until it fits its rectangle
        (never below `least` × H, the audience screens' floor)."""
        h = max(self.height(), 1)
        room = label.contentsRect()
        flags = int(label.alignment()) | (int(Qt.TextFlag.TextWordWrap) if label.wordWrap() else 0)
        px = int(largest * h)
        while px > least * h + 1:
            needed = QFontMetrics(theme.font(px, bold=True)).boundingRect(room, flags, label.text())
            if needed.width() <= room.width() and needed.height() <= room.height():
                break
            px -= max(1, px // 40)
        label.setFont(theme.font(max(px, int(least * h + 0.999)), bold=True))

    def text_boxes(self) -> list[tuple[str, object, QRect]]:
        """(where, the text's box on the screen, its rectangle) of every shown label; digits by
        their ink (what the countdown draws)."""
        from finals_app.ui.widgets.countdown import Countdown
        from finals_app.ui.widgets.stage_text import TextBox
        found = []
        for label in self.findChildren(QLabel):
            if not label.isVisible() or not label.text():
                continue
            metrics = QFontMetrics(label.font())
            if isinstance(label, Countdown):
                ink = metrics.tightBoundingRect(label.text())
                box = QRect(0, 0, ink.width(), ink.height())
                box.moveCenter(label.geometry().center())
            else:
                flags = int(label.alignment()) | (int(Qt.TextFlag.TextWordWrap) if label.wordWrap() else 0)
                box = metrics.boundingRect(label.contentsRect(), flags, label.text()).translated(label.pos())
            found.append((label.objectName() or type(label).__name__, TextBox(label.text(), box,
                                                                              label.font().pixelSize()),
                          label.geometry()))
        return found

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.apply_sizes()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.kiosk:
            event.ignore()
        else:
            super().closeEvent(event)
