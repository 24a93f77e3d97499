"""Referee-grade stage rules (issue 11): a buzzer question nobody answers ends, undo/redo is a
stack, no stake after the risk round, no prize inside an open tie, the answer clock waits for
the floor, judges sign with their own PINs, and the guide to the next step."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finals_app.core.clock import ManualClock
from finals_app.core.stage.contest import load_contest
from finals_app.core.stage.engine import Refusal, StageEngine
from finals_app.core.stage.guide import guide, legal_commands, next_step
from finals_app.core.stage.pins import hash_pin, verify_pin
from tests.core.stage.test_engine import _finish_rounds, play_compulsory, refused, run, to_buzzer_question
from tests.stage_contest import SMALL_CONTEST, _questions


def opened(engine, clock):
    to_buzzer_question(engine)
    engine.execute({"cmd": "open_buzzers", "t_ms": 1000})


# ---- 1. a buzzer question nobody answers ends as "no answer"

def test_the_press_window_runs_out_and_the_question_ends_with_no_answer(engine, clock):
    opened(engine, clock)
    timer = engine.state.timer
    assert (timer.kind, timer.duration_ms, timer.running) == ("press", 10_000, True)  # the rules file's 10 s
    clock.advance(9_999)
    assert engine.expire() == [] and engine.state.question_in_progress
    clock.advance(1)
    events = engine.expire()
    assert [e.type for e in events] == ["no_answer"] and events[0].operator == "system"
    assert events[0].data["why"] == "window"
    state = engine.state
    assert state.question.status == "judged" and state.question.no_answer and state.timer is None
    assert state.scores == {"a": 0, "b": 0, "c": 0, "d": 0}  # nobody won or lost points
    assert [c for c in state.changes if c.question == state.question.id] == []
    refused(engine, {"cmd": "reopen"}, "nobody answered")
    engine.execute({"cmd": "show_question"})  # the show moves on
    assert engine.state.question_in_progress


def test_the_host_closes_the_buzzers_or_calls_time(engine, clock):
    opened(engine, clock)
    engine.execute({"cmd": "close_buzzers"})
    assert engine.state.question.no_answer and engine.events[-1].data["why"] == "host"
    engine.execute({"cmd": "show_question"})
    engine.execute({"cmd": "open_buzzers", "t_ms": 5000})
    engine.execute({"cmd": "timeout"})  # time is up and nobody pressed: the same "no answer"
    assert engine.state.question.no_answer
    engine.execute({"cmd": "show_question"})
    run(engine, {"cmd": "open_buzzers", "t_ms": 9000}, {"cmd": "press", "team": "b", "t_ms": 9100})
    refused(engine, {"cmd": "close_buzzers"}, "乙单位代表队 holds the floor")


def test_every_team_fouled_before_the_opening(engine, clock):
    to_buzzer_question(engine)
    for team in "abcd":
        engine.execute({"cmd": "press", "team": team, "t_ms": 10})
    assert engine.state.scores == {"a": -5, "b": -5, "c": -5, "d": -5}
    engine.execute({"cmd": "open_buzzers", "t_ms": 20})
    clock.advance(10_000)
    assert [e.type for e in engine.expire()] == ["no_answer"]
    engine.execute({"cmd": "show_question"})


def test_a_reopen_nobody_takes_ends_with_no_answer(engine, clock):
    opened(engine, clock)
    run(engine, {"cmd": "press", "team": "b", "t_ms": 1100}, {"cmd": "wrong"}, {"cmd": "reopen", "t_ms": 1200})
    assert engine.state.timer.kind == "press"
    clock.advance(10_000)
    engine.expire()
    assert engine.state.question.no_answer and engine.state.scores["b"] == -10


def test_the_press_window_is_a_rules_and_contest_value(tmp_path):
    text = SMALL_CONTEST.replace('title = "抢答题"\nquestions = 3', 'title = "抢答题"\nquestions = 3\npress_seconds = 7')
    path = tmp_path / "c.toml"
    path.write_text(text + _questions(), encoding="utf-8")
    contest = load_contest(path)
    assert contest.round("r2").press_seconds == 7 and contest.tiebreak.press_seconds == 10
    path.write_text(text.replace("press_seconds = 7", "press_seconds = 0") + _questions(), encoding="utf-8")
    with pytest.raises(Exception) as raised:
        load_contest(path)
    assert "rounds[1].press_seconds" in raised.value.render("en")


# ---- 2. undo and redo as a stack

def test_redo_after_redo_is_refused_not_an_undo(engine):
    run(engine, {"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "correct"}, {"cmd": "undo"},
        {"cmd": "redo"})
    assert engine.state.scores["a"] == 10
    refused(engine, {"cmd": "redo"}, "nothing to redo")
    assert engine.state.scores["a"] == 10


def test_undo_walks_back_and_redo_forward_until_a_new_action(engine):
    for delta in (1, 2, 4):
        engine.execute({"cmd": "correct_score", "team": "a", "delta": delta, "reason": f"r{delta}"})
    run(engine, {"cmd": "undo"}, {"cmd": "undo"})
    assert engine.state.scores["a"] == 1
    engine.execute({"cmd": "redo"})
    assert engine.state.scores["a"] == 3
    engine.execute({"cmd": "correct_score", "team": "b", "delta": 8, "reason": "new"})  # a new action
    refused(engine, {"cmd": "redo"}, "nothing to redo")
    run(engine, {"cmd": "undo"}, {"cmd": "undo"}, {"cmd": "undo"})  # 8, 2, 1: the 4 is gone for good
    assert engine.state.scores == {"a": 0, "b": 0, "c": 0, "d": 0}
    refused(engine, {"cmd": "undo"}, "nothing to undo")


def test_an_ignored_press_does_not_clear_redo_but_a_foul_does(engine):
    play_compulsory(engine, ["wrong"] * 4)
    run(engine, {"cmd": "correct_score", "team": "a", "delta": 5, "reason": "x"}, {"cmd": "undo"},
        {"cmd": "press", "team": "a", "t_ms": 1})  # no buzzer question: evidence only
    assert engine.state.presses[-1].outcome == "ignored_no_question"
    engine.execute({"cmd": "redo"})
    assert engine.state.scores["a"] == 5
    run(engine, {"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "undo"},
        {"cmd": "press", "team": "b", "t_ms": 1})  # a foul is a new action
    refused(engine, {"cmd": "redo"}, "nothing to redo")


def test_undo_stack_of_an_old_journal_is_read_the_same(engine, contest, tmp_path, clock):
    """Before redo had its own event, a redo was written as an undo of the undo."""
    run(engine, {"cmd": "correct_score", "team": "a", "delta": 5, "reason": "x"}, {"cmd": "undo"})
    undo_seq = engine.events[-1].seq
    engine.journal.append([{"type": "undone", "wall_ms": 0, "mono_ms": 0, "operator": "host",
                            "data": {"target": undo_seq, "type": "undone", "reason": "redo"}}])
    engine.close()
    again = StageEngine(contest, tmp_path / "show.journal", clock=clock)
    try:
        assert again.state.scores["a"] == 5
        refused(again, {"cmd": "redo"}, "nothing to redo")
        again.execute({"cmd": "undo"})
        assert again.state.scores["a"] == 0
    finally:
        again.close()


def _fresh_engine(folder: Path, name: str) -> StageEngine:
    contest_file = folder / "contest.toml"
    if not contest_file.exists():
        contest_file.write_text(SMALL_CONTEST + _questions(), encoding="utf-8")
    engine = StageEngine(load_contest(contest_file), folder / name, clock=ManualClock(), durable=False)
    run(engine, {"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "start_timer"})
    return engine


ACTIONS = st.one_of(
    st.builds(lambda t, d: {"cmd": "correct_score", "team": t, "delta": d, "reason": "复核"},
              st.sampled_from("abcd"), st.sampled_from([-10, -5, 5, 10])),
    st.builds(lambda s: {"cmd": "add_time", "seconds": s}, st.integers(1, 30)),
    st.sampled_from([{"cmd": "reveal"}, {"cmd": "correct"}, {"cmd": "wrong"}]),
    st.just({"cmd": "undo"}), st.just({"cmd": "redo"}),
)


def _observed(state) -> tuple:
    question = state.question
    return (dict(state.scores), [(c.team, c.delta, c.kind, c.reason) for c in state.changes if not c.undone],
            (question.status, question.revealed, tuple(question.verdicts)), state.timer.duration_ms)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(commands=st.lists(ACTIONS, max_size=40))
def test_any_sequence_equals_the_sequence_without_its_undone_commands(commands):
    """An independent stack model says which commands are in force; replaying just those in a
    fresh show gives the same state as the whole sequence with its undos and redos."""
    with tempfile.TemporaryDirectory() as folder:
        engine = _fresh_engine(Path(folder), "all.journal")
        done: list[int] = []
        redo: list[int] = []
        try:
            for index, command in enumerate(commands):
                if command["cmd"] in ("undo", "redo"):
                    source, target = (done, redo) if command["cmd"] == "undo" else (redo, done)
                    try:
                        engine.execute(command)
                    except Refusal:
                        assert not source, f"{command['cmd']} refused with {source} to take"
                        continue
                    assert source, f"{command['cmd']} accepted with nothing to take"
                    target.append(source.pop())
                    continue
                try:
                    engine.execute(command)
                except Refusal:
                    continue
                done.append(index)
                redo.clear()
            whole = _observed(engine.state)
        finally:
            engine.close()
        replay = _fresh_engine(Path(folder), "in-force.journal")
        try:
            for index in sorted(done):
                replay.execute(commands[index])
            assert _observed(replay.state) == whole
        finally:
            replay.close()


# ---- 3. no stake after the risk round

def test_no_stake_once_the_risk_round_has_played_all_its_questions(engine):
    play_compulsory(engine, ["wrong"] * 4)
    engine.execute({"cmd": "next_round"})
    for _ in range(3):
        engine.execute({"cmd": "show_question"})
        engine.execute({"cmd": "close_buzzers"})
    engine.execute({"cmd": "next_round"})
    for team in "abcd":
        run(engine, {"cmd": "choose_stake", "team": team, "stake": 10}, {"cmd": "show_question"}, {"cmd": "wrong"})
    refused(engine, {"cmd": "choose_stake", "team": "a", "stake": 10}, "has played all its 4 questions")


# ---- 4. no prize inside an open tie

def test_tied_teams_share_a_rank_and_no_prize_while_the_tie_is_open(engine):
    run(engine, {"cmd": "correct_score", "team": "a", "delta": 30, "reason": "x"},
        {"cmd": "correct_score", "team": "b", "delta": 20, "reason": "x"},
        {"cmd": "correct_score", "team": "c", "delta": 20, "reason": "x"})
    rows = {row["team"]: row for row in engine.state.ranking()}
    assert rows["a"]["prize"] == "first"
    assert rows["b"]["rank"] == rows["c"]["rank"] == 2
    assert rows["b"]["prize"] is None and rows["c"]["prize"] is None and rows["b"]["tied"] and rows["c"]["tied"]
    assert engine.state.open_ties() == [["b", "c"]]
    engine.execute({"cmd": "correct_score", "team": "d", "delta": 20, "reason": "x"})
    assert engine.state.open_ties() == [["b", "c", "d"]]


def with_a_cut(folder: Path, top: int = 2) -> StageEngine:
    """The small contest with only its top `top` teams playing round 2."""
    path = folder / "cut.toml"
    path.write_text(SMALL_CONTEST.replace('chief_judge = "甲评委"', f'chief_judge = "甲评委"\nadvance_top = {top}')
                    + _questions(), encoding="utf-8")
    return StageEngine(load_contest(path), folder / "cut.journal", clock=ManualClock(), durable=False)


def test_teams_that_did_not_advance_rank_after_those_that_did(tmp_path):
    engine = with_a_cut(tmp_path)
    try:
        play_compulsory(engine, ["correct", "correct", "wrong", "wrong"])
        engine.execute({"cmd": "next_round"})
        assert engine.state.playing == ["a", "b"]
        run(engine, {"cmd": "correct_score", "team": "a", "delta": -30, "reason": "x"},
            {"cmd": "correct_score", "team": "c", "delta": 50, "reason": "x"})
        assert [row["team"] for row in engine.state.ranking()] == ["b", "a", "c", "d"]
    finally:
        engine.close()


# ---- 5. the answer clock waits for the floor

def test_the_answer_clock_stands_still_while_the_host_decides_a_tie(engine, clock):
    opened(engine, clock)
    engine.execute({"cmd": "press", "team": "b", "t_ms": 1010})
    assert engine.state.timer.kind == "answer" and engine.state.timer.duration_ms == 20_000
    clock.advance(30)
    engine.execute({"cmd": "press", "team": "c", "t_ms": 1010})  # the same millisecond: a tie
    assert engine.state.floor() == (None, ["b", "c"]) and engine.state.timer is None
    refused(engine, {"cmd": "start_timer"}, "when one team holds the floor")
    clock.advance(8_000)  # the host takes 8 s to decide
    engine.execute({"cmd": "resolve_tie", "team": "c"})
    assert engine.state.timer.remaining_ms(clock.monotonic_ms()) == 20_000  # c gets its full answer time
    clock.advance(5_000)
    assert engine.state.timer.remaining_ms(clock.monotonic_ms()) == 15_000


def test_an_earlier_press_arriving_later_takes_the_floor_with_full_time(engine, clock):
    opened(engine, clock)
    engine.execute({"cmd": "press", "team": "b", "t_ms": 1050})
    clock.advance(40)
    engine.execute({"cmd": "press", "team": "d", "t_ms": 1020})
    assert engine.state.floor() == ("d", []) and engine.state.question.timer_team == "d"
    assert engine.state.timer.remaining_ms(clock.monotonic_ms()) == 20_000


def test_device_microseconds_decide_a_tie_within_the_millisecond_boundary(engine, clock):
    opened(engine, clock)
    run(engine, {"cmd": "press", "team": "b", "t_ms": 1010, "t_us": 1_010_999},
        {"cmd": "press", "team": "c", "t_ms": 1011, "t_us": 1_011_001})
    assert engine.state.floor() == (None, ["b", "c"])  # 2 µs apart: less than the 1 ms resolution


# ---- judges' PINs

def test_pins_are_salted_hashes_checked_and_wrong_ones_journalled(engine):
    stored = hash_pin("2468")
    assert "2468" not in stored and stored != hash_pin("2468") and verify_pin("2468", stored)
    assert not verify_pin("2469", stored)
    _finish_rounds(engine, ["correct", "wrong", "wrong", "wrong"], ["b", "c", "c"],
                   [(10, "correct"), (20, "correct"), (20, "correct"), (10, "wrong")])
    engine.execute({"cmd": "assign_prizes"})
    refused(engine, {"cmd": "sign_off", "judge": "甲评委"}, "has no PIN yet")
    refused(engine, {"cmd": "sign_off", "judge": "甲评委", "pin": "12"}, "4 to 12 digits")
    engine.execute({"cmd": "sign_off", "judge": "甲评委", "pin": "1357"})
    pin_set = engine.events[-2]
    # Only the salted hash is kept (a random salt may happen to contain the digits 1357: the test
    # looks at the values, not at the text).
    assert pin_set.type == "judge_pin_set" and set(pin_set.data) == {"judge", "hash"}
    assert "1357" not in pin_set.data.values() and verify_pin("1357", pin_set.data["hash"])
    refused(engine, {"cmd": "sign_off", "judge": "乙评委", "pin": "1111", "prizes": {"first": ["b"]}},
            "prize list changed")
    engine.execute({"cmd": "sign_off", "judge": "乙评委", "pin": "8642", "prizes": engine.state.prizes})
    assert engine.state.final
    before = len(engine.events)
    with pytest.raises(Refusal, match="wrong PIN"):
        engine.execute({"cmd": "reopen_result", "judge": "甲评委", "reason": "复核", "pin": "0000"})
    assert len(engine.events) == before + 1 and engine.events[-1].type == "pin_refused"
    assert engine.state.final and engine.state.pin_refusals[-1][0] == "甲评委"
    engine.execute({"cmd": "reopen_result", "judge": "甲评委", "reason": "复核", "pin": "1357"})
    assert not engine.state.final


# ---- the guide: what is legal now, what comes next

def test_the_guide_follows_a_show(engine, clock):
    assert guide(engine)["next"] == "next_round"
    assert "correct" not in legal_commands(engine) and "correct_score" in legal_commands(engine)
    engine.execute({"cmd": "next_round"})
    assert next_step(engine) == "show_question"
    engine.execute({"cmd": "show_question"})
    assert next_step(engine) == "reveal"
    engine.execute({"cmd": "reveal"})
    assert next_step(engine) == "start_timer"
    engine.execute({"cmd": "start_timer"})
    assert next_step(engine) == "correct"
    assert {"correct", "wrong", "timeout", "pause_timer", "undo"} <= set(legal_commands(engine))
    assert "show_question" not in legal_commands(engine) and "open_buzzers" not in legal_commands(engine)
    clock.advance(30_000)
    assert next_step(engine) == "timeout"
    engine.execute({"cmd": "timeout"})
    for _ in range(3):
        run(engine, {"cmd": "show_question"}, {"cmd": "wrong"})
    assert next_step(engine) == "next_round"
    run(engine, {"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "reveal"})
    assert next_step(engine) == "open_buzzers"
    engine.execute({"cmd": "open_buzzers", "t_ms": 0})
    assert next_step(engine) is None and "close_buzzers" in legal_commands(engine)  # waiting for a press
    run(engine, {"cmd": "press", "team": "a", "t_ms": 5}, {"cmd": "press", "team": "b", "t_ms": 5})
    assert next_step(engine) == "resolve_tie" and "correct" not in legal_commands(engine)
    engine.execute({"cmd": "resolve_tie", "team": "a"})
    assert next_step(engine) == "correct"


def test_a_tie_break_waits_for_the_rounds_or_the_advancement_cut(engine, tmp_path):
    refused(engine, {"cmd": "start_tiebreak"}, "the rounds are not finished")  # everyone is at 0: no play-off yet
    cut = with_a_cut(tmp_path)
    try:
        play_compulsory(cut, ["correct", "correct", "correct", "wrong"])
        refused(cut, {"cmd": "next_round"}, "tied at the advancement cut")
        cut.execute({"cmd": "start_tiebreak"})
        assert cut.state.tiebreak_teams == ["a", "b", "c"]
        run(cut, {"cmd": "show_question"}, {"cmd": "open_buzzers", "t_ms": 0}, {"cmd": "press", "team": "c", "t_ms": 1},
            {"cmd": "correct"})
        refused(cut, {"cmd": "end_tiebreak"}, "not broken yet")  # a and b still share the cut
        run(cut, {"cmd": "show_question"}, {"cmd": "open_buzzers", "t_ms": 0}, {"cmd": "press", "team": "a", "t_ms": 1},
            {"cmd": "correct"}, {"cmd": "end_tiebreak"}, {"cmd": "next_round"})
        assert cut.state.playing == ["a", "c"] and cut.state.scores == {"a": 10, "b": 10, "c": 10, "d": 0}
    finally:
        cut.close()


def test_pins_set_before_the_show_come_from_the_contest_file(monkeypatch, tmp_path):
    import io

    from finals_app.cli import main
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "2468")
    out = io.StringIO()
    assert main(["contest", "pin", "甲评委"], out, io.StringIO()) == 0
    line = out.getvalue().splitlines()[-1]
    assert line.startswith('"甲评委" = "scrypt$') and "2468" not in out.getvalue()
    text = SMALL_CONTEST.replace('chief_judge = "甲评委"\n', f'chief_judge = "甲评委"\n\n[contest.judge_pins]\n{line}\n')
    path = tmp_path / "pins.toml"
    path.write_text(text + _questions(), encoding="utf-8")
    contest = load_contest(path)
    assert verify_pin("2468", contest.pin_of("甲评委")) and contest.pin_of("乙评委") is None
    path.write_text(text.replace('"甲评委" = "scrypt$', '"丙评委" = "scrypt$') + _questions(), encoding="utf-8")
    with pytest.raises(Exception) as raised:
        load_contest(path)
    assert "contest.judge_pins.丙评委" in raised.value.render("en")
