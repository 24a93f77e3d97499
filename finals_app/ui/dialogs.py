"""The one yes/no confirmation of the windows (the host console, the office): No is the default."""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox
from finals_app.core.i18n import _



def ask_yes_no(parent, text: str) -> bool:
    answer = QMessageBox.question(parent, _("Please confirm"), text,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes
