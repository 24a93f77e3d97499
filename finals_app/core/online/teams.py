"""From the online rounds to the stage: each unit's candidates for its team of three
(rules.md section 4).

Eligible: party members of the unit (the `unit` ancestor of their branch) holding a pioneer title
of any period (top of the period's ranking, or drawn in the period's recorded random draw) or an
exemplar title (top of the online final). Order: online-final rank asc (people without one after
those with one), best single-period preliminary total desc, participant id asc. The first
`team_size` are proposed; a unit with fewer is flagged, never padded.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from finals_app.core.online.queries import ResultQueries
from finals_app.core.store.schema import draw_winners, draws, organizations, participants, phase_totals


EXEMPLAR = "exemplar"


def _titles_text(rules, held: set[str]) -> str:
    """灯塔学习先锋(P1、P3)、灯塔学习标兵"""
    periods = [p.id for p in rules.periods if p.id in held]
    parts = [f"{rules.pioneer_title}({'、'.join(periods)})"] if periods else []
    if EXEMPLAR in held:
        parts.append(rules.exemplar_title)
    return "、".join(parts)


# Keys a buzzer box can send that are not the host's shortcuts.
BUZZER_KEYS = "1234567890QWEYIDFGHKLZVM"


@dataclass
class TeamProposal:
    rows: list[dict]
    missing_draws: list[str]  # periods with results whose random draw has not been run


def propose_teams(queries: ResultQueries) -> TeamProposal:
    rules = queries.rules
    pt, p, o = phase_totals.c, participants.c, organizations.c
    titles: dict[int, set[str]] = {}
    best: dict[int, int] = {}
    missing: list[str] = []
    with queries.connect() as connection:
        for period in rules.periods:
            has_results = connection.execute(select(pt.rank).where(pt.phase == period.id).limit(1)).first()
            if has_results is None:
                continue
            top = select(pt.participant_id).where(pt.phase == period.id, pt.rank <= rules.pioneer_top_count,
                                                  pt.is_party_member == 1)
            for person in connection.execute(top).scalars():
                titles.setdefault(person, set()).add(period.id)
            latest = connection.execute(select(draws.c.id).where(draws.c.name == rules.pioneer_draw(period.id))
                                        .order_by(draws.c.id.desc()).limit(1)).scalar()
            if latest is None:
                missing.append(period.id)
            else:
                drawn = select(draw_winners.c.participant_id).join(
                    participants, p.id == draw_winners.c.participant_id).where(
                    draw_winners.c.draw_id == latest, p.is_party_member == 1)
                for person in connection.execute(drawn).scalars():
                    titles.setdefault(person, set()).add(period.id)
        last_exemplar = rules.exemplar_tiers[-1].last_rank if rules.exemplar_tiers else 0
        exemplars = select(pt.participant_id).where(pt.phase == rules.final.id, pt.rank <= last_exemplar)
        for person in connection.execute(exemplars).scalars():
            titles.setdefault(person, set()).add(EXEMPLAR)
        # Only the title holders are candidates: their final rank, best preliminary and names are
        # read by their keys (a province has a few thousand, not the 4 M rows of every period).
        people, final_rank = {}, {}
        ids = sorted(titles)
        periods = [period.id for period in rules.periods]
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            query = select(p.id, p.name, p.phone, p.is_party_member, o.unit_id).join(
                organizations, o.id == p.branch_id).where(p.id.in_(chunk))
            for row in connection.execute(query):
                people[row.id] = row
            for person, rank in connection.execute(
                    select(pt.participant_id, pt.rank).where(pt.phase == rules.final.id, pt.participant_id.in_(chunk))):
                final_rank[person] = rank
            # A period at a time: the people's ranks from the (phase, person) index, then their
            # rows by the (phase, rank) key. (Asked for the score at once, SQLite, with no
            # statistics, reads the whole period: every period's 4 M rows were 1 s of 1.2 s.)
            for period in periods:
                ranks = select(pt.rank).where(pt.phase == period, pt.participant_id.in_(chunk))
                by_person = select(pt.participant_id, pt.score).where(pt.phase == period, pt.rank.in_(ranks))
                for person, score in connection.execute(by_person):
                    best[person] = max(best.get(person, int(score)), int(score))
        units = connection.execute(select(o.id, o.name).where(o.level == "unit").order_by(o.id)).all()
    by_unit: dict[int, list[int]] = {}
    for person, row in people.items():
        if row.is_party_member == 1 and row.unit_id is not None:
            by_unit.setdefault(row.unit_id, []).append(person)
    rows = []
    size = rules.team_size
    for unit_id, unit_name in units:
        candidates = sorted(by_unit.get(unit_id, []), key=lambda person: (
            final_rank.get(person) is None, final_rank.get(person, 0), -best.get(person, 0), person))
        flag = "" if len(candidates) >= size else "short"
        if not candidates:
            rows.append({"unit_id": unit_id, "unit_name": unit_name, "slot": None, "participant_id": None,
                         "name": None, "phone": None, "final_rank": None, "best_prelim_total": None,
                         "titles": "", "flag": "no_eligible_members"})
        for slot, person in enumerate(candidates, start=1):
            row = people[person]
            rows.append({"unit_id": unit_id, "unit_name": unit_name, "slot": slot, "participant_id": person,
                         "name": row.name, "phone": row.phone, "final_rank": final_rank.get(person),
                         "best_prelim_total": best.get(person), "titles": _titles_text(rules, titles[person]),
                         "flag": flag if slot <= size else "alternate", "proposed": slot <= size})
    return TeamProposal(rows, missing)


def contest_skeleton(proposal: TeamProposal, competition: str, team_size: int,
                     chosen: dict[int, list[int]] | None = None) -> str:
    """A contest file with the proposed teams, or with the members the organiser `chosen` per
    unit (participant ids), to complete with judges and questions."""
    lines = ["# 由 finals-app teams 生成:各单位参赛代表队(按线上成绩推荐,请确认或调整)。",
             "[contest]", f'name = "{competition}线下总决赛"', 'date = ""', 'venue = ""',
             'judges = ["评委一", "评委二", "评委三"]', 'chief_judge = "评委一"', "",
             "[prizes]", "first = 1", "second = 2", "third = 3", ""]
    teams: dict[int, list[dict]] = {}
    names: dict[int, str] = {}
    for row in proposal.rows:
        names[row["unit_id"]] = row["unit_name"]
        picked = (row["participant_id"] in chosen.get(row["unit_id"], ())) if chosen is not None \
            else row.get("proposed")
        if picked:
            teams.setdefault(row["unit_id"], []).append(row)
    for index, (unit_id, members) in enumerate(sorted(teams.items()), start=1):
        listed = ", ".join(f'"{m["name"]}"' for m in members)
        note = "" if len(members) >= team_size else f"  # 仅 {len(members)} 名符合条件的队员,请补充"
        lines += ["[[teams]]", f'id = "unit{unit_id}"', f'unit = "{names[unit_id]}"',
                  f"members = [{listed}]{note}", f'buzzer_key = "{BUZZER_KEYS[(index - 1) % len(BUZZER_KEYS)]}"', ""]
    lines += ['[[rounds]]', 'id = "compulsory"', 'type = "compulsory"', 'title = "第一轮 必答题"',
              "questions_per_team = 4", "", '[[rounds]]', 'id = "buzzer"', 'type = "buzzer"',
              'title = "第二轮 抢答题"', "questions = 12", "", '[[rounds]]', 'id = "risk"', 'type = "risk"',
              'title = "第二轮 风险题"', "questions_per_team = 1", "",
              "# 题库:[[banks]] file = \"题库.xlsx\"(列:题型、题干、选项A…、答案、解析、出处、轮次)", ""]
    return "\n".join(lines)
