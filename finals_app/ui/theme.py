"""Look of every screen: the CJK font family set explicitly (else Japanese glyph forms appear),
high-contrast colours, and sizes derived from the screen so the back of a hall can read them."""
from __future__ import annotations

from PySide6.QtGui import QColor, QFont

from finals_app.core.stage.palette import ACCENT, BACKGROUND, DANGER, GOOD, MUTED, PANEL, TEXT  # noqa: F401

FONT_FAMILY = "Noto Sans CJK SC"


def font(pixel_size: int, bold: bool = False) -> QFont:
    chosen = QFont(FONT_FAMILY)
    chosen.setPixelSize(max(8, int(pixel_size)))
    chosen.setBold(bold)
    return chosen


def text_width(text: str, pixel_size: int, bold: bool = False) -> int:
    from PySide6.QtGui import QFontMetrics
    return QFontMetrics(font(pixel_size, bold)).horizontalAdvance(text)


def colour(hex_text: str) -> QColor:
    return QColor(hex_text)


def scale_for(height_px: int) -> float:
    """1.0 on a 1080-line screen; text sizes are multiplied by it."""
    return max(0.4, height_px / 1080)


SCREEN_STYLE = f"background-color: {BACKGROUND}; color: {TEXT};"
