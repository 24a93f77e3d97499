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

from contextlib import contextmanager

from sqlalchemy import (BigInteger, Column, Float, MetaData, String, Table, and_, case, cast, delete,
                        distinct, func, insert, literal, or_, select, true, tuple_, union_all, update)

from finals_app.core.online.versions import DERIVED_SCHEMA, built_for, derived_key
from finals_app.core.rules import Rules
from finals_app.core.store.bulk import deferred_indexes
from finals_app.core.store.engine import read_meta, write_meta
from finals_app.core.store.schema import (DERIVED_TABLES, attempt_status, attempts, branch_totals,
                                          participants, phase_totals, shares)
from finals_app.core.tables.masking import MASKING_VERSION, mask_name, mask_phone

DAY_MS = 86_400_000

REASON_FINISH_BEFORE_START = "finish_before_start"
REASON_QUESTION_COUNT = "wrong_question_count"
REASON_CORRECT_COUNT = "correct_count_out_of_range"
REASON_SCORE_MISMATCH = "score_mismatch"
REASON_ALLOWANCE = "over_daily_allowance"
REASONS = (REASON_FINISH_BEFORE_START, REASON_QUESTION_COUNT, REASON_CORRECT_COUNT,
           REASON_SCORE_MISMATCH, REASON_ALLOWANCE)


def is_derived(connection, rules: Rules) -> bool:
    version = read_meta(connection, "data_version")
    return version is not None and read_meta(connection, "derived_for") == derived_key(rules, version)


def derived_for_rules(connection, rules: Rules) -> bool:
    """The derived tables were built for these rules (perhaps for older data)."""
    derived = read_meta(connection, "derived_for") or ""
    return read_meta(connection, "derived_schema") == DERIVED_SCHEMA and derived.rsplit(":", 1)[0] == built_for(rules)


def ensure_derived(engine, rules: Rules) -> None:
    """Rebuild the derived tables when the data or the rules in force have changed."""
    with engine.connect() as connection:
        if is_derived(connection, rules) or read_meta(connection, "data_version") is None:
            return
    with engine.begin() as connection:
        if not is_derived(connection, rules):
            derive(connection, rules)


def phase_case(rules: Rules, instant, phases=None):
    """SQL: the id of the phase an instant (ms) falls in, NULL outside every window."""
    whens = []
    for phase in phases or rules.phases:
        whens.append((_inside(phase, instant), literal(phase.id)))
    return case(*whens, else_=None)


def _inside(phase, instant):
    return or_(*[and_(instant >= w.start_ms, instant < w.end_ms) for w in phase.windows])


def derive(connection, rules: Rules, phase_ids=None, duck=None) -> str:
    """Recompute the derived tables (inside the caller's transaction): every phase, or only
    `phase_ids` (the others' inputs did not change). `duck`: the sync's derive_duck.Scratch,
    whose DuckDB computes the attempt statuses and the rankings of a SQLite store. Returns the
    engine that derived: "duckdb", or the store's ("sqlite", "postgresql")."""
    if read_meta(connection, "derived_schema") != DERIVED_SCHEMA:
        for table in reversed(DERIVED_TABLES):
            table.drop(connection, checkfirst=True)
        for table in DERIVED_TABLES:
            table.create(connection)
        write_meta(connection, "derived_schema", DERIVED_SCHEMA)
        phase_ids = None
    if read_meta(connection, "masks") != MASKING_VERSION:
        make_masks(connection)
        phase_ids = None  # every ranking copies them
    phases = [p for p in rules.phases if phase_ids is None or p.id in phase_ids]
    if phase_ids is None:
        for table in reversed(DERIVED_TABLES):
            connection.execute(delete(table))
    else:
        for table in reversed(DERIVED_TABLES):
            if phases:
                connection.execute(delete(table).where(table.c.phase.in_([p.id for p in phases])))
    if phases and duck is not None:
        _derive_by_duckdb(connection, rules, phases, duck)
        _insert_branch_totals(connection, rules, phases)
    elif phases:
        rebuild = deferred_indexes(connection, attempt_status)  # a server store's whole derive
        _insert_attempt_status(connection, rules, phases)
        if rebuild is not None:
            rebuild()
        granted = _temporary(connection, "allowance_granted", ("participant_id", "granted"), ("phase",),
                             index=("phase", "participant_id"))
        for phase in phases:
            _apply_allowance(connection, rules, phase, granted)
        rebuild = deferred_indexes(connection, phase_totals)
        _insert_phase_totals(connection, rules, phases, granted)
        if rebuild is not None:
            rebuild()
        granted.drop(connection)
        _insert_branch_totals(connection, rules, phases)
    write_meta(connection, "derived_for", derived_key(rules, read_meta(connection, "data_version") or "0"))
    return "duckdb" if duck is not None and phases else connection.dialect.name


def _derive_by_duckdb(connection, rules: Rules, phases, duck) -> None:
    """derive_duck.py computes, the store's connection lands the rows (its transaction)."""
    from pathlib import Path

    from finals_app.core.errors import FinalsError
    from finals_app.core.online import derive_duck
    store_file = Path(connection.engine.url.database).resolve()
    try:
        derive_duck.compute(store_file, duck, rules, phases)
    except derive_duck.DuckDBFailed as error:
        raise FinalsError("DuckDB could not derive the results ({reason}); nothing was changed: sync again, or "
                          "set {env}=sqlite to derive with SQLite", reason=str(error),
                          env=derive_duck.ENGINE_ENV) from None
    derive_duck.land(connection)


def make_masks(connection, batch: int = 20_000) -> None:
    """Every person's published name and phone (masking.py), for a store whose masks are of
    another version or were never made (synced before they were kept)."""
    from sqlalchemy import bindparam
    p = participants.c
    statement = update(participants).where(p.id == bindparam("person")).values(
        masked_name=bindparam("name_mask"), masked_phone=bindparam("phone_mask"))
    last = None
    while True:
        query = select(p.id, p.name, p.phone).order_by(p.id).limit(batch)
        if last is not None:
            query = query.where(p.id > last)
        rows = connection.execute(query).all()
        if not rows:
            break
        connection.execute(statement, [{"person": person, "name_mask": mask_name(name), "phone_mask": mask_phone(phone)}
                                       for person, name, phone in rows])
        last = rows[-1][0]
    write_meta(connection, "masks", MASKING_VERSION)


def refresh_people(connection, rules: Rules, participant_ids_table, branch_ids_table) -> None:
    """After people's rows changed (a phone, a name, a branch, membership; added or gone):
    their columns in the rankings, and every phase's totals of the branches they were or are
    in (`branch_ids_table`), without re-deriving any phase. (Every branch's totals were made
    again: 5 s of a newer export's 83 at province scale.)"""
    p, pt = participants.c, phase_totals.c
    connection.execute(update(phase_totals).where(pt.participant_id.in_(select(participant_ids_table.c.id))).values(
        {column: select(p[column]).where(p.id == pt.participant_id).scalar_subquery()
         for column in ("name", "phone", "masked_name", "masked_phone", "branch_id", "is_party_member")}))
    chosen = select(branch_ids_table.c.id)
    connection.execute(delete(branch_totals).where(branch_totals.c.branch_id.in_(chosen)))
    _insert_branch_totals(connection, rules, list(rules.phases), chosen)


def _insert_attempt_status(connection, rules: Rules, phases) -> None:
    """One statement a phase, in the phases' key order: the phase, its question count and its
    points are constants there (a CASE over the phases in a subquery that SQLite flattens was
    evaluated at every mention: 21 s of a province period's 44), and the sort's first key is an
    integer (the person), which SQLite's sorter compares without decoding the record."""
    offset_ms = rules.utc_offset_hours * 3_600_000
    a = attempts.c
    with _small_sort_cache(connection):
        for phase in sorted(phases, key=lambda p: p.id):
            earlier = [other for other in rules.phases[:rules.phases.index(phase)] if _overlaps(other, phase)]
            reason = case(
                (a.finished_ms < a.started_ms, literal(REASON_FINISH_BEFORE_START)),
                (a.question_count != phase.question_count, literal(REASON_QUESTION_COUNT)),
                (or_(a.correct_count < 0, a.correct_count > a.question_count), literal(REASON_CORRECT_COUNT)),
                (a.score != a.correct_count * phase.points_per_correct, literal(REASON_SCORE_MISMATCH)),
                else_=None,
            )
            rows = select(
                literal(phase.id, String), a.participant_id, ((a.started_ms + offset_ms) // DAY_MS).label("day"),
                a.started_ms, a.id, a.finished_ms, (a.finished_ms - a.started_ms).label("duration_ms"), a.score,
                case((a.correct_count == a.question_count, 1), else_=0).label("perfect"), reason.label("reason"),
            ).where(_inside(phase, a.started_ms), *[~_inside(other, a.started_ms) for other in earlier])
            if connection.dialect.name == "sqlite":
                # The clustered order, so the table is written front to back (the local day grows
                # with the start: it need not be sorted on). A server's heap has no such order.
                rows = rows.order_by(a.participant_id, a.started_ms, a.id)
            connection.execute(insert(attempt_status).from_select(
                ["phase", "participant_id", "day", "started_ms", "attempt_id", "finished_ms", "duration_ms", "score",
                 "perfect", "reason"], rows))


# SQLite's sorter holds up to the page cache's size in memory before it writes a sorted run; a
# run of 256 MiB (the store's cache) sorts slowly, and one thread sorts it while the others
# wait. With runs of 8 MiB the other cores sort and merge too: a province period's
# attempt_status 14.0 → 8.4 s here (4 MiB: 7.5 s, 16 MiB: 8.2 s, 32 MiB: 7.8 s).
SORT_CACHE_KIB = 8192


@contextmanager
def _small_sort_cache(connection):
    """SQLite: the page cache made small for a statement that sorts millions of rows, and put
    back after (a pragma of the connection, not of the transaction)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{SORT_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


def _overlaps(one, other) -> bool:
    """Two phases share an instant (an instant belongs to the first phase of the rules)."""
    return any(w.start_ms < v.end_ms and v.start_ms < w.end_ms for w in one.windows for v in other.windows)


def _apply_allowance(connection, rules: Rules, phase, granted_table: Table) -> None:
    """Marks the extras the allowance refuses; counts, per person, those a credit grants."""
    t = attempt_status.c
    key = (t.phase, t.participant_id, t.day, t.started_ms, t.attempt_id)
    # 1. The days on which a person has more data-valid attempts than the daily allowance (a
    #    grouped read in clustered order); only their attempts can be extras.
    crowded = select(t.participant_id, t.day).where(t.phase == phase.id, t.reason.is_(None)).group_by(
        t.participant_id, t.day).having(func.count() > phase.attempts_per_day).subquery("crowded")
    # (A list of keys, so that each crowded day is a seek into the clustered table.)
    numbered = select(
        *key, func.row_number().over(partition_by=(t.participant_id, t.day),
                                     order_by=(t.started_ms, t.attempt_id)).label("nth_of_day"),
    ).where(t.phase == phase.id, t.reason.is_(None), tuple_(t.participant_id, t.day).in_(
        select(crowded.c.participant_id, crowded.c.day))).subquery("numbered")
    n = numbered.c
    extra_rows = select(n.phase, n.participant_id, n.day, n.started_ms, n.attempt_id).where(
        n.nth_of_day > phase.attempts_per_day)
    extras_table = _temporary(connection, "allowance_extras", ("participant_id", "day", "started_ms", "attempt_id"),
                              ("phase",))
    connection.execute(insert(extras_table).from_select(
        ["phase", "participant_id", "day", "started_ms", "attempt_id"], extra_rows))
    x = extras_table.c
    decisions = _temporary(connection, "allowance_decisions",
                           ("participant_id", "day", "started_ms", "attempt_id", "granted"), ())
    if phase.share_credits > 0:
        # 2. Credits: the first share_credits shares of a person inside the phase's windows
        #    (of the people with extras), with their time.
        sh = shares.c
        ordered = select(sh.participant_id, sh.shared_ms, func.row_number().over(
            partition_by=sh.participant_id, order_by=(sh.shared_ms, sh.id)).label("nth")).where(
            _inside(phase, sh.shared_ms), sh.participant_id.in_(select(x.participant_id))).subquery("ordered_credits")
        credits = _temporary(connection, "allowance_credits", ("participant_id", "earned_ms"), (),
                             index=("participant_id", "earned_ms"))
        connection.execute(insert(credits).from_select(["participant_id", "earned_ms"], select(
            ordered.c.participant_id, ordered.c.shared_ms).where(ordered.c.nth <= phase.share_credits)))
        # 3. For the k-th extra of a person (in time order), avail = the credits earned at or
        #    before its start (a credit at the very instant counts): a seek per extra.
        cr = credits.c
        avail = select(func.count()).where(cr.participant_id == x.participant_id,
                                           cr.earned_ms <= x.started_ms).scalar_subquery()
        counted = select(
            x.participant_id, x.day, x.started_ms, x.attempt_id,
            func.row_number().over(partition_by=x.participant_id, order_by=(x.started_ms, x.attempt_id)).label("k"),
            avail.label("avail"),
        ).subquery("counted")
        w = counted.c
        running = func.min(w.avail - w.k).over(partition_by=w.participant_id, order_by=w.k, rows=(None, 0))
        low = select(w.participant_id, w.day, w.started_ms, w.attempt_id, w.k,
                     running.label("running")).subquery("running")
        r = low.c
        used = select(r.participant_id, r.day, r.started_ms, r.attempt_id, r.k,
                      (r.k + case((r.running < 0, r.running), else_=0)).label("used")).subquery("used")
        u = used.c
        previous = func.lag(u.used, 1, 0).over(partition_by=u.participant_id, order_by=u.k)
        decided = select(u.participant_id, u.day, u.started_ms, u.attempt_id, case((u.used > previous, 1), else_=0))
    else:
        credits = None
        decided = select(x.participant_id, x.day, x.started_ms, x.attempt_id, literal(0))
    # 4. Decide once, with each extra's clustered key; mark each refused extra by it (few, a
    #    seek each), count the granted ones per person (marking each granted row cost 4 s a
    #    province period).
    connection.execute(insert(decisions).from_select(["participant_id", "day", "started_ms", "attempt_id", "granted"],
                                                     decided))
    d = decisions.c
    refused = select(d.participant_id, d.day, d.started_ms, d.attempt_id).where(d.granted == 0)
    connection.execute(update(attempt_status).where(
        t.phase == phase.id, tuple_(t.participant_id, t.day, t.started_ms, t.attempt_id).in_(refused)).values(
        reason=REASON_ALLOWANCE))
    connection.execute(insert(granted_table).from_select(["phase", "participant_id", "granted"], select(
        literal(phase.id, String), d.participant_id, func.count()).where(d.granted == 1).group_by(d.participant_id)))
    decisions.drop(connection)
    extras_table.drop(connection)
    if credits is not None:
        credits.drop(connection)


def _temporary(connection, name: str, integer_columns, text_columns, index=None) -> Table:
    from sqlalchemy import Index
    columns = [Column(c, String(16)) for c in text_columns] + [Column(c, BigInteger) for c in integer_columns]
    extra = [Index(f"ix_{name}", *index)] if index else []
    table = Table(name, MetaData(), *columns, *extra, prefixes=["TEMPORARY"])
    table.drop(connection, checkfirst=True)
    table.create(connection)
    return table


def ranking_order(rules: Rules, columns) -> list:
    """ORDER BY terms for the personal ranking, in the order the rules file gives."""
    terms = {
        "score_desc": columns.score.desc(),
        "average_duration_asc": (cast(columns.duration_ms, Float) / columns.valid_attempts).asc(),
        "last_finish_asc": columns.last_finish_ms.asc(),
        "participant_id_asc": columns.participant_id.asc(),
    }
    return [terms[key] for key in rules.ranking_order]


def _insert_phase_totals(connection, rules: Rules, phases, granted_table: Table) -> None:
    largest_id = connection.execute(select(func.max(attempts.c.id))).scalar() or 0
    for phase in sorted(phases, key=lambda p: p.id):
        _insert_phase_ranking(connection, rules, phase, granted_table, largest_id)


def _last_key(phase, t, largest_id: int):
    """SQLite: a key that grows with (start, attempt id) inside the phase, for max(). An integer
    when both fit in one (the start from the phase's first instant, then the id: 2.4 s less
    than the text key a province period); the text key otherwise."""
    base = phase.windows[0].start_ms
    span_bits = (max(w.end_ms for w in phase.windows) - base).bit_length()
    id_bits = 62 - span_bits
    if id_bits > 0 and 0 <= largest_id < (1 << id_bits):
        return (t.started_ms - base) * (1 << id_bits) + t.attempt_id
    return func.printf("%020d%020d", t.started_ms, t.attempt_id)


def _insert_phase_ranking(connection, rules: Rules, phase, granted_table: Table, largest_id: int) -> None:
    t = attempt_status.c
    wanted = (t.phase == phase.id, t.reason.is_(None))
    if connection.dialect.name == "sqlite":
        # A grouped read of the valid attempts in clustered order. The finish of the last one
        # (by start, then id) is SQLite's bare column from the row holding the max() of a key
        # that grows with (start, id).
        source, rows, filters = attempt_status, t, wanted
        last_finish = t.finished_ms
        extra = [func.max(_last_key(phase, t, largest_id)).label("last_key")]
    else:
        # The finish of the last valid attempt by (start, id), in the primary key's own order
        # (the local day grows with the start): a server reads it from the key, without
        # sorting every attempt (a descending window sorted 30 M rows: 166 s of a sync).
        last = func.last_value(t.finished_ms).over(
            partition_by=(t.phase, t.participant_id), order_by=(t.day, t.started_ms, t.attempt_id), rows=(None, None))
        source = select(t.phase, t.participant_id, t.day, t.score, t.duration_ms, t.perfect,
                        last.label("last_finish")).where(*wanted).subquery("valid")
        rows, filters, extra = source.c, (), []
        last_finish = func.max(rows.last_finish)
    # The days taken part as bits; the distinct powers of two add up to their OR.
    day_bit = cast(literal(1), BigInteger).op("<<", return_type=BigInteger)(rows.day - phase.first_day_number)
    grouped = select(
        rows.phase, rows.participant_id,
        func.sum(rows.score).label("score"),
        func.sum(rows.duration_ms).label("duration_ms"),
        func.count().label("valid_attempts"),
        func.sum(rows.perfect).label("perfect_attempts"),
        last_finish.label("last_finish_ms"),
        func.sum(distinct(day_bit)).label("days_mask"),
        *extra,
    ).select_from(source).where(*filters).group_by(rows.phase, rows.participant_id).subquery("grouped")
    g = grouped.c
    p = participants.c
    c = granted_table.c
    ranked = select(
        g.phase, func.row_number().over(order_by=ranking_order(rules, g)).label("rank"),
        g.participant_id, p.name, p.phone, p.masked_name, p.masked_phone, p.branch_id, p.is_party_member,
        g.score, g.duration_ms,
        g.valid_attempts, g.perfect_attempts, func.coalesce(c.granted, 0).label("share_credit_attempts"),
        g.last_finish_ms, g.days_mask,
    ).join_from(grouped, participants, p.id == g.participant_id).outerjoin(
        granted_table, and_(c.phase == g.phase, c.participant_id == g.participant_id)).subquery("ranked")
    columns = ["phase", "rank", "participant_id", "name", "phone", "masked_name", "masked_phone", "branch_id",
               "is_party_member", "score",
               "duration_ms", "valid_attempts", "perfect_attempts", "share_credit_attempts", "last_finish_ms",
               "days_mask"]
    # Not sorted again: SQLite's window gives its rows in rank order, so the clustered table is
    # written front to back without sorting the wide rows once more (1.2 s a province period);
    # a server builds the table's keys after the rows (derive's deferred_indexes).
    connection.execute(insert(phase_totals).from_select(columns, select(*[ranked.c[c] for c in columns])))


def _insert_branch_totals(connection, rules: Rules, phases, branches=None) -> None:
    """Per phase and branch with registered party members: those members, the ones among them
    with a valid attempt, their total and how many rank in the period's top. `branches`: a
    query of the branch ids to make them for (all when None)."""
    p, pt = participants.c, phase_totals.c
    among = (lambda column: [column.in_(branches)]) if branches is not None else (lambda column: [])
    members = select(p.branch_id, func.count().label("party_members")).where(
        p.is_party_member == 1, *among(p.branch_id)).group_by(p.branch_id).subquery("members")
    took_part = select(
        pt.phase, pt.branch_id, func.count().label("participants"), func.sum(pt.score).label("total"),
        func.sum(case((pt.rank <= rules.pioneer_top_count, 1), else_=0)).label("top_holders"),
    ).where(pt.is_party_member == 1, pt.phase.in_([ph.id for ph in phases]), *among(pt.branch_id)).group_by(
        pt.phase, pt.branch_id).subquery("took_part")
    chosen = union_all(*[select(literal(phase.id).label("phase")) for phase in phases]).subquery("phases")
    m, k = members.c, took_part.c
    rows = (select(chosen.c.phase, m.branch_id, m.party_members, func.coalesce(k.participants, 0),
                   func.coalesce(k.total, 0), func.coalesce(k.top_holders, 0))
            .select_from(chosen.join(members, true()))
            .outerjoin(took_part, (k.phase == chosen.c.phase) & (k.branch_id == m.branch_id)))
    connection.execute(insert(branch_totals).from_select(
        ["phase", "branch_id", "party_members", "participants", "total", "top_holders"], rows))


def bump_data_version(connection) -> str:
    version = str(int(read_meta(connection, "data_version") or "0") + 1)
    write_meta(connection, "data_version", version)
    return version
