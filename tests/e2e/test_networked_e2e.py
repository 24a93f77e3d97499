"""End to end, as processes under Xvfb: `finals-app stage --serve` and `finals-app follow` on the
same machine. A buzzer press on the kiosk (a real key) is painted by the follower; the kiosk
killed, the follower shows 连接中断; the kiosk restarted, the follower catches up and the curtain
lifts."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.bench_buzzer import contest_text

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).with_name("artifacts") / "networked"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait(condition, what: str, timeout: float = 30.0, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}" + (f"; log: {log.read_text()[-3000:]}" if log else ""))
        time.sleep(0.05)


class Processes:
    def __init__(self, display: str, folder: Path):
        self.folder = folder
        self.env = {**os.environ, "FINALS_APP_LANG": "zh_CN", "DISPLAY": display,
                    "XDG_CONFIG_HOME": str(folder / "config"), "XDG_DATA_HOME": str(folder / "data"),
                    "XDG_CACHE_HOME": str(folder / "cache")}
        self.env.pop("QT_QPA_PLATFORM", None)
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, *arguments: str, **extra) -> tuple[subprocess.Popen, Path]:
        log = self.folder / f"{name}-{time.monotonic_ns()}.log"
        with open(log, "w") as stream:
            process = subprocess.Popen([sys.executable, "-m", "finals_app", *arguments], env={**self.env, **extra},
                                       stdout=stream, stderr=subprocess.STDOUT)
        self.running.append(process)
        return process, log

    def xdo(self, *words: str) -> str:
        return subprocess.run(["xdotool", *words], env=self.env, capture_output=True, text=True).stdout

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.kill()
                process.wait(10)


def shot(process: subprocess.Popen, folder: Path, role: str) -> Path:
    before = set(folder.glob(f"*-{role}.png")) if folder.exists() else set()
    process.send_signal(signal.SIGUSR1)
    wait(lambda: folder.exists() and set(folder.glob(f"*-{role}.png")) - before, f"a screenshot of {role}", 10)
    path = max(set(folder.glob(f"*-{role}.png")) - before)
    time.sleep(0.3)  # written completely
    return path


def greyness(path: Path) -> float:
    """How grey the screen's middle band is (0 = the stage's blue, towards 1 = the curtain)."""
    from PySide6.QtGui import QImage
    image = QImage(str(path))
    samples = [image.pixelColor(int(image.width() * x / 10), int(image.height() * 0.15)) for x in range(1, 10)]
    blue = sum(c.blue() - c.red() for c in samples) / len(samples)
    return 1.0 if blue < 8 else 0.0


def test_a_follower_on_another_screen_follows_a_served_kiosk(display, tmp_path):
    (tmp_path / "contest.toml").write_text(contest_text(12), encoding="utf-8")
    journal = tmp_path / "show.journal"
    port = free_port()
    procs = Processes(display, tmp_path)
    shots = ARTIFACTS
    shutil.rmtree(shots, ignore_errors=True)  # the screenshots' numbers start again in every process
    paints = tmp_path / "follower-paints.log"
    try:
        kiosk, kiosk_log = procs.start("kiosk", "stage", str(tmp_path / "contest.toml"), "--journal", str(journal),
                                       "--serve", f"127.0.0.1:{port}", FINALS_APP_SCREENSHOTS=str(shots))
        tokens = journal.with_name(journal.name + ".tokens.json")
        wait(lambda: tokens.exists() and "网络服务已开启" in kiosk_log.read_text(), "the kiosk to serve", log=kiosk_log)
        secret = json.loads(tokens.read_text())["secret"]
        assert secret not in kiosk_log.read_text()  # the token is on the console, never in a log
        follower, follower_log = procs.start("follow", "follow", f"http://127.0.0.1:{port}/?t={secret}", "--screen",
                                             "audience", "--display", "1", FINALS_APP_SCREENSHOTS=str(shots),
                                             FINALS_APP_LATENCY_LOG=str(paints))
        wait(lambda: procs.xdo("search", "--onlyvisible", "--name", "跟随屏").strip(), "the follower's screen",
             log=follower_log)
        wait(lambda: procs.xdo("search", "--onlyvisible", "--screen", "0", "--name", "主持人控制台").strip(),
             "the console", log=kiosk_log)
        time.sleep(0.5)

        def events() -> int:
            return journal.read_bytes().count(b"\n") if journal.exists() else 0

        for key in ("ctrl+n", "n", "b", "3"):  # a round, a question, the buzzers open, team 3 presses
            before = events()
            for _ in range(3):  # no window manager: the console gets the keyboard by a click on it
                procs.xdo("mousemove", "--screen", "0", "960", "30", "click", "1")
                time.sleep(0.2)
                procs.xdo("key", key)
                deadline = time.monotonic() + 3
                while events() == before and time.monotonic() < deadline:
                    time.sleep(0.02)
                if events() > before:
                    break
            assert events() > before, f"key {key} was not recorded; log: {kiosk_log.read_text()[-2000:]}"
        wait(lambda: paints.exists() and paints.read_text().strip(), "the follower to paint the winner",
             log=follower_log)
        device, received, painted, _ = map(int, paints.read_text().split()[:4])
        assert 0 <= painted - received < 1000  # loopback: painted within a second of the kiosk's receipt
        live = shot(follower, shots, "follow-audience")
        assert greyness(live) == 0.0
        # The kiosk dies: the follower says so, never showing stale data as if live.
        kiosk.kill()
        kiosk.wait(10)
        time.sleep(1.5)
        cut = shot(follower, shots, "follow-audience")
        assert greyness(cut) == 1.0
        assert follower.poll() is None
        # The kiosk comes back on the same journal: the follower catches up and the curtain lifts.
        kiosk, kiosk_log = procs.start("kiosk", "stage", str(tmp_path / "contest.toml"), "--journal", str(journal),
                                       "--serve", f"127.0.0.1:{port}", FINALS_APP_SCREENSHOTS=str(shots))
        wait(lambda: "网络服务已开启" in kiosk_log.read_text(), "the kiosk to serve again", log=kiosk_log)
        time.sleep(2.5)
        back = shot(follower, shots, "follow-audience")
        assert greyness(back) == 0.0
        assert "Traceback" not in follower_log.read_text(), follower_log.read_text()
        assert "Traceback" not in kiosk_log.read_text(), kiosk_log.read_text()
    finally:
        procs.stop_all()
