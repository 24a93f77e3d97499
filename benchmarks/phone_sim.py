"""Phones simulated on loopback, for the phone-buzzer test and benchmark: each has its own clock
(an offset of up to ±5 s from the kiosk's) and its own network (one-way delays with jitter in
each direction), speaks the phone page's protocol to the real server, and presses when told at
a true instant it records.

A race: the buzzers open, two phones press at true instants `gap` ms apart, and once both
presses are journalled the floor is read. The earlier press must win whenever the true gap
exceeds the two presses' stated uncertainties; closer than that the engine must call a tie.
"""
from __future__ import annotations

import asyncio
import json
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp


def true_ms() -> float:
    """The kiosk's clock (the truth the phones' clocks are offset from)."""
    return time.monotonic_ns() / 1e6


@dataclass
class Network:
    base_ms: float  # the one-way delay's floor
    jitter_ms: float  # plus up to this much, uniformly, per message and direction

    def delay(self, rng: random.Random) -> float:
        return self.base_ms + rng.uniform(0, self.jitter_ms)


class SimulatedPhone:
    def __init__(self, url: str, offset_ms: float, network: Network, seed: int):
        self.url = url
        self.offset_ms = offset_ms
        self.network = network
        self.rng = random.Random(seed)
        self.ws = None
        self.session = None
        self.replies: list[dict] = []
        self.views: list[dict] = []  # every view the page was sent (its team's status included)
        self.pongs = 0
        self._tasks: set = set()

    def phone_ms(self) -> float:
        return true_ms() + self.offset_ms

    async def connect(self) -> None:
        self.session = aiohttp.ClientSession()
        self.ws = await self.session.ws_connect(self.url)
        self._reader = asyncio.ensure_future(self._read())

    async def close(self) -> None:
        self._reader.cancel()
        for task in list(self._tasks):
            task.cancel()
        await self.ws.close()
        await self.session.close()

    def _later(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            if data.get("type") == "ping":
                self._later(self._answer(data["k"], self.network.delay(self.rng)))
            elif data.get("type") in ("pressed", "refused"):
                self.replies.append(data)
            elif data.get("type") == "view":
                self.views.append(data)

    async def _answer(self, key: str, down_ms: float) -> None:
        await asyncio.sleep(down_ms / 1000)  # the ping's way here
        stamp = self.phone_ms()  # the phone's clock when the ping arrives
        await asyncio.sleep(self.network.delay(self.rng) / 1000)  # the pong's way back
        await self.ws.send_str(json.dumps({"type": "pong", "k": key, "p": stamp}))
        self.pongs += 1

    async def press_at(self, instant_ms: float) -> float:
        """Press at about the true instant (when the loop wakes); returns the true instant of the
        press as the phone stamped it (the race is judged on that, not on the instant asked)."""
        await asyncio.sleep(max(0.0, instant_ms - true_ms()) / 1000)
        truth = true_ms()
        stamp = truth + self.offset_ms
        self._later(self._send_press(stamp))
        return truth

    async def _send_press(self, stamp: float) -> None:
        await asyncio.sleep(self.network.delay(self.rng) / 1000)
        await self.ws.send_str(json.dumps({"type": "press", "p": stamp, "n": 1}))


def race_contest(questions: int, teams: int = 2) -> str:
    from benchmarks.bench_buzzer import contest_text
    text = contest_text(questions)
    return text


@dataclass
class RaceResult:
    gap_ms: float  # true instant of B minus A's
    uncertainty_ms: float  # the two presses' stated uncertainties added
    winner: str | None  # who holds the floor (None: a tie for the host)
    tied: list
    errors_ms: tuple  # each press's mapped minus true instant
    stated_ms: tuple  # each press's stated uncertainty

    @property
    def earlier(self) -> str:
        return "t1" if self.gap_ms > 0 else "t2"

    @property
    def mapped_gap_ms(self) -> float:
        return self.gap_ms + self.errors_ms[1] - self.errors_ms[0]

    @property
    def misjudged(self) -> bool:
        """The later press was given the floor."""
        return self.winner is not None and self.winner != self.earlier

    @property
    def decided_right(self) -> bool:
        """Never the later press; a tie exactly when the presses as mapped are closer than their
        combined uncertainty (the order is then not known: the host decides)."""
        if self.misjudged:
            return False
        return (self.winner is None) == (abs(self.mapped_gap_ms) < self.uncertainty_ms)


async def run_races(count: int, rng: random.Random, jitter_rtt_ms: float = 20.0, folder: Path | None = None,
                    progress=None, per_pair: int = 100) -> tuple[list[RaceResult], list]:
    """`count` races between two simulated phones on a real server over loopback; a new pair
    (new clocks, new networks) every `per_pair` races."""
    from finals_app.core.stage.contest import load_contest
    from finals_app.core.stage.engine import StageEngine
    from finals_app.net.security import Role, TEAM, Tokens
    from finals_app.net.server import ShowServer
    folder = folder or Path(tempfile.mkdtemp(prefix="finals-phone-races-"))
    (folder / "contest.toml").write_text(race_contest(count + 30), encoding="utf-8")
    contest = load_contest(folder / "contest.toml")
    engine = StageEngine(contest, folder / "races.journal", durable=False)
    tokens = Tokens(None, [team.id for team in contest.teams])
    server = ShowServer(engine, tokens, "127.0.0.1", 0)
    await server.start()
    phones: dict = {}
    setups: list = []

    async def new_phones() -> None:
        """A new pair of phones: each its own clock offset and network."""
        for phone in phones.values():
            await phone.close()
        setup = {}
        for team in ("t1", "t2"):
            offset = rng.uniform(-5000, 5000)
            base = rng.uniform(5, 80 - jitter_rtt_ms / 2)  # one-way delays of 5-80 ms, jitter included
            network = Network(base, jitter_rtt_ms / 2)  # two directions: RTT jitter up to jitter_rtt_ms
            url = server.url(Role(TEAM, team)).replace("/phone?", "/ws?") + "&feed=view"
            phones[team] = SimulatedPhone(url, offset, network, rng.randrange(10 ** 9))
            setup[team] = {"offset_ms": round(offset, 1), "one_way_ms": f"{base:.1f}-{base + jitter_rtt_ms / 2:.1f}"}
            await phones[team].connect()
        setups.append(setup)
        await asyncio.sleep(3.0)  # a few seconds of pings, as before any show

    results: list[RaceResult] = []
    try:
        engine.execute({"cmd": "next_round"})
        for index in range(count):
            if index % per_pair == 0:
                await new_phones()
            engine.execute({"cmd": "show_question"})
            engine.execute({"cmd": "open_buzzers", "t_ms": int(true_ms())})
            gap = rng.uniform(-25, 25) if index % 4 else rng.uniform(-3, 3)
            start = true_ms() + 30
            first, second = (("t1", start), ("t2", start + gap)) if gap >= 0 else (("t2", start), ("t1", start - gap))
            before = len(engine.events)
            truths = dict(zip((first[0], second[0]), await asyncio.gather(
                phones[first[0]].press_at(first[1]), phones[second[0]].press_at(second[1]))))
            deadline = time.monotonic() + 2
            while sum(1 for e in engine.events[before:] if e.type == "press_received") < 2:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"race {index}: the presses did not arrive")
                await asyncio.sleep(0.002)
            presses = {e.data["team"]: e.data for e in engine.events[before:] if e.type == "press_received"}
            while engine.settles_at_ms() is not None:  # the race settles (the server settles it on time)
                if time.monotonic() > deadline:
                    raise RuntimeError(f"race {index}: the race did not settle")
                await asyncio.sleep(0.002)
            holder, tied = engine.state.floor()
            errors = tuple(presses[t]["phone"]["mapped_ms"] - truths[t] for t in ("t1", "t2"))
            stated = tuple(presses[t]["uncertainty_us"] / 1000 for t in ("t1", "t2"))
            results.append(RaceResult(truths["t2"] - truths["t1"], sum(stated), holder, tied, errors, stated))
            if tied:
                engine.execute({"cmd": "resolve_tie", "team": tied[0]})
            engine.execute({"cmd": "correct"})
            await asyncio.sleep(0.05)  # the host's next question takes a moment, as on stage
            if progress:
                progress(index + 1)
    finally:
        for phone in phones.values():
            await phone.close()
        await server.stop()
        engine.close()
    return results, setups
