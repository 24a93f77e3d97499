"""End to end: the real kiosk on the bundled demo under Xvfb with two screens (1920x1080 and
1280x720), driven with real key events (xdotool): the host's shortcuts and the teams' buzzer
keys. Checks the scores in the journal, survives a SIGKILL and resumes, and saves screenshots
of every screen at key moments under tests/e2e/artifacts/ (not committed)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import pytest

from finals_app.core.stage.contest import load_contest
from finals_app.core.stage.journal import Journal
from finals_app.core.stage.state import fold

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).with_name("artifacts")
DEMO = Path(str(resources.files("finals_app.assets") / "contests" / "demo.toml"))
HOST_TITLE = "主持人控制台"
CORRECTION_TITLE = "更正分数"


class Kiosk:
    def __init__(self, display: str, home: Path, journal: Path, shots: Path):
        self.display = display
        self.journal = journal
        self.shots = shots
        self.env = {**os.environ, "FINALS_APP_LANG": "zh_CN", "DISPLAY": display, "XDG_CONFIG_HOME": str(home / "config"),
                    "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"),
                    "FINALS_APP_SCREENSHOTS": str(shots)}
        self.env.pop("QT_QPA_PLATFORM", None)
        self.log = home / f"kiosk-{time.monotonic_ns()}.log"
        with open(self.log, "w") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "finals_app", "stage", str(DEMO), "--journal",
                                             str(journal)], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.window = self._wait_for_window()
        self.shot_count = 0

    def _wait_for_window(self) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--screen", "0", "--name", HOST_TITLE],
                                   env=self.env, capture_output=True, text=True).stdout.split()
            if found:
                time.sleep(0.5)
                self.activate()
                return found[0]
            time.sleep(0.2)
        raise AssertionError("the host console did not appear")

    def activate(self) -> None:
        """No window manager: a click on the console's plan line makes it the active window."""
        subprocess.run(["xdotool", "mousemove", "--screen", "0", "960", "30", "click", "1"], env=self.env, check=True)
        self.wait_for_focus(HOST_TITLE)

    def wait_for_focus(self, title: str, seconds: float = 10) -> None:
        """Wait until the window with the keyboard focus is named `title`… (a dialog opened by a key
        appears a moment later under load; a key sent before would go to the window below)."""
        deadline = time.monotonic() + seconds
        while True:
            focused = subprocess.run(["xdotool", "getwindowfocus", "getwindowname"], env=self.env,
                                     capture_output=True, text=True).stdout.strip()
            if focused.startswith(title):
                return
            assert time.monotonic() < deadline, f"the focus is on {focused!r}, not {title!r}"
            time.sleep(0.05)

    def events(self) -> int:
        return self.journal.read_bytes().count(b"\n")

    def key(self, name: str, new_events: int = 1) -> None:
        """Press a key and wait until the journal has recorded what it should."""
        before = self.events()
        subprocess.run(["xdotool", "key", name], env=self.env, check=True)
        deadline = time.monotonic() + 5
        while self.events() < before + new_events:
            assert time.monotonic() < deadline, (f"key {name}: {self.events() - before} of {new_events} events; "
                                                 f"log: {self.log.read_text()[-2000:]}")
            time.sleep(0.02)

    def type(self, *keys: str, text: str | None = None) -> None:
        """Keys (xdotool names) or text the host types where nothing is journalled."""
        if keys:
            subprocess.run(["xdotool", "key", "--delay", "60", *keys], env=self.env, check=True)
        if text is not None:
            subprocess.run(["xdotool", "type", "--delay", "60", text], env=self.env, check=True)
        time.sleep(0.3)

    def screenshot(self, tag: str, refocus: bool = True) -> list[Path]:
        """Every screen as PNG. `refocus` clicks the console afterwards; not while a dialog is
        open (the click would take the keyboard from the dialog)."""
        self.shot_count += 1
        before = set(self.shots.glob("*.png")) if self.shots.exists() else set()
        self.process.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while True:
            new = set(self.shots.glob("*.png")) - before if self.shots.exists() else set()
            if len(new) >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        time.sleep(0.3)
        if refocus:
            self.activate()
        renamed = []
        for path in sorted(set(self.shots.glob("*.png")) - before):
            target = path.with_name(f"{tag}-{path.name.split('-', 1)[1]}")
            path.rename(target)
            renamed.append(target)
        return renamed

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)


def _scores(journal: Path) -> dict:
    contest = load_contest(DEMO)
    with Journal(journal) as opened:
        return fold(contest, opened.events).scores


def test_a_whole_show_driven_by_keys(display, tmp_path):
    shots = ARTIFACTS / "show"
    shutil.rmtree(shots, ignore_errors=True)
    journal = tmp_path / "show.journal"
    kiosk = Kiosk(display, tmp_path, journal, shots)
    try:
        kiosk.key("ctrl+n")
        for turn in range(32):  # round 1: each team in turn, correct on even turns
            kiosk.key("n")
            kiosk.key("r")
            if turn == 0:
                first = kiosk.screenshot("01-compulsory-revealed")
            kiosk.key("c" if turn % 2 == 0 else "x")
        kiosk.key("ctrl+n")  # round 1 is complete: no confirmation asked
        kiosk.key("n")
        kiosk.key("r")
        kiosk.key("b")
        kiosk.key("3")  # 烟台 presses (its answer time starts with the floor)
        kiosk.key("5")  # 济宁, later: kept as evidence
        winner = kiosk.screenshot("02-buzzer-winner")
        kiosk.key("c")
        kiosk.key("n")
        kiosk.key("r")
        kiosk.key("2")  # 青岛 presses before the buzzers open: a foul, −5
        kiosk.key("b")
        kiosk.key("4")
        kiosk.key("c")
        kiosk.screenshot("03-after-two-buzzer-questions")
    finally:
        kiosk.kill()  # a crash mid-show
    expected = {"jinan": 40, "qingdao": -5, "yantai": 50, "weifang": 10, "jining": 40, "linyi": 0,
                "provincial": 40, "enterprise": 0}
    assert _scores(journal) == expected
    sizes = {path.name.split("-")[-1]: _png_size(path) for path in first + winner}
    assert sizes["host.png"] == (1920, 1080) and sizes["audience.png"] == (1280, 720)

    resumed = Kiosk(display, tmp_path, journal, shots)  # relaunch = resume
    try:
        resumed.screenshot("04-resumed")
        resumed.key("n")
        resumed.key("r")
        resumed.key("b")
        resumed.key("7")
        resumed.key("x")
    finally:
        resumed.kill()
    assert _scores(journal) == {**expected, "provincial": 30}


def test_the_host_types_a_correction_with_digits_and_no_press_is_recorded(display, tmp_path):
    """Key-capture mode: the demo's buzzer keys are the digits 1-8. The host opens the
    correction dialog (F2), types 15 points and a reason with digits in it, and confirms."""
    journal = tmp_path / "fix.journal"
    kiosk = Kiosk(display, tmp_path, journal, ARTIFACTS / "correction")
    try:
        kiosk.key("ctrl+n")
        before = kiosk.events()
        kiosk.type("F2")
        kiosk.wait_for_focus(CORRECTION_TITLE)
        kiosk.type("Tab", "ctrl+a", "1", "5", "Tab")  # the team stays the first; 15 points
        kiosk.type(text="Q3 recount 2 of 8")
        kiosk.screenshot("01-correction-dialog", refocus=False)
        kiosk.wait_for_focus(CORRECTION_TITLE)
        kiosk.key("Return")
    finally:
        kiosk.kill()
    with Journal(journal) as opened:
        new = opened.events[before:]
    assert [e.type for e in new] == ["score_corrected"], [(e.type, e.data) for e in new]
    assert new[0].data == {"team": "jinan", "delta": 15, "reason": "Q3 recount 2 of 8", "tiebreak": False}
    assert not [e for e in opened.events if e.type == "press_received"]


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[16:24]
    return int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")
