"""How another machine's clock relates to ours: an NTP-style estimate from many ping-pongs.

One exchange: we send at our time `sent`, the other side stamps its own clock `remote` when it
answers, we get the answer at our time `received`. The other clock then read `remote` at some
instant of ours between `sent` and `received`; if both directions take about as long (the usual
assumption, NTP's), at the midpoint. The offset (remote minus ours) of that exchange is
`remote - (sent + received) / 2`, and its error is at most half of how much longer that
exchange took than the fastest possible one.

The estimate keeps a window of recent exchanges and trusts the fastest ones (the minimum-RTT
filter: queueing and scheduling only ever add delay): the offset is the median of the 8 fastest
exchanges' offsets. Its stated uncertainty is honest about what it does not know: half the
spread of their round trips (how far they may still be from the floor) or the spread of their
offsets around the median, the other clock's resolution and a drift allowance growing with the
age of the samples used; never more than an exchange itself proves.

Nothing here reads a clock; times are plain numbers in milliseconds (floats allowed).
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

DRIFT_PPM = 100.0  # a cheap phone's crystal is within ±50 ppm; twice that as a margin
BEST_OF = 8  # how many of the fastest exchanges in the window describe the offset


@dataclass(frozen=True)
class Exchange:
    sent: float  # our clock
    remote: float  # theirs
    received: float  # ours

    @property
    def rtt(self) -> float:
        return self.received - self.sent

    @property
    def offset(self) -> float:
        return self.remote - (self.sent + self.received) / 2


@dataclass(frozen=True)
class Mapping:
    """An instant of the other clock expressed in ours."""

    local_ms: float
    uncertainty_ms: float


class ClockSync:
    """The running estimate for one remote clock (one phone, one kiosk)."""

    def __init__(self, window: int = 128, resolution_ms: float = 1.0, max_age_ms: float = 60_000.0):
        self.samples: deque[Exchange] = deque(maxlen=window)
        self.resolution_ms = resolution_ms
        self.max_age_ms = max_age_ms

    def add(self, sent: float, remote: float, received: float) -> bool:
        """Record one exchange; an impossible one (answered before it was asked) is dropped."""
        if not all(isinstance(v, (int, float)) and v == v and abs(v) < 1e15 for v in (sent, remote, received)):
            return False
        if received < sent:
            return False
        self.samples.append(Exchange(float(sent), float(remote), float(received)))
        return True

    def _recent(self, now: float) -> list[Exchange]:
        return [s for s in self.samples if now - s.received <= self.max_age_ms]

    def ready(self, now: float, needed: int = 4) -> bool:
        return len(self._recent(now)) >= needed

    def estimate(self, now: float) -> tuple[float, float] | None:
        """(offset, uncertainty) in ms at our time `now`, or None before any exchange."""
        recent = self._recent(now) or list(self.samples)[-1:]
        if not recent:
            return None
        best = sorted(recent, key=lambda s: s.rtt)[:BEST_OF]
        chosen = best[0]
        offsets = sorted(s.offset for s in best)
        middle = len(offsets) // 2
        # The median of the fastest exchanges' offsets: one fast exchange may still have been
        # lopsided (quick one way, slow the other); several rarely all the same way.
        offset = offsets[middle] if len(offsets) % 2 else (offsets[middle - 1] + offsets[middle]) / 2
        spread_rtt = (best[-1].rtt - chosen.rtt) / 2 if len(best) > 1 else chosen.rtt / 2
        spread_offset = max(abs(o - offset) for o in offsets)
        drift = DRIFT_PPM * 1e-6 * max(0.0, now - min(s.received for s in best))
        uncertainty = max(spread_rtt, spread_offset) + self.resolution_ms / 2 + drift
        # Never claim more than an exchange itself proves: the other clock read `remote` while
        # the message was in flight, so the offset is within rtt/2 of that exchange's midpoint.
        proven = min(s.rtt / 2 + abs(s.offset - offset) for s in best) + self.resolution_ms / 2 + drift
        return offset, max(min(uncertainty, proven), self.resolution_ms / 2)

    def to_local(self, remote_ms: float, now: float) -> Mapping | None:
        """Where the other clock's `remote_ms` falls on ours, with the stated uncertainty."""
        found = self.estimate(now)
        if found is None:
            return None
        offset, uncertainty = found
        return Mapping(remote_ms - offset, uncertainty)

    def to_remote(self, local_ms: float, now: float) -> float | None:
        found = self.estimate(now)
        return None if found is None else local_ms + found[0]

    def slow_rtt(self, now: float, last: int = 20) -> float | None:
        """The slowest of the last exchanges: how late a message from the other side may come."""
        recent = self._recent(now)[-last:]
        return max(s.rtt for s in recent) if recent else None

    def best_rtt(self, now: float) -> float | None:
        recent = self._recent(now)
        return min(s.rtt for s in recent) if recent else None
