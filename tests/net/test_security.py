"""A venue network is not trusted: every page and socket needs a token of the right kind, and
whatever a stranger sends is refused cleanly, with the show unaffected and nothing journalled
but the evidence of an attempt where it is evidence (a wrong PIN)."""
from __future__ import annotations

import asyncio
import json
import logging

import aiohttp

from benchmarks.phone_sim import Network, SimulatedPhone
from finals_app.core.i18n import _
from finals_app.net.security import FOLLOWER, JUDGES, TEAM, Role, Throttle, Tokens

from .conftest import eventually, served


def journal_types(engine) -> list[str]:
    return [event.type for event in engine.events]


async def status(session, url: str) -> int:
    async with session.get(url) as response:
        return response.status


async def socket(session, server, token: str, feed: str = "view"):
    return await session.ws_connect(f"{server.base_url()}/ws?t={token}&feed={feed}")


async def next_of(ws, kind: str, timeout: float = 3.0) -> dict:
    while True:
        message = await asyncio.wait_for(ws.receive(), timeout)
        if message.type != aiohttp.WSMsgType.TEXT:
            return {"type": "closed", "code": ws.close_code}
        data = json.loads(message.data)
        if data.get("type") == kind:
            return data


def test_pages_and_sockets_need_the_right_token(live_engine, caplog):
    async def scenario():
        async with served(live_engine) as server, aiohttp.ClientSession() as session:
            base = server.base_url()
            tokens = server.tokens
            before = journal_types(live_engine)
            assert await status(session, f"{base}/show") == 401
            assert await status(session, f"{base}/ws") == 401
            assert await status(session, f"{base}/show?t=wrong") == 403
            assert await status(session, f"{base}/show?t={tokens.secret}") == 200
            assert await status(session, f"{base}/show?t={tokens.secret}&overlay=1") == 200
            assert await status(session, f"{base}/phone?t={tokens.secret}") == 403  # a follower is no phone
            assert await status(session, f"{base}/judges?t={tokens.teams['a']}") == 403
            assert await status(session, f"{base}/phone?t={tokens.teams['a']}") == 200
            assert await status(session, f"{base}/judges?t={tokens.judges}") == 200
            assert await status(session, f"{base}/ws?t={tokens.secret}&feed=everything") == 400
            assert await status(session, f"{base}/ws?t={tokens.secret}&since=-1") == 400
            assert await status(session, f"{base}/nothing?t={tokens.secret}") == 404
            assert journal_types(live_engine) == before

    with caplog.at_level(logging.WARNING, logger="finals_app.net"):
        asyncio.run(scenario())
    assert any("without a token" in r.getMessage() for r in caplog.records)
    assert not any(secret in r.getMessage() for r in caplog.records for secret in ("t=",))


def test_repeated_bad_tokens_are_throttled_and_logged(live_engine, caplog):
    async def scenario():
        async with served(live_engine) as server, aiohttp.ClientSession() as session:
            base = server.base_url()
            codes = [await status(session, f"{base}/show?t=guess{n}") for n in range(7)]
            assert codes[:4] == [403] * 4 and codes[5:] == [429, 429]
            # The right token is never throttled: every phone at a venue shares one address.
            assert await status(session, f"{base}/show?t={server.tokens.secret}") == 200
            assert await status(session, f"{base}/show?t=guess8") == 429

    with caplog.at_level(logging.WARNING, logger="finals_app.net"):
        asyncio.run(scenario())
    assert any("throttled 127.0.0.1" in r.getMessage() for r in caplog.records)


def test_the_throttle_forgets_after_its_window():
    now = [0.0]
    throttle = Throttle(limit=3, window_s=10, clock=lambda: now[0])
    for _ignored in range(3):
        throttle.failed("10.0.0.9", "a bad token")
    assert throttle.blocked("10.0.0.9") and not throttle.blocked("10.0.0.8")
    now[0] = 11.0
    assert not throttle.blocked("10.0.0.9")


def test_a_follower_can_neither_press_nor_sign(live_engine):
    async def scenario():
        live_engine.execute({"cmd": "next_round"})
        async with served(live_engine) as server, aiohttp.ClientSession() as session:
            before = journal_types(live_engine)
            ws = await socket(session, server, server.tokens.secret)
            await next_of(ws, "view")
            for command in ({"type": "press", "p": 1.0}, {"type": "sign_off", "judge": "甲评委", "pin": "1234",
                                                             "prizes": {}}, {"type": "undo"}):
                await ws.send_str(json.dumps(command))
                assert (await next_of(ws, "refused"))["reason"]
            await ws.close()
            assert journal_types(live_engine) == before
            assert any("press without a team token" in what for _ignored, _ignored, what in server.refusals)

    asyncio.run(scenario())


def test_a_team_token_presses_for_its_own_team_only_and_only_once_its_clock_is_known(live_engine):
    async def scenario():
        engine = live_engine
        for command in ({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"},
                        {"cmd": "open_buzzers"}):
            engine.execute(command)
        async with served(engine) as server, aiohttp.ClientSession() as session:
            raw = await socket(session, server, server.tokens.teams["a"])
            await raw.send_str(json.dumps({"type": "press", "p": 5.0}))  # no pong answered: no clock
            assert (await next_of(raw, "refused"))["reason"] == _("The phone's clock is not measured yet: press again in a moment")
            await raw.send_str(json.dumps({"type": "press", "p": 5.0, "team": "b"}))
            assert (await next_of(raw, "refused"))["reason"] == _("You can press for your own team only")
            await raw.close()
            before = len(engine.events)
            url = server.url(Role(TEAM, "b")).replace("/phone?", "/ws?") + "&feed=view"
            phone = SimulatedPhone(url, 1234.0, Network(3.0, 2.0), seed=1)
            await phone.connect()
            await eventually(lambda: phone.pongs >= 10, what="the phone's clock")
            from benchmarks.phone_sim import true_ms
            await phone.press_at(true_ms() + 5)
            await eventually(lambda: phone.replies, what="the press's answer")
            assert phone.replies[-1]["type"] == "pressed" and phone.replies[-1]["outcome"] == "accepted"
            pressed = [e for e in engine.events[before:] if e.type == "press_received"]
            assert [e.data["team"] for e in pressed] == ["b"]
            evidence = pressed[0].data["phone"]
            assert set(evidence) >= {"phone_ms", "mapped_ms", "uncertainty_ms", "arrival_ms"}
            assert evidence["mapped_ms"] <= evidence["arrival_ms"]
            assert abs(evidence["phone_ms"] - 1234.0 - evidence["mapped_ms"]) <= evidence["uncertainty_ms"] + 6
            assert pressed[0].data["device"] == "phone" and pressed[0].data["uncertainty_us"] >= 1
            assert engine.state.floor() == (None, [])  # a phone's race settles first
            await eventually(lambda: engine.state.floor() == ("b", []), what="the race settled")
            # A stuck or hostile page pressing again and again fills no journal.
            before = len(engine.events)
            for _ignored in range(20):
                await phone.ws.send_str(json.dumps({"type": "press", "p": phone.phone_ms(), "n": 2}))
            await eventually(lambda: sum(r["type"] == "refused" for r in phone.replies) >= 19, what="the refusals")
            assert len(engine.events) - before <= 1
            await phone.close()

    asyncio.run(scenario())


def test_a_wrong_pin_from_the_tablet_is_evidence_and_repeated_ones_are_throttled(live_engine):
    from finals_app.core.stage.state import PRIZE_LEVELS  # noqa: F401

    async def scenario():
        engine = live_engine
        from dataclasses import replace

        from finals_app.core.stage.pins import hash_pin
        engine.contest = replace(engine.contest, judge_pins=(("甲评委", hash_pin("2468")), ("乙评委", hash_pin("1357"))))
        engine.state.contest = engine.contest
        engine.state.prizes = {"first": ["a"], "second": ["b"], "third": ["c"]}
        async with served(engine) as server, aiohttp.ClientSession() as session:
            ws = await socket(session, server, server.tokens.judges)
            view = await next_of(ws, "view")
            assert view["prizes"] == engine.state.prizes
            for attempt in range(6):
                await ws.send_str(json.dumps({"type": "sign_off", "judge": "甲评委", "pin": f"000{attempt}",
                                              "prizes": view["prizes"]}))
                reason = (await next_of(ws, "refused"))["reason"]
            assert reason == _("Too many wrong PINs: try again in a minute")  # the sixth is throttled, not tried
            assert journal_types(engine).count("pin_refused") == 5
            assert all("000" not in json.dumps(e.data) for e in engine.events)  # a PIN is never journalled
            await ws.close()

    asyncio.run(scenario())


def test_malformed_oversized_and_flooding_clients_are_closed(live_engine):
    async def scenario():
        async with served(live_engine) as server, aiohttp.ClientSession() as session:
            before = journal_types(live_engine)
            ws = await socket(session, server, server.tokens.secret)
            await next_of(ws, "view")
            for text in ("not json", "[1, 2]", '{"type": 5}', '{"type": "ping"}'):
                await ws.send_str(text)
                assert (await next_of(ws, "error"))["type"] == "error"
            await ws.send_bytes(b"\x00\x01")
            assert (await next_of(ws, "never"))["code"] == 1008  # the fifth: closed
            big = await socket(session, server, server.tokens.secret)
            await next_of(big, "view")
            await big.send_str(json.dumps({"type": "ping", "c": 1, "pad": "x" * 5000}))
            assert (await next_of(big, "never"))["code"] == 1009  # message too big
            flood = await socket(session, server, server.tokens.secret)
            await next_of(flood, "view")
            for n in range(200):
                await flood.send_str(json.dumps({"type": "ping", "c": n}))
            assert (await next_of(flood, "never", timeout=5))["code"] == 1008
            healthy = await socket(session, server, server.tokens.secret)
            await next_of(healthy, "view")
            live_engine.execute({"cmd": "next_round"})
            assert (await next_of(healthy, "view"))["title"]  # the show goes on for the others
            assert journal_types(live_engine) == before + ["round_started"]
            await healthy.close()

    asyncio.run(scenario())


def test_two_hundred_connections_at_once(live_engine):
    async def scenario():
        async with served(live_engine) as server, aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0)) as session:
            tokens = [server.tokens.secret] * 150 + [server.tokens.judges] * 50

            async def one(token):
                try:
                    ws = await socket(session, server, token, feed="events" if len(token) > 3 else "view")
                except aiohttp.WSServerHandshakeError as error:
                    return error.status, None
                await next_of(ws, "hello")
                return 101, ws

            results = await asyncio.gather(*(one(token) for token in tokens))
            assert [code for code, _ignored in results] == [101] * 200
            strangers = await asyncio.gather(*(one(f"guess{n}") for n in range(20)))
            assert {code for code, _ignored in strangers} == {403, 429}  # refused, then throttled
            live_engine.execute({"cmd": "next_round"})
            sockets = [ws for _ignored, ws in results if ws is not None]
            async def started(ws) -> bool:
                while True:
                    message = await next_of(ws, "events")
                    if any(event["type"] == "round_started" for event in message["events"]):
                        return True

            assert all(await asyncio.gather(*(started(ws) for ws in sockets)))
            assert sum(1 for e in live_engine.events if e.type == "round_started") == 1
            await asyncio.gather(*(ws.close() for ws in sockets))

    asyncio.run(scenario())


def test_a_revoked_token_closes_its_connections_and_stops_working(live_engine, tmp_path):
    async def scenario():
        async with served(live_engine, tmp_path / "tokens.json") as server, aiohttp.ClientSession() as session:
            old = server.tokens.teams["c"]
            ws = await socket(session, server, old)
            await next_of(ws, "view")
            new = server.revoke(Role(TEAM, "c"))
            assert new != old
            assert (await next_of(ws, "never"))["code"] == 4003
            assert await status(session, f"{server.base_url()}/phone?t={old}") == 403
            assert await status(session, f"{server.base_url()}/phone?t={new}") == 200
            # Kept for a restart of the kiosk, readable by its user only.
            assert Tokens(tmp_path / "tokens.json", ["a", "b", "c", "d"]).teams["c"] == new
            assert oct((tmp_path / "tokens.json").stat().st_mode & 0o777) == "0o600"
            assert Role(FOLLOWER).kind == FOLLOWER and Role(JUDGES).describe() == "judges"

    asyncio.run(scenario())


def test_a_taken_or_wrong_address_is_refused_before_any_window(tmp_path, contest_file, capsys):
    import socket

    from finals_app.cli import EXIT_ERROR, main
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["stage", str(contest_file), "--journal", str(tmp_path / "s.journal"), "--serve",
                     f"127.0.0.1:{port}"])
    assert code == EXIT_ERROR and f"127.0.0.1:{port}" in capsys.readouterr().err
    assert main(["stage", str(contest_file), "--serve", "8765"]) == EXIT_ERROR
    assert "HOST:PORT" in capsys.readouterr().err
