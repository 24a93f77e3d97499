"""The big screen read back as a camera reads it (issue 26): the audience screen at three hall
sizes, in the states the hall must follow at a glance, saved as pictures and read by tesseract
(apt tesseract-ocr, chi_sim) as they are and inverted to dark on light (as an OCR pipeline
normalises a screen). Every team name on the scoreboard, the question, the team holding the
floor in its banner, and the first prize's team, members and score must come back as text (a
member may be misread: a rare glyph).

Found with it: a banner of dark words on a light band (the floor won, in the team's colour)
lost its start ("表队 抢答成功"): banners are now light words on the darkened colour, framed in
the colour itself; gold stars beside the first prize were read as characters and garbled it.
Not asserted: the prize heading alone (three glyphs at 0.2 H): tesseract reads "一等奖" or nothing
depending on its size in pixels, on a plain crimson card too (0.10–0.20 H tried at four sizes)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from PySide6.QtGui import QImage

from tests.ui.halls import LONGEST_TEAM, play
from tests.ui.test_halls import big_screen

SIZES = [(1920, 1080), (1024, 768), (1152, 576)]
STATES = ("compulsory-revealed", "long-floor", "ceremony-6")


@pytest.fixture(autouse=True)
def chinese(monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")


def _tesseract(path) -> str:
    done = subprocess.run(["tesseract", str(path), "-", "-l", "chi_sim", "--psm", "3"], capture_output=True,
                          text=True, timeout=60, check=True)
    return re.sub(r"\s+", "", done.stdout)  # it puts spaces between CJK glyphs


@pytest.fixture(scope="module", autouse=True)
def tesseract():
    """tesseract with its Simplified Chinese data; CI fails without it (scripts/setup.sh installs
    both), a developer's machine skips."""
    found = shutil.which("tesseract") is not None and "chi_sim" in subprocess.run(
        ["tesseract", "--list-langs"], capture_output=True, text=True).stdout.split()
    if not found:
        message = "tesseract with chi_sim (apt tesseract-ocr tesseract-ocr-chi-sim): bash scripts/setup.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def read(picture: QImage, folder, name: str) -> str:
    """What tesseract reads in the picture, as it is and inverted (grey, dark on light)."""
    plain, inverted = folder / f"{name}.png", folder / f"{name}-inverted.png"
    picture.save(str(plain))
    grey = picture.convertToFormat(QImage.Format.Format_Grayscale8)
    grey.invertPixels()
    grey.save(str(inverted))
    return _tesseract(plain) + "|" + _tesseract(inverted)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_big_screen_reads_back(qtbot, tmp_path, size):
    width, height = size
    engine, clock, bridge, audience = big_screen(qtbot, tmp_path, size, shown=True)
    contest = engine.contest
    texts, first = {}, None
    try:
        for name in play(engine, clock, bridge, audience):
            if name in STATES:
                texts[name] = read(audience.grab().toImage(), tmp_path, f"{width}x{height}-{name}")
            if name == "ceremony-6":
                first = engine.state.prizes["first"][0]  # the first prize's team (the card shows it)
    finally:
        engine.close()
    question = texts["compulsory-revealed"]
    missing = [team.name for team in contest.teams if team.name not in question]
    assert not missing, (missing, question)
    assert "必答题" in question and "的下一句是什" in question, question
    assert f"{contest.team(LONGEST_TEAM).name}抢答成功" in texts["long-floor"], texts["long-floor"]
    card = texts["ceremony-6"]
    assert first is not None, "the show did not reach the first prize's card"
    team = contest.team(first)
    assert team.name in card, card
    # (a rare glyph may be misread: tesseract gave 林晨咯 for 林晨曦 at 1920×1080, in both readings)
    assert sum(member in card for member in team.members) >= len(team.members) - 1, card
    assert "总分" in card, card
