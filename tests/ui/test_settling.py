"""With phones, a buzzer race settles before its winner is shown: a phone's earlier press may
arrive after a keyboard's later one, and the hall must never see the wrong team win first."""
from __future__ import annotations

from finals_app.ui.bridge import StageBridge


def open_buzzer_question(engine):
    for command in ({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"},
                    {"cmd": "open_buzzers", "t_ms": 10_000}):
        engine.execute(command)


def test_a_race_is_shown_once_it_has_settled(qtbot, engine, clock):
    bridge = StageBridge(engine, clock)
    bridge.settle_ms = lambda: 60
    open_buzzer_question(engine)
    shown, pressed = [], []
    bridge.changed.connect(lambda state: shown.append(state.floor()))
    bridge.pressed.connect(lambda team, outcome: pressed.append(team))
    assert bridge.execute({"cmd": "press", "team": "a", "t_ms": 10_030, "device": "keyboard"})
    assert shown == [] and pressed == []  # held while a later-arriving earlier press may come
    assert bridge.execute({"cmd": "press", "team": "b", "t_ms": 10_012, "uncertainty_us": 2000, "device": "phone"})
    qtbot.waitUntil(lambda: bool(shown), timeout=1000)
    assert shown == [("b", [])]  # never ("a", []) first
    assert pressed == ["a", "b"]
    assert engine.state.floor() == ("b", [])  # the journal had it at once; only the showing waited


def test_without_phones_nothing_waits(qtbot, engine, clock):
    bridge = StageBridge(engine, clock)
    open_buzzer_question(engine)
    shown = []
    bridge.changed.connect(lambda state: shown.append(state.floor()))
    bridge.execute({"cmd": "press", "team": "c", "t_ms": 10_030})
    assert shown == [("c", [])]
