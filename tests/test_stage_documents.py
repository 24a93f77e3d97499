"""Certificates and the results report: refused before the last sign-off; after it, one page per
prize-winning member with name, prize, unit and judges; the report's figures from the journal."""
from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from finals_app.cli import main
from finals_app.core.stage.engine import StageEngine
from tests.pdf_text import pdf_text


def _play_to_the_end(engine: StageEngine, sign: bool) -> None:
    run = engine.execute
    run({"cmd": "next_round"})
    for verdict in ("correct", "correct", "wrong", "wrong"):
        run({"cmd": "show_question"})
        run({"cmd": verdict})
    run({"cmd": "next_round"})
    for winner in ("a", "b", "c"):
        for command in ({"cmd": "show_question"}, {"cmd": "open_buzzers", "t_ms": 0},
                        {"cmd": "press", "team": winner, "t_ms": 5}, {"cmd": "correct"}):
            run(command)
    run({"cmd": "next_round"})
    for team, stake in zip("abcd", (30, 10, 10, 10)):
        for command in ({"cmd": "choose_stake", "team": team, "stake": stake}, {"cmd": "show_question"},
                        {"cmd": "correct" if team != "d" else "wrong"}):
            run(command)
    run({"cmd": "correct_score", "team": "c", "delta": 20, "reason": "误加二十分"})
    run({"cmd": "undo", "reason": "更正录错", "operator": "主持人"})
    run({"cmd": "correct_score", "team": "b", "delta": 5, "reason": "复核录像后加分"})
    run({"cmd": "assign_prizes"})
    if sign:
        run({"cmd": "sign_off", "judge": "甲评委", "pin": "1234"})
        run({"cmd": "sign_off", "judge": "乙评委", "pin": "5678"})


def test_documents_need_the_final_result(tmp_path, contest, contest_file):
    journal = tmp_path / "show.journal"
    engine = StageEngine(contest, journal)
    _play_to_the_end(engine, sign=False)
    engine.close()
    err = io.StringIO()
    assert main(["certificates", str(contest_file), "--journal", str(journal), "--out", str(tmp_path / "c.pdf")],
                io.StringIO(), err) == 2
    assert "need every judge's sign-off" in err.getvalue() and not list(tmp_path.glob("c.*"))


def test_certificates_and_results(tmp_path, contest, contest_file):
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed (scripts/setup.sh installs it)")
    journal = tmp_path / "show.journal"
    engine = StageEngine(contest, journal)
    _play_to_the_end(engine, sign=True)
    state = engine.state
    assert state.final  # the kiosk may keep running: documents read the journal without its lock
    certificates = tmp_path / "certificates.pdf"
    assert main(["certificates", str(contest_file), "--journal", str(journal), "--out", str(certificates)],
                io.StringIO(), io.StringIO()) == 0
    results_pdf, results_xlsx = tmp_path / "results.pdf", tmp_path / "results.xlsx"
    for target in (results_pdf, results_xlsx):
        assert main(["results", str(contest_file), "--journal", str(journal), "--out", str(target)],
                    io.StringIO(), io.StringIO()) == 0
    engine.close()
    info = subprocess.run(["pdfinfo", str(certificates)], capture_output=True, text=True).stdout
    assert "Pages:           9" in info and "842 x 595 pts (A4)" in info  # 3 prize teams × 3 members
    text = pdf_text(certificates)
    for level, teams in state.prizes.items():
        for team_id in teams:
            team = contest.team(team_id)
            for member in team.members:
                assert f"{member} 同志" in text
    assert [text.count(level) for level in ("一等奖", "二等奖", "三等奖")] == [3, 3, 3]  # one page per member
    report = pdf_text(results_pdf, layout=True)
    assert "复核录像后加分" in report and "+5" in report and "甲评委" in report
    # an undone correction stays in the record, with who undid it and why
    undone = next(line for line in report.splitlines() if "误加二十分" in line)
    reading = "".join(pdf_text(results_pdf).split())  # a cell's lines in reading order, joined
    assert "+20" in undone and "已撤销：主持人" in reading and "（更正录错）" in reading
    trail = list(load_workbook(results_xlsx)["计分记录"].iter_rows(min_row=2, values_only=True))
    assert len(trail) == len(state.changes)
    assert [row for row in trail if row[4] == "误加二十分"][0][6].startswith("已撤销：主持人 ")
    sheet = load_workbook(results_xlsx)["各轮得分"]
    totals = {row[1]: row[-2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert totals == {contest.team(t).name: state.scores[t] for t in state.scores}
    by_round = {row[1]: row[2:-2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert all(sum(values) == totals[name] for name, values in by_round.items())


@pytest.mark.parametrize("text, written", [("2018-06-28", "二〇一八年六月二十八日"), ("2020-10-01", "二〇二〇年十月一日"),
                                           ("2019-12-31", "二〇一九年十二月三十一日"), ("2018-01-10", "二〇一八年一月十日"),
                                           ("", "")])
def test_a_certificate_writes_its_date_in_chinese_numerals(text, written):
    from finals_app.reports.chinese import chinese_date, chinese_numeral_date
    assert chinese_numeral_date(text) == written
    assert chinese_date("2018-06-28") == "2018年6月28日"
