"""The text of a PDF as a reader sees it. The CJK font shares glyphs between ideographs and
radicals (十/⼗, 青/⻘), and Qt's PDF text layer names the radical: map them back."""
from __future__ import annotations

import subprocess
import unicodedata

RADICALS = str.maketrans("⻘⻓⻔⻢⻛⻋⻜⻝⻄⻅⻆⻉⻚⻥⻦⻩⻬⻮⻯⻳⻙⻈⻖⻗⻨⻪", "青长门马风车飞食西见角贝页鱼鸟黄齐齿龙龟韦讠阝雨麦黾")


def pdf_pages(path) -> list[str]:
    """Each page's text in pdftotext's layout mode."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFKC", text).translate(RADICALS).split("\f")[:-1]
