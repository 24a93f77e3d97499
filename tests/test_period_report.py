"""The period report: every figure in the PDF (text extracted) and the XLSX (read back) matches
the ledger of the same store; phones masked; A4 pages numbered; wrong requests write nothing."""
from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata

import pytest
from openpyxl import load_workbook

from finals_app.cli import main
from finals_app.core.online import paperwork
from finals_app.core.online.results import Results
from finals_app.core.rules import parse_rules
from finals_app.core.store.engine import open_store
from tests.conftest import small_rules_text

SEED = "report-seed"
RADICALS = str.maketrans("⻘⻓⻔⻢⻛⻋⻜⻝⻄⻅⻆⻉⻚⻥⻦⻩⻬⻮⻯⻳", "青长门马风车飞食西见角贝页鱼鸟黄齐齿龙龟")


@pytest.fixture
def store(tmp_path, sample_export):
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(small_rules_text(), encoding="utf-8")
    base = ["--store", str(tmp_path / "s.sqlite"), "--rules", str(rules_file)]
    assert main([*base, "sync", str(sample_export)], io.StringIO(), io.StringIO()) == 0
    assert main([*base, "awards", "--period", "P1", "--seed", SEED], io.StringIO(), io.StringIO()) == 0
    return base


def _committee(tmp_path) -> int:
    engine = open_store(str(tmp_path / "s.sqlite"))
    try:
        results = Results(engine, parse_rules(small_rules_text(), "small"))
        return paperwork.excellent_organisations(results, "P1")[0]["committee_id"], results
    finally:
        engine.dispose()


def test_pdf_report_text_matches_the_data(tmp_path, store):
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed (scripts/setup.sh installs it)")
    committee, results = _committee(tmp_path)
    target = tmp_path / "report.pdf"
    assert main([*store, "report", "--org", str(committee), "--period", "P1", "--out", str(target)],
                io.StringIO(), io.StringIO()) == 0
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True).stdout
    # The CJK font shares glyphs between ideographs and radicals (十/⼗, 青/⻘), and the PDF's text
    # layer names the radical: compare what a reader sees.
    text = unicodedata.normalize("NFKC", text).translate(RADICALS)
    engine = open_store(str(tmp_path / "s.sqlite"))
    try:
        data = paperwork.period_report_data(Results(engine, results.rules), committee, "P1")
    finally:
        engine.dispose()
    assert "P1 期汇报材料" in text and data["org"]["name"] in text
    for figure in (data["party_members"], data["participants"], data["total"], data["share_bonus_attempts"],
                   f"{data['participation_rate'] * 100:.2f}%", f"{data['score']:.2f}"):
        assert str(figure) in text, figure
    for member in data["absent"]:
        assert member["name"] in text
        if member["phone"]:
            assert member["phone"] not in text and member["phone"][:3] + "****" in text
    assert "优秀组织奖" in text  # the first of the excellent organisations says so
    pages = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True).stdout
    assert "595 x 842 pts (A4)" in pages


def test_xlsx_report_reads_back(tmp_path, store):
    committee, results = _committee(tmp_path)
    target = tmp_path / "report.xlsx"
    assert main([*store, "report", "--org", str(committee), "--period", "P1", "--out", str(target)],
                io.StringIO(), io.StringIO()) == 0
    book = load_workbook(target)
    assert book.sheetnames == ["概况", "每日参与", "各党支部", "学习先锋", "个人成绩", "未参与党员"]
    overview = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    engine = open_store(str(tmp_path / "s.sqlite"))
    try:
        data = paperwork.period_report_data(Results(engine, results.rules), committee, "P1")
    finally:
        engine.dispose()
    assert overview["登记党员"] == data["party_members"] and overview["参与率"] == data["participation_rate"]
    assert book["概况"].freeze_panes == "A2"
    assert book["概况"]["B7"].number_format == "0.00%"
    scores = [row[6] for row in book["个人成绩"].iter_rows(min_row=2, values_only=True)]
    assert scores == [m["score"] for m in data["members"]] and all(isinstance(s, int) for s in scores)


@pytest.mark.parametrize("args, needle", [
    (["--org", "999999", "--period", "P1", "--out", "r.pdf"], "no branch/committee/unit with id 999999"),
    (["--org", "2", "--period", "P9", "--out", "r.pdf"], "no period P9"),
    (["--org", "2", "--period", "P1", "--out", "r.docx"], "give --out FILE.pdf or FILE.xlsx"),
])
def test_wrong_requests_write_nothing(tmp_path, store, args, needle, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = io.StringIO()
    assert main([*store, "report", *args], io.StringIO(), err) == 2
    assert needle in err.getvalue()
    assert not list(tmp_path.glob("r.*"))
