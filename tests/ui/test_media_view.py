"""A question's picture, sound and clip on the big screen (issue 27), the widget on its own: the
picture fitted beside or above the stem (aspect kept, never past twice its pixels), a sound's
strip at the zone's foot, a clip that reaches playing and advances (Qt Multimedia's FFmpeg
backend; no audio device here: the sound plays silently), paused and moved where the journal
says, and a resumed kiosk showing the clip at its journalled position."""
from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import QWidget

from finals_app.core.clock import ManualClock
from finals_app.core.stage.contest import load_contest
from finals_app.core.stage.engine import StageEngine
from finals_app.ui.bridge import StageBridge
from finals_app.ui.widgets.media_view import MAX_BLOW_UP, MediaView, clock_text, fit
from tests.core.stage.test_media import png
from tests.core.stage.test_media_playback import contest_with

DEMO_MEDIA = Path(str(resources.files("finals_app.assets") / "contests" / "media"))


def media_show(tmp_path, media: str, clock=None):
    folder = tmp_path / "show"
    if not folder.exists():
        shutil.copytree(DEMO_MEDIA, folder / "media")
        (folder / "media" / "tiny.png").write_bytes(png(40, 30))
    contest = load_contest(contest_with(folder, media))
    clock = clock or ManualClock()
    engine = StageEngine(contest, folder / "show.journal", clock=clock, durable=False)
    return engine, clock


def to_the_question(engine) -> None:
    for command in ({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"}):
        engine.execute(command)
    assert engine.state.question.id == "m1"


@pytest.fixture
def stage(qtbot, tmp_path):
    made = []

    def build(media: str, size=(1280, 720), clock=None):
        engine, clock = media_show(tmp_path, media, clock)
        bridge = StageBridge(engine, clock)
        screen = QWidget()
        screen.resize(*size)
        qtbot.addWidget(screen)
        view = MediaView(bridge, screen)
        bridge.changed.connect(view.follow)
        screen.show()
        made.append((engine, bridge, screen, view))
        return engine, clock, bridge, view

    yield build
    for engine, *_kept in made:
        engine.close()


def test_fit_keeps_the_aspect_and_never_blows_up_past_twice():
    assert fit(600, 400, 300, 1000) == (300, 200)
    assert fit(600, 400, 3000, 3000) == (1200, 800)  # twice its pixels at most
    assert fit(40, 30, 1000, 1000) == (80, 60)
    assert fit(0, 30, 100, 100) == (0, 0)
    assert clock_text(6_720) == "0:06" and clock_text(65_000) == "1:05" and clock_text(None) == "--:--"


@pytest.mark.parametrize("zone, beside", [(QRect(20, 100, 1240, 330), True), (QRect(20, 100, 700, 800), False)],
                         ids=["wide-zone", "tall-zone"])
def test_the_picture_beside_or_above_the_stem(stage, zone, beside):
    engine, _clock, _bridge, view = stage('image = "media/flag.png"')
    to_the_question(engine)
    assert not view.shown and view.pixmap is not None  # loaded while the host reads it, not yet shown
    assert view.place(zone, 720) == zone
    engine.execute({"cmd": "reveal"})
    assert view.shown
    text = view.place(zone, 720)
    picture = view.picture_rect().translated(view.pos())
    assert zone.contains(view.geometry()) and zone.contains(picture) and zone.contains(text)
    assert not picture.intersects(text) and not view.geometry().intersects(text)
    assert abs(picture.width() / picture.height() - 600 / 400) < 0.01
    assert picture.width() <= 600 * MAX_BLOW_UP
    if beside:
        assert text.right() < picture.left() and text.height() == zone.height()
    else:
        assert text.top() > picture.bottom() and text.width() == zone.width()


def test_a_small_picture_is_never_blown_up_past_twice_its_pixels(stage):
    engine, _clock, _bridge, view = stage('image = "media/tiny.png"')
    to_the_question(engine)
    engine.execute({"cmd": "reveal"})
    view.place(QRect(0, 0, 1800, 600), 1080)
    assert view.picture_rect().size().toTuple() == (80, 60)


def test_a_sound_has_a_strip_at_the_zone_foot_and_nothing_named(stage):
    engine, _clock, _bridge, view = stage('audio = "media/dongfanghong.wav"')
    to_the_question(engine)
    engine.execute({"cmd": "reveal"})
    zone = QRect(20, 100, 1240, 330)
    text = view.place(zone, 720)
    strip = view.geometry()
    assert strip.bottom() == zone.bottom() and strip.width() == zone.width() and text.bottom() < strip.top()
    assert view.picture_rect().isNull() and view.describe()["clip"] == "media/dongfanghong.wav"
    assert not view.playing()
    engine.execute({"cmd": "play_media"})
    assert view.playing()
    image = view.grab().toImage()  # the indicator and the bar are drawn (the screen's colours)
    assert image.width() == strip.width()


def test_a_clip_plays_advances_pauses_and_is_moved_where_the_journal_says(stage, qtbot):
    from finals_app.core.clock import SystemClock
    engine, clock, bridge, view = stage('video = "media/flag_raising.mp4"', clock=SystemClock())
    to_the_question(engine)
    player = view.player
    qtbot.waitUntil(lambda: player.mediaStatus() in (QMediaPlayer.MediaStatus.LoadedMedia,
                                                     QMediaPlayer.MediaStatus.BufferedMedia), timeout=10_000)
    assert player.playbackState() == QMediaPlayer.PlaybackState.PausedState and player.position() == 0  # preloaded
    engine.execute({"cmd": "reveal"})
    view.place(QRect(20, 100, 1240, 330), 720)
    if view.video is not None:  # a window system (offscreen: the frames are decoded, not drawn)
        assert view.video.geometry() == view.picture_rect()
    frames = []
    view.frame_shown.connect(lambda: frames.append(view.first_frame_at))
    engine.execute({"cmd": "play_media"})
    qtbot.waitUntil(lambda: player.playbackState() == QMediaPlayer.PlaybackState.PlayingState, timeout=10_000)
    qtbot.waitUntil(lambda: player.position() > 500, timeout=10_000)  # its position advances
    qtbot.waitUntil(lambda: bool(frames), timeout=10_000)  # frames reach the video widget
    assert not view.describe()["still"]
    if view.video is not None:
        assert view.video.isVisible()  # the surface plays the clip
    engine.execute({"cmd": "pause_media"})
    paused_at = engine.events[-1].data["position_ms"]
    qtbot.waitUntil(lambda: player.playbackState() == QMediaPlayer.PlaybackState.PausedState, timeout=10_000)
    assert abs(player.position() - paused_at) <= 40
    assert view.describe()["still"] and (view.video is None or not view.video.isVisible())  # its frame, as a still
    engine.execute({"cmd": "restart_media"})
    qtbot.waitUntil(lambda: player.playbackState() == QMediaPlayer.PlaybackState.PlayingState, timeout=10_000)
    assert player.position() < paused_at


def _sky_share(image, rect: QRect) -> float:
    """How much of the rectangle is the clip's blue sky (its first frame is the sky, the mast
    and the flag halfway up)."""
    sky = total = 0
    for y in range(rect.top(), rect.bottom(), 6):
        for x in range(rect.left(), rect.right(), 6):
            colour = image.pixelColor(x, y)
            total += 1
            sky += colour.blue() > 150 and colour.blue() > colour.red() + 40
    return sky / max(1, total)


def test_a_clip_waiting_on_the_hosts_key_shows_its_first_frame_not_a_black_box(stage, qtbot):
    """Preloaded and paused on its first frame, the clip is seen as that frame (the paused
    player decodes it once; a video surface shown after it came stays black), before and after
    the reveal, until the host plays it."""
    engine, _clock, _bridge, view = stage('video = "media/flag_raising.mp4"')
    to_the_question(engine)
    player = view.player
    qtbot.waitUntil(lambda: view.poster is not None, timeout=10_000)  # the paused first frame
    assert player.playbackState() == QMediaPlayer.PlaybackState.PausedState and player.position() == 0
    engine.execute({"cmd": "reveal"})
    view.place(QRect(20, 100, 1240, 330), 720)
    assert view.describe()["still"] and (view.video is None or not view.video.isVisible())
    picture = view.picture_rect()
    assert picture.width() > 200
    shown = view.grab().toImage()
    assert _sky_share(shown, picture) > 0.4  # the sky of the first frame, not black


def test_a_clip_after_a_sound_that_was_playing_still_shows_its_first_frame(stage, qtbot, tmp_path):
    """The kiosk's order: a sound question played, then the clip's question. The player, still
    playing the sound, said "loaded" as it stopped and was paused there: the clip then loaded
    "paused" with no frame decoded, and the first frame it did decode was taken for the host's
    play (the sound's play had asked for one) — a black box under Xvfb."""
    from finals_app.core.clock import SystemClock
    sound, _clock, bridge, view = stage('audio = "media/dongfanghong.wav"', clock=SystemClock())
    to_the_question(sound)
    sound.execute({"cmd": "reveal"})
    sound.execute({"cmd": "play_media"})
    player = view.player
    qtbot.waitUntil(lambda: player.playbackState() == QMediaPlayer.PlaybackState.PlayingState, timeout=10_000)
    clip, _ = media_show(tmp_path / "clip", 'video = "media/flag_raising.mp4"', SystemClock())
    try:
        to_the_question(clip)
        clip.execute({"cmd": "reveal"})
        view.follow(clip.state)
        view.place(QRect(20, 100, 1240, 330), 720)
        qtbot.waitUntil(lambda: view.poster is not None, timeout=10_000)
        assert player.playbackState() == QMediaPlayer.PlaybackState.PausedState and player.position() == 0
        assert view.describe()["still"] and (view.video is None or not view.video.isVisible())
        assert _sky_share(view.grab().toImage(), view.picture_rect()) > 0.4
    finally:
        clip.close()


def test_a_clip_played_to_its_end_stays_on_its_last_frame(stage, qtbot, tmp_path):
    """At the end of the stream the player gives the sink an empty frame and stops; paused
    from there it would go back to its first frame. The hall keeps the clip's last frame."""
    from finals_app.core.clock import SystemClock
    from tests.core.stage.test_media import clip
    media = tmp_path / "show" / "media"
    shutil.copytree(DEMO_MEDIA, media)
    (media / "tiny.png").write_bytes(png(40, 30))
    clip(media / "short.mp4", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=1.2",
         "-c:v", "libx264", "-pix_fmt", "yuv420p")
    engine, _clock, _bridge, view = stage('video = "media/short.mp4"', clock=SystemClock())
    to_the_question(engine)
    qtbot.waitUntil(lambda: view.poster is not None, timeout=10_000)
    first = view.poster.copy()
    engine.execute({"cmd": "reveal"})
    engine.execute({"cmd": "play_media"})
    player = view.player
    qtbot.waitUntil(lambda: player.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia, timeout=10_000)
    qtbot.wait(1_300)  # the drift check comes by: it must not rewind the clip
    assert view.describe()["still"] and view.poster is not None
    assert view.poster != first  # testsrc's counter and moving pattern: not the opening frame
    assert player.playbackState() != QMediaPlayer.PlaybackState.PlayingState


def test_a_resumed_kiosk_shows_the_clip_at_its_journalled_position(stage, qtbot, tmp_path):
    clock = ManualClock()
    engine, clock, _bridge, first_view = stage('video = "media/flag_raising.mp4"', clock=clock)
    to_the_question(engine)
    first_view.player  # noqa: B018 - made with the player (preloaded: its opening frame)
    qtbot.waitUntil(lambda: first_view.poster is not None, timeout=10_000)
    opening = first_view.poster.copy()
    engine.execute({"cmd": "reveal"})
    engine.execute({"cmd": "play_media"})
    clock.advance(2_500)
    engine.execute({"cmd": "pause_media"})
    engine.close()  # the kiosk goes down with the clip paused at 2.5 s
    again, _clock, _bridge, view = stage('video = "media/flag_raising.mp4"', clock=clock)
    assert again.state.question.playback.position(clock.monotonic_ms()) == 2_500
    view.follow(again.state)
    player = view.player
    qtbot.waitUntil(lambda: player.mediaStatus() in (QMediaPlayer.MediaStatus.LoadedMedia,
                                                     QMediaPlayer.MediaStatus.BufferedMedia), timeout=10_000)
    qtbot.waitUntil(lambda: abs(player.position() - 2_500) <= 40, timeout=10_000)
    assert player.playbackState() != QMediaPlayer.PlaybackState.PlayingState and view.shown
    # the frame at 2.5 s, as a still (a paused start decodes the opening frame first: not that one)
    qtbot.waitUntil(lambda: view.poster is not None and view.poster != opening, timeout=10_000)
