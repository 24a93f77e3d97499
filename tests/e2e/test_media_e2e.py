"""End to end under Xvfb (issue 27): the real kiosk on the bundled demo, driven by the host's
keys, shows the buzzer round's picture, sound and clip questions on the big screen (the second X
screen, 1280×720). The screen is read back from the X server (ffmpeg's x11grab of the root
window: a QVideoWidget's grab() is blank): the picture is drawn in the question zone, the clip's
frames reach the screen and move while it plays (Qt Multimedia's FFmpeg backend; no audio device
here, so the sound plays silently), and stop moving when the host pauses it. The screenshots are
saved under tests/e2e/artifacts/media/ (not committed) for a person to look at."""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.test_kiosk_e2e import ARTIFACTS, Kiosk

pytestmark = pytest.mark.e2e
SHOTS = ARTIFACTS / "media"
WIDTH, HEIGHT = 1280, 720  # the audience screen: the second X screen


def screen_shot(display: str, name: str) -> bytes:
    """The audience's X screen as RGB bytes (and saved as name.png): the X server's own pixels."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg (x11grab) is needed to read the screen")
    SHOTS.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "x11grab", "-video_size",
                           f"{WIDTH}x{HEIGHT}", "-i", f"{display}.1", "-map", "0", "-frames:v", "1", "-y",
                           str(SHOTS / f"{name}.png"), "-map", "0", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt",
                           "rgb24", "pipe:1"],
                          capture_output=True, check=True, timeout=30)
    assert len(done.stdout) == WIDTH * HEIGHT * 3, done.stderr
    return done.stdout


def changed_box(before: bytes, after: bytes) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the pixels that differ by more than a little, or None."""
    xs, ys = [], []
    for y in range(0, HEIGHT, 2):
        row = y * WIDTH * 3
        for x in range(0, WIDTH, 2):
            at = row + x * 3
            if sum(abs(before[at + i] - after[at + i]) for i in range(3)) > 60:
                xs.append(x)
                ys.append(y)
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def red_share(image: bytes, box: tuple[int, int, int, int]) -> float:
    """How much of the box is the flag's red (the picture and the clip are the national flag)."""
    left, top, right, bottom = box
    red = total = 0
    for y in range(top, bottom, 4):
        for x in range(left, right, 4):
            at = (y * WIDTH + x) * 3
            r, g, b = image[at], image[at + 1], image[at + 2]
            total += 1
            red += r > 180 and g < 80 and b < 80
    return red / max(1, total)


def sky_share(image: bytes, box: tuple[int, int, int, int]) -> float:
    """How much of the box is the clip's blue sky (its first frame: the sky, the mast and the
    flag halfway up)."""
    left, top, right, bottom = box
    sky = total = 0
    for y in range(top, bottom, 4):
        for x in range(left, right, 4):
            at = (y * WIDTH + x) * 3
            r, b = image[at], image[at + 2]
            total += 1
            sky += b > 150 and b > r + 40
    return sky / max(1, total)


def events_of(journal: Path, kind: str) -> list[str]:
    return [line for line in journal.read_text(encoding="utf-8").splitlines() if f'"{kind}"' in line]


def test_picture_sound_and_clip_on_the_big_screen(display, tmp_path):
    shutil.rmtree(SHOTS, ignore_errors=True)
    journal = tmp_path / "media.journal"
    kiosk = Kiosk(display, tmp_path, journal, SHOTS / "windows")
    right_half = (WIDTH // 2, int(0.12 * HEIGHT), WIDTH, int(0.7 * HEIGHT))
    try:
        kiosk.key("ctrl+n")
        for _turn in range(32):  # the compulsory round, quickly
            kiosk.key("n")
            kiosk.key("c")
        kiosk.key("ctrl+n")
        kiosk.key("n")  # the picture question: the host sees it, the hall does not yet
        time.sleep(0.5)
        hidden = screen_shot(display, "00-picture-question-not-yet-on-screen")
        assert red_share(hidden, right_half) < 0.01
        kiosk.key("r")
        time.sleep(0.8)
        picture = screen_shot(display, "01-picture-question")
        assert red_share(picture, right_half) > 0.2  # the flag, beside the stem

        kiosk.key("b")
        kiosk.key("3")
        kiosk.key("c")
        kiosk.key("n")  # the sound question
        kiosk.key("r")
        kiosk.key("m")  # the host plays it: the strip's ▶ turns to ❚❚ and its bar fills
        time.sleep(2.0)
        screen_shot(display, "02-audio-question-playing")
        assert events_of(journal, "media_played")[-1].count('"audio"') == 1

        kiosk.key("b")
        kiosk.key("4")
        kiosk.key("c")
        kiosk.key("n")  # the clip's question
        kiosk.key("r")
        time.sleep(1.0)
        ready = screen_shot(display, "03-video-question-ready")
        assert sky_share(ready, right_half) > 0.15  # preloaded: its first frame as a still, not a black box
        kiosk.key("m")
        time.sleep(1.5)
        first = screen_shot(display, "04-video-question-playing")
        time.sleep(1.5)
        second = screen_shot(display, "05-video-question-playing-later")
        moved = changed_box(first, second)
        assert moved is not None and moved[0] >= WIDTH // 2 - 40, moved  # the clip moves, in its place
        kiosk.key("shift+m")  # paused: the picture stands still
        time.sleep(0.8)
        paused = screen_shot(display, "06-video-question-paused")
        time.sleep(1.0)
        assert changed_box(paused, screen_shot(display, "07-video-question-still-paused")) is None
    finally:
        kiosk.kill()
    played = events_of(journal, "media_played")
    paused_events = events_of(journal, "media_paused")
    assert '"video"' in played[-1] and '"video"' in paused_events[-1]
