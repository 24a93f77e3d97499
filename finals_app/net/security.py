"""Who may connect to a served show, and how hard a stranger may knock.

Tokens: the show secret (followers and overlay pages: read only), one token per team (that
team's phone buzzer: it can press for that team only) and one for the judges' tablets (they can
sign, each judge with their own PIN). They are random (128 bits), kept next to the journal in a
file only the kiosk's user can read, so phones and screens reconnect after a kiosk restart; a
revoked token is replaced by a new one and every connection holding the old one is closed. No
token is ever written to the journal or a log.

Throttle: a valid token always passes, whatever its address did: at a venue every phone reaches
the kiosk from the same hotspot or NAT address, so one device knocking with bad tokens must not lock
the teams out. Only bad attempts are counted, and only bad attempts from an address that presented
5 of them within a minute are refused for a minute (HTTP 429); each is logged with the address,
never with the token. That keeps guessing hopeless: a token is 128 random bits (the show has a
handful), and at 5 guesses a minute even a million addresses guessing for a year hit one with a
chance below 2^-84.

RefusalRecord: every refusal (a bad token, a command a connection may not give...) aggregated by
address, who and what was tried, with how many and when first and last, for the host's console.
"""
from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from finals_app.core.errors import FinalsError, Location, remember_secret

log = logging.getLogger("finals_app.net")

FOLLOWER, TEAM, JUDGES = "follower", "team", "judges"


class TokenFileError(FinalsError):
    """The show's token file cannot be read or written."""


@dataclass(frozen=True)
class Role:
    kind: str  # follower | team | judges
    team: str | None = None

    def describe(self) -> str:
        return f"team {self.team}" if self.kind == TEAM else self.kind


def _new() -> str:
    return secrets.token_urlsafe(16)  # 16 random bytes: 128 bits, 22 characters


class Tokens:
    def __init__(self, path: Path | None, teams: list[str]):
        self.path = path
        self.secret = _new()
        self.judges = _new()
        self.teams = {team: _new() for team in teams}
        if path is not None and path.exists():
            self._load(teams)
        self._save()
        self._remember()

    def _remember(self) -> None:
        """Every token this kiosk holds is masked in any log or message (errors.without_secrets)."""
        for token in (self.secret, self.judges, *self.teams.values()):
            remember_secret(token)

    def _load(self, teams: list[str]) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.secret = str(data["secret"])
            self.judges = str(data["judges"])
            known = {str(k): str(v) for k, v in dict(data["teams"]).items()}
        except (OSError, ValueError, KeyError, TypeError) as problem:
            raise TokenFileError("cannot read the show's tokens {path} ({problem}); move it away to make new ones "
                                 "(phones and screens then pair again)", Location(str(self.path)),
                                 path=str(self.path), problem=problem) from None
        self.teams = {team: known.get(team) or _new() for team in teams}

    def _save(self) -> None:
        if self.path is None:
            return
        data = json.dumps({"secret": self.secret, "judges": self.judges, "teams": self.teams}, indent=1)
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except OSError as error:
            raise TokenFileError("cannot write the show's tokens {path}: {reason}", Location(str(self.path)),
                                 path=str(self.path), reason=error.strerror) from None

    def role_of(self, token: object) -> Role | None:
        """The role a token grants, compared in constant time; None for anything else."""
        if not isinstance(token, str) or not token or len(token) > 64:
            return None
        found = None
        for candidate, role in ((self.secret, Role(FOLLOWER)), (self.judges, Role(JUDGES)),
                                *((value, Role(TEAM, team)) for team, value in self.teams.items())):
            if hmac.compare_digest(candidate.encode(), token.encode()):
                found = role
        return found

    def token_of(self, role: Role) -> str:
        if role.kind == TEAM:
            return self.teams[role.team]
        return self.judges if role.kind == JUDGES else self.secret

    def revoke(self, role: Role) -> str:
        """A new token for that role; the old one stops working at once."""
        if role.kind == TEAM:
            self.teams[role.team] = _new()
        elif role.kind == JUDGES:
            self.judges = _new()
        else:
            self.secret = _new()
        self._save()
        self._remember()
        log.warning("token revoked: %s", role.describe())
        return self.token_of(role)


class Throttle:
    """Bad-token attempts per address: 5 in 60 s block that address's bad attempts for 60 s (a
    valid token is checked first and never asks the throttle)."""

    def __init__(self, limit: int = 5, window_s: float = 60.0, clock=time.monotonic):
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self.failures: dict[str, deque] = {}
        self.blocked_until: dict[str, float] = {}

    def blocked(self, address: str) -> bool:
        until = self.blocked_until.get(address)
        if until is None:
            return False
        if self.clock() >= until:
            del self.blocked_until[address]
            return False
        return True

    def failed(self, address: str, what: str) -> None:
        now = self.clock()
        seen = self.failures.setdefault(address, deque())
        seen.append(now)
        while seen and now - seen[0] > self.window_s:
            seen.popleft()
        log.warning("refused %s from %s (%d in the last minute)", what, address, len(seen))
        if len(seen) >= self.limit:
            self.blocked_until[address] = now + self.window_s
            log.warning("throttled %s for %.0f s after %d bad attempts", address, self.window_s, len(seen))
        if len(self.failures) > 10_000:  # a flood of addresses must not grow this without bound
            self.failures.pop(next(iter(self.failures)))


@dataclass
class Refused:
    """Refusals of one kind from one address: who (the role its token holds, or why it holds
    none), what it tried, how many times, when first and last (wall clock, seconds)."""
    address: str
    who: str
    what: str
    count: int = 0
    first: float = 0.0
    last: float = 0.0


class RefusalRecord:
    """Every refusal, aggregated: one entry per (address, who, what), never a token. Bounded: a
    flood of addresses keeps the `limit` most recently refused."""

    def __init__(self, limit: int = 200, clock=time.time):
        self.limit = limit
        self.clock = clock
        self.entries: dict[tuple[str, str, str], Refused] = {}
        self.count = 0

    def add(self, address: str, who: str, what: str) -> Refused:
        now = self.clock()
        key = (address, who, what)
        entry = self.entries.pop(key, None) or Refused(address, who, what, first=now)
        entry.count += 1
        entry.last = now
        self.entries[key] = entry  # the most recent last
        self.count += 1
        while len(self.entries) > self.limit:
            self.entries.pop(next(iter(self.entries)))
        return entry

    def summary(self) -> list[Refused]:
        """The entries, the most recently refused first."""
        return list(reversed(self.entries.values()))

    def total(self) -> int:
        return self.count
