"""The big screen in every common hall (issue 26): at each size from a 768×384 LED wall to a
3840×2160 projector, in every state of the show (tests/ui/halls.py), every line of text is
measured against the rectangle it belongs to and against every other line: nothing clipped,
nothing overlapping, nothing smaller than 0.03 H. Set HALL_SHOTS=1 to save each state as a PNG
under tests/e2e/artifacts/halls/ (kept out of git) for a person to look at."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QRect

from finals_app.ui.audience_screen import AudienceScreen
from finals_app.ui.bridge import StageBridge
from finals_app.ui.buzzer_screen import BuzzerScreen
from finals_app.ui.timer_screen import TimerScreen
from tests.ui.halls import HALLS, LONGEST_TEAM, new_engine, play

SHOTS = Path(__file__).parents[1] / "e2e" / "artifacts" / "halls"


@pytest.fixture(autouse=True)
def chinese(monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")


def problems(boxes, screen: QRect, least: float) -> list[str]:
    """What is wrong with these (where, box, room) lines on a screen: outside their room or the
    screen, smaller than `least` px, or on top of another line."""
    found = []
    for where, box, room in boxes:
        if not room.adjusted(-1, -1, 1, 1).contains(box.rect) or not screen.contains(box.rect):
            found.append(f"{where} '{box.text}' {box.rect.getRect()} outside {room.getRect()}")
        if box.px < least:
            found.append(f"{where} '{box.text}' at {box.px}px < {least:.1f}px")
    for index, (where, box, _room) in enumerate(boxes):
        for other_where, other, _other_room in boxes[index + 1:]:
            overlap = box.rect.intersected(other.rect)
            if overlap.width() > 1 and overlap.height() > 1:
                found.append(f"{where} '{box.text}' {box.rect.getRect()} overlaps {other_where} '{other.text}' "
                             f"{other.rect.getRect()}")
    return found


def big_screen(qtbot, folder, size, shown: bool = False):
    """The audience screen of the hall show at `size` (shown: on screen, exposed)."""
    engine, clock = new_engine(folder)
    bridge = StageBridge(engine, clock)
    audience = AudienceScreen(bridge)
    qtbot.addWidget(audience)
    audience.resize(*size)
    if shown:
        audience.show()
        qtbot.waitExposed(audience)
    return engine, clock, bridge, audience


@pytest.mark.parametrize("size", HALLS, ids=[f"{w}x{h}" for w, h in HALLS])
def test_every_state_fits_every_hall(qtbot, tmp_path, size):
    width, height = size
    engine, clock, bridge, audience = big_screen(qtbot, tmp_path, size, shown=True)
    screen = QRect(0, 0, width, height)
    seen, smallest, wrong = set(), height, []
    try:
        for name in play(engine, clock, bridge, audience):
            seen.add(audience.view if not name.startswith("ceremony") else name.split("-")[1])
            boxes = audience.text_boxes()
            assert boxes, name
            wrong += [f"{name}: {p}" for p in problems(boxes, screen, 0.03 * height - 0.5)]
            smallest = min(smallest, *(box.px for _where, box, _room in boxes))
            if name.startswith("long") and name != "long-listen":  # the 210-character question fits
                layout = audience.question.layout_for(audience.question.width(), audience.question.height())
                assert layout["fits"], (name, layout["px"])
                assert audience.question.kind == "多选题"
            if name == "long-floor":  # the longest name, whole, in the banner and on the board
                assert audience.floor.text().startswith(engine.contest.team(LONGEST_TEAM).name)
            if audience.scoreboard.isVisible():
                assert audience.scoreboard.fits, name
            if os.environ.get("HALL_SHOTS"):
                SHOTS.mkdir(parents=True, exist_ok=True)
                audience.grab().save(str(SHOTS / f"{width}x{height}-{name}.png"))
    finally:
        engine.close()
    assert not wrong, "\n".join(wrong[:20])
    assert seen >= {"welcome", "round", "question", "interval", "intro", "1", "roll"}
    print(f"{width}x{height}: smallest text {smallest}px = {smallest / height:.3f} H")


@pytest.mark.parametrize("size", HALLS, ids=[f"{w}x{h}" for w, h in HALLS])
def test_the_layout_follows_the_screen_shape(qtbot, tmp_path, size):
    """Side by side from 2:1 on (the scores one column beside the question); stacked below."""
    width, height = size
    engine, _clock, _bridge, audience = big_screen(qtbot, tmp_path, size)
    try:
        regions = audience.regions()
        question, board = regions["question"], regions["scoreboard"]
        if width >= 2 * height:
            assert board.left() > question.right() and board.height() > 0.7 * height
        else:
            assert board.top() > question.bottom() and board.width() > 0.9 * width
        assert not question.intersects(board) and not regions["banner"].intersects(board)
        assert not regions["title"].intersects(question) and not regions["timer"].intersects(question)
    finally:
        engine.close()


@pytest.mark.parametrize("size", HALLS, ids=[f"{w}x{h}" for w, h in HALLS])
def test_the_timer_and_buzzer_screens_hold(qtbot, tmp_path, size):
    """The contestants' screens with the longest team holding the floor and a foul named."""
    width, height = size
    engine, clock = new_engine(tmp_path)
    bridge = StageBridge(engine, clock)
    timer, buzzer = TimerScreen(bridge), BuzzerScreen(bridge)
    for widget in (timer, buzzer):
        qtbot.addWidget(widget)
        widget.resize(width, height)
        widget.show()
    try:
        engine.execute({"cmd": "next_round"})
        for _index in range(len(engine.contest.teams) * 4):
            engine.execute({"cmd": "show_question"})
            engine.execute({"cmd": "correct"})
        for command in ({"cmd": "next_round"}, {"cmd": "show_question", "question": "long"}, {"cmd": "reveal"},
                        {"cmd": "press", "team": "provincial", "t_ms": 1}, {"cmd": "open_buzzers", "t_ms": 5},
                        {"cmd": "press", "team": LONGEST_TEAM, "t_ms": 9}):
            engine.execute(command)
        clock.advance(2000)
        engine.expire()
        bridge._emit_tick()
        screen = QRect(0, 0, width, height)
        for widget in (timer, buzzer):
            boxes = widget.text_boxes()
            assert len(boxes) >= 2, boxes
            wrong = problems(boxes, screen, 0.03 * height - 0.5)
            assert not wrong, "\n".join(wrong)
            if os.environ.get("HALL_SHOTS"):
                SHOTS.mkdir(parents=True, exist_ok=True)
                widget.grab().save(str(SHOTS / f"{width}x{height}-{type(widget).__name__}.png"))
    finally:
        engine.close()


def test_the_venue_is_optional_and_checked(tmp_path):
    """The welcome names the venue when the contest file gives one; a venue that is not text is an
    error naming its field."""
    from finals_app.core.stage.contest import ContestError, load_contest
    contest = new_engine(tmp_path)[0]
    try:
        assert contest.contest.venue == "山东会堂"
    finally:
        contest.close()
    text = (tmp_path / "demo.toml").read_text(encoding="utf-8")
    (tmp_path / "demo.toml").write_text(text.replace('venue = "山东会堂"', "venue = 12"), encoding="utf-8")
    with pytest.raises(ContestError, match="contest.venue"):
        load_contest(tmp_path / "demo.toml")
    (tmp_path / "demo.toml").write_text(text.replace('venue = "山东会堂"\n', ""), encoding="utf-8")
    assert load_contest(tmp_path / "demo.toml").venue == ""
