"""A4 documents drawn page by page with QPainter: headings, lines of text, images and tables
whose header row repeats on every page and whose rows are never split across pages.

Qt's rich-text printing lays out a whole document as one flow (about 2 ms a table row, and it
splits rows whose cells use fonts of different heights); a report of a large organisation has
tens of thousands of rows, so the layout here is computed directly: measure, place, then draw
with "page n of N" at the foot of each page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

FONT = "Noto Sans CJK SC"  # the system family; PDFs embed its text-true copy (fonts.py)


def cjk() -> str:
    """The Chinese family a PDF is drawn with (made and registered on first use)."""
    from finals_app.reports.fonts import pdf_family
    return pdf_family()
# Latin letters and digits from DejaVu Sans: Qt's PDF text layer maps the CJK font's digits
# wrongly (copy and search lost them); every Chinese character still comes from Noto Sans CJK SC.
LATIN = "DejaVu Sans"
RESOLUTION = 300
MARGIN_MM = 15.0


@dataclass
class Heading:
    text: str
    level: int = 2  # 1: the document title (centred), 2: a section


@dataclass
class Lines:
    lines: list[str]


@dataclass
class Picture:
    image: object  # QImage
    width_fraction: float = 1.0


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    widths: list[float]  # relative column widths
    numeric: list[bool] = field(default_factory=list)  # right-aligned columns
    empty: str = "（无）"


def _font(points: float, bold: bool = False):
    from PySide6.QtGui import QFont
    font = QFont()
    font.setFamilies([LATIN, cjk()])
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


class _Layout:
    """Places blocks on pages: each page is a list of drawing steps (callables of a painter)."""

    def __init__(self, writer):
        from PySide6.QtGui import QFontMetricsF
        self.area = writer.pageLayout().paintRectPixels(RESOLUTION)
        self.writer = writer
        self.body = _font(10)
        self.metrics = QFontMetricsF(self.body, writer)
        chinese = _font(10)
        chinese.setFamilies([cjk()])  # every line as tall as a Chinese one, whatever its script
        self.line = QFontMetricsF(chinese, writer).lineSpacing()
        self.padding = self.line * 0.25
        self.footer = self.line * 2
        self.bottom = self.area.height() - self.footer
        self.pages: list[list] = [[]]
        self.y = 0.0
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QColor, QPen
        wrap = Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap  # at spaces and between Chinese characters
        # Computed once: flag arithmetic and colours per cell cost more than drawing the text.
        self.style = {"bold": _font(10, bold=True), "header_fill": QColor("#dde4ee"), "grid": QPen(QColor("#555555"), 2),
                      "ink": QColor("black"), "centre": int(Qt.AlignmentFlag.AlignHCenter | wrap),
                      "right": int(Qt.AlignmentFlag.AlignRight | wrap), "left": int(Qt.AlignmentFlag.AlignLeft | wrap)}

    def _room(self, height: float) -> None:
        if self.y + height > self.bottom and self.y > 0:
            self.pages.append([])
            self.y = 0.0

    def _step(self, step) -> None:
        self.pages[-1].append(step)

    def heading(self, block: Heading) -> None:
        from PySide6.QtCore import QRectF, Qt
        from PySide6.QtGui import QFontMetricsF
        font = _font(18 if block.level == 1 else 13, bold=True)
        chinese = _font(18 if block.level == 1 else 13, bold=True)
        chinese.setFamilies([cjk()])
        lines = block.text.split("\n")
        height = max(QFontMetricsF(font, self.writer).lineSpacing(),
                     QFontMetricsF(chinese, self.writer).lineSpacing()) * len(lines) * 1.1
        gap = self.line * (0.2 if block.level == 1 else 0.8)
        self._room(gap + height + self.line * 4)  # a heading stays with what follows it
        top = self.y + (gap if self.y > 0 else 0)
        rect = QRectF(0, top, self.area.width(), height)
        flags = (Qt.AlignmentFlag.AlignHCenter if block.level == 1 else Qt.AlignmentFlag.AlignLeft)

        def draw(painter, rect=rect, font=font, text=block.text, flags=flags):
            painter.setFont(font)
            painter.drawText(rect, int(flags | Qt.AlignmentFlag.AlignTop), text)
        self._step(draw)
        self.y = top + height + self.line * 0.3

    def lines(self, block: Lines) -> None:
        from PySide6.QtCore import QRectF, Qt
        for text in block.lines:
            self._room(self.line)
            rect = QRectF(0, self.y, self.area.width(), self.line)

            def draw(painter, rect=rect, text=text):
                painter.setFont(self.body)
                painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
            self._step(draw)
            self.y += self.line
        self.y += self.line * 0.3

    def picture(self, block: Picture) -> None:
        from PySide6.QtCore import QRectF
        width = self.area.width() * block.width_fraction
        height = width * block.image.height() / block.image.width()
        self._room(height + self.line * 0.5)
        rect = QRectF(0, self.y + self.line * 0.25, width, height)
        self._step(lambda painter, rect=rect, image=block.image: painter.drawImage(rect, image))
        self.y += height + self.line * 0.5

    def _row_height(self, cells: list[str], widths: list[float]) -> float:
        from PySide6.QtCore import QRectF, Qt
        lines = 1
        for text, width in zip(cells, widths):
            room = width - 2 * self.padding
            if text and self.metrics.horizontalAdvance(text) > room:
                box = self.metrics.boundingRect(QRectF(0, 0, room, 1e6),
                                                int(Qt.TextFlag.TextWordWrap), text)
                lines = max(lines, round(box.height() / self.metrics.lineSpacing()) or 1)
        return lines * self.line + 2 * self.padding

    def table(self, block: Table) -> None:
        rows = [["" if c is None else str(c) for c in row] for row in block.rows]
        headers = [str(h) for h in block.headers]
        widths = self._fit_widths(headers, rows, block.widths)
        numeric = block.numeric or [False] * len(widths)
        headers = [self._header_lines(text, width) for text, width in zip(headers, widths)]
        header_height = self._row_height(headers, widths)
        spans = False
        if not rows:
            rows, spans = [[block.empty]], True
        first = True
        for cells in rows:
            height = self._row_height(cells, [self.area.width()] if spans else widths)
            if first or self.y + height > self.bottom:
                self._room(header_height + height)
                self._row(headers, widths, [False] * len(widths), header_height, header=True)
                first = False
            self._row(cells, [self.area.width()] if spans else widths, [False] if spans else numeric, height)
        self.y += self.line * 0.3

    def _fit_widths(self, headers: list[str], rows: list[list[str]], weights: list[float]) -> list[float]:
        """The columns' widths from their weights, but never narrower than a word of the header
        (a header breaks only at its spaces: never "必 / 答题") nor than a Latin or digit token of
        a cell (a time never breaks as "06:02 / :10"); the others give way."""
        from PySide6.QtGui import QFontMetricsF
        bold = QFontMetricsF(self.style["bold"], self.writer)
        body = self.metrics
        room = self.area.width()
        pad = 2 * self.padding + 2
        need = []
        for index, header in enumerate(headers):
            widest = max((bold.horizontalAdvance(word) for word in header.split()), default=0.0)
            for row in rows[:2000]:
                if index < len(row):
                    for token in row[index].split():
                        if not any(ord(ch) > 0x2E7F for ch in token):
                            widest = max(widest, body.horizontalAdvance(token))
            need.append(min(widest + pad, room * 0.4))
        total = sum(weights)
        widths = [room * w / total for w in weights]
        if sum(need) >= room:
            return [room * n / sum(need) for n in need]
        for _ in range(len(widths)):
            short = [i for i, w in enumerate(widths) if w < need[i] - 0.01]
            if not short:
                break
            extra = sum(need[i] - widths[i] for i in short)
            for i in short:
                widths[i] = need[i]
            loose = [i for i in range(len(widths)) if i not in short and widths[i] > need[i]]
            spare = sum(widths[i] - need[i] for i in loose)
            for i in loose:
                widths[i] -= extra * (widths[i] - need[i]) / spare if spare else 0
        return widths

    def _header_lines(self, text: str, width: float) -> str:
        """A header's words packed into lines that fit the column: breaks only at spaces."""
        from PySide6.QtGui import QFontMetricsF
        bold = QFontMetricsF(self.style["bold"], self.writer)
        room = width - 2 * self.padding - 2
        lines: list[str] = []
        for word in text.split():
            if lines and bold.horizontalAdvance(lines[-1] + " " + word) <= room:
                lines[-1] += " " + word
            else:
                lines.append(word)
        return "\n".join(lines) or text

    def _row(self, cells, widths, numeric, height, header: bool = False) -> None:
        from PySide6.QtCore import QRectF
        top = self.y
        self.y += height
        pad = self.padding
        style = self.style

        def draw(painter, cells=cells, widths=widths, numeric=numeric, top=top, height=height):
            x = 0.0
            painter.setFont(style["bold"] if header else self.body)
            for text, width, right in zip(cells, widths, numeric):
                rect = QRectF(x, top, width, height)
                if header:
                    painter.fillRect(rect, style["header_fill"])
                painter.setPen(style["grid"])
                painter.drawRect(rect)
                painter.setPen(style["ink"])
                flags = style["centre"] if header else style["right"] if right else style["left"]
                painter.drawText(rect.adjusted(pad, pad, -pad, -pad), flags, text)
                x += width
        self._step(draw)


def write_document(path: Path, title: str, blocks: list) -> int:
    """Draw `blocks` on A4 pages into a PDF at `path`; returns the number of pages."""
    from PySide6.QtCore import QMarginsF, QRectF, Qt
    from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter

    writer = QPdfWriter(str(path))
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM)))
    writer.setResolution(RESOLUTION)
    writer.setTitle(title)
    layout = _Layout(writer)
    place = {Heading: layout.heading, Lines: layout.lines, Picture: layout.picture, Table: layout.table}
    for block in blocks:
        place[type(block)](block)
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write {path}")
    try:
        count = len(layout.pages)
        for number, steps in enumerate(layout.pages, start=1):
            if number > 1:
                writer.newPage()
            for step in steps:
                step(painter)
            painter.setFont(layout.body)
            painter.drawText(QRectF(0, layout.area.height() - layout.line, layout.area.width(), layout.line),
                             int(Qt.AlignmentFlag.AlignCenter), f"第 {number} 页 / 共 {count} 页")
    finally:
        painter.end()
    return count
