"""The online results of one store, as callers opened them before the split: a thin facade over
the two rooms it is made of. New code uses the rooms directly:

- finals_app.core.online.queries.ResultQueries: every listing (rankings, awards, lottery,
  organisation rankings, invalid attempts), through a read-only way in: a query never writes;
- finals_app.core.online.recorder.DrawRecorder: the draws that record (the period's random
  draw, the daily lottery, redraws), each with its audit record in one transaction.

Results opens the store for both (prepare_store: refused when never synced, derived when out of
date) and keeps every method callers know, each one line handing over to its room. A listing
given a seed (`run=True`) may record its draw first, as before: that part is the recorder's.
"""
from __future__ import annotations

from finals_app.core.errors import UsageError
from finals_app.core.online.derive import ensure_derived
from finals_app.core.online.draws import DrawResult
from finals_app.core.online.queries import ResultQueries, fetch_tuples  # noqa: F401 - callers import it here
from finals_app.core.online.recorder import DrawRecorder
from finals_app.core.rules import Phase, Rules
from finals_app.core.store.engine import read_meta


def prepare_store(engine, rules: Rules) -> None:
    """A store ready for the listings: refused when it has no synced export; its derived tables
    rebuilt when the data or the rules in force changed (the store's own cache, written before
    any listing reads it, never by a listing)."""
    with engine.connect() as connection:
        if read_meta(connection, "data_version") is None:
            raise UsageError("the store has no synced export yet: run finals-app sync EXPORT first")
    ensure_derived(engine, rules)


class Results:
    """The online results of one store under one set of rules: the listings (`queries`) and the
    draws that record (`recorder`). Kept for today's callers; new code uses the rooms."""

    STANDINGS_LAYOUT = ResultQueries.STANDINGS_LAYOUT

    def __init__(self, engine, rules: Rules) -> None:
        prepare_store(engine, rules)
        self.engine = engine
        self.rules = rules
        self.queries = ResultQueries(engine, rules)
        self.recorder = DrawRecorder(self.queries)

    @property
    def ran(self) -> list[DrawResult]:
        """Draws a listing ran because a seed was given and none was recorded (the CLI says so)."""
        return self.recorder.ran

    # ---- the listings (read only) ----

    def connect(self):
        return self.queries.connect()

    def phase(self, phase_id: str, preliminary_only: bool = False, synced: bool = True) -> Phase:
        return self.queries.phase(phase_id, preliminary_only, synced)

    def synced_phases(self) -> list[Phase]:
        return self.queries.synced_phases()

    def lottery_day(self, day_text: str):
        return self.queries.lottery_day(day_text)

    def recorded_draw(self, name: str) -> DrawResult | None:
        return self.queries.recorded_draw(name)

    def people(self, ids: list[int]) -> dict[int, dict]:
        return self.queries.people(ids)

    def invalid_attempts(self, phase_id: str | None = None) -> list[dict]:
        return self.queries.invalid_attempts(phase_id)

    def invalid_attempt_details(self, attempt_ids: list[int]) -> dict[int, tuple[str, int]]:
        return self.queries.invalid_attempt_details(attempt_ids)

    def organisation_names(self) -> dict[int, str]:
        return self.queries.organisation_names()

    def standings_rows(self, phase_id: str, limit: int | None = None, columns: tuple[str, ...] | None = None,
                       computed=None) -> list[tuple]:
        return self.queries.standings_rows(phase_id, limit, columns, computed)

    def standings_query(self, phase_id: str, limit: int | None = None, columns: tuple[str, ...] | None = None,
                        computed=None):
        return self.queries.standings_query(phase_id, limit, columns, computed)

    def final_standings_rows(self, columns: tuple[str, ...]) -> list[tuple]:
        return self.queries.final_standings_rows(columns)

    def final_standings_query(self, columns: tuple[str, ...]):
        return self.queries.final_standings_query(columns)

    def standings(self, phase_id: str, limit: int | None = None) -> list[dict]:
        return self.queries.standings(phase_id, limit)

    def final_standings(self) -> list[dict]:
        return self.queries.final_standings()

    def branch_aggregates(self, phase: Phase, draw: DrawResult | None):
        return self.queries.branch_aggregates(phase, draw)

    def committee_aggregates(self, phase: Phase, draw: DrawResult | None):
        return self.queries.committee_aggregates(phase, draw)

    def branch_ranking(self, phase: Phase, draw: DrawResult | None) -> list[dict]:
        return self.queries.branch_ranking(phase, draw)

    # ---- the draws that record ----

    def pioneer_draw(self, phase_id: str, seed: str | None, redraw_reason: str | None = None) -> DrawResult:
        return self.recorder.pioneer_draw(phase_id, seed, redraw_reason)

    def lottery_draw(self, day_text: str, seed: str | None, redraw_reason: str | None = None) -> DrawResult:
        return self.recorder.lottery_draw(day_text, seed, redraw_reason)

    def listing_pioneer_draw(self, phase_id: str, seed: str | None, run: bool = True) -> DrawResult | None:
        return self.recorder.listing_pioneer_draw(phase_id, seed, run)

    # ---- listings with a draw: the recorded one, or (given a seed, `run`) drawn now ----

    def awards(self, phase_id: str, seed: str | None, run: bool = True) -> list[dict]:
        return self.queries.awards(phase_id, self.recorder.listing_pioneer_draw(phase_id, seed, run)).rows

    def lottery(self, day_text: str, seed: str | None, run: bool = True) -> list[dict]:
        return self.queries.lottery(day_text, self.recorder.listing_lottery_draw(day_text, seed, run)).rows

    def branches(self, phase_id: str, seed: str | None, run: bool = True) -> list[dict]:
        return self.queries.branches(phase_id, self.recorder.listing_pioneer_draw(phase_id, seed, run)).rows

    def committees(self, phase_id: str, seed: str | None, run: bool = True) -> list[dict]:
        return self.queries.committees(phase_id, self.recorder.listing_pioneer_draw(phase_id, seed, run)).rows
