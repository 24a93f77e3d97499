"""Stage journal benchmark: durable append latency (p50/p99, fsync per event) and the replay
time of a full final (>= 2,000 events), with a baseline measured in the same run: the same
appends without fsync (what durability costs).

    .venv/bin/python benchmarks/bench_stage.py [--events 2500]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from importlib import resources
from pathlib import Path

from finals_app.core.stage.contest import load_contest
from finals_app.core.stage.engine import Refusal, StageEngine
from finals_app.core.stage.journal import Journal
from finals_app.core.stage.state import fold


def scripted_show(engine: StageEngine, events_wanted: int) -> list[float]:
    """Play the demo contest, then corrections and presses, timing each command (ms)."""
    latencies = []
    teams = [t.id for t in engine.contest.teams]
    step = 0

    def timed(command) -> bool:
        started = time.perf_counter()
        try:
            engine.execute(command)
        except Refusal:
            return False
        latencies.append((time.perf_counter() - started) * 1000)
        return True

    timed({"cmd": "next_round"})
    while len(engine.events) < events_wanted:
        step += 1
        plan = engine.state.round
        if plan is not None and plan.type == "buzzer" and timed({"cmd": "show_question"}):
            timed({"cmd": "open_buzzers", "t_ms": step * 100})
            for offset, team in enumerate(teams):
                timed({"cmd": "press", "team": team, "t_ms": step * 100 + 5 + offset})
            timed({"cmd": "correct"})
        elif plan is not None and plan.type == "compulsory" and timed({"cmd": "show_question"}):
            timed({"cmd": "start_timer"})
            timed({"cmd": "correct" if step % 3 else "wrong"})
        else:
            timed({"cmd": "next_round"})
            timed({"cmd": "correct_score", "team": teams[step % len(teams)], "delta": 5, "reason": f"复核 {step}"})
            if step % 7 == 0:
                timed({"cmd": "undo"})
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2500)
    args = parser.parse_args()
    contest = load_contest(Path(str(resources.files("finals_app.assets") / "contests" / "demo.toml")))
    with tempfile.TemporaryDirectory(prefix="finals-stage-bench-") as folder:
        figures = {}
        for label, durable in (("durable (fsync)", True), ("baseline, no fsync", False)):
            path = Path(folder) / f"{durable}.journal"
            engine = StageEngine(contest, path, durable=durable)
            appends = []
            real_append = engine.journal.append

            def timed_append(records, real_append=real_append, appends=appends):
                started = time.perf_counter()
                try:
                    return real_append(records)
                finally:
                    appends.append((time.perf_counter() - started) * 1000)
            engine.journal.append = timed_append
            commands = scripted_show(engine, args.events)
            engine.close()
            figures[label] = appends
            print(f"{label:<20} appends  {len(appends):>5}  p50 {statistics.median(appends):6.3f} ms  "
                  f"p99 {percentile(appends, 0.99):6.3f} ms  max {max(appends):6.3f} ms")
            print(f"{'':<20} commands {len(commands):>5}  p50 {statistics.median(commands):6.3f} ms  "
                  f"p99 {percentile(commands, 0.99):6.3f} ms  (check + append + state update)")
        path = Path(folder) / "True.journal"
        started = time.perf_counter()
        with Journal(path) as journal:
            events = journal.events
            read = time.perf_counter() - started
            state = fold(contest, events)
        replay = time.perf_counter() - started
        print(f"replay of {len(events):,} events: {replay * 1000:.1f} ms (read and check {read * 1000:.1f} ms, "
              f"fold {(replay - read) * 1000:.1f} ms); target < 100 ms")
        durable_p99 = percentile(figures["durable (fsync)"], 0.99)
        print(f"durable append p99 {durable_p99:.3f} ms (target < 5 ms); "
              f"ratio to the no-fsync baseline p99: {durable_p99 / percentile(figures['baseline, no fsync'], 0.99):.1f}x")
        print(f"final scores: {state.scores}")


if __name__ == "__main__":
    main()
