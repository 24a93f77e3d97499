"""The served pages in a real headless Chromium: the stream overlay follows the show (and is
transparent in its overlay variant), says 连接中断 when cut; a phone page presses with its own
clock; the judges' tablet signs with a PIN."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from finals_app.core.stage.engine import StageEngine
from finals_app.net.security import JUDGES, TEAM, Role, Tokens
from finals_app.net.server import ShowServer

from tests.test_stage_documents import _play_to_the_end

from .chromium import Browser

ARTIFACTS = Path(__file__).parent / "artifacts" / "browser"
pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def chinese(monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")  # the pages as the hall sees them


async def serve(engine: StageEngine, port: int = 0) -> ShowServer:
    server = ShowServer(engine, Tokens(None, [team.id for team in engine.contest.teams]), "127.0.0.1", port)
    await server.start()
    return server


def in_browser(engine: StageEngine, folder: Path, size: tuple[int, int], scenario) -> None:
    """Serve `engine`, open a Chromium of that viewport, run `scenario(server, browser)`; the
    scenario may replace the server (it returns the one to stop)."""
    async def run():
        server = await serve(engine)
        browser = Browser(folder / "chromium")
        await browser.start(*size)
        try:
            server = await scenario(server, browser) or server
        finally:
            await browser.close()
            await server.stop()

    try:
        asyncio.run(run())
    finally:
        engine.close()


def test_the_stream_page_follows_the_show_and_says_when_it_is_cut(contest, tmp_path):
    engine = StageEngine(contest, tmp_path / "show.journal", durable=False)

    async def scenario(server, browser):
        await browser.open(f"{server.base_url()}/show?t={server.tokens.secret}")
        await browser.wait_for("document.body.dataset.seq", what="the first view")
        names = await browser.evaluate("[...document.querySelectorAll('.team .name')].map(e => e.textContent)")
        assert names == [team.name for team in contest.teams]
        engine.execute({"cmd": "next_round"})
        engine.execute({"cmd": "show_question"})
        question = engine.contest.question(engine.state.question.id)
        await browser.wait_for("document.getElementById('headline').textContent.length > 0")
        assert await browser.evaluate("document.getElementById('stem').textContent") == ""  # not yet on screen
        engine.execute({"cmd": "reveal"})
        await browser.wait_for(f"document.getElementById('stem').textContent === {json.dumps(question.stem)}",
                               what="the stem")
        engine.execute({"cmd": "start_timer"})  # the countdown runs on the page between messages
        first = await browser.wait_for("document.getElementById('timer').textContent", what="the timer")
        await asyncio.sleep(0.4)
        later = await browser.evaluate("document.getElementById('timer').textContent")
        assert first.endswith("秒") and float(later.split()[0]) < float(first.split()[0])
        assert await browser.evaluate("document.getElementById('answer').textContent") == ""
        engine.execute({"cmd": "correct"})
        await browser.wait_for("document.getElementById('answer').textContent.includes('正确答案')",
                               what="the answer after the verdict")
        score = await browser.evaluate("document.querySelector('.team[data-team=a] .score').textContent")
        assert score == str(engine.state.scores["a"]) and engine.state.scores["a"] > 0
        banner = await browser.evaluate("document.getElementById('banner').textContent")
        assert "回答正确" in banner
        await browser.screenshot(ARTIFACTS / "show.png")
        # The overlay variant: transparent around its panels, for an OBS browser source.
        await browser.open(f"{server.base_url()}/show?t={server.tokens.secret}&overlay=1")
        await browser.wait_for("document.body.dataset.seq")
        assert await browser.evaluate("getComputedStyle(document.body).backgroundColor") == "rgba(0, 0, 0, 0)"
        shot = await browser.screenshot(ARTIFACTS / "overlay.png", transparent=True)
        from PySide6.QtGui import QImage
        image = QImage(str(shot))
        assert image.hasAlphaChannel() and image.pixelColor(2, 2).alpha() == 0  # the corner shows the video
        x, y = await browser.evaluate("(() => { const r = document.querySelector('.team').getBoundingClientRect();"
                                      " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        assert image.pixelColor(int(x), int(y)).alpha() > 150  # a score panel stays readable
        # A cut: the page says so at once and comes back by itself.
        port = server.port
        await server.stop()
        await browser.wait_for("document.body.classList.contains('cut')", what="连接中断")
        assert await browser.evaluate("getComputedStyle(document.getElementById('link')).display") == "flex"
        await browser.screenshot(ARTIFACTS / "cut.png")
        tokens = server.tokens
        server = ShowServer(engine, tokens, "127.0.0.1", port)
        await server.start()
        await browser.wait_for("!document.body.classList.contains('cut')", timeout=15, what="the reconnection")
        # A page without its token gets nothing.
        await browser.open(f"{server.base_url()}/show")
        assert "token" in await browser.wait_for("document.body && document.body.innerText")
        return server

    in_browser(engine, tmp_path, (1280, 720), scenario)


def test_a_phone_page_presses_with_its_own_clock(contest, tmp_path):
    engine = StageEngine(contest, tmp_path / "show.journal", durable=False)

    async def scenario(server, browser):
        for command in ({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"}):
            engine.execute(command)
        await browser.open(server.url(Role(TEAM, "c")))
        await browser.wait_for("document.getElementById('team').textContent === " +
                               json.dumps(contest.team("c").name), what="the team's name")
        deadline = asyncio.get_running_loop().time() + 10
        while server.phones()["c"].uncertainty_ms is None:
            assert asyncio.get_running_loop().time() < deadline, "the phone's clock was never measured"
            await asyncio.sleep(0.05)
        engine.execute({"cmd": "open_buzzers", "t_ms": engine.now_ms()})
        await browser.wait_for("document.body.className === 'open'", what="请抢答")
        before = len(engine.events)
        await browser.click("#button")
        await browser.wait_for("document.body.className === 'floor'", what="获得答题权")
        presses = [e for e in engine.events[before:] if e.type == "press_received"]
        assert len(presses) == 1 and presses[0].data["team"] == "c" and presses[0].data["device"] == "phone"
        evidence = presses[0].data["phone"]
        assert evidence["mapped_ms"] <= evidence["arrival_ms"] and evidence["uncertainty_ms"] < 10
        assert engine.state.floor() == ("c", [])
        await browser.screenshot(ARTIFACTS / "phone.png")

    in_browser(engine, tmp_path, (412, 860), scenario)  # a phone


def test_the_judges_tablet_signs_with_each_judges_pin(contest, tmp_path):
    from dataclasses import replace

    from finals_app.core.stage.pins import hash_pin
    pinned = replace(contest, judge_pins=(("甲评委", hash_pin("2468")), ("乙评委", hash_pin("1357"))))
    engine = StageEngine(pinned, tmp_path / "show.journal", durable=False)

    _play_to_the_end(engine, sign=False)

    async def scenario(server, browser):
        await browser.open(server.url(Role(JUDGES)))
        await browser.wait_for("document.querySelectorAll('#ranking tr').length === 4", what="the ranking")
        first = await browser.evaluate("document.querySelector('#ranking tr td:nth-child(2)').textContent")
        assert first == contest.team(engine.state.ranking()[0]["team"]).name
        await browser.type_into("[data-judge='甲评委'] input", "0000")
        await browser.click("[data-judge='甲评委'] button")
        from finals_app.core.i18n import translate
        refusal = translate("wrong PIN for {judge}", judge="甲评委")
        await browser.wait_for(f"document.getElementById('message').textContent === {json.dumps(refusal)}",
                               what="the refusal")
        assert [e.type for e in engine.events].count("pin_refused") == 1
        await browser.type_into("[data-judge='甲评委'] input", "2468")
        await browser.click("[data-judge='甲评委'] button")
        await browser.wait_for("document.querySelector(\"[data-judge='甲评委']\").textContent.includes('已签字')")
        await browser.type_into("[data-judge='乙评委'] input", "1357")
        await browser.click("[data-judge='乙评委'] button")
        await browser.wait_for("document.getElementById('message').textContent.includes('全体评委')",
                               what="the result final")
        assert engine.state.final and set(engine.state.signoffs) == {"甲评委", "乙评委"}
        assert all("2468" not in json.dumps(e.data) for e in engine.events)
        await browser.screenshot(ARTIFACTS / "judges.png")

    in_browser(engine, tmp_path, (1024, 768), scenario)  # a tablet


def test_a_judge_without_a_pin_sets_it_on_the_tablet_typed_twice(contest, tmp_path):
    engine = StageEngine(contest, tmp_path / "show.journal", durable=False)  # no PINs in this contest
    _play_to_the_end(engine, sign=False)

    async def scenario(server, browser):
        await browser.open(server.url(Role(JUDGES)))
        row = "[data-judge='乙评委']"
        await browser.wait_for(f"document.querySelectorAll(\"{row} input\").length === 2", what="two PIN fields")
        await browser.type_into(f"{row} input:nth-of-type(1)", "97531")
        await browser.type_into(f"{row} input:nth-of-type(2)", "97530")
        await browser.click(f"{row} button")
        await browser.wait_for("document.getElementById('message').textContent.includes('不一致')", what="a mismatch")
        assert "judge_pin_set" not in [e.type for e in engine.events]  # nothing was sent
        await browser.type_into(f"{row} input:nth-of-type(1)", "97531")
        await browser.type_into(f"{row} input:nth-of-type(2)", "97531")
        await browser.click(f"{row} button")
        await browser.wait_for(f"document.querySelector(\"{row}\").textContent.includes('已签字')", what="signed")
        assert [e.data["judge"] for e in engine.events if e.type == "judge_pin_set"] == ["乙评委"]

    in_browser(engine, tmp_path, (1024, 768), scenario)


def test_the_stream_page_shows_the_questions_picture_only_once_on_the_big_screen(tmp_path):
    """The overlay and LED-wall page show a picture question's picture, fetched from the kiosk with
    the page's own token, and only once the host has put the question on the big screen."""
    from finals_app.core.stage.contest import load_contest
    from tests.core.stage.test_media import png
    from tests.core.stage.test_media_playback import contest_with
    folder = tmp_path / "show"
    (folder / "media").mkdir(parents=True)
    (folder / "media" / "flag.png").write_bytes(png(300, 200))
    contest = load_contest(contest_with(folder, 'image = "media/flag.png"'))
    engine = StageEngine(contest, folder / "show.journal", durable=False)

    async def scenario(server, browser):
        await browser.open(f"{server.base_url()}/show?t={server.tokens.secret}")
        await browser.wait_for("document.body.dataset.seq", what="the first view")
        for command in ({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"}):
            engine.execute(command)
        assert engine.state.question.id == "m1"
        await browser.wait_for("document.getElementById('headline').textContent.length > 0")
        assert await browser.evaluate("document.getElementById('picture').getAttribute('src') || ''") == ""
        engine.execute({"cmd": "reveal"})
        await browser.wait_for("document.getElementById('picture').complete && "
                               "document.getElementById('picture').naturalWidth === 300", what="the picture")
        source = await browser.evaluate("document.getElementById('picture').getAttribute('src')")
        assert source.startswith("/media/") and f"t={server.tokens.secret}" in source
        shown = await browser.evaluate("(() => { const r = document.getElementById('picture')"
                                       ".getBoundingClientRect(); return [r.width, r.height]; })()")
        assert shown[0] > 0 and abs(shown[0] / shown[1] - 1.5) < 0.02  # its aspect kept
        await browser.screenshot(ARTIFACTS / "show-picture.png")

    in_browser(engine, tmp_path, (1280, 720), scenario)
