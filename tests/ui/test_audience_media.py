"""The demo's picture, sound and clip questions on the big screen (issue 27) at 1920×1080,
1280×720 and 1024×768: the picture's rectangle inside the question zone, its aspect kept, never
past twice its pixels, clear of every line of text, the text still fitting; the sound's strip at
the zone's foot; the clip in the zone; nothing of it before the reveal nor after the question."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from finals_app.core.stage.contest import load_contest
from tests.ui.test_audience import audience_on

DEMO = Path(str(resources.files("finals_app.assets") / "contests" / "demo.toml"))
SIZES = [(1920, 1080), (1280, 720), (1024, 768)]


@pytest.fixture(autouse=True)
def chinese(monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")


@pytest.fixture(params=SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def hall(request, qtbot, tmp_path):
    engine, audience, _clock = audience_on(qtbot, load_contest(DEMO), tmp_path, request.param)
    engine.execute({"cmd": "next_round"})
    for _index in range(len(engine.contest.teams) * 4):
        engine.execute({"cmd": "show_question"})
        engine.execute({"cmd": "correct"})
    engine.execute({"cmd": "next_round"})
    yield engine, audience, request.param
    engine.close()


def text_clear_of(audience, rect) -> list[str]:
    return [f"'{box.text}' {box.rect.getRect()} on {rect.getRect()}" for _where, box, _room in audience.text_boxes()
            if box.rect.intersected(rect).width() > 1 and box.rect.intersected(rect).height() > 1]


def next_media_question(engine, kind: str):
    engine.execute({"cmd": "show_question"})
    item = engine.contest.question(engine.state.question.id)
    assert getattr(item, kind) is not None, item
    return item


def test_the_picture_in_the_question_zone(hall):
    engine, audience, (width, height) = hall
    item = next_media_question(engine, "image")
    assert not audience.media.isVisible()  # the host reads it first: nothing on the big screen
    engine.execute({"cmd": "reveal"})
    zone = audience.regions()["question"]
    picture = audience.media.picture_rect().translated(audience.media.pos())
    print(f"{width}x{height}: zone {zone.getRect()}, picture {picture.getRect()}, "
          f"text {audience.question.geometry().getRect()}")
    assert audience.media.isVisible() and zone.contains(picture) and zone.contains(audience.question.geometry())
    assert abs(picture.width() / picture.height() - item.image.width / item.image.height) < 0.01
    assert picture.width() <= 2 * item.image.width and picture.height() <= 2 * item.image.height
    assert picture.width() >= 0.25 * zone.width() or picture.height() >= 0.6 * zone.height()  # not a thumbnail
    assert not picture.intersects(audience.question.geometry())
    assert audience.question.stem == item.stem and not text_clear_of(audience, picture)
    layout = audience.question.layout_for(audience.question.width(), audience.question.height())
    assert layout["fits"] and layout["px"] >= 0.03 * height
    engine.execute({"cmd": "open_buzzers", "t_ms": 0})
    engine.execute({"cmd": "press", "team": "jinan", "t_ms": 5})
    engine.execute({"cmd": "correct"})  # the answer joins the stem: still clear of the picture, still fitting
    assert audience.question.answer and not text_clear_of(audience, picture)
    assert audience.question.layout_for(audience.question.width(), audience.question.height())["fits"]
    engine.execute({"cmd": "show_question"})  # the next question: the sound's, not yet on screen
    assert not audience.media.isVisible() and audience.question.geometry() == audience.regions()["question"]


def test_the_sound_strip_and_the_clip_in_the_zone(hall):
    engine, audience, (width, height) = hall
    next_media_question(engine, "image")
    for command in ({"cmd": "reveal"}, {"cmd": "open_buzzers", "t_ms": 0}, {"cmd": "close_buzzers"}):
        engine.execute(command)
    next_media_question(engine, "audio")
    engine.execute({"cmd": "reveal"})
    zone = audience.regions()["question"]
    strip = audience.media.geometry()
    assert zone.contains(strip) and strip.bottom() == zone.bottom() and strip.height() >= 0.05 * height
    assert audience.question.geometry().bottom() < strip.top() and not text_clear_of(audience, strip)
    assert audience.question.layout_for(audience.question.width(), audience.question.height())["fits"]
    engine.execute({"cmd": "open_buzzers", "t_ms": 0})
    engine.execute({"cmd": "close_buzzers"})
    item = next_media_question(engine, "video")
    engine.execute({"cmd": "reveal"})
    clip = audience.media.picture_rect().translated(audience.media.pos())
    assert zone.contains(clip) and not clip.intersects(audience.question.geometry())
    assert abs(clip.width() / clip.height() - item.video.width / item.video.height) < 0.01
    assert not text_clear_of(audience, audience.media.geometry())
    assert audience.question.layout_for(audience.question.width(), audience.question.height())["fits"]
