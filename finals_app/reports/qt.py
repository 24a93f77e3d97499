"""The Qt application a PDF needs (fonts, painting), on the offscreen platform when there is no
display. A QApplication (not only a QGuiApplication), so that windows can share the process."""
from __future__ import annotations

import os


def qt_application():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication
    return QApplication.instance() or QApplication([])
