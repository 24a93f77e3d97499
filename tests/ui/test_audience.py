"""The big screen in every state, at 1920×1080 and 1280×720 (issue 15): the right banner in the
right colour, and nothing overflowing its rectangle — a 210-character question with options of
up to 64 characters included."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QFontMetrics

from finals_app.core.clock import ManualClock
from finals_app.core.stage.contest import load_contest
from finals_app.core.stage.engine import StageEngine
from finals_app.ui import audience_screen as screen
from finals_app.ui.audience_screen import WRAP, AudienceScreen
from finals_app.ui.bridge import StageBridge
from tests.stage_contest import SMALL_CONTEST, _questions

LONG_STEM = ("党的十九大报告指出，经过长期努力，中国特色社会主义进入了新时代，这是我国发展新的历史方位。中国特色社会主义进入新时代，"
             "意味着近代以来久经磨难的中华民族迎来了从站起来、富起来到强起来的伟大飞跃，迎来了实现中华民族伟大复兴的光明前景；"
             "意味着科学社会主义在二十一世纪的中国焕发出强大生机活力，在世界上高高举起了中国特色社会主义伟大旗帜；"
             "意味着中国特色社会主义道路、理论、制度、文化不断发展。以下说法正确的是哪一项？")
LONG_OPTIONS = ["这个新时代是承前启后、继往开来、在新的历史条件下继续夺取中国特色社会主义伟大胜利的时代，是决胜全面建成小康社会的时代",
                "是全国各族人民团结奋斗、不断创造美好生活、逐步实现全体人民共同富裕的时代",
                "是全体中华儿女勠力同心、奋力实现中华民族伟大复兴中国梦的时代", "以上说法都正确"]


def audience_on(qtbot, contest, tmp_path, size: tuple[int, int]):
    """(engine, audience screen, clock): a fresh show's big screen, shown at `size`."""
    clock = ManualClock()
    engine = StageEngine(contest, tmp_path / "show.journal", clock=clock, durable=False)
    audience = AudienceScreen(StageBridge(engine, clock))
    qtbot.addWidget(audience)
    audience.resize(*size)
    audience.show()
    qtbot.waitExposed(audience)
    return engine, audience, clock


@pytest.fixture(params=[(1920, 1080), (1280, 720)], ids=["1080p", "720p"])
def show(request, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")
    long_question = f'''
[[questions]]
id = "r2-long"
round = "r2"
kind = "single"
stem = "{LONG_STEM}"
options = [{", ".join(f'"{o}"' for o in LONG_OPTIONS)}]
answer = "D"
'''
    path = tmp_path / "contest.toml"
    path.write_text(SMALL_CONTEST + _questions() + long_question, encoding="utf-8")
    engine, audience, clock = audience_on(qtbot, load_contest(path), tmp_path, request.param)

    def run(*commands):
        for command in commands:
            engine.execute(command)
        return audience

    yield audience, run, clock
    engine.close()


def fits(label) -> bool:
    """The label's text, at its font, inside its rectangle."""
    if not label.text():
        return True
    flags = int(label.alignment()) | (WRAP if label.wordWrap() else 0)
    needed = QFontMetrics(label.font()).boundingRect(label.contentsRect(), flags, label.text())
    return needed.width() <= label.contentsRect().width() + 1 and needed.height() <= label.contentsRect().height() + 1


def digits_fit(countdown) -> bool:
    """The timer's digits (drawn on their own ink) inside its rectangle."""
    ink = QFontMetrics(countdown.font()).tightBoundingRect(countdown.text() or "0")
    return ink.width() <= countdown.width() and ink.height() <= countdown.height()


def nothing_overflows(audience) -> None:
    h = audience.height()
    for label in (audience.title, audience.floor):
        assert fits(label), label.text()
    assert digits_fit(audience.countdown)
    layout = audience.question.layout_for(audience.question.width(), audience.question.height())
    assert layout["fits"] and layout["px"] >= 0.03 * h, layout
    board = audience.scoreboard
    board.settle()
    assert board.fits and board.name_px >= 0.035 * h - 1 and board.score_px >= 0.05 * h - 1
    for box in board.text_boxes() if board.isVisible() else []:
        assert board.rect().contains(box.rect), box
    regions = audience.regions()
    assert regions["scoreboard"].bottom() < h and regions["question"].height() >= 0.4 * h


def test_every_state_has_its_banner_and_nothing_overflows(show):
    audience, run, clock = show
    nothing_overflows(audience)
    run({"cmd": "next_round"}, {"cmd": "show_question"})
    assert audience.floor.text() == "" and "甲单位代表队" in audience.question.text()  # who is asked, not the question
    assert audience.question.kind == ""  # the kind only with the question
    assert "r1 第1题" not in audience.question.text()
    run({"cmd": "reveal"}, {"cmd": "start_timer"}, {"cmd": "pause_timer"})
    assert audience.floor.text() == "已暂停" and audience.banner_colour == screen.BLUE
    nothing_overflows(audience)
    run({"cmd": "resume_timer"}, {"cmd": "correct"})
    assert audience.floor.text() == "✓ 回答正确　甲单位代表队 +10" and audience.banner_colour == screen.GREEN
    assert "正确答案：A" in audience.answer.text() and audience.question.correct == {0}
    run({"cmd": "show_question"}, {"cmd": "timeout"})
    assert audience.floor.text().startswith("时间到　乙单位代表队") and audience.banner_colour == screen.GREY
    run({"cmd": "show_question"}, {"cmd": "wrong"}, {"cmd": "show_question"}, {"cmd": "wrong"})
    run({"cmd": "next_round"}, {"cmd": "show_question", "question": "r2-long"})
    assert audience.question.text() == "请听题"
    run({"cmd": "reveal"})
    assert LONG_STEM in audience.question.text() and len(LONG_STEM) >= 200
    assert audience.question.kind == "单选题"
    nothing_overflows(audience)  # the 210-character question with its long options fits
    run({"cmd": "press", "team": "b", "t_ms": 5})
    assert audience.floor.text() == "−5 提前抢答　乙单位代表队" and audience.banner_colour == screen.AMBER
    run({"cmd": "open_buzzers", "t_ms": 10})
    assert audience.floor.text() == "请抢答！"
    run({"cmd": "press", "team": "c", "t_ms": 20})
    team = audience.bridge.contest.team("c")
    assert audience.floor.text() == f"{team.name} 抢答成功" and audience.banner_colour == team.color
    nothing_overflows(audience)
    run({"cmd": "wrong"})
    assert audience.floor.text() == "✗ 回答错误　丙单位代表队 −10" and audience.banner_colour == screen.RED
    run({"cmd": "show_question"}, {"cmd": "reveal"}, {"cmd": "open_buzzers", "t_ms": 0})
    clock.advance(10_000)
    audience.bridge.engine.expire()
    assert audience.floor.text() == "时间到 · 无人作答" and audience.banner_colour == screen.GREY
    run({"cmd": "show_question"}, {"cmd": "reveal"}, {"cmd": "open_buzzers", "t_ms": 0},
        {"cmd": "press", "team": "a", "t_ms": 5}, {"cmd": "press", "team": "d", "t_ms": 5})
    assert audience.floor.text() == "同时抢答，请主持人裁定"
    run({"cmd": "resolve_tie", "team": "d"}, {"cmd": "correct"}, {"cmd": "next_round"},
        {"cmd": "choose_stake", "team": "a", "stake": 20})
    assert audience.floor.text() == "甲单位代表队 选择 20 分" and "选择 20 分" in audience.question.text()
    run({"cmd": "show_question"})
    assert "风险分值 20 分" in audience.question.text()
    nothing_overflows(audience)


def test_the_tie_break_shows_the_tied_teams_head_to_head(show):
    audience, run, _ = show
    run({"cmd": "next_round"})
    for verdict in ("correct", "correct", "wrong", "wrong"):
        run({"cmd": "show_question"}, {"cmd": verdict})
    run({"cmd": "next_round"})
    for _ in range(3):
        run({"cmd": "show_question"}, {"cmd": "close_buzzers"})
    run({"cmd": "next_round"})
    for team in "abcd":
        run({"cmd": "choose_stake", "team": team, "stake": 10}, {"cmd": "show_question"}, {"cmd": "wrong"})
    run({"cmd": "start_tiebreak"}, {"cmd": "show_question"}, {"cmd": "open_buzzers", "t_ms": 0},
        {"cmd": "press", "team": "b", "t_ms": 3}, {"cmd": "correct"})
    board = audience.scoreboard
    assert board.order == ["a", "b"] and board.caption_item.isVisible() and board.caption_item.toPlainText() == "加赛得分"
    assert board.target["b"] == 10 and board.target["a"] == 0  # tie-break points, apart from the totals
    assert audience.title.text().startswith("加赛：甲单位代表队、乙单位代表队")
    nothing_overflows(audience)
