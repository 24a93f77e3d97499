"""The Qt application a PDF needs (fonts, painting), on the offscreen platform when there is no
display. A QApplication (not only a QGuiApplication), so that windows can share the process.
A PDF is never written without its Chinese font: the font database is asked first."""
from __future__ import annotations

import os

from finals_app.reports import fonts


def qt_application():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication([])
    require_cjk_font()
    return app


def require_cjk_font() -> None:
    """Refuse, naming the package, when the Chinese font is missing: Qt would otherwise draw
    every Chinese character as an empty box and the PDF would look written but say nothing."""
    from PySide6.QtGui import QFontDatabase
    if fonts.SOURCE_FAMILY not in QFontDatabase.families():
        raise fonts.missing_font()
