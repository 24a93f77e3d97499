"""A follower's end of the socket: catches up from the start of the journal, then follows live;
after a cut it reconnects and asks for exactly the events after the last one it holds.

`Follower` folds what it receives with the engine's own `advance`, so its state is the kiosk's.
It keeps a clock estimate of the kiosk (pings, minimum-RTT filter) so the timers it shows count
down on the kiosk's time. It never sends a command.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Callable
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import aiohttp

from finals_app.core.errors import FinalsError, remember_secret, without_secrets
from finals_app.core.stage.clocksync import ClockSync
from finals_app.core.stage.journal import Event
from finals_app.core.stage.state import StageState, advance, fold
from finals_app.core.stage.wire import PROTOCOL, WireError, contest_from_public, event_from_record, question_from_payload

log = logging.getLogger("finals_app.follow")


class FollowError(FinalsError):
    """The address given to `follow` cannot be followed. Said without its token (on the
    terminal, in a window, in the exception's own args)."""

    def render(self, language: str | None = None) -> str:
        return without_secrets(super().render(language))


def socket_url(page_url: str, since: int, journal: str) -> str:
    """The socket address for a show address as the console shows it (http://HOST:PORT/?t=...)."""
    parts = urlsplit(page_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FollowError("{url} is not a show address (http://HOST:PORT/?t=..., as on the host's console)",
                          url=page_url)
    token = parse_qs(parts.query).get("t", [""])[0]
    remember_secret(token)
    if not token:
        raise FollowError("{url} has no token (?t=...): copy the whole address from the host's console",
                          url=page_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    query = urlencode({"t": token, "feed": "events", "since": since, "journal": journal})
    return urlunsplit((scheme, parts.netloc, "/ws", query, ""))


class Follower:
    """The followed show: the events, the state folded from them, the link's health."""

    def __init__(self, url: str, on_change: Callable[[StageState, list[Event]], None] = lambda s, e: None,
                 on_link: Callable[[bool, str], None] = lambda up, why: None, monotonic=time.monotonic):
        socket_url(url, 0, "")  # a wrong address is said before anything starts
        self.url = url
        self.on_change = on_change
        self.on_link = on_link
        self.monotonic = monotonic
        self.contest = None
        self.events: list[Event] = []
        self.state: StageState | None = None
        self.journal = ""
        self.connected = False
        self.sync = ClockSync(resolution_ms=0.001)
        self.reconnects = 0
        self.refused = False  # the kiosk refused the token: trying again would only be throttled
        self._stop = False
        self._session: aiohttp.ClientSession | None = None
        self._ws = None

    def media_url(self, digest: str) -> str:
        """The kiosk's address of a medium (by its digest) with this follower's token: served only
        while its question is on the kiosk's big screen (net/media.py)."""
        parts = urlsplit(self.url)
        token = parse_qs(parts.query).get("t", [""])[0]
        return urlunsplit((parts.scheme, parts.netloc, f"/media/{digest}", urlencode({"t": token}), ""))

    def local_ms(self) -> float:
        return self.monotonic() * 1000

    def kiosk_ms(self) -> float:
        """The kiosk's monotonic time now, as estimated (its timers' deadlines are on it)."""
        found = self.sync.estimate(self.local_ms())
        return self.local_ms() + (found[0] if found else 0.0)

    async def run(self) -> None:
        """Follow until stop(): connect, catch up, follow; on a cut, say so and come back."""
        self._session = aiohttp.ClientSession()
        delay = 0.2
        try:
            while not self._stop:
                try:
                    reason = await self._follow_once()
                except Exception:  # noqa: BLE001 - a follower must never stop following (nor look live)
                    log.exception("following the kiosk failed; trying again")
                    reason = "an internal error (in the log)"
                if self._stop:
                    break
                if self.connected or reason:
                    self.connected = False
                    self.on_link(False, reason)
                if self.refused:
                    log.warning("the kiosk refused this follower's token: not trying again")
                    break
                await asyncio.sleep(delay)
                delay = min(2.0, delay * 2) if not self.events else 0.5
                self.reconnects += 1
        finally:
            await self._session.close()

    async def stop(self) -> None:
        self._stop = True
        if self._ws is not None:
            await self._ws.close()

    async def _follow_once(self) -> str:
        url = socket_url(self.url, len(self.events), self.journal)
        try:
            async with self._session.ws_connect(url, heartbeat=2.0, max_msg_size=0, timeout=aiohttp.ClientWSTimeout(
                    ws_receive=None, ws_close=2.0)) as ws:
                self._ws = ws
                pinger = asyncio.ensure_future(self._ping(ws))
                try:
                    async for message in ws:
                        if message.type != aiohttp.WSMsgType.TEXT:
                            break
                        self._receive(json.loads(message.data))
                finally:
                    pinger.cancel()
                    self._ws = None
                if ws.close_code == 4003:
                    self.refused = True
                    return "the kiosk revoked this token"
                if ws.close_code == 1008:
                    return f"refused by the kiosk ({ws.close_code})"
                return "the kiosk closed the connection"
        except aiohttp.WSServerHandshakeError as error:
            if error.status in (401, 403):
                self.refused = True
                return "the kiosk refused the token (revoked, or not this show's)"
            return f"the kiosk answered {error.status}"
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as error:
            return f"cannot reach the kiosk ({type(error).__name__})"
        except (WireError, ValueError, KeyError, TypeError, AttributeError) as error:
            log.warning("a message from the kiosk could not be read: %s", error)
            return "a message from the kiosk could not be read"

    async def _ping(self, ws) -> None:
        count = 0
        while True:
            await ws.send_str(json.dumps({"type": "ping", "c": self.local_ms()}))
            count += 1
            await asyncio.sleep(0.05 if count < 10 else 1.0)

    def _receive(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "hello":
            if message.get("protocol") != PROTOCOL:
                raise WireError("the kiosk speaks protocol {theirs}, this follower {ours}: use the same version",
                                theirs=message.get("protocol"), ours=PROTOCOL)
            if message.get("reset") or self.contest is None:
                self.contest = contest_from_public(message["contest"])
                self.events = []
                self.state = fold(self.contest, [])
            self.journal = str(message.get("journal", ""))
            self.sync = ClockSync(resolution_ms=0.001)  # the kiosk may have restarted on another clock
            self.connected = True
            self.on_link(True, "")
        elif kind == "events":  # a buzzer race settles in the kiosk's journal (race_settled), as here
            self._take([record for record in message.get("events", [])])
        elif kind == "pong":
            self.sync.add(float(message["c"]), float(message["s"]), self.local_ms())

    def _take(self, records: list[dict]) -> None:
        new: list[Event] = []
        for record in records:
            disclosed = record.get("disclose")
            if isinstance(disclosed, dict):
                self.contest.learn(question_from_payload(disclosed))
            event = event_from_record(record)
            expected = len(self.events) + len(new) + 1
            if event.seq < expected:
                continue  # already held (sent again for its question)
            if event.seq != expected:
                raise WireError("event {seq} arrived after {last}: catching up again", seq=event.seq,
                                last=expected - 1)
            new.append(event)
        if not new:
            if records:
                self.on_change(self.state, [])  # a question told further: redraw
            return
        self.events.extend(new)
        self.state = advance(self.state, self.contest, self.events, new)
        self.on_change(self.state, new)
