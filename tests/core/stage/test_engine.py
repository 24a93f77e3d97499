"""The stage engine's rules: every round type, buzzer arbitration by device time, fouls, ties,
undo, corrections, timers on a stepped clock, prizes, tie-breaks, sign-off and freezing."""
from __future__ import annotations

import pytest

from finals_app.core.stage.engine import Refusal, StageEngine
from finals_app.core.stage.state import fold


def run(engine, *commands):
    for command in commands:
        engine.execute(command)
    return engine.state


def refused(engine, command, needle):
    before = len(engine.events)
    with pytest.raises(Refusal) as raised:
        engine.execute(command)
    assert needle in raised.value.render("en")
    assert len(engine.events) == before  # a refusal records nothing


def play_compulsory(engine, verdicts):
    engine.execute({"cmd": "next_round"})
    for verdict in verdicts:
        run(engine, {"cmd": "show_question"}, {"cmd": verdict})


def to_buzzer_question(engine):
    play_compulsory(engine, ["wrong"] * 4)
    run(engine, {"cmd": "next_round"}, {"cmd": "show_question"})


def test_compulsory_round_turns_and_scoring(engine):
    engine.execute({"cmd": "next_round"})
    shown = []
    for verdict in ("correct", "wrong", "timeout", "correct"):
        engine.execute({"cmd": "show_question"})
        shown.append((engine.state.question.team, engine.state.question.member))
        engine.execute({"cmd": verdict})
    assert shown == [("a", 1), ("b", 1), ("c", 1), ("d", 1)]
    assert engine.state.scores == {"a": 10, "b": 0, "c": 0, "d": 10}
    refused(engine, {"cmd": "show_question"}, "has played all its 4 questions")


def test_correct_with_nobody_on_the_floor_is_refused(engine):
    refused(engine, {"cmd": "correct"}, "no question is waiting for a verdict")
    to_buzzer_question(engine)
    refused(engine, {"cmd": "correct"}, "nobody holds the floor")
    engine.execute({"cmd": "open_buzzers", "t_ms": 1000})
    refused(engine, {"cmd": "correct"}, "nobody holds the floor")


def test_buzzer_won_by_the_earliest_device_timestamp_not_arrival(engine):
    to_buzzer_question(engine)
    run(engine, {"cmd": "open_buzzers", "t_ms": 1000},
        {"cmd": "press", "team": "b", "t_ms": 1010},   # arrives first
        {"cmd": "press", "team": "c", "t_ms": 1004})   # arrives later, pressed earlier
    assert engine.state.floor() == ("c", [])
    engine.execute({"cmd": "correct"})
    assert engine.state.scores["c"] == 10 and engine.state.scores["b"] == 0


def test_early_press_is_a_foul_with_lockout(engine):
    to_buzzer_question(engine)
    engine.execute({"cmd": "press", "team": "a", "t_ms": 900})  # before the buzzers open
    assert engine.state.scores["a"] == -5 and "a" in engine.state.question.locked_out
    run(engine, {"cmd": "open_buzzers", "t_ms": 1000},
        {"cmd": "press", "team": "b", "t_ms": 999},    # device time before opening: a foul too
        {"cmd": "press", "team": "a", "t_ms": 1001},   # locked out: logged, ignored
        {"cmd": "press", "team": "d", "t_ms": 1002})
    assert engine.state.scores["b"] == -5
    assert engine.state.floor() == ("d", [])
    outcomes = [(p.team, p.outcome) for p in engine.state.presses]
    assert outcomes == [("a", "foul"), ("b", "foul"), ("a", "ignored_locked_out"), ("d", "accepted")]


def test_presses_within_the_resolution_are_a_tie_for_the_host(engine):
    to_buzzer_question(engine)
    run(engine, {"cmd": "open_buzzers", "t_ms": 1000},
        {"cmd": "press", "team": "b", "t_ms": 1500}, {"cmd": "press", "team": "c", "t_ms": 1500})
    assert engine.state.floor() == (None, ["b", "c"])
    refused(engine, {"cmd": "correct"}, "decide who answers first")
    refused(engine, {"cmd": "resolve_tie", "team": "d"}, "not among the tied teams")
    run(engine, {"cmd": "resolve_tie", "team": "c"}, {"cmd": "correct"})
    assert engine.state.scores["c"] == 10


def test_two_presses_one_millisecond_apart_are_not_a_tie(engine):
    to_buzzer_question(engine)
    run(engine, {"cmd": "open_buzzers", "t_ms": 1000},
        {"cmd": "press", "team": "b", "t_ms": 1501}, {"cmd": "press", "team": "c", "t_ms": 1500})
    assert engine.state.floor() == ("c", [])


def test_wrong_answer_then_reopen_to_the_others(engine):
    to_buzzer_question(engine)
    run(engine, {"cmd": "open_buzzers", "t_ms": 1000}, {"cmd": "press", "team": "b", "t_ms": 1100},
        {"cmd": "wrong"})
    assert engine.state.scores["b"] == -10
    engine.execute({"cmd": "press", "team": "c", "t_ms": 1200})  # question judged: ignored, kept
    assert engine.state.presses[-1].outcome == "ignored_no_question"
    run(engine, {"cmd": "reopen", "t_ms": 1300}, {"cmd": "press", "team": "b", "t_ms": 1310},
        {"cmd": "press", "team": "d", "t_ms": 1320})
    assert engine.state.presses[-2].outcome == "ignored_already_answered"
    engine.execute({"cmd": "correct"})
    assert engine.state.scores["d"] == 10


def test_key_repeat_is_one_press(engine):
    to_buzzer_question(engine)
    run(engine, {"cmd": "open_buzzers", "t_ms": 1000}, {"cmd": "press", "team": "b", "t_ms": 1100},
        {"cmd": "press", "team": "b", "t_ms": 1130})
    assert [p.outcome for p in engine.state.presses] == ["accepted", "ignored_repeat"]


def test_risk_round_stakes(engine):
    to_buzzer_question(engine)
    run(engine, {"cmd": "open_buzzers", "t_ms": 0}, {"cmd": "press", "team": "a", "t_ms": 5}, {"cmd": "correct"})
    for _ in range(2):
        run(engine, {"cmd": "show_question"}, {"cmd": "open_buzzers"}, {"cmd": "press", "team": "a", "t_ms": 5},
            {"cmd": "correct"})
    engine.execute({"cmd": "next_round"})
    refused(engine, {"cmd": "show_question"}, "must choose its stake")
    refused(engine, {"cmd": "choose_stake", "team": "b", "stake": 10}, "it is 甲单位代表队's turn, not 乙单位代表队's")
    refused(engine, {"cmd": "choose_stake", "team": "a", "stake": 25}, "must be one of 10, 20, 30")
    run(engine, {"cmd": "choose_stake", "team": "a", "stake": 30}, {"cmd": "show_question"}, {"cmd": "wrong"},
        {"cmd": "choose_stake", "team": "b", "stake": 20}, {"cmd": "show_question"}, {"cmd": "correct"})
    assert engine.state.scores["a"] == 30 - 30 and engine.state.scores["b"] == 20


def test_undo_is_compensating_and_can_be_undone(engine):
    play_compulsory(engine, ["correct"])
    assert engine.state.scores["a"] == 10
    engine.execute({"cmd": "undo"})
    assert engine.state.scores["a"] == 0 and engine.state.question_in_progress  # back to awaiting a verdict
    engine.execute({"cmd": "redo"})
    assert engine.state.scores["a"] == 10
    assert [e.type for e in engine.events[-2:]] == ["undone", "redone"]  # nothing is ever deleted
    assert fold(engine.contest, engine.events).scores == engine.state.scores


def test_manual_correction_needs_a_reason_and_is_audited(engine):
    refused(engine, {"cmd": "correct_score", "team": "a", "delta": 5}, "needs a reason")
    refused(engine, {"cmd": "correct_score", "team": "a", "delta": 0, "reason": "x"}, "must change the score")
    engine.execute({"cmd": "correct_score", "team": "a", "delta": 5, "reason": "复核录像", "operator": "主持人"})
    change = engine.state.changes[-1]
    assert (change.team, change.delta, change.reason, change.operator, change.kind) == ("a", 5, "复核录像", "主持人", "correction")
    engine.execute({"cmd": "undo"})
    assert engine.state.scores["a"] == 0 and engine.state.changes[-1].undone


def test_timer_counts_down_on_the_stepped_clock(engine, clock):
    engine.execute({"cmd": "next_round"})
    engine.execute({"cmd": "show_question"})
    engine.execute({"cmd": "start_timer"})
    clock.advance(12_000)
    assert engine.state.timer.remaining_ms(clock.monotonic_ms()) == 18_000
    engine.execute({"cmd": "pause_timer"})
    clock.advance(60_000)
    assert engine.state.timer.remaining_ms(clock.monotonic_ms()) == 18_000
    run(engine, {"cmd": "add_time", "seconds": 10}, {"cmd": "resume_timer"})
    clock.advance(27_000)
    assert engine.state.timer.remaining_ms(clock.monotonic_ms()) == 1_000
    clock.advance(5_000)
    assert engine.state.timer.remaining_ms(clock.monotonic_ms()) == 0


def _finish_rounds(engine, compulsory, buzzer_winners, stakes):
    play_compulsory(engine, compulsory)
    engine.execute({"cmd": "next_round"})
    for winner in buzzer_winners:
        run(engine, {"cmd": "show_question"}, {"cmd": "open_buzzers", "t_ms": 0},
            {"cmd": "press", "team": winner, "t_ms": 10}, {"cmd": "correct"})
    engine.execute({"cmd": "next_round"})
    for team, (stake, verdict) in zip("abcd", stakes):
        run(engine, {"cmd": "choose_stake", "team": team, "stake": stake}, {"cmd": "show_question"}, {"cmd": verdict})


def test_prizes_tie_break_sign_off_and_freeze(engine):
    # a: 10 + 10 + 10; b and c: 10 + 10 - 10, tied across the second/third boundary.
    _finish_rounds(engine, ["correct", "correct", "correct", "wrong"], ["a", "b", "c"],
                   [(10, "correct"), (10, "wrong"), (10, "wrong"), (10, "wrong")])
    state = engine.state
    assert state.scores == {"a": 30, "b": 10, "c": 10, "d": -10}
    assert state.open_ties() == [["b", "c"]]
    refused(engine, {"cmd": "assign_prizes"}, "tied across a prize boundary")
    run(engine, {"cmd": "start_tiebreak"}, {"cmd": "show_question"}, {"cmd": "open_buzzers", "t_ms": 0},
        {"cmd": "press", "team": "a", "t_ms": 1}, {"cmd": "press", "team": "c", "t_ms": 2}, {"cmd": "correct"})
    assert engine.state.presses[-2].outcome == "ignored_not_playing"
    assert engine.state.tiebreak_scores["c"] == 10 and engine.state.scores["c"] == 10  # totals untouched
    assert engine.state.open_ties() == []
    run(engine, {"cmd": "end_tiebreak"}, {"cmd": "assign_prizes"})
    assert engine.state.prizes == {"first": ["a"], "second": ["c"], "third": ["b"]}
    refused(engine, {"cmd": "sign_off", "judge": "路人", "pin": "1234"}, "is not a judge")
    engine.execute({"cmd": "sign_off", "judge": "甲评委", "pin": "1234"})
    refused(engine, {"cmd": "sign_off", "judge": "甲评委", "pin": "1234"}, "already signed")
    assert not engine.state.final
    engine.execute({"cmd": "sign_off", "judge": "乙评委", "pin": "5678"})
    assert engine.state.final
    refused(engine, {"cmd": "correct_score", "team": "b", "delta": 5, "reason": "x"}, "result is final")
    refused(engine, {"cmd": "reopen_result", "judge": "乙评委", "reason": "x", "pin": "5678"}, "only the chief judge")
    engine.execute({"cmd": "reopen_result", "judge": "甲评委", "reason": "计分复核", "pin": "1234"})
    assert not engine.state.final and engine.state.prizes is None


def test_a_score_change_after_the_prize_list_withdraws_it(engine):
    _finish_rounds(engine, ["correct", "wrong", "wrong", "wrong"], ["b", "c", "c"],
                   [(10, "correct"), (20, "correct"), (20, "correct"), (10, "wrong")])
    run(engine, {"cmd": "assign_prizes"}, {"cmd": "sign_off", "judge": "甲评委", "pin": "1234"})
    engine.execute({"cmd": "correct_score", "team": "d", "delta": 5, "reason": "漏记"})
    assert engine.state.prizes is None and engine.state.signoffs == {}


def test_unknown_command_and_bad_arguments(engine):
    refused(engine, {"cmd": "explode"}, "unknown command explode")
    refused(engine, {"cmd": "press", "team": "zz", "t_ms": 1}, "no team zz")
    refused(engine, {"cmd": "press", "team": "a", "t_ms": "soon"}, "t_ms must be a whole number")


def test_resume_gives_the_same_state(engine, contest, tmp_path, clock):
    to_buzzer_question(engine)
    run(engine, {"cmd": "open_buzzers", "t_ms": 0}, {"cmd": "press", "team": "b", "t_ms": 3})
    before = (dict(engine.state.scores), engine.state.floor(), engine.state.question.id)
    engine.close()
    again = StageEngine(contest, tmp_path / "show.journal", clock=clock)
    try:
        assert (again.state.scores, again.state.floor(), again.state.question.id) == before
        assert again.events[-1].type == "resumed"
    finally:
        again.close()
