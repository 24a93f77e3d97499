"""A question's media reach followers and pages from the kiosk with the same token rules as
everything else: nothing without a valid token, only the current question's media, and only
once the host has put it on the big screen; a clip is served in ranges."""
from __future__ import annotations

import asyncio

import aiohttp

from finals_app.core.clock import SystemClock
from finals_app.core.stage.contest import load_contest
from finals_app.core.stage.engine import StageEngine
from finals_app.net.security import FOLLOWER, Role
from tests.core.stage.test_media import png, wav
from tests.core.stage.test_media_playback import contest_with

from .conftest import served


def test_media_only_with_a_token_and_only_once_on_the_big_screen(tmp_path):
    folder = tmp_path / "show"
    (folder / "media").mkdir(parents=True)
    picture = png(80, 60)
    (folder / "media" / "flag.png").write_bytes(picture)
    (folder / "media" / "song.wav").write_bytes(wav(seconds=2))
    (folder / "other.png").write_bytes(png(10, 10))
    contest = load_contest(contest_with(folder, 'image = "media/flag.png"\naudio = "media/song.wav"'))
    engine = StageEngine(contest, folder / "show.journal", clock=SystemClock(), durable=False)
    question = contest.question("m1")

    async def scenario():
        async with served(engine) as server, aiohttp.ClientSession() as session:
            token = server.url(Role(FOLLOWER)).split("t=")[1]
            url = f"{server.base_url()}/media/{question.image.digest}"

            async def get(address, **headers):
                async with session.get(address, headers=headers) as response:
                    return response.status, await response.read(), response.headers

            assert (await get(url))[0] == 401  # no token
            assert (await get(url + "?t=wrong-token-123456"))[0] == 403
            for command in ({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"}):
                engine.execute(command)
            assert engine.state.question.id == "m1"
            assert (await get(f"{url}?t={token}"))[0] == 404  # shown to the host, not yet on the big screen
            engine.execute({"cmd": "reveal"})
            status, body, headers = await get(f"{url}?t={token}")
            assert status == 200 and body == picture and headers["Content-Type"] == "image/png"
            import hashlib
            other = hashlib.sha256((folder / "other.png").read_bytes()).hexdigest()
            assert (await get(f"{server.base_url()}/media/{other}?t={token}"))[0] == 404  # not this question's
            assert (await get(f"{server.base_url()}/media/..%2F..%2Fetc%2Fpasswd?t={token}"))[0] == 404
            sound = f"{server.base_url()}/media/{question.audio.digest}?t={token}"
            status, body, headers = await get(sound, Range="bytes=0-99")
            assert status == 206 and len(body) == 100 and headers["Content-Type"] == "audio/wav"
            engine.execute({"cmd": "open_buzzers", "t_ms": 0})
            engine.execute({"cmd": "close_buzzers"})
            engine.execute({"cmd": "next_round"})  # the question is gone from the big screen
            assert (await get(f"{url}?t={token}"))[0] == 404

    try:
        asyncio.run(scenario())
    finally:
        engine.close()
