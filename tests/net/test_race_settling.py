"""No surface shows a floor holder before the buzzer race is settled: simulated phones whose truly
later press arrives first (the earlier phone's network is 115 ms slower, the presses 30-45 ms
apart: clear of the phones' clock uncertainty even on a loaded machine), through the real
server, watched by both phones' pages, the stream overlay (a view feed) and a follower (the
events feed, folded as `finals-app follow` folds it). Not one message on any of them names the
later team as holding the floor, and the later team's phone is never told 获得答题权."""
from __future__ import annotations

import asyncio
import json
import random

import aiohttp

from benchmarks.phone_sim import Network, SimulatedPhone, race_contest, true_ms
from finals_app.core.stage.contest import load_contest
from finals_app.core.stage.engine import StageEngine
from finals_app.core.stage.state import apply, fold
from finals_app.core.stage.wire import event_from_record
from finals_app.net.security import FOLLOWER, TEAM, Role

from .conftest import eventually, served

RACES = 12


class Watcher:
    """A page or a follower on the socket, keeping every message it is sent."""

    def __init__(self, url: str):
        self.url = url
        self.messages: list[dict] = []

    async def connect(self) -> None:
        self.session = aiohttp.ClientSession()
        self.ws = await self.session.ws_connect(self.url)
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            if data.get("type") == "ping":
                await self.ws.send_str(json.dumps({"type": "pong", "k": data["k"], "p": true_ms()}))
            else:
                self.messages.append(data)

    async def close(self) -> None:
        self.reader.cancel()
        await self.ws.close()
        await self.session.close()


def test_the_later_press_arriving_first_is_never_shown_holding_the_floor(tmp_path):
    (tmp_path / "contest.toml").write_text(race_contest(RACES + 5), encoding="utf-8")
    contest = load_contest(tmp_path / "contest.toml")
    engine = StageEngine(contest, tmp_path / "races.journal", durable=False)
    rng = random.Random(20261206)

    async def scenario():
        async with served(engine) as server:
            phone_url = {team: server.url(Role(TEAM, team)).replace("/phone?", "/ws?") + "&feed=view"
                         for team in ("t1", "t2")}
            slow = SimulatedPhone(phone_url["t1"], rng.uniform(-5000, 5000), Network(120.0, 2.0), rng.randrange(10**9))
            fast = SimulatedPhone(phone_url["t2"], rng.uniform(-5000, 5000), Network(5.0, 2.0), rng.randrange(10**9))
            show = server.url(Role(FOLLOWER)).split("?")[1]
            overlay = Watcher(f"{server.base_url()}/ws?{show}&feed=view")
            follower = Watcher(f"{server.base_url()}/ws?{show}&feed=events")
            settled, arrived_first = [], []
            try:
                for client in (slow, fast, overlay, follower):
                    await client.connect()
                await eventually(lambda: slow.pongs >= 12 and fast.pongs >= 12, what="the phones' clocks")
                await asyncio.sleep(1.0)
                engine.execute({"cmd": "next_round"})
                for _ in range(RACES):
                    engine.execute({"cmd": "show_question"})
                    engine.execute({"cmd": "open_buzzers", "t_ms": int(true_ms())})
                    before = len(engine.events)
                    start = true_ms() + 30
                    await asyncio.gather(slow.press_at(start), fast.press_at(start + rng.uniform(30, 45)))
                    await eventually(lambda: any(e.type == "race_settled" for e in engine.events[before:]),
                                     timeout=10, what="the race to settle")
                    presses = [e for e in engine.events[before:] if e.type == "press_received"]
                    arrived_first.append(presses[0].data["team"])
                    settled.append(engine.state.floor())
                    await eventually(lambda: slow.views[-1]["me"]["status"] in ("floor", "tie"), timeout=10,
                                     what="the holder's phone told")
                    if engine.state.floor()[1]:
                        engine.execute({"cmd": "resolve_tie", "team": "t1"})
                    engine.execute({"cmd": "correct"})
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.2)
            finally:
                for client in (slow, fast, overlay, follower):
                    if getattr(client, "ws", None) is not None:
                        await client.close()
            return settled, arrived_first, slow.views, fast.views, overlay.messages, follower.messages

    try:
        settled, arrived_first, slow_views, fast_views, overlay_messages, follower_messages = asyncio.run(scenario())
    finally:
        engine.close()
    # The set-up is the fault's: the later press arrived first in every race, and the earlier won.
    assert arrived_first == ["t2"] * RACES
    assert settled == [("t1", [])] * RACES
    # The later team's phone was never told it held the floor (no 获得答题权, no vibration).
    assert len(fast_views) >= RACES and all(view["me"]["status"] != "floor" for view in fast_views)
    assert all(view["floor"]["holder"] != "t2" for view in fast_views)
    # The earlier team's phone was told, once each race had settled.
    assert sum(1 for view in slow_views if view["me"]["status"] == "floor") >= RACES
    # The stream overlay (and the LED wall, the same page) never showed t2 holding the floor.
    overlay_views = [m for m in overlay_messages if m.get("type") == "view"]
    assert len(overlay_views) >= RACES
    assert not [v for v in overlay_views if v["floor"]["holder"] == "t2" or any(
        row["holder"] for row in v["scoreboard"] if row["team"] == "t2")]
    # A follower folding the journal never had t2 on the floor after any message.
    state = fold(contest, [])
    for message in follower_messages:
        if message.get("type") == "events":
            apply(state, [event_from_record(r) for r in message["events"]])
            assert state.floor()[0] != "t2"
    assert state.last_seq == len(engine.events)
