"""Runs a scripted show forever, printing the last journalled seq after each acknowledged
command; the crash test kills it with SIGKILL at random moments."""
from __future__ import annotations

import itertools
import random
import sys

from finals_app.core.stage.contest import load_contest
from finals_app.core.stage.engine import Refusal, StageEngine


def main() -> None:
    contest_path, journal_path, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(seed)
    engine = StageEngine(load_contest(contest_path), journal_path)
    teams = [t.id for t in engine.contest.teams]
    print(f"ready {engine.events[-1].seq}", flush=True)
    for step in itertools.count():
        command = rng.choice([
            {"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "correct"}, {"cmd": "wrong"},
            {"cmd": "open_buzzers", "t_ms": step * 10},
            {"cmd": "press", "team": rng.choice(teams), "t_ms": step * 10 + rng.randint(-5, 30)},
            {"cmd": "choose_stake", "team": rng.choice(teams), "stake": rng.choice([10, 20, 30])},
            {"cmd": "correct_score", "team": rng.choice(teams), "delta": rng.choice([-5, 5]), "reason": f"复核{step}"},
            {"cmd": "undo"}, {"cmd": "redo"},
        ])
        try:
            events = engine.execute(command)
        except Refusal:
            continue
        if events:
            print(f"ack {events[-1].seq}", flush=True)


if __name__ == "__main__":
    main()
