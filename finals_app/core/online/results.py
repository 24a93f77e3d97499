"""Every ranking, award and draw of the online phases, read from the derived tables.

Each function returns plain rows (dicts with the full personal data); what a public surface
may show is decided by finals_app.core.tables.listings.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Float, and_, cast, func, literal, select

from finals_app.core.errors import UsageError
from finals_app.core.online.derive import ensure_derived
from finals_app.core.online.draws import DrawResult, Ticket, current_draw, run_recorded_draw
from finals_app.core.rules import Phase, Rules
from finals_app.core.store.engine import read_meta
from finals_app.core.store.schema import (attempt_status, branch_totals, draw_winners, org_branches,
                                          organizations, participants, phase_totals)


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


@dataclass
class Results:
    """The online results of one store under one set of rules."""

    engine: object
    rules: Rules
    # Draws a listing ran because a seed was given and none was recorded (the CLI says so).
    ran: list = field(default_factory=list)

    def __post_init__(self) -> None:
        with self.engine.connect() as connection:
            if read_meta(connection, "data_version") is None:
                raise UsageError("the store has no synced export yet: run finals-app sync EXPORT first")
        ensure_derived(self.engine, self.rules)

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
        with self.engine.connect() as connection:
            if not self._has_attempts(connection, phase):
                raise UsageError("the store has no attempts of period {period} yet: sync an export that covers "
                                 "{first} to {last}", period=phase.id, first=phase.first_day.isoformat(),
                                 last=phase.last_day.isoformat())

    def synced_phases(self) -> list[Phase]:
        """The phases the store has attempts of, in the rules' order."""
        with self.engine.connect() as connection:
            return [phase for phase in self.rules.phases if self._has_attempts(connection, phase)]

    def lottery_day(self, day_text: str) -> tuple[date, Phase]:
        try:
            day = date.fromisoformat(day_text.strip())
        except (ValueError, AttributeError):
            raise UsageError("not a date of the form YYYY-MM-DD: {day}", day=day_text) from None
        phase = self.rules.period_of_day(day)
        if phase is None:
            raise UsageError("{day} is not a day of any preliminary period", day=day.isoformat())
        self._require_attempts(phase)
        return day, phase

    @staticmethod
    def _seed(seed: str | None) -> str:
        if seed is None or not str(seed).strip():
            raise UsageError("a seed is required (--seed): the draw must be reproducible from a published seed")
        return str(seed).strip()

    # ---- validation report ----

    def invalid_attempts(self, phase_id: str | None = None) -> list[dict]:
        t = attempt_status.c
        query = select(t.attempt_id, t.participant_id, t.phase.label("period"), t.reason).where(
            t.reason.is_not(None)).order_by(t.phase, t.attempt_id)
        if phase_id:
            query = query.where(t.phase == self.phase(phase_id, synced=False).id)
        with self.engine.connect() as connection:
            return [dict(zip(("attempt_id", "participant_id", "period", "reason"), row))
                    for row in fetch_tuples(connection, query)]

    def invalid_attempt_details(self, attempt_ids: list[int]) -> dict[int, tuple[str, int]]:
        """For the office: each invalid attempt's person's name and start time (ms)."""
        from finals_app.core.store.schema import attempts
        a, p = attempts.c, participants.c
        found: dict[int, tuple[str, int]] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(attempt_ids), 5000):
                chunk = attempt_ids[start:start + 5000]
                for attempt_id, name, started in connection.execute(
                        select(a.id, p.name, a.started_ms).join(participants, p.id == a.participant_id)
                        .where(a.id.in_(chunk))):
                    found[attempt_id] = (name, started)
        return found

    def organisation_names(self) -> dict[int, str]:
        from finals_app.core.store.schema import organizations
        with self.engine.connect() as connection:
            return dict(connection.execute(select(organizations.c.id, organizations.c.name)).all())

    # ---- personal rankings ----

    STANDINGS_LAYOUT = ("rank", "participant_id", "name", "phone", "branch_id", "is_party_member", "score",
                        "duration_ms", "valid_attempts", "perfect_attempts")

    def standings_rows(self, phase_id: str, limit: int | None = None, columns: tuple[str, ...] | None = None,
                       computed=None) -> list[tuple]:
        """The personal ranking as tuples laid out as `columns` (default STANDINGS_LAYOUT), in
        rank order: one sequential read of the clustered phase_totals (the fast path for a
        million rows). `computed`: columns that are expressions over phase_totals."""
        with self.engine.connect() as connection:
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
        with self.engine.connect() as connection:
            return fetch_tuples(connection, self.final_standings_query(columns))

    def final_standings_query(self, columns: tuple[str, ...]):
        from sqlalchemy import case, literal
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

    # ---- awards of a period ----

    def recorded_draw(self, name: str) -> DrawResult | None:
        with self.engine.connect() as connection:
            return current_draw(connection, name)

    def _draw_for_listing(self, name: str, seed: str | None, run) -> DrawResult | None:
        """The draw a listing shows: the recorded one. A listing given a seed for a draw not
        recorded yet runs it (the seed on the command line is the organiser's act, said on
        stderr by the CLI); a different seed than the recorded one is refused. `run=None`: never
        run (the office's listings), None when there is no recorded draw."""
        recorded = self.recorded_draw(name)
        if run is None:
            return recorded
        if recorded is not None and seed is not None and str(seed).strip() == recorded.seed:
            return recorded  # what running it again with its seed gives, without reading the tickets
        if seed is None or not str(seed).strip():
            if recorded is not None:
                return recorded
            self._seed(seed)
        draw = run(str(seed).strip())
        if recorded is None:
            self.ran.append(draw)
        return draw

    def pioneer_draw(self, phase_id: str, seed: str | None, redraw_reason: str | None = None) -> DrawResult:
        """Run (and record) the period's 灯塔学习先锋 random draw, an official act; with the
        recorded seed, the recorded draw."""
        phase = self.phase(phase_id, preliminary_only=True)
        seed = self._seed(seed)
        pt = phase_totals.c
        eligible = select(pt.participant_id).where(pt.phase == phase.id, pt.perfect_attempts > 0)
        if self.rules.pioneer_random_excludes_top:
            eligible = eligible.where(pt.rank > self.rules.pioneer_top_count)
        with self.engine.begin() as connection:
            tickets = [Ticket(pid, pid) for pid in connection.execute(eligible.order_by(pt.participant_id)).scalars()]
            return run_recorded_draw(connection, self.rules.pioneer_draw(phase.id), seed, tickets,
                                     self.rules.pioneer_random_count, one_per_person=True,
                                     redraw_reason=redraw_reason)

    def listing_pioneer_draw(self, phase_id: str, seed: str | None, run: bool = True) -> DrawResult | None:
        phase = self.phase(phase_id, preliminary_only=True)
        return self._draw_for_listing(self.rules.pioneer_draw(phase.id), seed,
                                      (lambda chosen: self.pioneer_draw(phase.id, chosen)) if run else None)

    def awards(self, phase_id: str, seed: str | None, run: bool = True) -> list[dict]:
        """The period's awards: the top, and the recorded random draw (none yet: the top only,
        when `run` is False)."""
        rules = self.rules
        phase = self.phase(phase_id, preliminary_only=True)
        draw = self.listing_pioneer_draw(phase.id, seed, run)
        rows = []
        for row in self.standings(phase.id, limit=rules.pioneer_top_count):
            rows.append(self._award_row("top", row["rank"], row, rules.pioneer_top_amount_yuan))
        winners = draw.winners if draw is not None else ()
        people = self.people([t.participant_id for t in winners])
        for order, ticket in enumerate(winners, start=1):
            rows.append(self._award_row("random", order, people[ticket.participant_id], rules.pioneer_random_amount_yuan))
        return rows

    def _award_row(self, award: str, order: int, person: dict, amount: int) -> dict:
        member = int(person["is_party_member"])
        return {"award": award, "order": order, "participant_id": person["participant_id"],
                "name": person["name"], "phone": person["phone"], "branch_id": person["branch_id"],
                "is_party_member": member, "title": self.rules.pioneer_title if member else "",
                "amount_yuan": amount}

    def people(self, ids: list[int]) -> dict[int, dict]:
        p = participants.c
        found: dict[int, dict] = {}
        with self.engine.connect() as connection:
            for start in range(0, len(ids), 5000):
                chunk = ids[start:start + 5000]
                for row in connection.execute(select(p.id.label("participant_id"), p.name, p.phone,
                                                     p.is_party_member, p.branch_id).where(p.id.in_(chunk))):
                    found[row.participant_id] = dict(row._mapping)
        return found

    def lottery_draw(self, day_text: str, seed: str | None, redraw_reason: str | None = None) -> DrawResult:
        """Run (and record) a day's participation lottery, an official act."""
        day, phase = self.lottery_day(day_text)
        seed = self._seed(seed)
        t = attempt_status.c
        day_number = (day - date(1970, 1, 1)).days
        tickets_query = select(t.attempt_id, t.participant_id).where(
            t.phase == phase.id, t.day == day_number, t.reason.is_(None), t.perfect == 1).order_by(t.attempt_id)
        with self.engine.begin() as connection:
            tickets = [Ticket(a, p) for a, p in connection.execute(tickets_query)]
            return run_recorded_draw(connection, self.rules.lottery_draw(day), seed, tickets,
                                     self.rules.lottery_winners_per_day,
                                     self.rules.lottery_one_win_per_person_per_day, redraw_reason=redraw_reason)

    def lottery(self, day_text: str, seed: str | None, run: bool = True) -> list[dict]:
        day, _ = self.lottery_day(day_text)
        draw = self._draw_for_listing(self.rules.lottery_draw(day), seed,
                                      (lambda chosen: self.lottery_draw(day_text, chosen)) if run else None)
        winners = draw.winners if draw is not None else ()
        people = self.people([w.participant_id for w in winners])
        return [{"order": order, "participant_id": w.participant_id, "attempt_id": w.ticket_id,
                 "name": people[w.participant_id]["name"], "phone": people[w.participant_id]["phone"]}
                for order, w in enumerate(winners, start=1)]

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
        with self.engine.connect() as connection:
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

    def branches(self, phase_id: str, seed: str | None, run: bool = True) -> list[dict]:
        phase = self.phase(phase_id, preliminary_only=True)
        return self.branch_ranking(phase, self.listing_pioneer_draw(phase.id, seed, run))

    def branch_ranking(self, phase: Phase, draw: DrawResult | None) -> list[dict]:
        """The branch ranking with the title holders of `draw` (None: the top of the ranking only)."""
        b = self.branch_aggregates(phase, draw).c
        grouped = select(b.branch_id.label("org_id"), b.party_members, b.participants, b.total, b.title_holders).where(
            b.party_members >= self.rules.branch_min_party_members).subquery("grouped")
        rows = self._org_ranking(grouped, "branch_id")
        for row in rows:
            row["title"] = self.rules.learning_branch_title if row["rank"] <= self.rules.learning_branch_top_count else ""
        return rows

    def committees(self, phase_id: str, seed: str | None, run: bool = True) -> list[dict]:
        phase = self.phase(phase_id, preliminary_only=True)
        draw = self.listing_pioneer_draw(phase.id, seed, run)
        aggregates = self.committee_aggregates(phase, draw).subquery("committee_aggregates")
        grouped = select(aggregates).where(
            aggregates.c.party_members >= self.rules.committee_min_party_members).subquery("grouped")
        return self._org_ranking(grouped, "committee_id")
