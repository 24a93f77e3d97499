"""The period report: its figures match the plain-Python reference person by person, and every
figure in the PDF (text extracted) and the XLSX (read back) is those figures; phones masked; A4
pages numbered; wrong requests write nothing."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook

from finals_app.cli import main
from finals_app.core.online import paperwork
from finals_app.core.online.results import Results
from finals_app.core.rules import parse_rules
from finals_app.core.store.engine import open_store
from tests.conftest import small_rules_text
from tests.core.online.reference import Reference
from tests.pdf_text import pdf_pages

SEED = "report-seed"
LOTTERY_DAYS = tuple(date(2017, 12, day) for day in range(18, 24))  # the 24th is left undrawn


@pytest.fixture
def store(tmp_path, sample_export):
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(small_rules_text(), encoding="utf-8")
    base = ["--store", str(tmp_path / "s.sqlite"), "--rules", str(rules_file)]
    assert main([*base, "sync", str(sample_export)], io.StringIO(), io.StringIO()) == 0
    assert main([*base, "awards", "--period", "P1", "--seed", SEED], io.StringIO(), io.StringIO()) == 0
    for day in LOTTERY_DAYS:
        assert main([*base, "lottery", "--day", day.isoformat(), "--seed", SEED], io.StringIO(), io.StringIO()) == 0
    return base


def _committee(tmp_path) -> int:
    engine = open_store(str(tmp_path / "s.sqlite"))
    try:
        results = Results(engine, parse_rules(small_rules_text(), "small"))
        return paperwork.excellent_organisations(results, "P1")[0]["committee_id"], results
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def reference(sample_export, small_rules):
    return Reference.from_export(sample_export, small_rules)


def _report_data(tmp_path, org_id: int):
    engine = open_store(str(tmp_path / "s.sqlite"))
    try:
        return paperwork.period_report_data(Results(engine, parse_rules(small_rules_text(), "small")), org_id, "P1")
    finally:
        engine.dispose()


def _branch_with_absentees(reference) -> int:
    return next(org for org, (_, _, level) in sorted(reference.orgs.items()) if level == "branch"
                and (report := reference.period_report(org, "P1", SEED))["absent"] and report["participants"])


def test_report_figures_match_the_reference(tmp_path, store, reference):
    committee, _ = _committee(tmp_path)
    for org in (committee, _branch_with_absentees(reference)):
        expected = reference.period_report(org, "P1", SEED, LOTTERY_DAYS)
        data = _report_data(tmp_path, org)
        for key in ("party_members", "participants", "total", "valid_attempts", "share_bonus_attempts"):
            assert data[key] == expected[key], (org, key)
        assert data["participation_rate"] == expected["participants"] / expected["party_members"]
        assert data["score"] == expected["total"] / expected["party_members"]
        assert [d["participants"] for d in data["daily"]] == expected["daily"] and sum(expected["daily"]) > 0
        assert [d["day"] for d in data["daily"]] == results_days("P1")
        assert {b["branch_id"]: (b["party_members"], b["participants"], b["score"]) for b in data["branches"]} \
            == expected["branches"]
        assert [p["participant_id"] for p in data["pioneers"]] == expected["pioneers"]
        assert [(m["participant_id"], m["rank"], m["score"]) for m in data["members"]] == expected["members"]
        assert [m["participant_id"] for m in data["absent"]] == expected["absent"]
        assert [(w["day"], w["participant_id"]) for w in data["lottery_winners"]] == expected["lottery_winners"]
        assert data["lottery_undrawn"] == [date(2017, 12, 24)]


def results_days(period: str) -> list:
    return parse_rules(small_rules_text(), "small").phase(period).days()


def _pdf_text(path) -> str:
    return "\f".join(pdf_pages(path))


def _row(*cells) -> re.Pattern:
    """A table row in pdftotext's layout: the cells in order, separated by blanks only."""
    return re.compile(r"(?m)^\s*" + r"\s+".join(re.escape(str(c)) for c in cells) + r"\s*$")


def test_pdf_report_text_matches_the_reference(tmp_path, store, reference):
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed (scripts/setup.sh installs it)")
    committee, _ = _committee(tmp_path)
    target = tmp_path / "report.pdf"
    assert main([*store, "report", "--org", str(committee), "--period", "P1", "--out", str(target)],
                io.StringIO(), io.StringIO()) == 0
    text = _pdf_text(target)
    expected = reference.period_report(committee, "P1", SEED, LOTTERY_DAYS)
    data = _report_data(tmp_path, committee)
    assert "第1期汇报材料" in text and data["org"]["name"] in text and f"ID {committee}" not in text
    assert "竞赛时间：2017年12月18日至2017年12月24日" in text  # no internal ids, dates as written in Chinese
    for label, figure in (("登记党员", expected["party_members"]), ("参与人数（至少一次有效答题）", expected["participants"]),
                          ("参与率", f"{expected['participants'] / expected['party_members'] * 100:.2f}%"),
                          ("有效答题次数", expected["valid_attempts"]),
                          ("分享朋友圈获赠答题次数（已使用）", expected["share_bonus_attempts"]),
                          ("党员总得分", expected["total"])):
        assert _row(label, figure).search(text), (label, figure)
    days = results_days("P1")
    for first in range(0, len(days), 4):  # the daily table: four (date, count) pairs a line
        pairs = [(f"{day:%m-%d}", expected["daily"][first + i]) for i, day in enumerate(days[first:first + 4])]
        assert _row(*[v for pair in pairs for v in pair]).search(text), pairs
    names = {org: name for org, (_, name, _) in reference.orgs.items()}
    for branch, (members, took, score) in expected["branches"].items():
        assert _row(names[branch], members, took, f"{took / members * 100:.2f}%", f"{score:.2f}").search(text), branch
    for person, rank, score in expected["members"]:
        name, _, _, branch = reference.people[person]
        share = sum(1 for a in reference.valid("P1") if a.person == person and a.share_credit)
        valid = sum(1 for a in reference.valid("P1") if a.person == person)
        assert _row(rank, name, names[branch], valid, share, score).search(text), person
    for order, person in enumerate(expected["absent"], start=1):
        name, phone, _, branch = reference.people[person]
        assert _row(order, name, names[branch], phone[:3] + "****" + phone[-4:] if phone else "").search(text), person
        assert not phone or phone not in text
    assert expected["lottery_winners"]  # the committee has winners to list
    for day, person in expected["lottery_winners"]:
        name, _, _, branch = reference.people[person]
        assert _row(day.isoformat(), name, names[branch]).search(text), (day, person)
    assert "优秀组织奖" in text  # the first of the excellent organisations says so
    pages = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True).stdout
    assert "595 x 842 pts (A4)" in pages
    count = int(re.search(r"Pages:\s+(\d+)", pages).group(1))
    pages_text = [page.replace(" ", "") for page in text.split("\f")]
    assert count > 1 and all(f"第{n}页/共{count}页" in pages_text[n - 1] for n in range(1, count + 1))


def test_xlsx_report_reads_back_as_the_reference(tmp_path, store, reference):
    committee, _ = _committee(tmp_path)
    target = tmp_path / "report.xlsx"
    assert main([*store, "report", "--org", str(committee), "--period", "P1", "--out", str(target)],
                io.StringIO(), io.StringIO()) == 0
    book = load_workbook(target)
    assert book.sheetnames == ["概况", "每日参与", "各党支部", "学习先锋", "每日参与奖", "个人成绩", "未参与党员"]
    expected = reference.period_report(committee, "P1", SEED, LOTTERY_DAYS)
    overview = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert overview["登记党员"] == expected["party_members"] and overview["参与人数"] == expected["participants"]
    assert overview["参与率"] == expected["participants"] / expected["party_members"]
    assert overview["党员总得分"] == expected["total"] and overview["有效答题次数"] == expected["valid_attempts"]
    assert overview["分享获赠答题次数"] == expected["share_bonus_attempts"]
    daily = list(book["每日参与"].iter_rows(min_row=2, values_only=True))
    assert [(d.date(), n) for d, n in daily] == list(zip(results_days("P1"), expected["daily"]))
    assert book["每日参与"]["A2"].number_format == "yyyy-mm-dd"
    branches = {row[0]: (row[2], row[3], row[5]) for row in book["各党支部"].iter_rows(min_row=2, values_only=True)}
    assert branches == expected["branches"]
    assert [row[0] for row in book["学习先锋"].iter_rows(min_row=2, values_only=True)] == expected["pioneers"]
    members = [(row[1], row[0], row[6]) for row in book["个人成绩"].iter_rows(min_row=2, values_only=True)]
    assert members == expected["members"] and all(isinstance(m[2], int) for m in members)
    assert [row[0] for row in book["未参与党员"].iter_rows(min_row=2, values_only=True)] == expected["absent"]
    assert [(row[0].date(), row[1]) for row in book["每日参与奖"].iter_rows(min_row=2, values_only=True)] \
        == expected["lottery_winners"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and all(cell.font.bold for cell in sheet[1])
    assert book["概况"]["B7"].number_format == "0.00%"


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
