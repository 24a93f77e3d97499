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

from finals_app.core.store.engine import read_meta
from finals_app.core.store.schema import draw_tickets, draw_winners, draws


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
                      one_per_person: bool = True) -> DrawResult:
    """Run a draw and record it (seed, eligible list, winners); the same draw is recorded once."""
    digest = eligible_digest(tickets)
    existing = connection.execute(select(draws).where(
        draws.c.name == name, draws.c.seed == seed, draws.c.eligible_digest == digest,
        draws.c.winners_wanted == count, draws.c.one_per_person == int(one_per_person))).first()
    if existing is not None:
        return load_draw(connection, existing.id)
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
    return DrawResult(draw_id, name, seed, count, one_per_person, len(tickets), digest, tuple(winners), created)


def _insert_chunks(connection, table, rows: list[dict], size: int = 20_000) -> None:
    for start in range(0, len(rows), size):
        connection.execute(insert(table), rows[start:start + size])


def load_draw(connection, draw_id: int) -> DrawResult:
    row = connection.execute(select(draws).where(draws.c.id == draw_id)).one()
    winners = connection.execute(
        select(draw_winners.c.ticket_id, draw_winners.c.participant_id)
        .where(draw_winners.c.draw_id == draw_id).order_by(draw_winners.c.position)).all()
    return DrawResult(row.id, row.name, row.seed, row.winners_wanted, bool(row.one_per_person),
                      row.eligible_count, row.eligible_digest,
                      tuple(Ticket(t, p) for t, p in winners), row.created_at)


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
