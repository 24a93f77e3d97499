"""The one yes/no confirmation of the windows (the host console, the office): No is the default."""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from finals_app.ui.texts import ui


def ask_yes_no(parent, text: str) -> bool:
    answer = QMessageBox.question(parent, ui("请确认"), text,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes
