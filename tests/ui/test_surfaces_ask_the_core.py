"""A surface asks the core, it never re-codes a rule (issue 24, item 5): the console's stake keys
and labels come from the risk round's plan (a contest with stakes [5, 15, 25] is played from the
console); a team's phone says what the engine would make of its press; the big screen and the
served pages give the same title in every state, the tie-break included."""
from __future__ import annotations

import pytest

from finals_app.core.stage.contest import load_contest
from finals_app.core.stage.engine import press_outcome
from finals_app.net.view import show_view, team_status
from tests.stage_contest import SMALL_CONTEST, _questions
from tests.ui.test_screens import Stage


@pytest.fixture
def odd_stakes(tmp_path, monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")
    text = SMALL_CONTEST.replace('title = "风险题"\n', 'title = "风险题"\nstakes = [5, 15, 25]\n')
    assert "stakes = [5, 15, 25]" in text
    path = tmp_path / "contest.toml"
    path.write_text(text + _questions(), encoding="utf-8")
    return load_contest(path)


def test_a_contest_with_stakes_5_15_25_is_played_from_the_console(qtbot, odd_stakes, tmp_path):
    stage = Stage(qtbot, odd_stakes, tmp_path)
    try:
        host = stage.host
        assert [host.buttons[f"stake{slot}"].text() for slot in range(3)] == \
            ["风险5分\n[F5]", "风险15分\n[F6]", "风险25分\n[F7]"]
        stage.play_rounds(("correct",) * 4, "abc", ())  # into the risk round, no stake chosen yet
        assert host.next_step.text() == "下一步：甲单位代表队选择风险分值（F5 5分 / F6 15分 / F7 25分）"
        assert all(host.buttons[f"stake{slot}"].isEnabled() for slot in range(3))
        host.shortcuts["stake1"].activated.emit()  # the host presses F6
        assert stage.engine.state.stakes == {"a": 15}
        stage.run({"cmd": "show_question"}, {"cmd": "correct"})
        assert stage.engine.state.changes[-1].delta == 15
        host.buttons["stake2"].click()  # F7 for the next team
        assert stage.engine.state.stakes == {"b": 25}
    finally:
        stage.host.allow_close = True
        stage.engine.close()


def test_a_contest_with_more_stakes_gets_a_key_for_each(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")
    text = SMALL_CONTEST.replace('title = "风险题"\n', 'title = "风险题"\nstakes = [5, 10, 20, 40]\n')
    (tmp_path / "contest.toml").write_text(text + _questions(), encoding="utf-8")
    stage = Stage(qtbot, load_contest(tmp_path / "contest.toml"), tmp_path)
    try:
        assert stage.host.buttons["stake3"].text() == "风险40分\n[F10]"
        assert stage.host.keys["stake3"] == "F10"
    finally:
        stage.host.allow_close = True
        stage.engine.close()


def _states(stage):
    """Every state of a show with a tie-break, as it is played."""
    stage.play_rounds(("correct", "correct", "correct", "wrong"), "abc",
                      ((10, "correct"), (10, "wrong"), (10, "wrong"), (10, "wrong")))
    yield stage.engine.state
    for command in ({"cmd": "start_tiebreak"}, {"cmd": "show_question"}, {"cmd": "reveal"},
                    {"cmd": "open_buzzers", "t_ms": 0}, {"cmd": "press", "team": "c", "t_ms": 5},
                    {"cmd": "correct"}, {"cmd": "end_tiebreak"}):
        stage.run(command)
        yield stage.engine.state


def test_the_big_screen_and_the_pages_give_the_same_title(qtbot, contest, tmp_path, monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")
    stage = Stage(qtbot, contest, tmp_path)
    try:
        titles = []
        for state in _states(stage):
            view = show_view(state, 0, len(stage.engine.events))
            assert stage.audience.title.text() == view["title"]
            titles.append(view["title"])
        assert "加赛：乙单位代表队、丙单位代表队" in titles
    finally:
        stage.host.allow_close = True
        stage.engine.close()


def test_a_phone_says_open_exactly_when_the_engine_would_count_its_press(qtbot, contest, tmp_path, monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")
    stage = Stage(qtbot, contest, tmp_path)
    try:
        seen = set()
        for state in _states(stage):
            for team in "abcd":
                status, words = team_status(state, team)
                outcome = press_outcome(state, team, 10 ** 12)
                assert (status == "open") == (outcome == "accepted" and state.floor() == (None, []))
                if outcome == "ignored_not_playing":
                    assert (status, words) == ("locked", "本轮不参赛")
                seen.add((status, words))
        assert ("open", "请抢答") in seen and ("locked", "本轮不参赛") in seen and ("floor", "获得答题权") in seen
    finally:
        stage.host.allow_close = True
        stage.engine.close()
