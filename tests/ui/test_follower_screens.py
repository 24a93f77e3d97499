"""A follower's screens: the kiosk's own widgets on the followed state, read only, behind a
连接中断 curtain while the link is down."""
from __future__ import annotations

import pytest

from finals_app.core.i18n import _
from finals_app.core.stage.wire import Discloser, Disclosures, public_contest
from finals_app.net.client import Follower
from finals_app.ui.follower import FollowerWindow, build_screen


@pytest.fixture(autouse=True)
def chinese(monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")


def feed(follower: Follower, engine, discloser: Discloser, events) -> None:
    """What the socket would deliver: the kiosk's records of these events."""
    follower._receive({"type": "events", "events": discloser.records(events, Disclosures(engine.events).levels)})


def test_the_followed_screens_show_the_show_and_change_nothing(qtbot, engine):
    follower = Follower("http://127.0.0.1:1/?t=secret")
    window = FollowerWindow(follower, "audience", windowed=True, display=None)
    qtbot.addWidget(window.waiting)
    follower._receive({"type": "hello", "protocol": 1, "journal": "j", "contest": public_contest(engine.contest)})
    discloser = Discloser(engine.contest)
    feed(follower, engine, discloser, engine.events)
    audience = window.screen
    qtbot.addWidget(audience)
    for command in ({"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "reveal"}):
        feed(follower, engine, discloser, engine.execute(command))
    stem = engine.contest.question(engine.state.question.id).stem
    assert audience.question.stem == stem and audience.question.answer == ""
    feed(follower, engine, discloser, engine.execute({"cmd": "correct"}))
    assert audience.question.answer.startswith("正确答案") and audience.scoreboard.target["a"] == 10
    refused = []
    window.bridge.refused.connect(refused.append)
    assert not window.bridge.execute({"cmd": "undo"})
    assert refused == [_("This is a follower: it shows the show and cannot change it")]
    assert engine.state.scores["a"] == 10  # nothing reached the kiosk
    window._link(False, "cannot reach the kiosk")
    assert window.curtain.isVisible() and window.curtain.text().startswith("连接中断")
    assert window.curtain.geometry() == audience.rect()
    window._link(True, "")
    assert not window.curtain.isVisible()


def test_a_followed_judges_view_has_no_buttons(qtbot, engine):
    follower = Follower("http://127.0.0.1:1/?t=secret")
    follower._receive({"type": "hello", "protocol": 1, "journal": "j", "contest": public_contest(engine.contest)})
    window = FollowerWindow(follower, "judges", windowed=True, display=None)
    qtbot.addWidget(window.waiting)
    view = build_screen("judges", window.bridge)
    qtbot.addWidget(view)
    view.show()
    buttons = (view.tiebreak_button, view.prizes_button, view.reopen_button, *view.sign_buttons.values())
    assert not any(button.isVisible() for button in buttons)
