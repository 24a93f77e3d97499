"""The text of a PDF as a reader sees it: exactly what pdftotext gives, nothing mapped back. The
PDFs embed a copy of the Chinese font without the radicals' code points (finals_app/reports/
fonts.py), so every character must come back as itself."""
from __future__ import annotations

import subprocess


def pdf_pages(path) -> list[str]:
    """Each page's text in pdftotext's layout mode."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def pdf_text(path, layout: bool = False) -> str:
    argv = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout
