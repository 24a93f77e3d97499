"""From the host's key to the clip's first frame (issue 27): the kiosk's own windows (host console
on the first X screen, the big screen full screen on the second, 1280×720) under Xvfb, the demo's
clip question on the big screen and preloaded; the host's M key sent through the X server
(xdotool) again and again (Ctrl+M between trials puts the clip back to its start, paused).

Measured per trial, on the kiosk's monotonic clock:
- key → recorded: the key event reaching Qt to media_played in the journal (fsync'd, as on stage);
- key → first frame: to the first frame the video sink gets after play() (what QVideoWidget draws);
- key → on screen: to the first read-back of the clip's rectangle from the X server (the root
  window, QScreen.grabWindow, a few ms each) that differs from the paused picture — an upper
  bound (the read-back's own cost included).

    .venv/bin/python benchmarks/bench_media.py [--trials 15]

Starts its own Xvfb (two screens) unless DISPLAY is set. There is no audio device here: the
clip's sound is decoded and not heard.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def start_display() -> subprocess.Popen | None:
    if os.environ.get("DISPLAY"):
        return None
    from tests.e2e.conftest import _start_xvfb
    server, name = _start_xvfb()
    os.environ["DISPLAY"] = name
    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=15)
    args = parser.parse_args()
    server = start_display()
    home = Path(tempfile.mkdtemp(prefix="bench-media-"))
    os.environ.update({"XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache"),
                       "FINALS_APP_LANG": "zh_CN", "QT_QPA_PLATFORM": "xcb",
                       "QT_LOGGING_RULES": "qt.multimedia.*=false;qt.multimedia*=false"})
    try:
        return run(args.trials, home)
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)


def run(trials: int, home: Path) -> int:
    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtMultimedia import QMediaPlayer
    from PySide6.QtWidgets import QApplication

    from finals_app.app import Kiosk
    from finals_app.core.stage.contest import load_contest
    from finals_app.core.stage.devices import RecordedSource

    app = QApplication.instance() or QApplication([])
    contest = load_contest(Path(str(resources.files("finals_app.assets") / "contests" / "demo.toml")))
    recording = home / "no-devices.jsonl"
    recording.write_text("")
    source = RecordedSource.from_file(recording)
    source.available = False
    source.reason = "benchmark"
    kiosk = Kiosk(contest, home / "show.journal", sounds=False, source=source, pairings=home / "pairing.json")
    kiosk.start(app)
    engine, bridge = kiosk.engine, kiosk.bridge
    audience = kiosk.windows["audience"]

    def wait(condition, seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out (journal ends with {engine.events[-1].type}, "
                                 f"{engine.events[-1].data}, {audience.media.describe()}, "
                                 f"{audience.media._player.playbackState() if audience.media._player else '-'}, "
                                 f"{audience.media._player.mediaStatus() if audience.media._player else '-'})")
            app.processEvents()
            time.sleep(0.002)

    def settle(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.005)

    settle(1.0)
    engine.execute({"cmd": "next_round"})
    for _index in range(len(contest.teams) * 4):
        engine.execute({"cmd": "show_question"})
        engine.execute({"cmd": "correct"})
    engine.execute({"cmd": "next_round"})
    while True:
        engine.execute({"cmd": "show_question"})
        if contest.question(engine.state.question.id).video is not None:
            break
        for command in ({"cmd": "reveal"}, {"cmd": "open_buzzers", "t_ms": 0}, {"cmd": "close_buzzers"}):
            engine.execute(command)
    engine.execute({"cmd": "reveal"})
    media = audience.media
    player = media.player
    wait(lambda: player.mediaStatus() in (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia))
    settle(1.5)
    rect = media.picture_rect().translated(media.mapTo(audience, media.rect().topLeft()))
    screen = audience.screen()

    def clip_pixels() -> bytes:
        """The clip's rectangle as the X server has it (the root window, read back)."""
        image = screen.grabWindow(0, rect.x(), rect.y(), rect.width(), rect.height()).toImage()
        return bytes(image.constBits())

    class KeyClock(QObject):
        at = None

        def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
            if event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and self.at is None \
                    and event.key() == Qt.Key.Key_M and event.modifiers() == Qt.KeyboardModifier.NoModifier:
                self.at = bridge.now_ms()
            return False
    keys = KeyClock()
    app.installEventFilter(keys)
    subprocess.run(["xdotool", "mousemove", "--screen", "0", "960", "30", "click", "1"], check=False)  # the console active
    settle(0.3)
    recorded, framed, seen = [], [], []
    for trial in range(trials):
        engine_events = len(engine.events)
        still = clip_pixels()
        if trial == 0 and os.environ.get("BENCH_MEDIA_SHOT"):
            screen.grabWindow(0).save(os.environ["BENCH_MEDIA_SHOT"])  # the clip preloaded, before the key
        keys.at = None
        frame_at = []
        media.frame_shown.connect(lambda: frame_at.append(bridge.now_ms()))
        subprocess.run(["xdotool", "key", "m"], check=True)
        wait(lambda: keys.at is not None and len(engine.events) > engine_events and frame_at)
        journal_ms = engine.events[-1].mono_ms
        screen_at = None
        deadline = time.monotonic() + 3
        while screen_at is None and time.monotonic() < deadline:
            app.processEvents()
            if clip_pixels() != still:
                screen_at = bridge.now_ms()
        media.frame_shown.disconnect()
        recorded.append(journal_ms - keys.at)
        framed.append(frame_at[0] - keys.at)
        if screen_at is not None:
            seen.append(screen_at - keys.at)
        settle(0.4)
        subprocess.run(["xdotool", "key", "shift+m"], check=True)  # pause, then back to the start
        wait(lambda: engine.events[-1].type == "media_paused")
        subprocess.run(["xdotool", "key", "ctrl+m"], check=True)
        wait(lambda: engine.events[-1].type == "media_played" and engine.events[-1].data["position_ms"] == 0)
        subprocess.run(["xdotool", "key", "shift+m"], check=True)
        wait(lambda: engine.events[-1].type == "media_paused")
        settle(0.8)

    def say(name: str, values: list[float]) -> None:
        if values:
            print(f"{name:22s} median {statistics.median(values):6.1f} ms   max {max(values):6.1f} ms   "
                  f"(n={len(values)})")
    print(f"key → first frame, {trials} trials, big screen 1280×720 under Xvfb (clip 640×360 H.264, preloaded)")
    say("key → recorded", recorded)
    say("key → first frame", framed)
    say("key → on screen (≤)", seen)
    kiosk.host.allow_close = True
    kiosk.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
