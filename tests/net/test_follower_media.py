"""A follower's big screen gets the question's media from the kiosk (issue 27), the follower's
side of tests/net/test_media_served.py: it learns a picture only once the question is on the
kiosk's big screen, fetches it with its token (a wrong token gets nothing shown), and plays the
clip at the journalled position, streamed from the kiosk."""
from __future__ import annotations

import asyncio
import shutil
import threading
import urllib.error
import urllib.request

import pytest
from PySide6.QtMultimedia import QMediaPlayer

from finals_app.core.clock import SystemClock
from finals_app.core.stage.contest import load_contest
from finals_app.core.stage.engine import StageEngine
from finals_app.core.stage.wire import Discloser, Disclosures, public_contest
from finals_app.net.client import Follower
from finals_app.ui.follower import FollowerWindow
from tests.core.stage.test_media import png
from tests.core.stage.test_media_playback import contest_with
from tests.ui.test_media_view import DEMO_MEDIA

from .conftest import served


class Kiosk:
    """The real engine and server on a loop of their own (the test's Qt loop fetches from it)."""

    def __init__(self, engine: StageEngine):
        self.engine = engine
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self._served = served(engine)
        self.server = self.call(self._served.__aenter__())

    def call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    def execute(self, *commands) -> list:
        async def run():
            return [event for command in commands for event in self.engine.execute(command)]
        return self.call(run())

    def close(self) -> None:
        self.call(self._served.__aexit__(None, None, None))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.engine.close()


@pytest.fixture
def kiosk(tmp_path):
    folder = tmp_path / "show"
    shutil.copytree(DEMO_MEDIA, folder / "media")
    (folder / "media" / "other.png").write_bytes(png(10, 10))
    contest = load_contest(contest_with(folder, 'image = "media/flag.png"\nvideo = "media/flag_raising.mp4"'))
    running = Kiosk(StageEngine(contest, folder / "show.journal", clock=SystemClock(), durable=False))
    yield running
    running.close()


def follow(qtbot, kiosk: Kiosk, url: str):
    """A follower's audience screen fed the kiosk's journal as its socket would deliver it."""
    follower = Follower(url)
    window = FollowerWindow(follower, "audience", windowed=True, display=None)
    qtbot.addWidget(window.waiting)
    follower._receive({"type": "hello", "protocol": 1, "journal": "j", "contest": public_contest(kiosk.engine.contest)})
    discloser = Discloser(kiosk.engine.contest)

    def feed(events) -> None:
        follower._receive({"type": "events", "events": discloser.records(events, Disclosures(kiosk.engine.events).levels)})
    feed(kiosk.engine.events)
    qtbot.addWidget(window.screen)
    return follower, window, feed


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.qt_log_ignore("Could not open media")  # the wrong token's clip, refused by the kiosk (403)
def test_a_follower_gets_the_picture_once_on_the_big_screen_and_with_its_token(qtbot, kiosk):
    follower, window, feed = follow(qtbot, kiosk, kiosk.server.follow_url())
    feed(kiosk.execute({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"}))
    media = window.screen.media
    image = kiosk.engine.contest.question("m1").image
    assert follower.contest.question("m1").image is None  # the follower is not told before the reveal
    assert not media.isVisible() and media.image is None
    assert status(follower.media_url(image.digest)) == 404  # nor would the kiosk serve it
    feed(kiosk.execute({"cmd": "reveal"}))
    told = follower.contest.question("m1").image
    assert told.digest == image.digest and str(told.path) == "." and told.name == "flag.png"  # never the kiosk's path
    qtbot.waitUntil(lambda: media.pixmap is not None, timeout=10_000)
    assert media.isVisible() and media.pixmap.size().toTuple() == (600, 400)
    assert window.screen.regions()["question"].contains(media.picture_rect().translated(media.pos()))

    # the same follower with a wrong token: nothing is shown
    wrong_url = kiosk.server.follow_url().split("t=")[0] + "t=wrong-token-1234567890"
    _stranger, other, other_feed = follow(qtbot, kiosk, wrong_url)
    assert other.screen.media.shown
    qtbot.waitUntil(lambda: other.screen.media._reply is None, timeout=10_000)
    assert other.screen.media.pixmap is None and status(_stranger.media_url(image.digest)) == 403

    feed(kiosk.execute({"cmd": "open_buzzers", "t_ms": 0}, {"cmd": "close_buzzers"}, {"cmd": "show_question"}))
    assert not media.isVisible() and status(follower.media_url(image.digest)) == 404  # the question is gone


def test_a_follower_plays_the_clip_at_the_journalled_position(qtbot, kiosk):
    kiosk.execute({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "reveal"},
                  {"cmd": "play_media"})
    qtbot.wait(1_200)
    kiosk.execute({"cmd": "pause_media"})
    paused_at = kiosk.engine.events[-1].data["position_ms"]
    assert paused_at >= 1_000
    _follower, window, feed = follow(qtbot, kiosk, kiosk.server.follow_url())  # joins late: catches up
    player = window.screen.media.player
    assert window.screen.media.clip.kind == "video" and player.source().toString().startswith("http://")
    qtbot.waitUntil(lambda: player.mediaStatus() in (QMediaPlayer.MediaStatus.LoadedMedia,
                                                     QMediaPlayer.MediaStatus.BufferedMedia), timeout=10_000)
    qtbot.waitUntil(lambda: abs(player.position() - paused_at) <= 40, timeout=10_000)  # paused where the kiosk is
    assert player.playbackState() != QMediaPlayer.PlaybackState.PlayingState
    feed(kiosk.execute({"cmd": "play_media"}))
    qtbot.waitUntil(lambda: player.playbackState() == QMediaPlayer.PlaybackState.PlayingState, timeout=10_000)
    qtbot.waitUntil(lambda: player.position() > paused_at + 300, timeout=10_000)  # on from there, streamed
