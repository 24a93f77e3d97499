"""Verifiable random draws (rules.md, "Verifiable draws"): anyone holding the eligible tickets
and the published seed can recompute the winners; nothing is hidden.

key(ticket) = SHA-256 of "{seed}|{draw}|{ticket_id}" as lowercase hex; tickets sorted by key;
walk them, skipping a ticket whose person already won this draw (when one win per person);
the first K win. Fewer eligible than K: all win.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Sequence

from sqlalchemy import insert, select

from finals_app.core.errors import FinalsError
from finals_app.core.store.engine import read_meta
from finals_app.core.store.schema import draw_notes, draw_tickets, draw_winners, draws


class DrawError(FinalsError):
    """A draw that may not be run as asked (it exists already, or there is nothing to redraw)."""


@dataclass(frozen=True)
class Ticket:
    ticket_id: int
    participant_id: int


@dataclass(frozen=True)
class DrawResult:
    draw_id: int | None
    name: str
    seed: str
    winners_wanted: int
    one_per_person: bool
    eligible_count: int
    eligible_digest: str
    winners: tuple[Ticket, ...]
    created_at: str | None = None
    redraw_of: int | None = None  # the draw this one replaces, and why
    reason: str = ""


def ticket_key(seed: str, draw_name: str, ticket_id: int) -> str:
    return hashlib.sha256(f"{seed}|{draw_name}|{ticket_id}".encode("utf-8")).hexdigest()


def eligible_digest(tickets: Iterable[Ticket]) -> str:
    """SHA-256 over the sorted "ticket_id:participant_id" lines: publishes the eligible list."""
    hasher = hashlib.sha256()
    for ticket in sorted(tickets, key=lambda t: t.ticket_id):
        hasher.update(f"{ticket.ticket_id}:{ticket.participant_id}\n".encode("ascii"))
    return hasher.hexdigest()


def draw_winners_of(seed: str, draw_name: str, tickets: Sequence[Ticket], count: int,
                    one_per_person: bool = True) -> list[Ticket]:
    keyed = sorted(tickets, key=lambda t: ticket_key(seed, draw_name, t.ticket_id))
    winners: list[Ticket] = []
    seen: set[int] = set()
    for ticket in keyed:
        if len(winners) >= count:
            break
        if one_per_person and ticket.participant_id in seen:
            continue
        seen.add(ticket.participant_id)
        winners.append(ticket)
    return winners


def run_recorded_draw(connection, name: str, seed: str, tickets: Sequence[Ticket], count: int,
                      one_per_person: bool = True, redraw_reason: str | None = None) -> DrawResult:
    """Run a draw and record it (seed, eligible list, winners). A draw is an official act: once
    a draw of this name is recorded, asking again with its seed gives the recorded result, and
    another seed is refused unless this is an explicit redraw with a reason, recorded with it."""
    current = current_draw(connection, name)
    reason = (redraw_reason or "").strip()
    if redraw_reason is not None:
        if current is None:
            raise DrawError("{draw} has not been drawn yet: there is nothing to redraw", draw=name)
        if not reason:
            raise DrawError("a redraw of {draw} needs a reason (--reason)", draw=name)
        if seed == current.seed:
            raise DrawError("a redraw of {draw} needs a new seed (it was drawn with {seed})", draw=name, seed=seed)
    elif current is not None:
        if seed == current.seed:
            return current
        raise DrawError("{draw} was drawn on {date} with seed {seed}; drawing it again with another seed needs an "
                        "explicit redraw with a reason (finals-app draw --redraw --reason ...)",
                        draw=name, date=(current.created_at or "")[:10], seed=current.seed)
    digest = eligible_digest(tickets)
    winners = draw_winners_of(seed, name, tickets, count, one_per_person)
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    draw_id = connection.execute(insert(draws).values(
        name=name, seed=seed, winners_wanted=count, one_per_person=int(one_per_person),
        eligible_count=len(tickets), eligible_digest=digest, created_at=created,
        data_version=int(read_meta(connection, "data_version") or 0),
    )).inserted_primary_key[0]
    _insert_chunks(connection, draw_tickets, [
        {"draw_id": draw_id, "ticket_id": t.ticket_id, "participant_id": t.participant_id} for t in tickets])
    _insert_chunks(connection, draw_winners, [
        {"draw_id": draw_id, "position": position, "ticket_id": t.ticket_id, "participant_id": t.participant_id}
        for position, t in enumerate(winners, start=1)])
    redraw_of = None
    if current is not None:
        redraw_of = current.draw_id
        connection.execute(insert(draw_notes).values(draw_id=draw_id, redraw_of=redraw_of, reason=reason))
    return DrawResult(draw_id, name, seed, count, one_per_person, len(tickets), digest, tuple(winners), created,
                      redraw_of, reason)


def current_draw(connection, name: str) -> DrawResult | None:
    """The draw of this name in force: the latest recorded (a redraw replaces the one before)."""
    draw_id = connection.execute(select(draws.c.id).where(draws.c.name == name).order_by(draws.c.id.desc())
                                 .limit(1)).scalar()
    return None if draw_id is None else load_draw(connection, draw_id)


def draw_history(connection, name: str) -> list[DrawResult]:
    """Every draw of this name, first one first (more than one: it was redrawn, and why)."""
    ids = connection.execute(select(draws.c.id).where(draws.c.name == name).order_by(draws.c.id)).scalars().all()
    return [load_draw(connection, draw_id) for draw_id in ids]


def _insert_chunks(connection, table, rows: list[dict], size: int = 20_000) -> None:
    for start in range(0, len(rows), size):
        connection.execute(insert(table), rows[start:start + size])


def load_draw(connection, draw_id: int) -> DrawResult:
    row = connection.execute(select(draws).where(draws.c.id == draw_id)).one()
    winners = connection.execute(
        select(draw_winners.c.ticket_id, draw_winners.c.participant_id)
        .where(draw_winners.c.draw_id == draw_id).order_by(draw_winners.c.position)).all()
    note = connection.execute(select(draw_notes).where(draw_notes.c.draw_id == draw_id)).first()
    return DrawResult(row.id, row.name, row.seed, row.winners_wanted, bool(row.one_per_person),
                      row.eligible_count, row.eligible_digest,
                      tuple(Ticket(t, p) for t, p in winners), row.created_at,
                      note.redraw_of if note else None, note.reason if note else "")


def recorded_tickets(connection, draw_id: int) -> list[Ticket]:
    return [Ticket(t, p) for t, p in connection.execute(
        select(draw_tickets.c.ticket_id, draw_tickets.c.participant_id)
        .where(draw_tickets.c.draw_id == draw_id).order_by(draw_tickets.c.ticket_id))]


@dataclass(frozen=True)
class Verification:
    draw: DrawResult
    tickets_match_digest: bool
    winners_match: bool
    recomputed: tuple[Ticket, ...]

    @property
    def ok(self) -> bool:
        return self.tickets_match_digest and self.winners_match


def verify(draw: DrawResult, tickets: Sequence[Ticket]) -> Verification:
    """Recompute a draw from its seed and the eligible tickets and compare with its winners."""
    recomputed = tuple(draw_winners_of(draw.seed, draw.name, tickets, draw.winners_wanted, draw.one_per_person))
    return Verification(draw, eligible_digest(tickets) == draw.eligible_digest,
                        recomputed == draw.winners, recomputed)
