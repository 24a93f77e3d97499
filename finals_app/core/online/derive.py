"""The rules of rules.md as set-based SQL (SQLAlchemy Core), run inside the store's database.

From the synced attempts and shares and the rules in force this builds:
- attempt_status: every attempt that started in a scored window, with its phase, local day,
  duration, perfection and, when invalid, the reason;
- phase_totals: per phase and person, the total of valid attempts, the distinct rank and the
  days with a valid attempt (as bits);
- branch_totals: per phase and branch, what the organisation rankings add up.

The allowance walk of rules.md section 2 (first attempt(s) of each day, then share credits
earned at or before an attempt's start, each used once) is computed without a loop. Put a
person's extra attempts and credits of a phase on one time line (a credit at the same instant
first), number the extras k = 1, 2, ... and let avail_k be the credits earned by extra k. Greedy use gives used_k = k + min(0, min_{j<=k}(avail_j - j)),
and extra k is valid exactly when used_k > used_{k-1}. Invalid attempts use nothing.
"""
from __future__ import annotations

from sqlalchemy import (BigInteger, Column, Float, Integer, MetaData, Table, and_, case, cast, delete,
                        distinct, func, insert, literal, or_, select, true, union_all, update)

from finals_app.core.rules import Rules
from finals_app.core.store.engine import read_meta, write_meta
from finals_app.core.store.schema import (DERIVED_TABLES, Id, attempt_status, attempts, branch_totals,
                                          participants, phase_totals, shares)

DAY_MS = 86_400_000

REASON_FINISH_BEFORE_START = "finish_before_start"
REASON_QUESTION_COUNT = "wrong_question_count"
REASON_CORRECT_COUNT = "correct_count_out_of_range"
REASON_SCORE_MISMATCH = "score_mismatch"
REASON_ALLOWANCE = "over_daily_allowance"
REASONS = (REASON_FINISH_BEFORE_START, REASON_QUESTION_COUNT, REASON_CORRECT_COUNT,
           REASON_SCORE_MISMATCH, REASON_ALLOWANCE)


# Bumped whenever a derived table changes shape: an older store rebuilds them on first use.
DERIVED_SCHEMA = "2"


def derived_key(rules: Rules, data_version: str) -> str:
    return f"{DERIVED_SCHEMA}:{rules.digest}:{data_version}"


def is_derived(connection, rules: Rules) -> bool:
    version = read_meta(connection, "data_version")
    return version is not None and read_meta(connection, "derived_for") == derived_key(rules, version)


def ensure_derived(engine, rules: Rules) -> None:
    """Rebuild the derived tables when the data or the rules in force have changed."""
    with engine.connect() as connection:
        if is_derived(connection, rules) or read_meta(connection, "data_version") is None:
            return
    with engine.begin() as connection:
        if not is_derived(connection, rules):
            derive(connection, rules)


def _phase_case(rules: Rules, instant):
    whens = []
    for phase in rules.phases:
        inside = or_(*[and_(instant >= w.start_ms, instant < w.end_ms) for w in phase.windows])
        whens.append((inside, literal(phase.id)))
    return case(*whens, else_=None)


def _per_phase(rules: Rules, phase_column, attribute: str):
    return case(*[(phase_column == p.id, literal(getattr(p, attribute))) for p in rules.phases])


def derive(connection, rules: Rules) -> None:
    """Recompute the derived tables (inside the caller's transaction)."""
    if read_meta(connection, "derived_schema") != DERIVED_SCHEMA:
        for table in reversed(DERIVED_TABLES):
            table.drop(connection, checkfirst=True)
        for table in DERIVED_TABLES:
            table.create(connection)
        write_meta(connection, "derived_schema", DERIVED_SCHEMA)
    for table in reversed(DERIVED_TABLES):
        connection.execute(delete(table))
    _insert_attempt_status(connection, rules)
    _apply_allowance(connection, rules)
    _insert_phase_totals(connection, rules)
    _insert_branch_totals(connection, rules)
    write_meta(connection, "derived_for", derived_key(rules, read_meta(connection, "data_version") or "0"))


def _insert_attempt_status(connection, rules: Rules) -> None:
    offset_ms = rules.utc_offset_hours * 3_600_000
    a = attempts.c
    scored = select(
        a.id.label("attempt_id"), a.participant_id, _phase_case(rules, a.started_ms).label("phase"),
        a.started_ms, a.finished_ms, a.question_count, a.correct_count, a.score,
    ).subquery("scored")
    s = scored.c
    expected_questions = _per_phase(rules, s.phase, "question_count")
    points = _per_phase(rules, s.phase, "points_per_correct")
    reason = case(
        (s.finished_ms < s.started_ms, literal(REASON_FINISH_BEFORE_START)),
        (s.question_count != expected_questions, literal(REASON_QUESTION_COUNT)),
        (or_(s.correct_count < 0, s.correct_count > s.question_count), literal(REASON_CORRECT_COUNT)),
        (s.score != s.correct_count * points, literal(REASON_SCORE_MISMATCH)),
        else_=None,
    )
    rows = select(
        s.attempt_id, s.participant_id, s.phase,
        ((s.started_ms + offset_ms) // DAY_MS).label("day"),
        s.started_ms, s.finished_ms, (s.finished_ms - s.started_ms).label("duration_ms"), s.score,
        case((s.correct_count == s.question_count, 1), else_=0).label("perfect"),
        literal(0).label("share_credit"), reason.label("reason"),
    ).where(s.phase.is_not(None))
    connection.execute(insert(attempt_status).from_select(
        ["attempt_id", "participant_id", "phase", "day", "started_ms", "finished_ms",
         "duration_ms", "score", "perfect", "share_credit", "reason"], rows))


def _apply_allowance(connection, rules: Rules) -> None:
    t = attempt_status.c
    # 1. The first attempts_per_day data-valid attempts of each day are the daily attempts;
    #    the others ("extras") need a share credit.
    numbered = select(
        t.attempt_id, t.participant_id, t.phase, t.started_ms,
        func.row_number().over(partition_by=(t.participant_id, t.phase, t.day),
                               order_by=(t.started_ms, t.attempt_id)).label("nth_of_day"),
    ).where(t.reason.is_(None)).subquery("numbered")
    n = numbered.c
    extras = select(n.participant_id, n.phase, n.started_ms.label("at"), literal(1).label("is_attempt"),
                    n.attempt_id.label("event_id")).where(
        n.nth_of_day > _per_phase(rules, n.phase, "attempts_per_day"))

    # 2. Credits: the first share_credits shares of a person inside the phase's windows.
    sh = shares.c
    in_phase = select(sh.participant_id, _phase_case(rules, sh.shared_ms).label("phase"), sh.shared_ms,
                      sh.id).subquery("in_phase")
    c = in_phase.c
    ordered = select(c.participant_id, c.phase, c.shared_ms, c.id, func.row_number().over(
        partition_by=(c.participant_id, c.phase), order_by=(c.shared_ms, c.id)).label("nth")).where(
        c.phase.is_not(None)).subquery("ordered_credits")
    oc = ordered.c
    credits = select(oc.participant_id, oc.phase, oc.shared_ms.label("at"), literal(0).label("is_attempt"),
                     oc.id.label("event_id")).where(oc.nth <= _per_phase(rules, oc.phase, "share_credits"))

    # 3. One time line per person and phase; a credit at the very instant of an attempt counts.
    events = extras.union_all(credits).subquery("events")
    ev = events.c
    line = (ev.participant_id, ev.phase)
    order = (ev.at, ev.is_attempt, ev.event_id)
    counted = select(
        ev.participant_id, ev.phase, ev.is_attempt, ev.event_id,
        func.sum(1 - ev.is_attempt).over(partition_by=line, order_by=order, rows=(None, 0)).label("avail"),
        func.sum(ev.is_attempt).over(partition_by=line, order_by=order, rows=(None, 0)).label("k"),
    ).subquery("counted")
    w = counted.c
    slack = select(w.participant_id, w.phase, w.event_id, w.k, (w.avail - w.k).label("slack")).where(
        w.is_attempt == 1).subquery("slack")
    sl = slack.c
    running = func.min(sl.slack).over(partition_by=(sl.participant_id, sl.phase), order_by=sl.k, rows=(None, 0))
    used = select(sl.participant_id, sl.phase, sl.event_id, sl.k,
                  (sl.k + case((running < 0, running), else_=0)).label("used")).subquery("used")
    u = used.c
    previous = func.lag(u.used, 1, 0).over(partition_by=(u.participant_id, u.phase), order_by=u.k)
    decided = select(u.event_id, case((u.used > previous, 1), else_=0))

    # 4. Decide once (into a temporary table), then mark.
    decisions = Table("allowance_decisions", MetaData(), Column("attempt_id", Id, primary_key=True,
                      autoincrement=False), Column("granted", Integer, nullable=False), prefixes=["TEMPORARY"])
    decisions.drop(connection, checkfirst=True)
    decisions.create(connection)
    connection.execute(insert(decisions).from_select(["attempt_id", "granted"], decided))
    d = decisions.c
    connection.execute(update(attempt_status).where(
        t.attempt_id.in_(select(d.attempt_id).where(d.granted == 0))).values(reason=REASON_ALLOWANCE))
    connection.execute(update(attempt_status).where(
        t.attempt_id.in_(select(d.attempt_id).where(d.granted == 1))).values(share_credit=1))
    decisions.drop(connection)


def ranking_order(rules: Rules, columns) -> list:
    """ORDER BY terms for the personal ranking, in the order the rules file gives."""
    terms = {
        "score_desc": columns.score.desc(),
        "average_duration_asc": (cast(columns.duration_ms, Float) / columns.valid_attempts).asc(),
        "last_finish_asc": columns.last_finish_ms.asc(),
        "participant_id_asc": columns.participant_id.asc(),
    }
    return [terms[key] for key in rules.ranking_order]


def _insert_phase_totals(connection, rules: Rules) -> None:
    t = attempt_status.c
    last = func.row_number().over(partition_by=(t.phase, t.participant_id),
                                  order_by=(t.started_ms.desc(), t.attempt_id.desc()))
    valid = select(t.phase, t.participant_id, t.day, t.score, t.duration_ms, t.perfect, t.share_credit,
                   t.finished_ms, last.label("from_last")).where(t.reason.is_(None)).subquery("valid")
    v = valid.c
    # The days taken part as bits; the distinct powers of two add up to their OR.
    day_bit = cast(literal(1), BigInteger).op("<<", return_type=BigInteger)(
        v.day - _per_phase(rules, v.phase, "first_day_number"))
    grouped = select(
        v.phase, v.participant_id,
        func.sum(v.score).label("score"),
        func.sum(v.duration_ms).label("duration_ms"),
        func.count().label("valid_attempts"),
        func.sum(v.perfect).label("perfect_attempts"),
        func.sum(v.share_credit).label("share_credit_attempts"),
        func.max(case((v.from_last == 1, v.finished_ms))).label("last_finish_ms"),
        func.sum(distinct(day_bit)).label("days_mask"),
    ).group_by(v.phase, v.participant_id).subquery("grouped")
    g = grouped.c
    p = participants.c
    ranked = select(
        g.phase, func.row_number().over(partition_by=g.phase, order_by=ranking_order(rules, g)).label("rank"),
        g.participant_id, p.name, p.phone, p.branch_id, p.is_party_member, g.score, g.duration_ms,
        g.valid_attempts, g.perfect_attempts, g.share_credit_attempts, g.last_finish_ms, g.days_mask,
    ).join_from(grouped, participants, p.id == g.participant_id).subquery("ranked")
    columns = ["phase", "rank", "participant_id", "name", "phone", "branch_id", "is_party_member", "score",
               "duration_ms", "valid_attempts", "perfect_attempts", "share_credit_attempts", "last_finish_ms",
               "days_mask"]
    # In clustered order, so the table is written front to back.
    connection.execute(insert(phase_totals).from_select(
        columns, select(*[ranked.c[c] for c in columns]).order_by(ranked.c.phase, ranked.c.rank)))


def _insert_branch_totals(connection, rules: Rules) -> None:
    """Per phase and branch with registered party members: those members, the ones among them
    with a valid attempt, their total and how many rank in the period's top."""
    p, pt = participants.c, phase_totals.c
    members = select(p.branch_id, func.count().label("party_members")).where(
        p.is_party_member == 1).group_by(p.branch_id).subquery("members")
    took_part = select(
        pt.phase, pt.branch_id, func.count().label("participants"), func.sum(pt.score).label("total"),
        func.sum(case((pt.rank <= rules.pioneer_top_count, 1), else_=0)).label("top_holders"),
    ).where(pt.is_party_member == 1).group_by(pt.phase, pt.branch_id).subquery("took_part")
    phases = union_all(*[select(literal(phase.id).label("phase")) for phase in rules.phases]).subquery("phases")
    m, k = members.c, took_part.c
    rows = (select(phases.c.phase, m.branch_id, m.party_members, func.coalesce(k.participants, 0),
                   func.coalesce(k.total, 0), func.coalesce(k.top_holders, 0))
            .select_from(phases.join(members, true()))
            .outerjoin(took_part, (k.phase == phases.c.phase) & (k.branch_id == m.branch_id)))
    connection.execute(insert(branch_totals).from_select(
        ["phase", "branch_id", "party_members", "participants", "total", "top_holders"], rows))


def bump_data_version(connection) -> str:
    version = str(int(read_meta(connection, "data_version") or "0") + 1)
    write_meta(connection, "data_version", version)
    return version
