"""One client's socket: accepting it, reading what it says and answering. Phones press, judges'
tablets sign off, everyone may ping; anything else is refused. A press carries the phone's own
time, mapped onto the kiosk's clock with its uncertainty (clock.py) and journalled as evidence
(phone time, mapped time, uncertainty, arrival).

Messages are at most 4 KiB; floods and malformed input close the socket.
"""
from __future__ import annotations

import asyncio
import json
import logging
import math
from typing import Callable

from aiohttp import WSMsgType, web

from finals_app.core.i18n import _
from finals_app.core.stage.clocksync import ClockSync
from finals_app.core.stage.engine import Refusal, StageEngine
from finals_app.core.stage.journal import JournalError
from finals_app.net.broadcast import Broadcast
from finals_app.net.clock import PhoneClocks
from finals_app.net.connections import Client, Connections
from finals_app.net.pages import ROLE, TOKEN
from finals_app.net.security import JUDGES, TEAM, Role, Throttle

log = logging.getLogger("finals_app.net")

MAX_MESSAGE = 4096
MAX_CLIENTS = 400
MALFORMED_LIMIT = 5
MESSAGES_PER_SECOND = 60
PRESS_GAP_MS = 40  # presses of one phone closer than this are not journalled (no finger taps twice so fast)


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) \
        and abs(value) < 1e15


class Protocol:
    def __init__(self, engine: StageEngine, connections: Connections, broadcast: Broadcast, clocks: PhoneClocks, *,
                 to_device: Callable[[float], float], now: Callable[[], float]):
        self.engine = engine
        self.connections = connections
        self.broadcast = broadcast
        self.clocks = clocks
        self.to_device = to_device
        self.now = now
        self.pin_throttle = Throttle(limit=5)

    async def socket(self, request: web.Request):
        """The /ws route: one connection, from its welcome to its end."""
        connections = self.connections
        role: Role = request[ROLE]
        address = request.remote or "?"
        if len(connections.clients) >= MAX_CLIENTS:
            connections.refused(address, role.kind, "a connection over the limit")
            raise web.HTTPServiceUnavailable(text="too many connections\n")
        feed = request.query.get("feed", "view")
        if feed not in ("events", "view"):
            raise web.HTTPBadRequest(text="feed is events or view\n")
        since = request.query.get("since", "0")
        if not since.isdigit() or len(since) > 12:
            raise web.HTTPBadRequest(text="since is the last event number already held\n")
        ws = web.WebSocketResponse(max_msg_size=MAX_MESSAGE, heartbeat=5.0, autoping=True)
        await ws.prepare(request)
        client = Client(ws, role, address, feed, connections.next_number(), request[TOKEN], connected_at=self.now())
        if role.kind == TEAM:
            client.sync = ClockSync()
            for other in [c for c in connections.clients if c.role == role]:
                connections.close_soon(other, 4000, "the team's phone connected again elsewhere")
        connections.clients.add(client)
        writer = asyncio.ensure_future(connections.write(client))
        pinger = asyncio.ensure_future(self.clocks.ping(client)) if client.sync is not None else None
        log.info("%s connected from %s (feed %s)", role.describe(), address, feed)
        try:
            self.broadcast.welcome(client, int(since), request.query.get("journal", ""))
            connections.tell()
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self.receive(client, message.data)
                elif message.type == WSMsgType.BINARY:
                    self._malformed(client, "a binary message")
                elif message.type == WSMsgType.ERROR:
                    connections.refused(address, role.kind, f"a broken message ({ws.exception()})")
                    break
                if client.closing:
                    break
        finally:
            connections.clients.discard(client)
            writer.cancel()
            if pinger is not None:
                pinger.cancel()
            if not ws.closed:
                await ws.close(code=client.close_code, message=client.close_why.encode()[:120])
            log.info("%s from %s disconnected (code %s)", role.describe(), address, ws.close_code)
            connections.tell()
        return ws

    def _refuse(self, client: Client, what: str, reason: str) -> None:
        """Record a refusal of what `client` asked, and tell it why in its own words."""
        self.connections.refused(client.address, client.role.kind, what)
        self.connections.send(client, {"type": "refused", "reason": reason})

    def _malformed(self, client: Client, what: str) -> None:
        client.malformed += 1
        self.connections.refused(client.address, client.role.kind, what)
        self.connections.send(client, {"type": "error", "reason": _("Message not understood")})
        if client.malformed >= MALFORMED_LIMIT:
            self.connections.end(client, 1008, "too many malformed messages")

    def receive(self, client: Client, text: str) -> None:
        now = self.now()
        client.recent = [t for t in client.recent if now - t < 1000] + [now]
        if len(client.recent) > MESSAGES_PER_SECOND:
            self.connections.refused(client.address, client.role.kind, "a flood of messages")
            self.connections.end(client, 1008, "too many messages")
            return
        try:
            message = json.loads(text)
        except ValueError:
            self._malformed(client, "a message that is not JSON")
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            self._malformed(client, "a message without a type")
            return
        kind = message["type"]
        if kind == "ping":
            stamp = message.get("c")
            if not is_number(stamp):
                self._malformed(client, "a ping without its time")
                return
            self.connections.send(client, {"type": "pong", "c": stamp, "s": self.now()})
        elif kind == "pong" and client.sync is not None:
            phone_ms = message.get("p")
            self.clocks.pong(client, message.get("k"), float(phone_ms) if is_number(phone_ms) else None, now)
        elif kind == "press":
            self._press(client, message, now)
        elif kind == "sign_off":
            self._sign_off(client, message)
        else:
            self._refuse(client, f"a command {kind!r}", _("This connection cannot do \"{command}\"", command=kind[:40]))

    def _press(self, client: Client, message: dict, arrival: float) -> None:
        role = client.role
        if role.kind != TEAM:
            self._refuse(client, "a press without a team token", _("Only a team's phone buzzer can press"))
            return
        if "team" in message and message["team"] != role.team:
            self._refuse(client, f"a press for another team ({str(message['team'])[:20]})",
                         _("You can press for your own team only"))
            return
        phone_ms = message.get("p")
        if not is_number(phone_ms):
            self._malformed(client, "a press without the phone's time")
            return
        if arrival - client.last_press < PRESS_GAP_MS:  # no finger presses faster: a stuck or hostile page
            self.connections.send(client, {"type": "refused", "reason": _("Pressed too fast")})
            return
        client.last_press = arrival
        mapping = client.sync.to_local(float(phone_ms), arrival) if client.sync.ready(arrival) else None
        if mapping is None:
            self.connections.send(client, {"type": "refused",
                                           "reason": _("The phone's clock is not measured yet: press again in a moment")})
            return
        mapped = min(mapping.local_ms, arrival)  # a press cannot have happened after it arrived
        device_ms = self.to_device(mapped)
        t_us = math.floor(device_ms * 1000)
        uncertainty_us = max(1, math.ceil(mapping.uncertainty_ms * 1000))
        offset, _ignored = client.sync.estimate(arrival)
        evidence = {"phone_ms": round(float(phone_ms), 3), "mapped_ms": round(mapped, 3),
                    "uncertainty_ms": round(mapping.uncertainty_ms, 3), "arrival_ms": round(arrival, 3),
                    "offset_ms": round(offset, 3), "rtt_ms": round(client.sync.best_rtt(arrival) or 0, 3),
                    "connection": client.number}
        command = {"cmd": "press", "team": role.team, "t_ms": t_us // 1000, "t_us": t_us,
                   "received_ms": int(arrival), "device": "phone", "key": "phone",
                   "uncertainty_us": uncertainty_us, "phone": evidence}
        try:
            events = self.engine.execute(command, operator=f"phone:{role.team}")
        except (Refusal, JournalError) as problem:
            self.connections.send(client, {"type": "refused", "reason": problem.render()})
            return
        outcome = events[-1].data.get("outcome") if events else ""
        self.connections.send(client, {"type": "pressed", "outcome": outcome,
                                       "uncertainty_ms": evidence["uncertainty_ms"]})

    def _sign_off(self, client: Client, message: dict) -> None:
        if client.role.kind != JUDGES:
            self._refuse(client, "a sign-off without the judges' token", _("Only the judges' tablet can sign"))
            return
        if self.pin_throttle.blocked(client.address):
            self.connections.send(client, {"type": "refused", "reason": _("Too many wrong PINs: try again in a minute")})
            return
        judge, pin, prizes = message.get("judge"), message.get("pin"), message.get("prizes")
        if not isinstance(judge, str) or not isinstance(pin, str) or not isinstance(prizes, dict):
            self._malformed(client, "a sign-off without judge, PIN and prize list")
            return
        command = {"cmd": "sign_off", "judge": judge, "pin": pin, "prizes": prizes, "operator": judge}
        try:
            self.engine.execute(command, operator=judge)
        except (Refusal, JournalError) as problem:
            if self.engine.events and self.engine.events[-1].type == "pin_refused":
                self.pin_throttle.failed(client.address, f"a wrong PIN for {judge}")
            self.connections.send(client, {"type": "refused", "reason": problem.render()})
            return
        self.connections.send(client, {"type": "signed", "judge": judge})
