"""With phones, a buzzer race settles before anyone holds the floor: a phone's earlier press may
arrive after a keyboard's later one, and the hall must never see the wrong team win first. The
settling is the engine's (a `race_settled` event at its deadline); the kiosk's screens show each
state as it is recorded and never hold anything back themselves."""
from __future__ import annotations

from finals_app.ui.bridge import StageBridge


def open_buzzer_question(engine):
    for command in ({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"},
                    {"cmd": "open_buzzers", "t_ms": 10_000}):
        engine.execute(command)


def test_a_race_is_shown_once_it_has_settled(qtbot, engine, clock):
    engine.settle_ms = lambda: 60
    bridge = StageBridge(engine, clock)
    open_buzzer_question(engine)
    shown, given = [], []
    bridge.changed.connect(lambda state: shown.append(state.floor()))
    bridge.floor_given.connect(given.append)
    assert bridge.execute({"cmd": "press", "team": "a", "t_ms": 10_030, "device": "keyboard"})
    assert bridge.execute({"cmd": "press", "team": "b", "t_ms": 10_012, "uncertainty_us": 2000, "device": "phone"})
    assert shown == [(None, []), (None, [])]  # settling: nobody holds the floor, on any screen
    assert not bridge.execute({"cmd": "correct"})  # nothing to judge yet
    clock.advance(59)
    bridge._on_tick()
    assert engine.state.question.settling
    clock.advance(1)
    qtbot.waitUntil(lambda: not engine.state.question.settling, timeout=1000)  # the precise timer, or a tick
    assert shown[-1] == ("b", []) and ("a", []) not in shown  # never ("a", []) first
    assert given == ["b"]
    assert engine.events[-1].type == "race_settled" and engine.events[-1].operator == "system"
    assert bridge.execute({"cmd": "correct"})


def test_without_phones_nothing_waits(qtbot, engine, clock):
    bridge = StageBridge(engine, clock)
    open_buzzer_question(engine)
    shown = []
    bridge.changed.connect(lambda state: shown.append(state.floor()))
    bridge.execute({"cmd": "press", "team": "c", "t_ms": 10_030})
    assert shown == [("c", [])]
    assert not any(event.type == "race_settled" for event in engine.events)


def test_a_kiosk_that_stopped_mid_race_settles_it_when_it_resumes(engine, contest, tmp_path, clock):
    from finals_app.core.stage.engine import StageEngine
    engine.settle_ms = lambda: 80
    open_buzzer_question(engine)
    engine.execute({"cmd": "press", "team": "a", "t_ms": 10_030})
    assert engine.state.floor() == (None, []) and engine.state.question.settling
    engine.close()
    again = StageEngine(contest, tmp_path / "show.journal", clock=clock)
    try:
        assert [e.type for e in again.events[-2:]] == ["resumed", "race_settled"]
        assert again.state.floor() == ("a", [])
    finally:
        again.close()
