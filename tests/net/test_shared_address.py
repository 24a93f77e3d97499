"""A venue's phones all reach the kiosk from one address (a hotspot, a NAT): one device knocking
with bad tokens must not lock out the teams' phones holding valid ones. Only the bad attempts are
counted and blocked; the host sees who is refused, how often and when last, aggregated."""
from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from benchmarks.phone_sim import Network, SimulatedPhone, true_ms
from finals_app.net.security import TEAM, Role, Throttle

from .conftest import eventually, served


@pytest.fixture(autouse=True)
def chinese(monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")


def test_one_noisy_device_behind_the_venue_address_locks_no_team_out(live_engine, qtbot):
    from finals_app.ui.network_panel import NetworkPanel
    engine = live_engine
    for command in ({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"},
                    {"cmd": "open_buzzers"}):
        engine.execute(command)
    seen = {}

    async def scenario():
        async with served(engine) as server, aiohttp.ClientSession() as session:
            base = server.base_url()
            codes = []
            for n in range(10):  # one device behind the hotspot: ten bad tokens, pages and sockets
                if n % 2:
                    try:
                        await session.ws_connect(f"{base}/ws?t=guess-{n}-xxxxxxxxxxxxxx&feed=view")
                        codes.append(101)
                    except aiohttp.WSServerHandshakeError as error:
                        codes.append(error.status)
                else:
                    async with session.get(f"{base}/phone?t=guess-{n}-xxxxxxxxxxxxxx") as response:
                        codes.append(response.status)
            assert set(codes[:5]) == {403} and set(codes[5:]) == {429}, codes  # the guesser is blocked
            # Every team's phone, from the same address, with its valid token: connects and presses.
            phones = []
            for number, team in enumerate(engine.contest.teams):
                url = server.url(Role(TEAM, team.id)).replace("/phone?", "/ws?") + "&feed=view"
                phone = SimulatedPhone(url, 1000.0 * number, Network(2.0, 1.0), seed=number)
                await phone.connect()
                phones.append(phone)
            await eventually(lambda: all(p.pongs >= 10 for p in phones), what="the phones' clocks")
            for phone in phones:
                await phone.press_at(true_ms() + 5)
            await eventually(lambda: all(p.replies for p in phones), what="every press's answer")
            assert [p.replies[-1]["type"] for p in phones] == ["pressed"] * len(phones), [p.replies for p in phones]
            pressed = {e.data["team"] for e in engine.events if e.type == "press_received"}
            assert pressed == {team.id for team in engine.contest.teams}
            # The guesser is still blocked, the page of a valid token still opens.
            async with session.get(f"{base}/phone?t=guess-11-xxxxxxxxxxxxxx") as response:
                assert response.status == 429
            async with session.get(server.url(Role(TEAM, "a"))) as response:
                assert response.status == 200
            # The host's panel: one line for the guesser, with its count, not eleven lines.
            panel = NetworkPanel(server, engine.contest, confirm=lambda *_: True)
            qtbot.addWidget(panel)
            seen["text"] = panel.refusals.text()
            for phone in phones:
                await phone.close()

    asyncio.run(scenario())
    text = seen["text"]
    # One line per kind (the page, the socket), each with its count; not eleven lines.
    assert "共 11 次" in text and text.count("127.0.0.1") == 2, text
    assert "127.0.0.1（错误或已撤销的令牌）/phone：6 次" in text and "127.0.0.1（错误或已撤销的令牌）/ws：5 次" in text, text
    assert "guess" not in text  # what was tried is shown, never the token


def test_a_valid_token_is_never_counted_nor_blocked_and_the_record_aggregates():
    from finals_app.net.security import RefusalRecord
    now = [0.0]
    throttle = Throttle(limit=5, window_s=60, clock=lambda: now[0])
    for _ in range(5):
        throttle.failed("10.0.0.1", "a wrong token")
    assert throttle.blocked("10.0.0.1")
    record = RefusalRecord(clock=lambda: 1000.0 + now[0])
    for n in range(20):
        now[0] = float(n)
        record.add("10.0.0.1", "wrong token", "/phone")
    record.add("10.0.0.2", "team", "a press for another team (b)")
    rows = record.summary()
    assert [(r.address, r.count) for r in rows] == [("10.0.0.2", 1), ("10.0.0.1", 20)]
    assert rows[1].first == 1000.0 and rows[1].last == 1019.0
    assert record.total() == 21


def test_the_record_stays_bounded():
    from finals_app.net.security import RefusalRecord
    record = RefusalRecord(limit=50)
    for n in range(1000):
        record.add(f"10.0.{n // 256}.{n % 256}", "wrong token", "/ws")
    assert len(record.summary()) == 50 and record.total() == 1000
    json.dumps([r.address for r in record.summary()])
