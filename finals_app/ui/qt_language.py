"""Qt's own words in the interface's language: with zh_CN the standard buttons and dialogs say
确定/取消, 是/否 (Qt's bundled qtbase_zh_CN translation), not OK/Cancel."""
from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

from finals_app.core.i18n import current_language

_installed: list = []  # the translators live as long as the application


def install_qt_translations(app) -> bool:
    """Load Qt's translation for the interface's language; True when one was installed."""
    if current_language() != "zh_CN":
        return False
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load("qtbase_zh_CN", folder):
        return False
    app.installTranslator(translator)
    _installed.append(translator)
    return True
