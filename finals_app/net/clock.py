"""The phones' clocks: the kiosk pings each phone continuously and keeps an estimate of its
clock (core/stage/clocksync.py) from the answers; from them, each phone's status for the console
and how long a buzzer race waits for a late press."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Callable

from finals_app.net.connections import Client, Connections
from finals_app.net.security import TEAM, Role

PING_EVERY_S = 0.2
FAST_PINGS = 12  # the first pings of a phone come quickly, so it can press within a second
SILENT_MS = 1500  # a phone that has not answered for this long is shown as not answering


@dataclass(frozen=True)
class PhoneStatus:
    team: str
    connected: bool
    uncertainty_ms: float | None
    rtt_ms: float | None
    responsive: bool


class PhoneClocks:
    def __init__(self, connections: Connections, now: Callable[[], float]):
        self.connections = connections
        self.now = now

    async def ping(self, client: Client) -> None:
        """Ping `client` for as long as it is connected (quickly at first)."""
        count = 0
        try:
            while not client.closing:
                now = self.now()
                key = f"{client.number}-{count}"
                client.pings[key] = now
                for stale in [k for k, sent in client.pings.items() if now - sent > 5000]:
                    del client.pings[stale]
                self.connections.send(client, {"type": "ping", "k": key})
                count += 1
                await asyncio.sleep(0.03 if count < FAST_PINGS else PING_EVERY_S)
                if client.last_pong and now - client.last_pong > SILENT_MS:
                    self.connections.tell()  # no answer for 1.5 s: the console shows the phone as not answering
        except asyncio.CancelledError:
            return

    def pong(self, client: Client, key, phone_ms: float | None, now: float) -> None:
        """A phone's answer to our ping `key`, stamped `phone_ms` by its clock (None: not a time):
        one more exchange for its clock's estimate."""
        sent = client.pings.pop(key, None)
        if sent is not None and phone_ms is not None:
            client.sync.add(sent, phone_ms, now)
            client.last_pong = now
            if len(client.sync.samples) in (4, 12) or len(client.sync.samples) % 25 == 0:
                self.connections.tell()

    def phones(self, teams) -> dict[str, PhoneStatus]:
        now = self.now()
        found = {}
        for team in teams:
            client = next((c for c in self.connections.clients if c.role == Role(TEAM, team.id) and not c.closing), None)
            if client is None:
                found[team.id] = PhoneStatus(team.id, False, None, None, False)
                continue
            estimate = client.sync.estimate(now) if client.sync.ready(now) else None
            found[team.id] = PhoneStatus(team.id, True, estimate[1] if estimate else None,
                                         client.sync.best_rtt(now), bool(client.last_pong)
                                         and now - client.last_pong < SILENT_MS)
        return found

    def settle_ms(self) -> float:
        """How long a buzzer race waits before its winner is shown: as long as the slowest
        connected phone's press may take to arrive (half its slowest recent round trip, its
        clock's uncertainty, 5 ms of margin), at most 150 ms; 0 without phones."""
        now = self.now()
        longest = 0.0
        for client in self.connections.clients:
            if client.sync is None or client.closing or not client.sync.ready(now):
                continue
            slow = client.sync.slow_rtt(now) or 0.0
            _ignored, uncertainty = client.sync.estimate(now)
            longest = max(longest, slow / 2 + uncertainty + 5.0)
        return min(150.0, longest)
