"""The served show's open sockets: who is connected, what waits to be sent to each, and who was
refused. Every other room of the server sends, closes and records refusals through this one.

A slow or hostile client never holds up the show: each has a bounded outgoing queue and is
dropped when it overflows.
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Callable

from aiohttp import web

from finals_app.core.stage.clocksync import ClockSync
from finals_app.core.stage.wire import Discloser
from finals_app.net.security import RefusalRecord, Role

log = logging.getLogger("finals_app.net")

QUEUE_LIMIT = 2000  # outgoing messages waiting for one client before it is dropped
REFUSALS_KEPT = 20


@dataclass(eq=False)
class Client:
    """One open socket and what the rooms keep about it."""

    ws: web.WebSocketResponse
    role: Role
    address: str
    feed: str
    number: int
    token: str
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    discloser: Discloser | None = None
    sync: ClockSync | None = None
    pings: dict = field(default_factory=dict)  # k -> sent, the pings we are waiting for
    last_pong: float = 0.0
    connected_at: float = 0.0
    malformed: int = 0
    recent: list = field(default_factory=list)  # arrival times of the last second's messages
    closing: bool = False
    close_code: int = 1000  # when the client's own messages end it: how
    close_why: str = ""
    last_press: float = -1e18  # a phone's previous press (our clock)


class Connections:
    """The connected clients, their outgoing queues, the tasks that serve them, the refusals."""

    def __init__(self):
        self.clients: set[Client] = set()
        self.listeners: list[Callable[[], None]] = []  # told when phones connect, go or change
        self.refusals: list[tuple[str, str, str]] = []  # (address, role, what): the last few
        self.refusal_record = RefusalRecord()  # every refusal, aggregated: the console shows it
        self._tasks: set[asyncio.Task] = set()
        self._numbers = 0

    def next_number(self) -> int:
        self._numbers += 1
        return self._numbers

    def refused(self, address: str, role: str, what: str) -> None:
        self.refusals = (self.refusals + [(address, role, what)])[-REFUSALS_KEPT:]
        self.refusal_record.add(address, role, what)
        log.warning("refused from %s (%s): %s", address, role, what)

    def tell(self) -> None:
        for listener in list(self.listeners):
            listener()

    def send(self, client: Client, message: dict | str) -> None:
        """Queue `message` (or its JSON text, when many clients get the same) for `client`."""
        if client.closing:
            return
        text = message if isinstance(message, str) else json.dumps(message, ensure_ascii=False, separators=(",", ":"))
        try:
            client.queue.put_nowait(text)
        except asyncio.QueueFull:
            self.refused(client.address, client.role.kind, "a client too slow to follow (dropped)")
            client.closing = True
            self.spawn(self.close(client, 1013, "too slow"))

    async def write(self, client: Client) -> None:
        """Send what waits in `client`'s queue, for as long as it is connected."""
        try:
            while True:
                text = await client.queue.get()
                await client.ws.send_str(text)
        except (ConnectionError, RuntimeError, asyncio.CancelledError):
            return

    @staticmethod
    def end(client: Client, code: int, why: str) -> None:
        """End a connection because of what it sent: its handler closes it with `code`."""
        client.closing = True
        client.close_code, client.close_why = code, why

    @staticmethod
    async def close(client: Client, code: int, why: str) -> None:
        client.closing = True
        try:
            await client.ws.close(code=code, message=why.encode()[:120])
        except (ConnectionError, RuntimeError):
            pass

    def close_soon(self, client: Client, code: int, why: str) -> None:
        self.spawn(self.close(client, code, why))

    def spawn(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close_all(self, code: int, why: str) -> None:
        for client in list(self.clients):
            await self.close(client, code, why)
        for task in list(self._tasks):
            task.cancel()
