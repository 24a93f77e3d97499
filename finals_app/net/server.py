"""The kiosk's show on the local network (only with `--serve HOST:PORT`): aiohttp inside the
kiosk's own event loop (qasync), so every command from the network runs on the same thread as
the host's keys, through the same engine.

Routes (each needs a token, see security.py):
  /show?t=SECRET[&overlay=1]   the scoreboard and the current question (stream overlay, LED wall)
  /phone?t=TEAM_TOKEN          one team's phone buzzer
  /judges?t=JUDGES_TOKEN       the judges' tablet: ranking, ties, proposed prizes, sign-off by PIN
  /ws?t=TOKEN&feed=events|view the socket: `events` = the journal itself (Python followers, which
                               fold it), `view` = the state as the pages draw it

Phones: the kiosk pings each phone continuously (clocksync.py); a press carries the phone's own
time, which is mapped onto the kiosk's clock with its uncertainty and journalled as evidence
(phone time, mapped time, uncertainty, arrival). The engine calls two presses closer than their
combined uncertainty a tie for the host.

A slow or hostile client never holds up the show: each has a bounded outgoing queue and is
dropped when it overflows; messages are at most 4 KiB; floods and malformed input close the
socket; bad tokens are throttled per address.
"""
from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Callable

from aiohttp import WSMsgType, web

from finals_app.core.i18n import _
from finals_app.core.errors import FinalsError
from finals_app.core.stage.clocksync import ClockSync
from finals_app.core.stage.engine import Refusal, StageEngine
from finals_app.core.stage.journal import JournalError
from finals_app.core.stage.wire import PROTOCOL, Discloser, Disclosures, public_contest
from finals_app.net.security import FOLLOWER, JUDGES, TEAM, RefusalRecord, Role, Throttle, Tokens
from finals_app.net.view import show_view, team_status

log = logging.getLogger("finals_app.net")

MAX_MESSAGE = 4096
MAX_CLIENTS = 400
QUEUE_LIMIT = 2000  # outgoing messages waiting for one client before it is dropped
CHUNK = 400  # events per catch-up message
PING_EVERY_S = 0.2
FAST_PINGS = 12  # the first pings of a phone come quickly, so it can press within a second
MALFORMED_LIMIT = 5
MESSAGES_PER_SECOND = 60
PRESS_GAP_MS = 40  # presses of one phone closer than this are not journalled (no finger taps twice so fast)
PAGES = {"show": "show.html", "phone": "phone.html", "judges": "judges.html"}
PAGE_ROLES = {"show": (FOLLOWER, JUDGES), "phone": (TEAM,), "judges": (JUDGES,)}
ROLE = web.RequestKey("role", Role)
TOKEN = web.RequestKey("token", str)


class ServeError(FinalsError):
    """The show cannot be served (address taken, not an address)."""


def parse_address(text: str) -> tuple[str, int]:
    host, _ignored, port = str(text).rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ServeError("--serve wants HOST:PORT (for example 0.0.0.0:8765), not {text}", text=text)
    return host.strip("[]"), int(port)


def check_address(host: str, port: int) -> None:
    """Refuse, before any window opens, an address this machine cannot serve on (taken, not
    ours)."""
    import socket
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise ServeError("cannot serve the show on {host}:{port}: {reason}", host=host, port=port,
                         reason=error.strerror) from None
    family, kind, proto, _ignored, address = infos[0]
    probe = socket.socket(family, kind, proto)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
    except OSError as error:
        raise ServeError("cannot serve the show on {host}:{port}: {reason}", host=host, port=port,
                         reason=error.strerror or str(error)) from None
    finally:
        probe.close()


def monotonic_ms() -> float:
    return time.monotonic_ns() / 1e6


@dataclass(eq=False)
class Client:
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


@dataclass(frozen=True)
class PhoneStatus:
    team: str
    connected: bool
    uncertainty_ms: float | None
    rtt_ms: float | None
    responsive: bool


class ShowServer:
    def __init__(self, engine: StageEngine, tokens: Tokens, host: str = "127.0.0.1", port: int = 0, *,
                 to_device: Callable[[float], float] = lambda mono: mono, now: Callable[[], float] = monotonic_ms,
                 public_host: str | None = None):
        self.engine = engine
        self.tokens = tokens
        self.host, self.port = host, port
        self.public_host = public_host
        self.to_device = to_device
        self.now = now
        self.throttle = Throttle()
        self.pin_throttle = Throttle(limit=5)
        self.clients: set[Client] = set()
        self.listeners: list[Callable[[], None]] = []  # told when phones connect, go or change
        self._numbers = 0
        self.disclosures = Disclosures(engine.events)
        self._view_pending = False
        self._race: asyncio.TimerHandle | None = None  # settles a buzzer race at its deadline
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task] = set()
        self.refusals: list[tuple[str, str, str]] = []  # (address, role, what): the last few
        self.refusal_record = RefusalRecord()  # every refusal, aggregated: the console shows it
        engine.listeners.append(self._on_events)
        # Phones' presses may arrive late: while the show is served, a buzzer race settles for as
        # long as a connected phone's press may take to arrive (0 with none connected).
        engine.settle_ms = self.settle_ms

    # ---- start, stop, addresses ----

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_MESSAGE, middlewares=[self._guard])
        app.router.add_get("/", self._page_show)
        app.router.add_get("/show", self._page_show)
        app.router.add_get("/phone", self._page_phone)
        app.router.add_get("/judges", self._page_judges)
        app.router.add_get("/ws", self._socket)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.application(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        try:
            await site.start()
        except OSError as error:
            await self._runner.cleanup()
            raise ServeError("cannot serve the show on {host}:{port}: {reason}", host=self.host, port=self.port,
                             reason=error.strerror or str(error)) from None
        self.port = site._server.sockets[0].getsockname()[1]
        log.info("serving the show on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        for client in list(self.clients):
            await self._close(client, 1001, "kiosk closing")
        for task in list(self._tasks):
            task.cancel()
        if self._race is not None:
            self._race.cancel()
            self._race = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._on_events in self.engine.listeners:
            self.engine.listeners.remove(self._on_events)
        if self.engine.settle_ms == self.settle_ms:
            self.engine.settle_ms = lambda: 0

    def base_url(self) -> str:
        host = self.public_host or self.host
        if host in ("0.0.0.0", "::", ""):
            host = local_address()
        return f"http://{host}:{self.port}"

    def url(self, role: Role, page: str | None = None) -> str:
        page = page or {FOLLOWER: "show", TEAM: "phone", JUDGES: "judges"}[role.kind]
        return f"{self.base_url()}/{page}?t={self.tokens.token_of(role)}"

    def follow_url(self) -> str:
        return f"{self.base_url()}/?t={self.tokens.secret}"

    # ---- tokens ----

    def revoke(self, role: Role) -> str:
        """A new token for the role; connections holding the old one are closed now."""
        token = self.tokens.revoke(role)
        for client in list(self.clients):
            if client.role == role:
                self._spawn(self._close(client, 4003, "token revoked"))
        self._tell()
        return token

    def _refused(self, address: str, role: str, what: str) -> None:
        self.refusals = (self.refusals + [(address, role, what)])[-20:]
        self.refusal_record.add(address, role, what)
        log.warning("refused from %s (%s): %s", address, role, what)

    @web.middleware
    async def _guard(self, request: web.Request, handler):
        address = request.remote or "?"
        if request.path == "/favicon.ico":  # browsers ask for it on their own, without the token
            raise web.HTTPNotFound()
        token = request.query.get("t", "")
        role = self.tokens.role_of(token)
        if role is None:
            # The token first, the throttle after: every phone at a venue comes from the same
            # hotspot or NAT address, so only bad attempts are counted and blocked (security.py).
            self.refusal_record.add(address, "wrong token" if token else "no token", request.path[:60])
            if self.throttle.blocked(address):
                raise web.HTTPTooManyRequests(text="too many bad tokens: wait a minute\n")
            self.throttle.failed(address, ("a request without a valid token" if token else "a request without a token")
                                 + f" ({request.path[:60]})")
            if token:
                raise web.HTTPForbidden(text="wrong or revoked token\n")
            raise web.HTTPUnauthorized(text="a token is needed (the QR code on the host's console)\n")
        request[ROLE] = role
        request[TOKEN] = token
        return await handler(request)

    # ---- pages ----

    def _page(self, request: web.Request, name: str) -> web.Response:
        role: Role = request[ROLE]
        if role.kind not in PAGE_ROLES[name]:
            self._refused(request.remote or "?", role.kind, f"the {name} page")
            raise web.HTTPForbidden(text="this token does not open this page\n")
        folder = resources.files("finals_app.assets") / "web"
        # The pages share their link to the kiosk: one script, put into each page.
        html = (folder / PAGES[name]).read_text(encoding="utf-8").replace(
            "/* link.js */", (folder / "link.js").read_text(encoding="utf-8"), 1)
        return web.Response(text=html, content_type="text/html", charset="utf-8",
                            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                                     "X-Content-Type-Options": "nosniff"})

    async def _page_show(self, request):
        return self._page(request, "show")

    async def _page_phone(self, request):
        return self._page(request, "phone")

    async def _page_judges(self, request):
        return self._page(request, "judges")

    # ---- the socket ----

    async def _socket(self, request: web.Request):
        role: Role = request[ROLE]
        address = request.remote or "?"
        if len(self.clients) >= MAX_CLIENTS:
            self._refused(address, role.kind, "a connection over the limit")
            raise web.HTTPServiceUnavailable(text="too many connections\n")
        feed = request.query.get("feed", "view")
        if feed not in ("events", "view"):
            raise web.HTTPBadRequest(text="feed is events or view\n")
        since = request.query.get("since", "0")
        if not since.isdigit() or len(since) > 12:
            raise web.HTTPBadRequest(text="since is the last event number already held\n")
        ws = web.WebSocketResponse(max_msg_size=MAX_MESSAGE, heartbeat=5.0, autoping=True)
        await ws.prepare(request)
        self._numbers += 1
        client = Client(ws, role, address, feed, self._numbers, request[TOKEN], connected_at=self.now())
        if role.kind == TEAM:
            client.sync = ClockSync()
            for other in [c for c in self.clients if c.role == role]:
                self._spawn(self._close(other, 4000, "the team's phone connected again elsewhere"))
        self.clients.add(client)
        writer = asyncio.ensure_future(self._write(client))
        pinger = asyncio.ensure_future(self._ping(client)) if client.sync is not None else None
        log.info("%s connected from %s (feed %s)", role.describe(), address, feed)
        try:
            self._welcome(client, int(since), request.query.get("journal", ""))
            self._tell()
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._receive(client, message.data)
                elif message.type == WSMsgType.BINARY:
                    self._malformed(client, "a binary message")
                elif message.type == WSMsgType.ERROR:
                    self._refused(address, role.kind, f"a broken message ({ws.exception()})")
                    break
                if client.closing:
                    break
        finally:
            self.clients.discard(client)
            writer.cancel()
            if pinger is not None:
                pinger.cancel()
            if not ws.closed:
                await ws.close(code=client.close_code, message=client.close_why.encode()[:120])
            log.info("%s from %s disconnected (code %s)", role.describe(), address, ws.close_code)
            self._tell()
        return ws

    def journal_id(self) -> str:
        events = self.engine.events
        first = events[0].wall_ms if events else 0
        return f"{self.engine.contest.digest[:16]}-{first}"

    def _welcome(self, client: Client, since: int, journal: str) -> None:
        events = self.engine.events
        reset = journal != self.journal_id() or since > len(events)
        if reset:
            since = 0
        hello = {"type": "hello", "protocol": PROTOCOL, "role": client.role.kind, "team": client.role.team,
                 "journal": self.journal_id(), "reset": reset, "last_seq": len(events), "server_ms": self.now(),
                 "contest": public_contest(self.engine.contest)}
        self._send(client, hello)
        if client.feed == "events":
            # A follower catching up from `since` already knows the questions of the events it
            # holds as far as they were disclosed then; the current question may have been
            # disclosed further since, so it is sent again with the first event that names it.
            client.discloser = Discloser(self.engine.contest)
            backlog = events[since:]
            if since and self.engine.state.question is not None and not any(
                    e.data.get("question") == self.engine.state.question.id for e in backlog):
                backlog = [e for e in events[:since] if e.type == "question_shown"][-1:] + backlog
            for start in range(0, len(backlog), CHUNK):
                chunk = backlog[start:start + CHUNK]
                self._send(client, {"type": "events",
                                    "events": client.discloser.records(chunk, self.disclosures.levels)})
        else:
            self._send(client, self._view_for(client))

    def _view_for(self, client: Client, base: dict | None = None) -> dict:
        """What a page of this client's kind is told: the show's view (`base`, computed once for
        every client of a change), its team's status for a phone, the prize list for judges."""
        view = dict(base) if base is not None else show_view(self.engine.state, int(self.now()),
                                                             len(self.engine.events))
        if client.role.kind == TEAM:
            team = self.engine.contest.team(client.role.team)
            status, words = team_status(self.engine.state, team.id)
            button = {"floor": _("You have the floor"), "open": _("Buzz now")}.get(status, _("Buzz"))
            view["me"] = {"team": team.id, "name": team.name, "color": team.color, "status": status, "words": words,
                          "button": button}
        if client.role.kind != JUDGES:
            view.pop("prizes", None)
        return view

    def _send(self, client: Client, message: dict | str) -> None:
        """Queue `message` (or its JSON text, when many clients get the same) for `client`."""
        if client.closing:
            return
        text = message if isinstance(message, str) else json.dumps(message, ensure_ascii=False, separators=(",", ":"))
        try:
            client.queue.put_nowait(text)
        except asyncio.QueueFull:
            self._refused(client.address, client.role.kind, "a client too slow to follow (dropped)")
            client.closing = True
            self._spawn(self._close(client, 1013, "too slow"))

    async def _write(self, client: Client) -> None:
        try:
            while True:
                text = await client.queue.get()
                await client.ws.send_str(text)
        except (ConnectionError, RuntimeError, asyncio.CancelledError):
            return

    def _end(self, client: Client, code: int, why: str) -> None:
        """End a connection because of what it sent: its handler closes it with `code`."""
        client.closing = True
        client.close_code, client.close_why = code, why

    async def _close(self, client: Client, code: int, why: str) -> None:
        client.closing = True
        try:
            await client.ws.close(code=code, message=why.encode()[:120])
        except (ConnectionError, RuntimeError):
            pass

    def _spawn(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _tell(self) -> None:
        for listener in list(self.listeners):
            listener()

    # ---- the journal goes out ----

    def _on_events(self, state, events) -> None:
        self.disclosures.update(events)
        for client in list(self.clients):
            if client.feed == "events" and client.discloser is not None:
                self._send(client, {"type": "events",
                                    "events": client.discloser.records(events, self.disclosures.levels)})
        if not self._view_pending and any(c.feed == "view" for c in self.clients):
            self._view_pending = True
            asyncio.get_event_loop().call_soon(self._send_views)
        settles_at = self.engine.settles_at_ms()
        if settles_at is not None:  # the race is settled by the engine at its deadline, kiosk window or not
            if self._race is not None:
                self._race.cancel()
            self._race = asyncio.get_event_loop().call_later(max(0.0, settles_at - self.engine.now_ms()) / 1000,
                                                             self._settle_race)

    def _settle_race(self) -> None:
        self._race = None
        try:
            self.engine.expire()
        except JournalError as problem:
            log.error("the buzzer race could not be settled: %s", problem.render("en"))

    def _send_views(self) -> None:
        """One view of the change for all pages: computed and encoded once per kind of page (a
        team's phone, the judges, everyone else), not once per connection: two hundred pages
        must not hold up the GUI thread the show runs on."""
        self._view_pending = False
        base = show_view(self.engine.state, int(self.now()), len(self.engine.events))
        encoded: dict = {}
        for client in list(self.clients):
            if client.feed == "view":
                kind = client.role.team if client.role.kind == TEAM else client.role.kind == JUDGES
                if kind not in encoded:
                    encoded[kind] = json.dumps(self._view_for(client, base), ensure_ascii=False,
                                               separators=(",", ":"))
                self._send(client, encoded[kind])

    # ---- what clients say ----

    def _malformed(self, client: Client, what: str) -> None:
        client.malformed += 1
        self._refused(client.address, client.role.kind, what)
        self._send(client, {"type": "error", "reason": _("Message not understood")})
        if client.malformed >= MALFORMED_LIMIT:
            self._end(client, 1008, "too many malformed messages")

    def _receive(self, client: Client, text: str) -> None:
        now = self.now()
        client.recent = [t for t in client.recent if now - t < 1000] + [now]
        if len(client.recent) > MESSAGES_PER_SECOND:
            self._refused(client.address, client.role.kind, "a flood of messages")
            self._end(client, 1008, "too many messages")
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
            if not _number(stamp):
                self._malformed(client, "a ping without its time")
                return
            self._send(client, {"type": "pong", "c": stamp, "s": self.now()})
        elif kind == "pong" and client.sync is not None:
            sent = client.pings.pop(message.get("k"), None)
            if sent is not None and _number(message.get("p")):
                client.sync.add(sent, float(message["p"]), now)
                client.last_pong = now
                if len(client.sync.samples) in (4, 12) or len(client.sync.samples) % 25 == 0:
                    self._tell()
        elif kind == "press":
            self._press(client, message, now)
        elif kind == "sign_off":
            self._sign_off(client, message)
        else:
            self._refused(client.address, client.role.kind, f"a command {kind!r}")
            self._send(client, {"type": "refused", "reason": _("This connection cannot do \"{command}\"", command=kind[:40])})

    def _press(self, client: Client, message: dict, arrival: float) -> None:
        role = client.role
        if role.kind != TEAM:
            self._refused(client.address, role.kind, "a press without a team token")
            self._send(client, {"type": "refused", "reason": _("Only a team's phone buzzer can press")})
            return
        if "team" in message and message["team"] != role.team:
            self._refused(client.address, role.kind, f"a press for another team ({str(message['team'])[:20]})")
            self._send(client, {"type": "refused", "reason": _("You can press for your own team only")})
            return
        phone_ms = message.get("p")
        if not _number(phone_ms):
            self._malformed(client, "a press without the phone's time")
            return
        if arrival - client.last_press < PRESS_GAP_MS:  # no finger presses faster: a stuck or hostile page
            self._send(client, {"type": "refused", "reason": _("Pressed too fast")})
            return
        client.last_press = arrival
        mapping = client.sync.to_local(float(phone_ms), arrival) if client.sync.ready(arrival) else None
        if mapping is None:
            self._send(client, {"type": "refused", "reason": _("The phone's clock is not measured yet: press again in a moment")})
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
            self._send(client, {"type": "refused", "reason": problem.render()})
            return
        outcome = events[-1].data.get("outcome") if events else ""
        self._send(client, {"type": "pressed", "outcome": outcome, "uncertainty_ms": evidence["uncertainty_ms"]})

    def _sign_off(self, client: Client, message: dict) -> None:
        if client.role.kind != JUDGES:
            self._refused(client.address, client.role.kind, "a sign-off without the judges' token")
            self._send(client, {"type": "refused", "reason": _("Only the judges' tablet can sign")})
            return
        if self.pin_throttle.blocked(client.address):
            self._send(client, {"type": "refused", "reason": _("Too many wrong PINs: try again in a minute")})
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
            self._send(client, {"type": "refused", "reason": problem.render()})
            return
        self._send(client, {"type": "signed", "judge": judge})

    async def _ping(self, client: Client) -> None:
        count = 0
        try:
            while not client.closing:
                now = self.now()
                key = f"{client.number}-{count}"
                client.pings[key] = now
                for stale in [k for k, sent in client.pings.items() if now - sent > 5000]:
                    del client.pings[stale]
                self._send(client, {"type": "ping", "k": key})
                count += 1
                await asyncio.sleep(0.03 if count < FAST_PINGS else PING_EVERY_S)
                if client.last_pong and now - client.last_pong > 1500:
                    self._tell()  # no answer for 1.5 s: the console shows the phone as not answering
        except asyncio.CancelledError:
            return

    # ---- for the console ----

    def phones(self) -> dict[str, PhoneStatus]:
        now = self.now()
        found = {}
        for team in self.engine.contest.teams:
            client = next((c for c in self.clients if c.role == Role(TEAM, team.id) and not c.closing), None)
            if client is None:
                found[team.id] = PhoneStatus(team.id, False, None, None, False)
                continue
            estimate = client.sync.estimate(now) if client.sync.ready(now) else None
            found[team.id] = PhoneStatus(team.id, True, estimate[1] if estimate else None,
                                         client.sync.best_rtt(now), bool(client.last_pong)
                                         and now - client.last_pong < 1500)
        return found

    def settle_ms(self) -> float:
        """How long a buzzer race waits before its winner is shown: as long as the slowest
        connected phone's press may take to arrive (half its slowest recent round trip, its
        clock's uncertainty, 5 ms of margin), at most 150 ms; 0 without phones."""
        now = self.now()
        longest = 0.0
        for client in self.clients:
            if client.sync is None or client.closing or not client.sync.ready(now):
                continue
            slow = client.sync.slow_rtt(now) or 0.0
            _ignored, uncertainty = client.sync.estimate(now)
            longest = max(longest, slow / 2 + uncertainty + 5.0)
        return min(150.0, longest)

    def followers(self) -> int:
        return sum(1 for c in self.clients if c.role.kind in (FOLLOWER, JUDGES))


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) \
        and abs(value) < 1e15


def local_address() -> str:
    """This machine's address on the local network (what a phone should open), or 127.0.0.1."""
    import socket
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))  # no packet is sent: it only picks the outgoing interface
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()
