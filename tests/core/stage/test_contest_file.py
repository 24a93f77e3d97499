"""The contest file and question banks: the demo is complete; every mistake is named with file,
line (or bank row) and field; `contest check` and `rehearse` on the command line."""
from __future__ import annotations

import io
import json
from importlib import resources

import pytest
from openpyxl import Workbook

from finals_app.cli import main
from finals_app.core.stage.contest import ContestError, load_contest
from tests.stage_contest import SMALL_CONTEST, _questions

DEMO = resources.files("finals_app.assets") / "contests" / "demo.toml"


def test_the_bundled_demo_is_a_complete_contest():
    contest = load_contest(str(DEMO))
    assert len(contest.teams) == 8 and all(len(t.members) == 3 for t in contest.teams)
    assert [r.type for r in contest.rounds] == ["compulsory", "buzzer", "risk"]
    assert len(contest.questions_of("compulsory")) >= 32 and len(contest.questions_of("buzzer")) >= 12
    assert contest.prizes == (("first", 1), ("second", 2), ("third", 3)) and len(contest.judges) == 3
    assert any("十九大" in q.stem for q in contest.questions) and any(q.source == "党章" for q in contest.questions)
    assert len({t.buzzer_key for t in contest.teams}) == 8


def _error(tmp_path, text: str) -> str:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContestError) as raised:
        load_contest(path)
    return raised.value.render("en")


def test_a_team_with_other_than_three_members(tmp_path):
    text = (SMALL_CONTEST + _questions()).replace('members = ["赵一", "钱二", "孙三"]', 'members = ["赵一", "钱二"]')
    message = _error(tmp_path, text)
    line = text.splitlines().index('members = ["赵一", "钱二"]') + 1
    assert f"bad.toml:{line}, field teams[0].members: a team has 3 members, found 2" in message


def test_duplicate_ids_and_keys(tmp_path):
    text = (SMALL_CONTEST + _questions()).replace('id = "b"\n', 'id = "a"\n').replace('buzzer_key = "3"', 'buzzer_key = "1"')
    message = _error(tmp_path, text)
    assert "teams[1].id: duplicate id a" in message and "teams[2].buzzer_key: buzzer key 1" in message


def test_too_few_questions_for_the_plan(tmp_path):
    message = _error(tmp_path, SMALL_CONTEST.replace("questions = 3", "questions = 30") + _questions())
    assert "round r2 needs 30 questions, the contest has 6" in message


def test_a_bad_answer_and_an_unknown_field(tmp_path):
    text = (SMALL_CONTEST + _questions()).replace('answer = "A"', 'answer = "E"', 1).replace(
        'chief_judge = "甲评委"', 'chief_judge = "甲评委"\nvenu = "x"')
    message = _error(tmp_path, text)
    assert "questions[0].answer: the answer names an option the question does not have: E" in message
    assert "contest.venu: unknown field" in message


def test_xlsx_bank_rows_are_read_and_bad_rows_named(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "出处", "轮次"])
    sheet.append(["单选", "党的最高理想是？", "共产主义", "小康", "富强", "民主", "A", "党章总纲", "党章", "r2"])
    sheet.append(["多选", "四个自信包括？", "道路", "理论", "制度", "文化", "A,B,C,D", "", "十九大报告", "r2"])
    sheet.append(["判断", "预备期为一年。", None, None, None, None, "√", "", "党章", "r2"])
    sheet.append(["单选", "缺答案的题", "甲", "乙", None, None, "", "", "", "r2"])
    sheet.append(["问卷", "未知题型", None, None, None, None, "A", "", "", "r2"])
    workbook.save(tmp_path / "bank.xlsx")
    text = SMALL_CONTEST + _questions() + '\n[[banks]]\nfile = "bank.xlsx"\n'
    message = _error(tmp_path, text)
    assert "bank.xlsx:5, field 答案: not a valid answer for a single question" in message
    assert "bank.xlsx:6, field 题型: unknown question type 问卷" in message
    assert "bank.xlsx:2" not in message and "bank.xlsx:4" not in message
    workbook = Workbook()
    workbook.active.append(["题型", "题干", "选项A", "选项B", "答案", "轮次"])
    workbook.active.append(["多选", "四个自信包括？", "道路", "理论", "A、B", "r2"])
    workbook.save(tmp_path / "bank.xlsx")
    (tmp_path / "good.toml").write_text(text, encoding="utf-8")
    contest = load_contest(tmp_path / "good.toml")
    question = [q for q in contest.questions if q.stem == "四个自信包括？"][0]
    assert (question.kind, question.answer, question.options) == ("multiple", "AB", ("道路", "理论"))


def test_contest_check_command(tmp_path, contest_file):
    out = io.StringIO()
    assert main(["contest", "check", str(contest_file)], out, io.StringIO()) == 0
    assert "4 teams, 2 judges" in out.getvalue()
    bad = tmp_path / "bad.toml"
    bad.write_text(SMALL_CONTEST, encoding="utf-8")
    err = io.StringIO()
    assert main(["contest", "check", str(bad)], io.StringIO(), err) == 2
    assert "round r1 needs 4 questions, the contest has 0" in err.getvalue()


def test_rehearse_applies_a_script_and_reports_refusals_by_line(tmp_path, contest_file):
    script = tmp_path / "show.jsonl"
    script.write_text("\n".join([
        json.dumps({"cmd": "next_round"}),
        json.dumps({"cmd": "correct"}),
        "# a comment",
        json.dumps({"cmd": "show_question"}),
        json.dumps({"cmd": "correct"}),
        "{broken",
    ]) + "\n", encoding="utf-8")
    journal = tmp_path / "show.journal"
    out = io.StringIO()
    assert main(["rehearse", str(contest_file), "--journal", str(journal), "--script", str(script), "--json"],
                out, io.StringIO()) == 0
    result = json.loads(out.getvalue())
    assert {t["id"]: t["score"] for t in result["teams"]} == {"a": 10, "b": 0, "c": 0, "d": 0}
    assert [(r["line"], r["cmd"]) for r in result["refusals"]] == [(2, "correct"), (6, None)]
    assert result["final"] is False and result["ranking"][0]["team"] == "a"
    out = io.StringIO()  # resuming the same journal with no script shows the same state
    assert main(["rehearse", str(contest_file), "--journal", str(journal), "--json"], out, io.StringIO()) == 0
    assert json.loads(out.getvalue())["teams"] == result["teams"]
    assert main(["rehearse", str(contest_file), "--journal", str(journal), "--script", str(script), "--strict"],
                io.StringIO(), io.StringIO()) == 1


def test_a_second_kiosk_on_the_same_journal_is_refused_before_any_window(tmp_path, contest_file):
    from finals_app.core.stage.journal import Journal
    journal = tmp_path / "show.journal"
    with Journal(journal):
        err = io.StringIO()
        assert main(["stage", str(contest_file), "--journal", str(journal)], io.StringIO(), err) == 2
    assert "already open in another finals-app" in err.getvalue()


def test_a_wrong_contest_is_refused_before_any_window(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[contest]\nname = 1\n", encoding="utf-8")
    err = io.StringIO()
    assert main(["stage", str(bad)], io.StringIO(), err) == 2
    assert "bad.toml:2, field contest.name" in err.getvalue()


def test_rehearse_reads_stdin_line_by_line_and_prints_the_guide_and_the_record(tmp_path, contest_file, monkeypatch):
    import json
    import sys
    lines = [json.dumps(c) for c in (
        {"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "open_buzzers", "t_ms": 100},
        {"cmd": "press", "team": "c", "t_ms": 90}, {"cmd": "press", "team": "b", "t_ms": 150, "t_us": 150_250},
        {"cmd": "correct"}, {"cmd": "correct_score", "team": "a", "delta": 5, "reason": "复核", "operator": "裁判长"},
        {"cmd": "undo"})]
    served = []

    class Stdin:  # hands out one line at a time, as a pipe would
        def readline(self):
            if not lines:
                return ""
            served.append(lines[0])
            return lines.pop(0) + "\n"

        def read(self):
            raise AssertionError("the whole of stdin must not be read at once")

    monkeypatch.setattr(sys, "stdin", Stdin())
    out = io.StringIO()
    assert main(["rehearse", str(contest_file), "--journal", str(tmp_path / "s.journal"), "--script", "-", "--json"],
                out, io.StringIO()) == 0
    summary = json.loads(out.getvalue())
    assert len(served) == 9 and summary["refusals"] == []
    assert summary["next"] == "show_question" and "show_question" in summary["legal"] and "redo" in summary["legal"]
    assert "correct" not in summary["legal"] and summary["playing"] == ["a", "b", "c", "d"] and summary["turn"] is None
    presses = summary["presses"][summary["question"]["id"]]
    assert [(p["team"], p["t_ms"], p["t_us"], p["outcome"]) for p in presses] == [
        ("c", 90, None, "foul"), ("b", 150, 150_250, "accepted")]
    assert [(c["team"], c["delta"], c["kind"], c["undone"]) for c in summary["changes"]] == [
        ("c", -5, "foul", False), ("b", 10, "answer", False), ("a", 5, "correction", True)]
    correction = summary["changes"][-1]
    assert correction["operator"] == "裁判长" and correction["undone_by"] == "host" and correction["undone_at"]
