"""Big-screen frame times while the scoreboard animates a re-order (every team's score changes
and the order turns over), at 1920×1080, rendered offscreen; with a baseline measured in the
same run: the same event loop ticking a bare 60 Hz timer (what the loop itself costs).

    .venv/bin/python benchmarks/bench_audience.py [--rounds 20]
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from importlib import resources
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("FINALS_APP_LANG", "zh_CN")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20, help="animated re-orders to measure")
    args = parser.parse_args()
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from finals_app.core.clock import ManualClock
    from finals_app.core.stage.contest import load_contest
    from finals_app.core.stage.engine import StageEngine
    from finals_app.ui.audience_screen import AudienceScreen
    from finals_app.ui.bridge import StageBridge

    app = QApplication.instance() or QApplication([])
    contest = load_contest(Path(str(resources.files("finals_app.assets") / "contests" / "demo.toml")))
    folder = Path(tempfile.mkdtemp(prefix="bench-audience-"))
    clock = ManualClock()
    engine = StageEngine(contest, folder / "show.journal", clock=clock, durable=False)
    bridge = StageBridge(engine, clock)
    audience = AudienceScreen(bridge)
    audience.resize(1920, 1080)
    audience.show()
    board = audience.scoreboard
    teams = [t.id for t in contest.teams]

    def run_loop(milliseconds: int) -> None:
        watch = QElapsedTimer()
        watch.start()
        while watch.elapsed() < milliseconds:
            app.processEvents()

    # the baseline: a bare 60 Hz timer on the same loop
    ticks: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        ticks.append((now - last[0]) * 1000)
        last[0] = now
        audience.grab()  # a frame of the screen with nothing moving

    timer = QTimer()
    timer.setInterval(16)
    timer.timeout.connect(tick)
    timer.start()
    run_loop(1500)
    timer.stop()

    frames: list[float] = []
    paint: list[float] = []
    for round_number in range(args.rounds):
        board.frame_times.clear()
        delta = 10 if round_number % 2 == 0 else -10
        for index, team in enumerate(teams):  # every score moves, the order turns over
            engine.execute({"cmd": "correct_score", "team": team, "delta": delta * (index + 1), "reason": "bench"})
        watch = QElapsedTimer()
        watch.start()
        while board.animation.state() == board.animation.State.Running:
            started = time.perf_counter()
            audience.grab()  # render the whole screen as the projector would show it
            paint.append((time.perf_counter() - started) * 1000)
            app.processEvents()
        frames.extend(board.frame_times)
    engine.close()

    base = statistics.median(ticks[1:])
    print(f"animated re-orders: {args.rounds}, frames: {len(frames)}")
    print(f"frame interval ms: p50 {statistics.median(frames):.1f}  p95 {percentile(frames, 0.95):.1f}  "
          f"max {max(frames):.1f}")
    print(f"full-screen render ms while animating: p50 {statistics.median(paint):.1f}  "
          f"p95 {percentile(paint, 0.95):.1f}  max {max(paint):.1f}")
    print(f"baseline (bare 60 Hz timer + a still frame) interval ms: p50 {base:.1f}  p95 {percentile(ticks[1:], 0.95):.1f}")
    print(f"ratio animated/baseline frame interval (p50): {statistics.median(frames) / base:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
