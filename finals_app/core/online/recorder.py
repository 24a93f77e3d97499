"""The draws that record, official acts of the organisers: a period's 灯塔学习先锋 random draw and
a day's participation lottery, first draws and redraws. Each reads its eligible tickets and
writes the draw with its audit record (seed, eligible list and digest, winners, a redraw's
reason) in one transaction (draws.run_recorded_draw). What a listing shows is read apart, by
finals_app.core.online.queries.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from finals_app.core.errors import UsageError
from finals_app.core.online.draws import DrawResult, Ticket, run_recorded_draw
from finals_app.core.online.queries import ResultQueries
from finals_app.core.store.schema import attempt_status, phase_totals


def required_seed(seed: str | None) -> str:
    if seed is None or not str(seed).strip():
        raise UsageError("a seed is required (--seed): the draw must be reproducible from a published seed")
    return str(seed).strip()


class DrawRecorder:
    """Runs and records the draws of one store under one set of rules (looked up through the
    read-only `queries`). `ran`: the draws a listing ran because it was given a seed for a draw
    not recorded yet (the CLI says so)."""

    def __init__(self, queries: ResultQueries) -> None:
        self.queries = queries
        self.engine = queries.engine
        self.rules = queries.rules
        self.ran: list[DrawResult] = []

    def pioneer_draw(self, phase_id: str, seed: str | None, redraw_reason: str | None = None) -> DrawResult:
        """Run (and record) the period's 灯塔学习先锋 random draw, an official act; with the
        recorded seed, the recorded draw."""
        phase = self.queries.phase(phase_id, preliminary_only=True)
        seed = required_seed(seed)
        pt = phase_totals.c
        eligible = select(pt.participant_id).where(pt.phase == phase.id, pt.perfect_attempts > 0)
        if self.rules.pioneer_random_excludes_top:
            eligible = eligible.where(pt.rank > self.rules.pioneer_top_count)
        with self.engine.begin() as connection:
            tickets = [Ticket(pid, pid) for pid in connection.execute(eligible.order_by(pt.participant_id)).scalars()]
            return run_recorded_draw(connection, self.rules.pioneer_draw(phase.id), seed, tickets,
                                     self.rules.pioneer_random_count, one_per_person=True,
                                     redraw_reason=redraw_reason)

    def lottery_draw(self, day_text: str, seed: str | None, redraw_reason: str | None = None) -> DrawResult:
        """Run (and record) a day's participation lottery, an official act."""
        day, phase = self.queries.lottery_day(day_text)
        seed = required_seed(seed)
        t = attempt_status.c
        day_number = (day - date(1970, 1, 1)).days
        tickets_query = select(t.attempt_id, t.participant_id).where(
            t.phase == phase.id, t.day == day_number, t.reason.is_(None), t.perfect == 1).order_by(t.attempt_id)
        with self.engine.begin() as connection:
            tickets = [Ticket(a, p) for a, p in connection.execute(tickets_query)]
            return run_recorded_draw(connection, self.rules.lottery_draw(day), seed, tickets,
                                     self.rules.lottery_winners_per_day,
                                     self.rules.lottery_one_win_per_person_per_day, redraw_reason=redraw_reason)

    # ---- the draw a listing given a seed shows ----

    def listing_pioneer_draw(self, phase_id: str, seed: str | None, run: bool = True) -> DrawResult | None:
        phase = self.queries.phase(phase_id, preliminary_only=True)
        return self._draw_for_listing(self.rules.pioneer_draw(phase.id), seed,
                                      (lambda chosen: self.pioneer_draw(phase.id, chosen)) if run else None)

    def listing_lottery_draw(self, day_text: str, seed: str | None, run: bool = True) -> DrawResult | None:
        day, _ = self.queries.lottery_day(day_text)
        return self._draw_for_listing(self.rules.lottery_draw(day), seed,
                                      (lambda chosen: self.lottery_draw(day_text, chosen)) if run else None)

    def _draw_for_listing(self, name: str, seed: str | None, run) -> DrawResult | None:
        """The draw a listing shows: the recorded one. A listing given a seed for a draw not
        recorded yet runs it (the seed on the command line is the organiser's act, said on
        stderr by the CLI); a different seed than the recorded one is refused. `run=None`: never
        run (the office's listings), None when there is no recorded draw."""
        recorded = self.queries.recorded_draw(name)
        if run is None:
            return recorded
        if recorded is not None and seed is not None and str(seed).strip() == recorded.seed:
            return recorded  # what running it again with its seed gives, without reading the tickets
        if seed is None or not str(seed).strip():
            if recorded is not None:
                return recorded
            required_seed(seed)
        draw = run(str(seed).strip())
        if recorded is None:
            self.ran.append(draw)
        return draw
