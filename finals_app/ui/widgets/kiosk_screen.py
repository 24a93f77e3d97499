"""What every contestant- or audience-facing screen shares: the stage look, no cursor, text
sized from the screen's height, and no closing from that side while it is a kiosk screen."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

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

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.apply_sizes()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.kiosk:
            event.ignore()
        else:
            super().closeEvent(event)
