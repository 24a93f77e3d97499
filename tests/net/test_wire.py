"""What travels to a follower: no secrets, questions no earlier than the hall sees them."""
from __future__ import annotations

import json

from finals_app.core.stage.state import fold
from finals_app.core.stage.wire import (ANSWERED, REVEALED, SHOWN, Discloser, Disclosures, contest_from_public,
                                        public_contest)


def test_the_public_contest_has_no_questions_pins_or_path(contest, tmp_path):
    from dataclasses import replace
    secret = replace(contest, judge_pins=(("甲评委", "scrypt$..."),))
    text = json.dumps(public_contest(secret), ensure_ascii=False)
    assert "r1 第1题" not in text and "scrypt" not in text and str(tmp_path) not in text
    again = contest_from_public(json.loads(text))
    assert again.teams == contest.teams and again.rounds == contest.rounds and again.tiebreak == contest.tiebreak
    assert again.prizes == contest.prizes and again.questions == () and again.judge_pins == ()
    assert fold(again, []).scores == fold(contest, []).scores


def test_a_question_is_disclosed_step_by_step(engine):
    engine.execute({"cmd": "next_round"})
    engine.execute({"cmd": "show_question"})
    question = engine.state.question.id
    discloser = Discloser(engine.contest)
    levels = Disclosures(engine.events)
    shown = discloser.records(engine.events, levels.levels)
    told = [r["disclose"] for r in shown if "disclose" in r]
    assert levels.levels[question] == SHOWN and told[0]["stem"] == "" and told[0]["answer"] == ""
    events = engine.execute({"cmd": "reveal"})
    levels.update(events)
    told = [r["disclose"] for r in discloser.records(events, levels.levels) if "disclose" in r]
    assert levels.levels[question] == REVEALED and told[0]["stem"] == "r1 第1题" and told[0]["answer"] == ""
    events = engine.execute({"cmd": "correct"})
    levels.update(events)
    told = [r["disclose"] for r in discloser.records(events, levels.levels) if "disclose" in r]
    assert levels.levels[question] == ANSWERED and told[0]["answer"] == "A" and told[0]["stem"]
    # A follower arriving later gets the question as far as it is disclosed, once.
    late = Discloser(engine.contest).records(engine.events, levels.levels)
    assert [r["disclose"]["answer"] for r in late if "disclose" in r] == ["A"]


def test_no_pin_hash_ever_travels(engine):
    from finals_app.core.stage.wire import SECRET
    play = [{"cmd": "next_round"}]
    for command in play:
        engine.execute(command)
    engine.state.prizes = {"first": ["a"], "second": ["b"], "third": ["c"]}  # a prize list to sign
    engine.execute({"cmd": "sign_off", "judge": "甲评委", "pin": "4321"})  # the first sign-in sets the PIN
    stored = next(e for e in engine.events if e.type == "judge_pin_set").data["hash"]
    records = Discloser(engine.contest).records(engine.events, Disclosures(engine.events).levels)
    text = json.dumps(records, ensure_ascii=False)
    assert stored not in text and "scrypt" not in text
    assert [r["data"]["hash"] for r in records if r["type"] == "judge_pin_set"] == [SECRET]
