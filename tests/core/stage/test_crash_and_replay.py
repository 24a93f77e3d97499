"""Crash safety: a real process killed with SIGKILL mid-show loses no acknowledged event; and
hypothesis state machines: any command sequence, with undo and restarts, folds to the state the
live engine shows."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from finals_app.core.clock import ManualClock
from finals_app.core.stage.engine import Refusal, StageEngine
from finals_app.core.stage.journal import Journal
from finals_app.core.stage.state import fold
from finals_app.core.stage.summary import summarise
from tests.stage_contest import SMALL_CONTEST, _questions

CHILD = Path(__file__).with_name("crash_child.py")
ROOT = Path(__file__).resolve().parents[3]


def _kill_and_check(contest_file: Path, journal: Path, seed: int) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    acknowledged = 0
    with subprocess.Popen([sys.executable, str(CHILD), str(contest_file), str(journal), str(seed)],
                          stdout=subprocess.PIPE, text=True, env=env) as child:
        first = child.stdout.readline()
        assert first.startswith("ready"), first
        deadline = time.monotonic() + random.Random(seed).uniform(0.005, 0.25)
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if line.startswith("ack "):
                acknowledged = int(line.split()[1])
        os.kill(child.pid, signal.SIGKILL)
        for line in child.stdout:  # anything printed before the kill was acknowledged too
            if line.startswith("ack "):
                acknowledged = int(line.split()[1])
    with Journal(journal) as reopened:
        seqs = [event.seq for event in reopened.events]
    assert seqs == list(range(1, len(seqs) + 1))
    assert seqs[-1] >= acknowledged, f"acknowledged {acknowledged}, journal ends at {seqs[-1]}"
    return acknowledged


def _crash_runs(tmp_path, runs: int) -> None:
    contest_file = tmp_path / "contest.toml"
    contest_file.write_text(SMALL_CONTEST + _questions(), encoding="utf-8")
    journal = tmp_path / "show.journal"
    acknowledged = [_kill_and_check(contest_file, journal, seed) for seed in range(runs)]
    assert acknowledged[-1] > 0 and acknowledged == sorted(acknowledged)


def test_sigkill_mid_show_loses_no_acknowledged_event_quick(tmp_path):
    _crash_runs(tmp_path, 12)


@pytest.mark.slow
def test_sigkill_mid_show_loses_no_acknowledged_event_200_times(tmp_path):
    _crash_runs(tmp_path, 200)


def _snapshot(state) -> tuple:
    return (summarise(state), [(p.seq, p.team, p.outcome) for p in state.presses],
            [(c.seq, c.team, c.delta, c.kind, c.undone) for c in state.changes])


TEAMS = ["a", "b", "c", "d"]
COMMANDS = st.one_of(
    st.sampled_from([{"cmd": c} for c in ("next_round", "show_question", "reveal", "correct", "wrong", "timeout",
                                           "reopen", "undo", "redo", "start_timer", "pause_timer", "resume_timer",
                                           "assign_prizes", "start_tiebreak", "end_tiebreak", "reask")]),
    st.builds(lambda t, ms: {"cmd": "press", "team": t, "t_ms": ms}, st.sampled_from(TEAMS), st.integers(0, 60)),
    st.builds(lambda ms: {"cmd": "open_buzzers", "t_ms": ms}, st.integers(0, 40)),
    st.builds(lambda t: {"cmd": "resolve_tie", "team": t}, st.sampled_from(TEAMS)),
    st.builds(lambda t, s: {"cmd": "choose_stake", "team": t, "stake": s}, st.sampled_from(TEAMS),
              st.sampled_from([10, 20, 30])),
    st.builds(lambda t, d: {"cmd": "correct_score", "team": t, "delta": d, "reason": "复核"},
              st.sampled_from(TEAMS), st.sampled_from([-10, 5])),
    st.builds(lambda j: {"cmd": "sign_off", "judge": j, "pin": {"甲评委": "1234", "乙评委": "5678"}[j]},
              st.sampled_from(["甲评委", "乙评委"])),
    st.builds(lambda n: {"cmd": "undo", "target": n}, st.integers(1, 40)),
)


class StageMachine(RuleBasedStateMachine):
    """Random commands (most refused, many not) with undo, redo and restarts."""

    def __init__(self):
        super().__init__()
        import tempfile
        from finals_app.core.stage.contest import load_contest
        self.folder = Path(tempfile.mkdtemp(prefix="stage-machine-"))
        contest_file = self.folder / "contest.toml"
        contest_file.write_text(SMALL_CONTEST + _questions(), encoding="utf-8")
        self.contest = load_contest(contest_file)
        self.clock = ManualClock()
        self.engine = StageEngine(self.contest, self.folder / "show.journal", clock=self.clock, durable=False)

    @rule(command=COMMANDS)
    def execute(self, command):
        try:
            self.engine.execute(command)
        except Refusal:
            pass

    @rule(ms=st.integers(0, 40_000))
    def time_passes(self, ms):
        self.clock.advance(ms)

    @rule()
    def crash_and_resume(self):
        before = _snapshot(self.engine.state)
        self.engine.close()
        self.engine = StageEngine(self.contest, self.folder / "show.journal", clock=self.clock, durable=False)
        after = _snapshot(self.engine.state)
        assert after[1:] == before[1:]
        assert {k: v for k, v in after[0].items() if k != "events"} == \
               {k: v for k, v in before[0].items() if k != "events"}

    @invariant()
    def live_state_is_the_fold_of_the_journal(self):
        assert _snapshot(fold(self.contest, self.engine.events)) == _snapshot(self.engine.state)

    @invariant()
    def scores_are_the_sum_of_the_audit_trail(self):
        state = self.engine.state
        for team in TEAMS:
            total = sum(c.delta for c in state.changes if c.team == team and not c.undone and not c.tiebreak)
            assert state.scores[team] == total

    def teardown(self):
        self.engine.close()
        import shutil
        shutil.rmtree(self.folder, ignore_errors=True)


StageMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=60, deadline=None,
                                          suppress_health_check=[HealthCheck.too_slow])
test_stage_state_machine = StageMachine.TestCase
