"""The Chinese font every PDF embeds, made so that the PDF's text is true.

Noto Sans CJK draws an ideograph and the radical of the same shape with one glyph (一 and ⼀,
青 and ⻘, 支 and ⽀). Qt's PDF writer names each glyph in the text layer by one of the code
points that map to it, and picks the radical: the page looks right, but copying, searching or
`pdftotext` gives ⼀等奖, ⻘岛, 党⽀部. The root cure is the font itself: a copy of Noto Sans
CJK SC whose character map no longer lists the Kangxi radicals, the CJK radicals supplement and
the compatibility ideographs, so that each shared glyph has one name, the ideograph's. The copy
is made once with fontTools (only the `cmap` and `name` tables change; a few seconds) into the
user's cache folder and registered with Qt for the process.
"""
from __future__ import annotations

import os
from pathlib import Path

from finals_app.core.errors import FinalsError

SOURCE_FAMILY = "Noto Sans CJK SC"
TEXT_FAMILY = "Noto Sans CJK SC Text"
PACKAGE = "fonts-noto-cjk"
SOURCES = {"Regular": ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf"),
           "Bold": ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold.otf")}
FOLDERS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/noto-cjk", "/usr/share/fonts/google-noto-cjk",
           "/usr/local/share/fonts", str(Path.home() / ".local/share/fonts"))
# Code points that share glyphs with unified ideographs: the text layer must never use them.
SHADOW_RANGES = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
VERSION = "1"
_registered: dict = {}


def missing_font() -> FinalsError:
    """The refusal when the Chinese font is not installed: no PDF is written without it."""
    return FinalsError("the Chinese font {family} is not installed, so no PDF can be written: install the "
                       "package {package} (Debian: apt-get install {package}; scripts/setup.sh does it)",
                       family=SOURCE_FAMILY, package=PACKAGE)


def _cache_folder() -> Path:
    chosen = os.environ.get("FINALS_APP_FONT_CACHE")
    if chosen:
        return Path(chosen)
    import platformdirs
    return Path(platformdirs.user_cache_dir("finals-app", appauthor=False)) / "fonts"


def _find(file_name: str) -> Path | None:
    for folder in FOLDERS:
        for found in Path(folder).rglob(file_name) if Path(folder).is_dir() else ():
            return found
    return None


def text_font_file(weight: str) -> Path:
    """The cleaned copy of one weight, made when missing."""
    collection_name, single_name = SOURCES[weight]
    target = _cache_folder() / f"{TEXT_FAMILY.replace(' ', '')}-{weight}-v{VERSION}.otf"
    if target.exists():
        return target
    source = _find(collection_name) or _find(single_name)
    if source is None:
        raise missing_font()
    from fontTools.ttLib import TTCollection, TTFont
    if source.suffix.lower() == ".ttc":
        opened = TTCollection(str(source), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
        font = next((f for f in opened.fonts if f["name"].getDebugName(1) == SOURCE_FAMILY), None)
    else:
        opened = font = TTFont(str(source), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    try:  # lazy: the source stays open until the copy is written, then is closed
        if font is None:
            raise FinalsError("{path} has no {family} face", path=str(source), family=SOURCE_FAMILY)
        _clean(font, weight)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + f".{os.getpid()}.partial")
        try:
            font.save(str(temporary))
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
    finally:
        opened.close()
    return target


def _clean(font, weight: str) -> None:
    """Drop the shadowing cmap entries and give the copy its own family name."""
    for table in font["cmap"].tables:
        for code in [c for c in table.cmap if any(low <= c <= high for low, high in SHADOW_RANGES)]:
            del table.cmap[code]
    for record in list(font["name"].names):
        if record.nameID in (1, 16):
            record.string = TEXT_FAMILY
        elif record.nameID in (3, 4):
            record.string = f"{TEXT_FAMILY} {weight}"
        elif record.nameID == 6:
            record.string = f"{TEXT_FAMILY.replace(' ', '')}-{weight}"


def pdf_family() -> str:
    """Register the cleaned Chinese font with Qt (once per process) and return its family."""
    if "family" in _registered:
        return _registered["family"]
    from PySide6.QtGui import QFontDatabase
    for weight in SOURCES:
        path = text_font_file(weight)
        if QFontDatabase.addApplicationFont(str(path)) < 0:
            raise FinalsError("Qt cannot load the font {path}: remove it, it is made again", path=str(path))
    _registered["family"] = TEXT_FAMILY
    return TEXT_FAMILY
