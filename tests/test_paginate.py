"""The page layout of our PDFs: a long table repeats its header on every page, never splits a
row across pages, wraps a long cell inside its row, and numbers the pages "n / N"."""
from __future__ import annotations

import re
import shutil

import pytest

from finals_app.reports.paginate import Heading, Lines, Table, write_document
from finals_app.reports.qt import qt_application
from tests.pdf_text import pdf_pages


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed (scripts/setup.sh)")
def test_long_table_pages(tmp_path):
    qt_application()
    rows = [[i, f"张{'三丰' if i % 2 else '伟'}", "某某市第一党委第三党支部" * (3 if i == 77 else 1), i * 5]
            for i in range(1, 301)]
    target = tmp_path / "t.pdf"
    pages = write_document(target, "t", [Heading("标题\n第二行", level=1), Lines(["说明一行"]), Heading("一、名单"),
                                         Table(["名次", "姓名", "党支部", "得分"], rows, [1, 1.5, 4, 1],
                                               [True, False, False, True])])
    texts = pdf_pages(target)
    assert pages >= 5 and len(texts) == pages
    seen = []
    for number, text in enumerate(texts, start=1):
        assert re.search(r"名次\s+姓名\s+党支部\s+得分", text), number  # the header on every page
        assert f"第{number}页/共{pages}页" in text.replace(" ", "")
        seen += [int(m.group(1)) for m in re.finditer(r"(?m)^\s*(\d+)\s+张\S+\s+某某市\S*\s+(\d+)\s*$", text)
                 if int(m.group(2)) == int(m.group(1)) * 5]
    assert sorted(set(seen) | {77}) == list(range(1, 301))  # every row whole on one line (77 wraps)
    assert "某某市第一党委第三党支部某某市第一党委" in "".join(texts).replace(" ", "").replace("\n", "")
