"""The organisers' monthly paperwork (rules.md "Monthly paperwork" and award 6): the excellent
organisation award, learning archives, participation ledgers and payout lists."""
from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import Float, case, cast, func, select

from finals_app.core.errors import UsageError
from finals_app.core.i18n import Alternatives
from finals_app.core.online.draws import current_draw, draw_history
from finals_app.core.online.queries import ResultQueries
from finals_app.core.online.results import Results
from finals_app.core.rules import Phase
from finals_app.core.store.schema import (org_branches, organizations, participants,
                                          phase_totals)


def excellent_organisations(queries: ResultQueries, period_id: str) -> list[dict]:
    """The committees with the highest participation rate (party members with a valid attempt ÷
    registered party members, over every branch below), then committee score, then id; only
    committees with at least `min_branches` branches below them."""
    rules = queries.rules
    phase = queries.phase(period_id, preliminary_only=True)
    ob = org_branches.c
    committee = organizations.alias("committee")
    branches_below = (select(ob.ancestor_id, func.count().label("branches")).group_by(ob.ancestor_id)
                      .subquery("branches_below"))
    members = queries.committee_aggregates(phase, None).subquery("members")
    m, b = members.c, branches_below.c
    rate = cast(m.participants, Float) / m.party_members
    score = cast(m.total, Float) / m.party_members
    ranked = (select(func.row_number().over(order_by=(rate.desc(), score.desc(), m.org_id.asc())).label("rank"),
                     m.org_id.label("committee_id"), committee.c.name, rate.label("participation_rate"),
                     score.label("score"), b.branches)
              .join_from(members, committee, committee.c.id == m.org_id)
              .join(branches_below, b.ancestor_id == m.org_id)
              .where(b.branches >= rules.excellent_org_min_branches, m.party_members > 0)
              .order_by("rank").limit(rules.excellent_org_count))
    with queries.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(ranked)]


def _known_org(queries: ResultQueries, org_id: int, levels: tuple[str, ...]):
    with queries.connect() as connection:
        row = connection.execute(select(organizations).where(organizations.c.id == org_id)).first()
    if row is None or row.level not in levels:
        raise UsageError("no {kind} with id {id}", kind=Alternatives(levels), id=org_id)
    return row


def organisation_choices(queries: ResultQueries, levels: tuple[str, ...]) -> list[tuple[int, str, str]]:
    """(id, name, level) of every organisation of those levels, by name: what a staff member
    picks from instead of remembering ids."""
    o = organizations.c
    with queries.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(o.id, o.name, o.level).where(o.level.in_(levels)).order_by(o.name, o.id))]


def organisation_name(queries: ResultQueries, org_id: int) -> str:
    with queries.connect() as connection:
        return connection.execute(select(organizations.c.name).where(organizations.c.id == org_id)).scalar() or str(org_id)


def resolve_organisation(queries: ResultQueries, text: str, levels: tuple[str, ...]) -> int:
    """An organisation's id from what a person typed: the id, `name (id)` as the completer
    offers it, or the exact name when it is unique among those levels."""
    import re

    typed = (text or "").strip()
    match = re.fullmatch(r"(?:.*\()?\s*(\d+)\s*\)?", typed)
    if match:
        return _known_org(queries, int(match.group(1)), levels).id
    if not typed:
        raise UsageError("give an organisation's name or id")
    o = organizations.c
    with queries.connect() as connection:
        found = connection.execute(select(o.id).where(o.name == typed, o.level.in_(levels)).limit(6)).scalars().all()
    if not found:
        raise UsageError("no {kind} named {name}", kind=Alternatives(levels), name=typed)
    if len(found) > 1:
        raise UsageError("several organisations are named {name} (ids {ids}): give the id",
                         name=typed, ids=", ".join(map(str, found)))
    return found[0]


def ledger_members(queries: ResultQueries, branch_id: int, phase) -> list[dict]:
    p, pt = participants.c, phase_totals.c
    query = (select(p.id.label("participant_id"), p.name, p.phone,
                    func.coalesce(pt.valid_attempts, 0).label("valid_attempts"),
                    func.coalesce(pt.share_credit_attempts, 0).label("share_bonus_attempts"),
                    func.coalesce(pt.score, 0).label("score"),
                    case((pt.participant_id.is_not(None), 1), else_=0).label("took_part"))
             .select_from(participants.outerjoin(phase_totals, (pt.participant_id == p.id) & (pt.phase == phase.id)))
             .where(p.branch_id == branch_id, p.is_party_member == 1).order_by(p.id))
    with queries.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def ledger(queries: ResultQueries, branch_id: int, period_id: str) -> list[dict]:
    """Every registered party member of a branch with their attempts in the period."""
    phase = queries.phase(period_id)
    _known_org(queries, branch_id, ("branch",))
    rows = ledger_members(queries, branch_id, phase)
    if not rows:
        raise UsageError("branch {id} has no registered party members", id=branch_id)
    return rows


def _redraws(connection, names: list[str]) -> list[dict]:
    """Every draw of these names that replaced an earlier one: anyone can see that, and why, a
    draw was run twice."""
    found = []
    for name in names:
        history = draw_history(connection, name)
        for before, after in zip(history, history[1:]):
            found.append({"draw": name, "replaced_seed": before.seed, "replaced_at": before.created_at,
                          "seed": after.seed, "created_at": after.created_at, "reason": after.reason})
    return found


def member_archive(queries: ResultQueries, participant_id: int) -> list[dict]:
    """One row per phase synced so far: valid attempts, total, rank, titles."""
    rules = queries.rules
    pt = phase_totals.c
    with queries.connect() as connection:
        person = connection.execute(select(participants).where(participants.c.id == participant_id)).first()
        if person is None:
            raise UsageError("no participant with id {id}", id=participant_id)
        rows = []
        for phase in queries.synced_phases():
            total = connection.execute(select(pt.valid_attempts, pt.score, pt.rank).where(
                pt.phase == phase.id, pt.participant_id == participant_id)).first()
            title = ""
            if total is not None and person.is_party_member:
                if phase.kind == "final":
                    tier = rules.exemplar_tier(total.rank)
                    title = rules.exemplar_title if tier else ""
                else:
                    drawn = current_draw(connection, rules.pioneer_draw(phase.id))
                    won = drawn is not None and any(w.participant_id == participant_id for w in drawn.winners)
                    title = rules.pioneer_title if total.rank <= rules.pioneer_top_count or won else ""
            rows.append({"period": phase.id, "valid_attempts": total.valid_attempts if total else 0,
                         "score": total.score if total else 0, "rank": total.rank if total else None,
                         "title": title})
    return rows


def branch_archive(queries: ResultQueries, branch_id: int) -> tuple[list[dict], list[str]]:
    """One row per preliminary period synced so far: members, participants, rate, score, rank,
    title holders; and the periods whose random draw has not been run (their title holders are
    the top of the ranking only, and the rank may still move on that tie-breaker)."""
    _known_org(queries, branch_id, ("branch",))
    p = participants.c
    with queries.connect() as connection:
        if connection.execute(select(p.id).where(p.branch_id == branch_id, p.is_party_member == 1).limit(1)).first() \
                is None:
            raise UsageError("branch {id} has no registered party members", id=branch_id)
    rows, undrawn = [], []
    synced = [phase for phase in queries.synced_phases() if phase.kind == "preliminary"]
    with queries.connect() as connection:
        recorded = {phase.id: current_draw(connection, queries.rules.pioneer_draw(phase.id)) for phase in synced}
    for phase in synced:
        draw = recorded[phase.id]
        if draw is None:
            undrawn.append(phase.id)
        ranking = queries.branch_ranking(phase, draw)
        row = next((r for r in ranking if r["branch_id"] == branch_id), None)
        if row is None:  # fewer registered party members than a ranked branch needs
            members = ledger_members(queries, branch_id, phase)
            took = [m for m in members if m["took_part"]]
            row = {"party_members": len(members), "participants": len(took),
                   "participation_rate": len(took) / len(members) if members else 0.0,
                   "score": sum(m["score"] for m in took) / len(members) if members else 0.0,
                   "rank": None, "title_holders": None}
        rows.append({"period": phase.id, "party_members": row["party_members"],
                     "participants": row["participants"], "participation_rate": row["participation_rate"],
                     "score": row["score"], "rank": row["rank"], "title_holders": row["title_holders"]})
    return rows, undrawn


def due_date(rules, phase: Phase) -> date:
    last = phase.last_day
    year, month = (last.year + 1, 1) if last.month == 12 else (last.year, last.month + 1)
    return date(year, month, rules.payout_due_day)


def payouts(results: Results, period_id: str | None, seed: str | None, final: bool,
            run: bool = True) -> tuple[list[dict], list[str]]:
    """Who is paid what, to which phone, by when; and the days whose lottery was not drawn yet.
    Given a seed for a period whose random draw is not recorded yet, the draw is run and
    recorded first (results.recorder); `run=False` (the office): the recorded draw only."""
    rules = results.rules
    rows: list[dict] = []
    missing: list[str] = []
    if final:
        due = due_date(rules, rules.final).isoformat()
        for row in results.final_standings():
            if row["tier"] is not None:
                rows.append({"award": f"exemplar-tier-{row['tier']}", "order": row["rank"],
                             "participant_id": row["participant_id"], "name": row["name"], "phone": row["phone"],
                             "amount_yuan": row["amount_yuan"], "prize": "话费", "due_date": due})
        return rows, missing
    phase = results.phase(period_id, preliminary_only=True)
    due = due_date(rules, phase).isoformat()
    for row in results.awards(phase.id, seed, run=run):
        rows.append({"award": row["award"], "order": row["order"], "participant_id": row["participant_id"],
                     "name": row["name"], "phone": row["phone"], "amount_yuan": row["amount_yuan"],
                     "prize": "话费", "due_date": due})
    with results.connect() as connection:
        for day in phase.days():
            drawn = current_draw(connection, rules.lottery_draw(day))
            if drawn is None:
                missing.append(day.isoformat())
                continue
            people = {r.id: r for r in connection.execute(select(participants).where(
                participants.c.id.in_([w.participant_id for w in drawn.winners])))} if drawn.winners else {}
            for order, winner in enumerate(drawn.winners, start=1):
                person = people[winner.participant_id]
                rows.append({"award": rules.lottery_draw(day), "order": order, "participant_id": person.id,
                             "name": person.name, "phone": person.phone, "amount_yuan": 0,
                             "prize": rules.lottery_prize, "due_date": due})
    return rows, missing


def period_report_data(queries: ResultQueries, org_id: int, period_id: str) -> dict:
    """Everything the period report (汇报材料) of a committee or a branch shows."""
    rules = queries.rules
    phase = queries.phase(period_id, preliminary_only=True)
    org = _known_org(queries, org_id, ("branch", "committee", "unit"))
    p, pt, o = participants.c, phase_totals.c, organizations.c
    with queries.connect() as connection:
        if org.level == "branch":
            branch_ids = [org.id]
        else:
            branch_ids = list(connection.execute(select(org_branches.c.branch_id).where(
                org_branches.c.ancestor_id == org.id).order_by(org_branches.c.branch_id)).scalars())
        if not branch_ids:
            raise UsageError("{name} has no branches", name=org.name)
        names = dict(connection.execute(select(o.id, o.name).where(o.id.in_(branch_ids))).all())
        members = connection.execute(
            select(p.id, p.name, p.phone, p.branch_id, pt.valid_attempts, pt.share_credit_attempts, pt.score, pt.rank,
                   pt.days_mask)
            .select_from(participants.outerjoin(phase_totals, (pt.participant_id == p.id) & (pt.phase == phase.id)))
            .where(p.branch_id.in_(branch_ids), p.is_party_member == 1).order_by(p.branch_id, p.id)).all()
        # The days each member took part are bits of days_mask (0 = the period's first day).
        per_day = Counter(bit for m in members if m.days_mask for bit in range(m.days_mask.bit_length())
                          if m.days_mask >> bit & 1)
        drawn = current_draw(connection, rules.pioneer_draw(phase.id))
        lotteries = [(day, current_draw(connection, rules.lottery_draw(day))) for day in phase.days()]
        redraws = _redraws(connection, [rules.pioneer_draw(phase.id)] + [rules.lottery_draw(d) for d in phase.days()])
    if not members:
        raise UsageError("{name} has no registered party members", name=org.name)
    winners = {w.participant_id for w in drawn.winners} if drawn else set()
    by_id = {m.id: m for m in members}
    of_branch: dict[int, list] = {}
    for m in members:
        of_branch.setdefault(m.branch_id, []).append(m)
    branches = []
    for branch_id in branch_ids:
        own = of_branch.get(branch_id)
        if not own:
            continue
        took = [m for m in own if m.valid_attempts]
        branches.append({"branch_id": branch_id, "name": names[branch_id], "party_members": len(own),
                         "participants": len(took), "participation_rate": len(took) / len(own),
                         "score": sum(m.score or 0 for m in took) / len(own)})
    took_part = [m for m in members if m.valid_attempts]
    pioneers = [m for m in took_part if m.rank <= rules.pioneer_top_count or m.id in winners]
    excellent = next((row for row in excellent_organisations(queries, period_id) if row["committee_id"] == org.id),
                     None)
    return {
        "competition": rules.competition_name, "period": phase.id, "first_day": phase.first_day,
        "last_day": phase.last_day, "org": {"id": org.id, "name": org.name, "level": org.level},
        "party_members": len(members), "participants": len(took_part),
        "participation_rate": len(took_part) / len(members),
        "score": sum(m.score or 0 for m in took_part) / len(members),
        "total": sum(m.score or 0 for m in took_part),
        "share_bonus_attempts": sum(m.share_credit_attempts or 0 for m in took_part),
        "valid_attempts": sum(m.valid_attempts or 0 for m in took_part),
        "daily": [{"day": day, "participants": per_day.get(offset, 0)} for offset, day in enumerate(phase.days())],
        "branches": branches,
        "members": [{"participant_id": m.id, "name": m.name, "phone": m.phone, "branch": names[m.branch_id],
                     "valid_attempts": m.valid_attempts or 0, "share_bonus_attempts": m.share_credit_attempts or 0,
                     "score": m.score or 0, "rank": m.rank} for m in sorted(took_part, key=lambda m: m.rank)],
        "pioneers": [{"participant_id": m.id, "name": m.name, "branch": names[m.branch_id], "rank": m.rank,
                      "drawn": m.rank > rules.pioneer_top_count} for m in sorted(pioneers, key=lambda m: m.rank)],
        "pioneer_draw": None if drawn is None else {"seed": drawn.seed, "created_at": drawn.created_at},
        "redraws": redraws,
        # The daily lottery's winners among the members, day by day (days not drawn yet listed apart).
        "lottery_winners": [{"day": day, "participant_id": w.participant_id, "name": by_id[w.participant_id].name,
                             "branch": names[by_id[w.participant_id].branch_id]}
                            for day, draw in lotteries if draw is not None
                            for w in sorted(draw.winners, key=lambda w: w.participant_id)
                            if w.participant_id in by_id],
        "lottery_undrawn": [day for day, draw in lotteries if draw is None],
        "excellent": excellent,
        "absent": [{"participant_id": m.id, "name": m.name, "phone": m.phone, "branch": names[m.branch_id]}
                   for m in members if not m.valid_attempts],
    }
