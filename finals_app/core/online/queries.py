"""The listings of the online phases (rankings, awards, lottery winners, organisation rankings,
invalid attempts), read from the derived tables through a read-only way in: a query never
writes, and a listing whose draw has not been run says so instead of running it.

Each listing returns plain rows (dicts or tuples with the full personal data); what a public
surface may show is decided by finals_app.core.tables.listings. Running a draw is the
recorder's act (finals_app.core.online.recorder).
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from sqlalchemy import Connection, Float, and_, case, cast, func, literal, select

from finals_app.core.errors import UsageError
from finals_app.core.online.draws import DrawResult, current_draw
from finals_app.core.online.paged import PAGE_ROWS, PagedListings, PagedView
from finals_app.core.rules import Phase, Rules
from finals_app.core.store.schema import (attempt_status, attempts, branch_totals, draw_winners, org_branches,
                                          organizations, participants, phase_totals)


@contextmanager
def read_only(engine) -> Iterator[Connection]:
    """A connection the database itself keeps from writing: SQLite's `query_only` (it covers the
    driver's own cursors too, and is turned off again before the connection goes back to the
    pool) or a PostgreSQL READ ONLY transaction (reset by the pool). Any insert, update, delete
    or schema change on it fails; a read costs nothing more."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            yield connection.execution_options(postgresql_readonly=True)
            return
        if engine.dialect.name != "sqlite":
            yield connection  # no other engine is supported (core/store/engine.py)
            return
        driver = connection.connection.driver_connection
        driver.execute("PRAGMA query_only = 1").close()
        try:
            yield connection
        finally:
            try:
                driver.execute("PRAGMA query_only = 0").close()
            except Exception:
                connection.invalidate()  # never hand a read-only connection to a writer
                raise


def fetch_tuples(connection, query) -> list[tuple]:
    """Rows as plain tuples straight from the driver's cursor (no per-row Row objects)."""
    compiled = query.compile(dialect=connection.dialect)
    params = compiled.construct_params()
    arguments = tuple(params[name] for name in compiled.positiontup) if compiled.positional else params
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), arguments)
        rows = cursor.fetchall()
        # sqlite3 and psycopg give tuples already; copying a million of them costs a third.
        return rows if not rows or type(rows[0]) is tuple else [tuple(row) for row in rows]
    finally:
        cursor.close()


class _Recorded:
    def __repr__(self) -> str:
        return "RECORDED"


RECORDED = _Recorded()
"""A listing's draw argument: the draw recorded in the store (None when not run yet)."""


@dataclass(frozen=True)
class DrawnListing:
    """A listing with a random part: its rows, the name of the draw that part comes from, and
    that draw. `draw` None: the draw has not been run, and the rows hold the ranking's part only."""

    rows: list[dict]
    draw_name: str
    draw: DrawResult | None

    @property
    def undrawn(self) -> bool:
        return self.draw is None


class ResultQueries:
    """The online listings of one store under one set of rules. Reads only: every query goes
    through `connect()` (read_only). The store is synced and its derived tables are current
    (Results brings them up to date when it opens a store)."""

    STANDINGS_LAYOUT = ("rank", "participant_id", "name", "phone", "branch_id", "is_party_member", "score",
                        "duration_ms", "valid_attempts", "perfect_attempts")

    def __init__(self, engine, rules: Rules) -> None:
        self.engine = engine
        self.rules = rules

    def connect(self):
        """The read-only way in (a context manager giving a connection)."""
        return read_only(self.engine)

    # ---- looking things up ----

    def phase(self, phase_id: str, preliminary_only: bool = False, synced: bool = True) -> Phase:
        """The phase of that id; with `synced`, one the store has attempts of (a result for a
        period nobody has played yet would be an empty list that looks like a result)."""
        phase = self.rules.phase(phase_id or "")
        if phase is None or (preliminary_only and phase.kind != "preliminary"):
            known = [p.id for p in (self.rules.periods if preliminary_only else self.rules.phases)]
            raise UsageError("no period {period} (periods: {known})", period=phase_id, known=", ".join(known))
        if synced:
            self._require_attempts(phase)
        return phase

    def _has_attempts(self, connection, phase: Phase) -> bool:
        t = attempt_status.c
        return connection.execute(select(t.attempt_id).where(t.phase == phase.id).limit(1)).first() is not None

    def _require_attempts(self, phase: Phase) -> None:
        with self.connect() as connection:
            if not self._has_attempts(connection, phase):
                raise UsageError("the store has no attempts of period {period} yet: sync an export that covers "
                                 "{first} to {last}", period=phase.id, first=phase.first_day.isoformat(),
                                 last=phase.last_day.isoformat())

    def synced_phases(self) -> list[Phase]:
        """The phases the store has attempts of, in the rules' order."""
        with self.connect() as connection:
            return [phase for phase in self.rules.phases if self._has_attempts(connection, phase)]

    def lottery_day(self, day_text: str) -> tuple[date, Phase]:
        day, phase = self._day_of(day_text)
        self._require_attempts(phase)
        return day, phase

    def _day_of(self, day_text: str) -> tuple[date, Phase]:
        """The day typed and its period, by the rules alone (the store is not asked)."""
        try:
            day = date.fromisoformat(day_text.strip())
        except (ValueError, AttributeError):
            raise UsageError("not a date of the form YYYY-MM-DD: {day}", day=day_text) from None
        phase = self.rules.period_of_day(day)
        if phase is None:
            raise UsageError("{day} is not a day of any preliminary period", day=day.isoformat())
        return day, phase

    def recorded_draw(self, name: str) -> DrawResult | None:
        with self.connect() as connection:
            return current_draw(connection, name)

    def _period_draw(self, phase_id: str, draw) -> tuple[Phase, str, DrawResult | None]:
        """A preliminary period, the name of its random draw, and `draw` (RECORDED: the one
        recorded, None when not run yet)."""
        phase = self.phase(phase_id, preliminary_only=True)
        name = self.rules.pioneer_draw(phase.id)
        return phase, name, self.recorded_draw(name) if draw is RECORDED else draw

    def people(self, ids: list[int]) -> dict[int, dict]:
        p = participants.c
        found: dict[int, dict] = {}
        with self.connect() as connection:
            for start in range(0, len(ids), 5000):
                chunk = ids[start:start + 5000]
                for row in connection.execute(select(p.id.label("participant_id"), p.name, p.phone,
                                                     p.is_party_member, p.branch_id).where(p.id.in_(chunk))):
                    found[row.participant_id] = dict(row._mapping)
        return found

    # ---- the big listings a page at a time (the office's tables; core/online/paged.py) ----

    def paged_view(self, listing: str, phase_id: str | None = None, sort: str | None = None,
                   descending: bool = False, text: str = "", display: dict | None = None,
                   page_rows: int = PAGE_ROWS) -> PagedView:
        """A listing ("standings", "final-standings", "validate") sorted by `sort` and filtered by
        `text` in the store: its size and where each page starts, not its rows."""
        return PagedListings(self).view(listing, phase_id, sort, descending, text, display, page_rows)

    def paged_page(self, view: PagedView, page: int) -> list[tuple]:
        """One page of a view: one keyed query, however far down the page is."""
        return PagedListings(self).page(view, page)

    def paged_rows(self, view: PagedView, batch: int = 5000):
        """Every row of a view in its order, `batch` at a time (one streamed query: an export)."""
        return PagedListings(self).rows(view, batch)

    # ---- validation report ----

    def invalid_attempts(self, phase_id: str | None = None) -> list[dict]:
        t = attempt_status.c
        query = select(t.attempt_id, t.participant_id, t.phase.label("period"), t.reason).where(
            t.reason.is_not(None)).order_by(t.phase, t.attempt_id)
        if phase_id:
            query = query.where(t.phase == self.phase(phase_id, synced=False).id)
        with self.connect() as connection:
            return [dict(zip(("attempt_id", "participant_id", "period", "reason"), row))
                    for row in fetch_tuples(connection, query)]

    def invalid_attempt_details(self, attempt_ids: list[int]) -> dict[int, tuple[str, int]]:
        """For the office: each invalid attempt's person's name and start time (ms)."""
        a, p = attempts.c, participants.c
        found: dict[int, tuple[str, int]] = {}
        with self.connect() as connection:
            for start in range(0, len(attempt_ids), 5000):
                chunk = attempt_ids[start:start + 5000]
                for attempt_id, name, started in connection.execute(
                        select(a.id, p.name, a.started_ms).join(participants, p.id == a.participant_id)
                        .where(a.id.in_(chunk))):
                    found[attempt_id] = (name, started)
        return found

    def organisation_names(self) -> dict[int, str]:
        with self.connect() as connection:
            return dict(connection.execute(select(organizations.c.id, organizations.c.name)).all())

    # ---- personal rankings ----

    def standings_rows(self, phase_id: str, limit: int | None = None, columns: tuple[str, ...] | None = None,
                       computed=None) -> list[tuple]:
        """The personal ranking as tuples laid out as `columns` (default STANDINGS_LAYOUT), in
        rank order: one sequential read of the clustered phase_totals (the fast path for a
        million rows). `computed`: columns that are expressions over phase_totals."""
        with self.connect() as connection:
            return fetch_tuples(connection, self.standings_query(phase_id, limit, columns, computed))

    def standings_query(self, phase_id: str, limit: int | None = None, columns: tuple[str, ...] | None = None,
                        computed=None):
        """The select of standings_rows."""
        phase = self.phase(phase_id)
        pt = phase_totals.c
        computed = dict(computed or {})
        values = [computed.get(c, pt[c] if c in pt else None) for c in columns or self.STANDINGS_LAYOUT]
        query = select(*values).where(pt.phase == phase.id).order_by(pt.rank)
        if limit is not None:
            query = query.where(pt.rank <= limit)
        return query

    def final_standings_rows(self, columns: tuple[str, ...]) -> list[tuple]:
        """final_standings() as tuples laid out as `columns`, the tiers computed by the database."""
        with self.connect() as connection:
            return fetch_tuples(connection, self.final_standings_query(columns))

    def final_standings_query(self, columns: tuple[str, ...]):
        rank = phase_totals.c.rank
        tiers = self.rules.exemplar_tiers

        def by_tier(attribute, otherwise):
            return case(*[(rank.between(t.first_rank, t.last_rank), literal(getattr(t, attribute))) for t in tiers],
                        else_=otherwise) if tiers else otherwise
        computed = {"attempts": phase_totals.c.valid_attempts, "tier": by_tier("tier", None),
                    "amount_yuan": by_tier("amount_yuan", literal(0))}
        return self.standings_query(self.rules.final.id, columns=columns, computed=computed)

    def standings(self, phase_id: str, limit: int | None = None) -> list[dict]:
        layout = self.STANDINGS_LAYOUT
        return [dict(zip(layout, row)) for row in self.standings_rows(phase_id, limit)]

    def final_standings(self) -> list[dict]:
        rows = self.standings(self.rules.final.id)
        for row in rows:
            tier = self.rules.exemplar_tier(row["rank"])
            row["attempts"] = row.pop("valid_attempts")
            row["tier"] = tier.tier if tier else None
            row["amount_yuan"] = tier.amount_yuan if tier else 0
            row["title"] = self.rules.exemplar_title if tier and row["is_party_member"] else ""
        return rows

    # ---- awards and lottery of a period ----

    def awards(self, phase_id: str, draw=RECORDED) -> DrawnListing:
        """The period's awards: the top, and the winners of `draw` (by default the recorded
        random draw; none yet: the top only, and the listing says so)."""
        rules = self.rules
        phase, name, draw = self._period_draw(phase_id, draw)
        rows = []
        for row in self.standings(phase.id, limit=rules.pioneer_top_count):
            rows.append(self._award_row("top", row["rank"], row, rules.pioneer_top_amount_yuan))
        winners = draw.winners if draw is not None else ()
        people = self.people([t.participant_id for t in winners])
        for order, ticket in enumerate(winners, start=1):
            rows.append(self._award_row("random", order, people[ticket.participant_id], rules.pioneer_random_amount_yuan))
        return DrawnListing(rows, name, draw)

    def _award_row(self, award: str, order: int, person: dict, amount: int) -> dict:
        member = int(person["is_party_member"])
        return {"award": award, "order": order, "participant_id": person["participant_id"],
                "name": person["name"], "phone": person["phone"], "branch_id": person["branch_id"],
                "is_party_member": member, "title": self.rules.pioneer_title if member else "",
                "amount_yuan": amount}

    def lottery(self, day_text: str, draw=RECORDED) -> DrawnListing:
        """A day's lottery winners: of the recorded draw (none yet: no rows, and the listing says
        so), or of `draw`, found by whoever checked the day (the store is then not asked again)."""
        day, _ = self.lottery_day(day_text) if draw is RECORDED else self._day_of(day_text)
        name = self.rules.lottery_draw(day)
        if draw is RECORDED:
            draw = self.recorded_draw(name)
        winners = draw.winners if draw is not None else ()
        people = self.people([w.participant_id for w in winners])
        return DrawnListing([{"order": order, "participant_id": w.participant_id, "attempt_id": w.ticket_id,
                              "name": people[w.participant_id]["name"], "phone": people[w.participant_id]["phone"]}
                             for order, w in enumerate(winners, start=1)], name, draw)

    # ---- organisations ----

    def branch_aggregates(self, phase: Phase, draw: DrawResult | None):
        """Per branch: registered party members, those with a valid attempt, their total, and the
        title holders of the period (top of the ranking, or drawn). The derived branch_totals
        hold all but the drawn holders, who are a few thousand lookups; organisations above add
        these up, a few thousand rows instead of a million people times the tree's depth."""
        bt, pt = branch_totals.c, phase_totals.c
        holders = bt.top_holders
        query = select(bt.branch_id, bt.party_members, bt.participants, bt.total)
        if draw is not None:
            # From the draw's winners (a few thousand seeks by person), not a scan of the
            # period's ranking (0.2 s of 700 k rows).
            winners = select(draw_winners.c.participant_id).where(
                draw_winners.c.draw_id == draw.draw_id).distinct().subquery("winners")
            drawn = (select(pt.branch_id, func.count().label("drawn"))
                     .join_from(winners, phase_totals, and_(pt.phase == phase.id,
                                                            pt.participant_id == winners.c.participant_id))
                     .where(pt.is_party_member == 1, pt.rank > self.rules.pioneer_top_count)
                     .group_by(pt.branch_id).subquery("drawn"))
            holders = holders + func.coalesce(drawn.c.drawn, 0)
            query = query.outerjoin(drawn, drawn.c.branch_id == bt.branch_id)
        return query.add_columns(holders.label("title_holders")).where(bt.phase == phase.id).subquery("branch_aggregates")

    def _org_ranking(self, grouped, id_label: str) -> list[dict]:
        """Rank organisations (columns org_id, party_members, participants, total, title_holders)."""
        o = organizations.c
        g = grouped.c
        score = cast(g.total, Float) / g.party_members
        rate = cast(g.participants, Float) / g.party_members
        ranked = (
            select(func.row_number().over(order_by=(score.desc(), rate.desc(), g.title_holders.desc(),
                                                    g.org_id.asc())).label("rank"),
                   g.org_id, o.name, score.label("score"), rate.label("participation_rate"),
                   g.title_holders, g.party_members, g.participants, g.total)
            .join_from(grouped, organizations, o.id == g.org_id)
            .order_by("rank")
        )
        with self.connect() as connection:
            result = connection.execute(ranked)
            keys = [id_label if key == "org_id" else key for key in result.keys()]
            return [dict(zip(keys, row)) for row in result]

    def committee_aggregates(self, phase: Phase, draw: DrawResult | None):
        """Per committee: the branch aggregates of every branch below it, at any depth."""
        ob = org_branches.c
        branches = self.branch_aggregates(phase, draw)
        b = branches.c
        committee = organizations.alias("committee")
        return (
            select(ob.ancestor_id.label("org_id"), func.sum(b.party_members).label("party_members"),
                   func.sum(b.participants).label("participants"), func.sum(b.total).label("total"),
                   func.sum(b.title_holders).label("title_holders"))
            .join_from(org_branches, branches, b.branch_id == ob.branch_id)
            .join(committee, (committee.c.id == ob.ancestor_id) & (committee.c.level == literal("committee")))
            .group_by(ob.ancestor_id)
        )

    def branches(self, phase_id: str, draw=RECORDED) -> DrawnListing:
        """The branch ranking with the title holders of `draw` (by default the recorded one)."""
        phase, name, draw = self._period_draw(phase_id, draw)
        return DrawnListing(self.branch_ranking(phase, draw), name, draw)

    def branch_ranking(self, phase: Phase, draw: DrawResult | None) -> list[dict]:
        """The branch ranking with the title holders of `draw` (None: the top of the ranking only)."""
        b = self.branch_aggregates(phase, draw).c
        grouped = select(b.branch_id.label("org_id"), b.party_members, b.participants, b.total, b.title_holders).where(
            b.party_members >= self.rules.branch_min_party_members).subquery("grouped")
        rows = self._org_ranking(grouped, "branch_id")
        for row in rows:
            row["title"] = self.rules.learning_branch_title if row["rank"] <= self.rules.learning_branch_top_count else ""
        return rows

    def committees(self, phase_id: str, draw=RECORDED) -> DrawnListing:
        """The committee ranking with the title holders of `draw` (by default the recorded one)."""
        phase, name, draw = self._period_draw(phase_id, draw)
        aggregates = self.committee_aggregates(phase, draw).subquery("committee_aggregates")
        grouped = select(aggregates).where(
            aggregates.c.party_members >= self.rules.committee_min_party_members).subquery("grouped")
        return DrawnListing(self._org_ranking(grouped, "committee_id"), name, draw)
