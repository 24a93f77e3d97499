"""Buzzer benchmark on the real kiosk under Xvfb: a key press (xdotool, carrying the X server's
timestamp) to the winner drawn on the audience screen, p50/p99 over 500 presses; and two presses
sent 2 ms apart, in either order, must always be won by the earlier one.

Latency = the audience label's paint, minus the press's device timestamp mapped onto our clock
(offset = the smallest receive-minus-device difference seen, i.e. relative to the fastest
delivery). The baseline in the same run: the in-app part alone (received to painted).

    .venv/bin/python benchmarks/bench_buzzer.py [--presses 500]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEAMS = 8


def contest_text(questions: int) -> str:
    teams = "".join(f'''
[[teams]]
id = "t{n}"
unit = "单位{n}"
name = "代表队{n}"
members = ["甲{n}", "乙{n}", "丙{n}"]
buzzer_key = "{n}"
''' for n in range(1, TEAMS + 1))
    items = "".join(f'''
[[questions]]
id = "{kind}{i}"
round = "{kind}"
kind = "judge"
stem = "第{i}题"
answer = "对"
''' for kind, count in (("buzz", questions), ("tiebreak", 2)) for i in range(count))
    return f'''
[contest]
name = "抢答延迟测试"
judges = ["评委"]
chief_judge = "评委"
[prizes]
first = 1
second = 1
third = 1
{teams}
[[rounds]]
id = "buzz"
type = "buzzer"
title = "抢答"
questions = {questions}
{items}'''


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class ShowDriver:
    """A kiosk process under its own Xvfb (two screens), driven by xdotool key events."""

    def __init__(self, folder: Path, questions: int, *serve: str, latency_log: Path | None = None):
        (folder / "contest.toml").write_text(contest_text(questions), encoding="utf-8")
        read, write = os.pipe()
        self.server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-nolisten", "tcp", "-screen", "0",
                                        "1920x1080x24", "-screen", "1", "1280x720x24"], pass_fds=(write,),
                                       stderr=subprocess.DEVNULL)
        os.close(write)
        self.display = ":" + os.read(read, 16).decode().strip()
        os.close(read)
        self.folder = folder
        self.log = latency_log or folder / "latency.log"
        self.journal = folder / "show.journal"
        self.env = {**os.environ, "DISPLAY": self.display, "XDG_CONFIG_HOME": str(folder),
                    "FINALS_APP_LATENCY_LOG": str(self.log)}
        self.env.pop("QT_QPA_PLATFORM", None)
        self.processes = []
        self.kiosk = self.start(["stage", str(folder / "contest.toml"), "--journal", str(self.journal), *serve], "kiosk")

    def start(self, arguments: list[str], name: str, **extra) -> subprocess.Popen:
        stream = open(self.folder / f"{name}.log", "w")
        process = subprocess.Popen([sys.executable, "-m", "finals_app", *arguments], env={**self.env, **extra},
                                   stdout=stream, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def xdo(self, *words):
        subprocess.run(["xdotool", *words], env=self.env, check=True)

    def events(self):
        return self.journal.read_bytes().count(b"\n") if self.journal.exists() else 0

    def key(self, name, new=1):
        before = self.events()
        self.xdo("key", name)
        deadline = time.monotonic() + 5
        while self.events() < before + new:
            if time.monotonic() > deadline:
                tail = b"\n".join(self.journal.read_bytes().splitlines()[-4:]).decode()
                raise SystemExit(f"no event after key {name}; journal ends:\n{tail}\nlog: {self.folder / 'kiosk.log'}")
            time.sleep(0.005)

    def wait_for_console(self) -> None:
        deadline = time.monotonic() + 30
        while not subprocess.run(["xdotool", "search", "--onlyvisible", "--screen", "0", "--name", "主持人控制台"],
                                 env=self.env, capture_output=True).stdout:
            if time.monotonic() > deadline:
                raise SystemExit("the kiosk did not start")
            time.sleep(0.2)
        time.sleep(0.5)
        self.xdo("mousemove", "--screen", "0", "960", "30", "click", "1")
        time.sleep(0.2)

    def presses(self, count: int, painted: Path) -> None:
        """`count` presses, each waited for until `painted` (a latency log) has one more line."""
        self.key("ctrl+n")
        done = 0
        while done < count:
            self.key("n")
            self.key("b")
            for team in range(1, TEAMS + 1):
                if done >= count:
                    break
                lines = painted.read_text().count("\n") if painted.exists() else 0
                time.sleep(0.03)  # the host's last action has been drawn: the app is idle, as on stage
                self.key(str(team))  # the press (its answer time starts with the floor, in the same event)
                deadline = time.monotonic() + 5
                while (painted.read_text().count("\n") if painted.exists() else 0) <= lines:
                    if time.monotonic() > deadline:
                        raise SystemExit("the winner was not drawn")
                    time.sleep(0.002)
                done += 1
                self.key("x")  # wrong: the next team gets the question re-opened
                if team < TEAMS and done < count:
                    self.key("o")

    def close(self) -> None:
        for process in self.processes:
            process.kill()
            process.wait()
        self.server.terminate()
        self.server.wait()


def read_latency(path: Path) -> list[list[int]]:
    return [list(map(int, line.split())) for line in path.read_text().splitlines()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presses", type=int, default=500)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="finals-buzzer-bench-"))
    show = ShowDriver(folder, args.presses // TEAMS + 25)
    log, journal, key, xdo = show.log, show.journal, show.key, show.xdo

    def events():
        return show.events()

    try:
        show.wait_for_console()
        show.presses(args.presses, log)
        # Two presses 2 ms apart, in both orders: the earlier must win.
        from finals_app.core.stage.journal import Event  # noqa: F401
        wins = []
        for trial in range(20):
            first, second = ("3", "5") if trial % 2 == 0 else ("5", "3")
            key("n")
            key("b")
            before = events()
            time.sleep(0.03)
            xdo("key", "--delay", "0", first, "sleep", "0.002", "key", "--delay", "0", second)
            while events() < before + 2:  # the two presses
                time.sleep(0.005)
            wins.append(first)
            key("x")
        races = []
        lines = journal.read_bytes().splitlines()
        import json
        records = [json.loads(line[9:]) for line in lines]
        opened = [i for i, r in enumerate(records) if r["type"] == "buzzers_opened"][-20:]
        for index, start in enumerate(opened):
            presses = [r["data"] for r in records[start:start + 6] if r["type"] == "press_received"][:2]
            earliest = min(presses, key=lambda p: p["t_ms"])
            races.append((earliest["key"] == wins[index], presses[1]["t_ms"] - presses[0]["t_ms"]))
    finally:
        show.close()
    rows = read_latency(log)
    total = [painted - (device + offset) for device, received, painted, offset in rows]
    in_app = [painted - received for device, received, painted, offset in rows]
    print(f"presses measured: {len(rows)}")
    print(f"press to winner drawn: p50 {statistics.median(total):.1f} ms, p99 {percentile(total, 0.99):.1f} ms, "
          f"max {max(total)} ms (target p99 < 16.7 ms)")
    print(f"baseline, in-app only (received to drawn): p50 {statistics.median(in_app):.1f} ms, "
          f"p99 {percentile(in_app, 0.99):.1f} ms; ratio of p99s {percentile(total, 0.99) / max(1, percentile(in_app, 0.99)):.2f}")
    right = sum(1 for ok, _ in races if ok)
    print(f"2 ms races won by the earlier press: {right}/{len(races)} "
          f"(device gaps seen: {sorted({abs(gap) for _, gap in races})} ms)")


if __name__ == "__main__":
    main()
