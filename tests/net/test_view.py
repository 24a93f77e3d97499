"""What the phone page says to its team, and what the browser pages are told, from the state."""
from __future__ import annotations

from finals_app.net.view import show_view, team_status


def buzzer_question(engine):
    for command in ({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"}):
        engine.execute(command)


def test_a_phone_page_follows_its_team_through_a_question(engine):
    assert team_status(engine.state, "a")[0] == "wait"
    buzzer_question(engine)
    assert team_status(engine.state, "a")[0] == "wait"  # shown, not open
    engine.execute({"cmd": "press", "team": "d", "t_ms": 50})  # before the opening: a foul
    assert team_status(engine.state, "d")[0] == "locked"
    engine.execute({"cmd": "open_buzzers", "t_ms": 100})
    assert [team_status(engine.state, t)[0] for t in "abcd"] == ["open", "open", "open", "locked"]
    engine.execute({"cmd": "press", "team": "a", "t_ms": 110})
    engine.execute({"cmd": "press", "team": "b", "t_ms": 110})
    assert [team_status(engine.state, t)[0] for t in "abc"] == ["tie", "tie", "wait"]
    engine.execute({"cmd": "resolve_tie", "team": "b"})
    assert [team_status(engine.state, t)[0] for t in "ab"] == ["wait", "floor"]
    engine.execute({"cmd": "wrong"})
    assert team_status(engine.state, "b")[0] == "wait"  # the question is over for now


def test_the_stream_is_told_no_answer_and_no_prize_too_early(engine):
    buzzer_question(engine)
    view = show_view(engine.state, 0, len(engine.events))
    assert view["question"]["answer"] == "" and view["question"]["stem"] == ""
    assert all(row["prize"] == "" for row in view["scoreboard"])  # standings are not prizes
    engine.execute({"cmd": "reveal"})
    engine.execute({"cmd": "open_buzzers", "t_ms": 0})
    engine.execute({"cmd": "press", "team": "c", "t_ms": 5})
    view = show_view(engine.state, engine.now_ms(), len(engine.events))
    assert view["floor"] == {"holder": "c", "tied": []} and view["timer"]["running"]
    assert view["question"]["stem"] and view["question"]["answer"] == ""
    engine.execute({"cmd": "correct"})
    view = show_view(engine.state, engine.now_ms(), len(engine.events))
    assert view["question"]["answer"] and view["timer"] is None and view["seq"] == len(engine.events)
