"""The kiosk's show on the local network (only with `--serve HOST:PORT`): aiohttp inside the
kiosk's own event loop (qasync), so every command from the network runs on the same thread as
the host's keys, through the same engine.

Routes (each needs a token, see security.py):
  /show?t=SECRET[&overlay=1]   the scoreboard and the current question (stream overlay, LED wall)
  /phone?t=TEAM_TOKEN          one team's phone buzzer
  /judges?t=JUDGES_TOKEN       the judges' tablet: ranking, ties, proposed prizes, sign-off by PIN
  /ws?t=TOKEN&feed=events|view the socket: `events` = the journal itself (Python followers, which
                               fold it), `view` = the state as the pages draw it
  /media/DIGEST?t=TOKEN        a picture, sound or clip of the question on the big screen

`ShowServer` composes the rooms, each with one job, and owns the start, the stop and what the
console asks (addresses, phones, revocations, refusals):
  connections.py  the open sockets, their outgoing queues, the refusals
  pages.py        the token guard and the static pages
  protocol.py     one socket: what a client says (pings, presses, sign-offs) and the answers
  clock.py        the phones' clocks (pings, estimates), their status, how long a race waits
  broadcast.py    the welcome, then each change to the followers (events) and the pages (view)
  race.py         a buzzer race settled at its deadline
  media.py        the current question's media, by digest, once it is on the big screen
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from aiohttp import web

from finals_app.core.errors import FinalsError
from finals_app.core.stage.engine import StageEngine
from finals_app.net.broadcast import Broadcast
from finals_app.net.clock import PhoneClocks, PhoneStatus
from finals_app.net.connections import Client, Connections
from finals_app.net.media import MediaFiles
from finals_app.net.pages import Pages
from finals_app.net.protocol import MAX_MESSAGE, Protocol
from finals_app.net.race import RaceSettler
from finals_app.net.security import FOLLOWER, JUDGES, TEAM, Role, Tokens

log = logging.getLogger("finals_app.net")

__all__ = ["Client", "PhoneStatus", "ServeError", "ShowServer", "check_address", "local_address", "parse_address"]


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


class ShowServer:
    def __init__(self, engine: StageEngine, tokens: Tokens, host: str = "127.0.0.1", port: int = 0, *,
                 to_device: Callable[[float], float] = lambda mono: mono, now: Callable[[], float] = monotonic_ms,
                 public_host: str | None = None):
        self.engine = engine
        self.tokens = tokens
        self.host, self.port = host, port
        self.public_host = public_host
        self.now = now
        self.connections = Connections()
        self.pages = Pages(tokens, self.connections)
        self.clocks = PhoneClocks(self.connections, now)
        self.broadcast = Broadcast(engine, self.connections, now)
        self.protocol = Protocol(engine, self.connections, self.broadcast, self.clocks, to_device=to_device, now=now)
        self.race = RaceSettler(engine)
        self._runner: web.AppRunner | None = None
        engine.listeners.append(self._on_events)
        # Phones' presses may arrive late: while the show is served, a buzzer race settles for as
        # long as a connected phone's press may take to arrive (0 with none connected).
        engine.settle_ms = self.settle_ms

    # ---- start, stop, addresses ----

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_MESSAGE, middlewares=[self.pages.guard])
        self.pages.add_routes(app.router)
        MediaFiles(self.engine).add_routes(app.router)
        app.router.add_get("/ws", self.protocol.socket)
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
        await self.connections.close_all(1001, "kiosk closing")
        self.race.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._on_events in self.engine.listeners:
            self.engine.listeners.remove(self._on_events)
        if self.engine.settle_ms == self.settle_ms:
            self.engine.settle_ms = lambda: 0

    def _on_events(self, state, events) -> None:
        self.broadcast.on_events(events)
        self.race.on_events()  # the race is settled by the engine at its deadline, kiosk window or not

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

    # ---- for the console ----

    def revoke(self, role: Role) -> str:
        """A new token for the role; connections holding the old one are closed now."""
        token = self.tokens.revoke(role)
        for client in list(self.clients):
            if client.role == role:
                self.connections.close_soon(client, 4003, "token revoked")
        self.connections.tell()
        return token

    def phones(self) -> dict[str, PhoneStatus]:
        return self.clocks.phones(self.engine.contest.teams)

    def settle_ms(self) -> float:
        return self.clocks.settle_ms()

    def followers(self) -> int:
        return sum(1 for c in self.clients if c.role.kind in (FOLLOWER, JUDGES))

    @property
    def clients(self) -> set[Client]:
        return self.connections.clients

    @property
    def listeners(self) -> list[Callable[[], None]]:
        """Told when phones connect, go or change."""
        return self.connections.listeners

    @property
    def refusals(self) -> list[tuple[str, str, str]]:
        return self.connections.refusals

    @property
    def refusal_record(self):
        return self.connections.refusal_record

    @property
    def throttle(self):
        return self.pages.throttle


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
