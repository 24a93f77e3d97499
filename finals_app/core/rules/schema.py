"""The rules file: typed values for every [decision] of rules.md, loaded from TOML with errors
that name the file, line and field."""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from importlib import resources
from pathlib import Path

from finals_app.core.errors import Location, RulesError
from finals_app.core.tomlcheck import TomlReader as _Reader, kind_name as _kind

RANKING_KEYS = ("score_desc", "average_duration_asc", "last_finish_asc", "participant_id_asc")
DEFAULT_RULES_RESOURCE = ("rules", "default-2017-2018.toml")


@dataclass(frozen=True)
class Window:
    """A span of competition time, start inclusive, end exclusive, as UTC epoch milliseconds."""

    start_ms: int
    end_ms: int

    def contains(self, instant_ms: int) -> bool:
        return self.start_ms <= instant_ms < self.end_ms


@dataclass(frozen=True)
class Phase:
    """One scored period: a preliminary period (P1..P6) or the online final (FINAL)."""

    id: str
    kind: str  # "preliminary" | "final"
    windows: tuple[Window, ...]
    question_count: int
    points_per_correct: int
    attempts_per_day: int
    share_credits: int
    first_day: date
    last_day: date

    @property
    def max_score(self) -> int:
        return self.question_count * self.points_per_correct

    def days(self) -> list[date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=offset) for offset in range(count)]

    @property
    def first_day_number(self) -> int:
        """The first day as days since 1970-01-01 (the store's `day`)."""
        return (self.first_day - date(1970, 1, 1)).days


@dataclass(frozen=True)
class ExemplarTier:
    tier: int
    first_rank: int
    last_rank: int
    amount_yuan: int


@dataclass(frozen=True)
class Rules:
    source: str
    digest: str
    text: str
    competition_name: str
    utc_offset_hours: int
    periods: tuple[Phase, ...]  # the preliminary periods, in time order
    final: Phase
    ranking_order: tuple[str, ...]
    pioneer_title: str
    pioneer_top_count: int
    pioneer_top_amount_yuan: int
    pioneer_random_count: int
    pioneer_random_amount_yuan: int
    pioneer_random_excludes_top: bool
    pioneer_draw_name: str
    lottery_winners_per_day: int
    lottery_prize: str
    lottery_one_win_per_person_per_day: bool
    lottery_draw_name: str
    learning_branch_title: str
    learning_branch_top_count: int
    branch_min_party_members: int
    committee_min_party_members: int
    excellent_org_title: str
    excellent_org_count: int
    excellent_org_min_branches: int
    exemplar_title: str
    exemplar_tiers: tuple[ExemplarTier, ...]
    payout_due_day: int
    team_size: int
    stage: dict

    @property
    def tz(self) -> timezone:
        return timezone(timedelta(hours=self.utc_offset_hours))

    @property
    def phases(self) -> tuple[Phase, ...]:
        return (*self.periods, self.final)

    def phase(self, phase_id: str) -> Phase | None:
        wanted = phase_id.strip().upper()
        return next((phase for phase in self.phases if phase.id.upper() == wanted), None)

    def period_of_day(self, day: date) -> Phase | None:
        return next((p for p in self.periods if p.first_day <= day <= p.last_day), None)

    def pioneer_draw(self, period_id: str) -> str:
        return self.pioneer_draw_name.replace("{period}", period_id)

    def lottery_draw(self, day: date) -> str:
        return self.lottery_draw_name.replace("{day}", day.isoformat())

    def exemplar_tier(self, rank: int) -> ExemplarTier | None:
        return next((t for t in self.exemplar_tiers if t.first_rank <= rank <= t.last_rank), None)


def _parse_local(value: str) -> datetime | None:
    """`YYYY-MM-DD HH:MM`, where 24:00 is the end of that day."""
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?", value.strip())
    if not match:
        return None
    try:
        day = date.fromisoformat(match.group(1))
    except ValueError:
        return None
    hour, minute, second = int(match.group(2)), int(match.group(3)), int(match.group(4) or 0)
    if (hour, minute, second) == (24, 0, 0):
        return datetime.combine(day + timedelta(days=1), time())
    if hour > 23 or minute > 59 or second > 59:
        return None
    return datetime.combine(day, time(hour, minute, second))


def _to_ms(local: datetime, offset_hours: int) -> int:
    aware = local.replace(tzinfo=timezone(timedelta(hours=offset_hours)))
    return int(aware.timestamp() * 1000)


def load_rules(path: str | Path | None = None) -> Rules:
    """Load a rules file, or the shipped 2017-2018 default when `path` is None."""
    if path is None:
        resource = resources.files("finals_app.assets").joinpath(*DEFAULT_RULES_RESOURCE)
        return parse_rules(resource.read_text(encoding="utf-8"), "default-2017-2018.toml")
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RulesError("cannot read the rules file: {reason}", Location(source), reason=str(error)) from None
    return parse_rules(text, source)


# The store keeps the days a person took part as the bits of a 64-bit integer.
MAX_PHASE_DAYS = 62


def _check_span(r: "_Reader", phase: Phase, path: str) -> None:
    span = (phase.last_day - phase.first_day).days + 1
    if span > MAX_PHASE_DAYS:
        r.problem(path, "a phase may span at most {max} days, this one spans {days}", max=MAX_PHASE_DAYS, days=span)


def parse_rules(text: str, source: str) -> Rules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = getattr(error, "lineno", None)
        match = re.search(r"line (\d+)", str(error))
        if line is None and match:
            line = int(match.group(1))
        raise RulesError("not valid TOML: {reason}", Location(source, line), reason=str(error)) from None
    reader = _Reader(source, text)
    rules = _build(reader, data, source, text)
    if reader.problems:
        raise RulesError.of(reader.problems)
    assert rules is not None
    return rules


def _build(r: _Reader, data: dict, source: str, text: str) -> Rules | None:
    top = r.table(data, "", ("competition", "preliminary", "online_final", "ranking", "awards",
                             "payouts", "team_selection", "stage"))
    comp = r.table(top.get("competition", {}), "competition", ("name", "utc_offset_hours"))
    name = r.get(comp, "competition", "name", str)
    offset = r.get(comp, "competition", "utc_offset_hours", int)
    if offset is not None and not -12 <= offset <= 14:
        r.problem("competition.utc_offset_hours", "must be one of {allowed}", allowed="-12..14")
        offset = None
    offset_hours = offset if offset is not None else 8

    pre = r.table(top.get("preliminary", {}), "preliminary",
                  ("question_count", "points_per_correct", "attempts_per_day",
                   "share_credits_per_period", "periods"))
    pre_counts = _phase_counts(r, pre, "preliminary")
    periods: list[Phase] = []
    raw_periods = r.get(pre, "preliminary", "periods", list) or []
    seen: set[str] = set()
    for index, raw in enumerate(raw_periods):
        path = f"preliminary.periods[{index}]"
        item = r.table(raw, path, ("id", "start", "end"))
        period_id = r.get(item, path, "id", str)
        start_text = r.get(item, path, "start", str)
        end_text = r.get(item, path, "end", str)
        if period_id is not None:
            if period_id.upper() in seen or period_id.upper() == "FINAL":
                r.problem(f"{path}.id", "duplicate id {value}", value=period_id)
            seen.add(period_id.upper())
        start = _parse_local(start_text) if start_text else None
        end = _parse_local(end_text) if end_text else None
        if start_text and start is None:
            r.problem(f"{path}.start", "not a time of the form YYYY-MM-DD HH:MM: {value}", value=start_text)
        if end_text and end is None:
            r.problem(f"{path}.end", "not a time of the form YYYY-MM-DD HH:MM: {value}", value=end_text)
        if start and end and end <= start:
            r.problem(f"{path}.end", "the window ends before it starts")
        if period_id and start and end and end > start and pre_counts:
            last_instant = end - timedelta(milliseconds=1)
            periods.append(Phase(period_id, "preliminary",
                                 (Window(_to_ms(start, offset_hours), _to_ms(end, offset_hours)),),
                                 *pre_counts, start.date(), last_instant.date()))
            _check_span(r, periods[-1], f"{path}.end")
    periods.sort(key=lambda p: p.windows[0].start_ms)
    for first, second in zip(periods, periods[1:]):
        if second.windows[0].start_ms < first.windows[0].end_ms:
            r.problem("preliminary.periods", "period {first} overlaps period {second}",
                      first=first.id, second=second.id)

    fin = r.table(top.get("online_final", {}), "online_final",
                  ("id", "days", "day_start", "day_end", "question_count", "points_per_correct",
                   "attempts_per_day", "share_credits_per_period"))
    final_counts = _phase_counts(r, fin, "online_final")
    final_id = r.get(fin, "online_final", "id", str)
    days_raw = r.get(fin, "online_final", "days", list) or []
    day_start = _clock(r, fin, "online_final", "day_start")
    day_end = _clock(r, fin, "online_final", "day_end")
    final_windows: list[Window] = []
    final_days: list[date] = []
    for index, raw_day in enumerate(days_raw):
        try:
            day = date.fromisoformat(raw_day) if isinstance(raw_day, str) else raw_day
            if not isinstance(day, date) or isinstance(day, datetime):
                raise ValueError
        except ValueError:
            r.problem("online_final.days", "not a date of the form YYYY-MM-DD: {value}", value=raw_day)
            continue
        final_days.append(day)
        if day_start is not None and day_end is not None:
            final_windows.append(Window(
                _to_ms(datetime.combine(day, time()) + day_start, offset_hours),
                _to_ms(datetime.combine(day, time()) + day_end, offset_hours)))
    if day_start is not None and day_end is not None and day_end <= day_start:
        r.problem("online_final.day_end", "the window ends before it starts")
    if not days_raw and "days" in fin:
        r.problem("online_final.days", "must not be empty")
    final = None
    if final_id and final_days and final_counts and final_windows:
        final_windows.sort(key=lambda w: w.start_ms)
        final = Phase(final_id.upper(), "final", tuple(final_windows), *final_counts,
                      min(final_days), max(final_days))
        if final.id in seen:
            r.problem("online_final.id", "duplicate id {value}", value=final_id)
        _check_span(r, final, "online_final.days")

    ranking = r.table(top.get("ranking", {}), "ranking", ("order",))
    order = r.get(ranking, "ranking", "order", list) or []
    for key in order:
        if key not in RANKING_KEYS:
            r.problem("ranking.order", "must be one of {allowed}", allowed=", ".join(RANKING_KEYS))
            break
    else:
        if len(set(order)) != len(order) or not order or order[-1] != "participant_id_asc":
            r.problem("ranking.order", "each ranking key may appear once and participant_id_asc must come last")

    awards = r.table(top.get("awards", {}), "awards",
                     ("pioneer", "daily_lottery", "learning_branch", "committee_ranking",
                      "excellent_organisation", "exemplar"))
    pion = r.table(awards.get("pioneer", {}), "awards.pioneer",
                   ("title", "top_count", "top_amount_yuan", "random_count", "random_amount_yuan",
                    "random_excludes_top", "draw_name"))
    lot = r.table(awards.get("daily_lottery", {}), "awards.daily_lottery",
                  ("winners_per_day", "prize", "one_win_per_person_per_day", "draw_name"))
    lb = r.table(awards.get("learning_branch", {}), "awards.learning_branch",
                 ("title", "top_count", "min_party_members"))
    cr = r.table(awards.get("committee_ranking", {}), "awards.committee_ranking", ("min_party_members",))
    eo = r.table(awards.get("excellent_organisation", {}), "awards.excellent_organisation",
                 ("title", "count", "min_branches"))
    ex = r.table(awards.get("exemplar", {}), "awards.exemplar", ("title", "tiers"))
    pioneer_draw = r.get(pion, "awards.pioneer", "draw_name", str)
    if pioneer_draw and pioneer_draw.count("{period}") != 1:
        r.problem("awards.pioneer.draw_name", "must contain {draw_key} exactly once", draw_key="{period}")
    lottery_draw = r.get(lot, "awards.daily_lottery", "draw_name", str)
    if lottery_draw and lottery_draw.count("{day}") != 1:
        r.problem("awards.daily_lottery.draw_name", "must contain {draw_key} exactly once", draw_key="{day}")
    tiers: list[ExemplarTier] = []
    for index, raw in enumerate(r.get(ex, "awards.exemplar", "tiers", list) or []):
        path = f"awards.exemplar.tiers[{index}]"
        item = r.table(raw, path, ("tier", "first_rank", "last_rank", "amount_yuan"))
        values = [r.get(item, path, key, int, minimum) for key, minimum in
                  (("tier", 1), ("first_rank", 1), ("last_rank", 1), ("amount_yuan", 0))]
        if None not in values:
            tiers.append(ExemplarTier(*values))
    expected_first = 1
    for tier in sorted(tiers, key=lambda t: t.first_rank):
        if tier.first_rank != expected_first or tier.last_rank < tier.first_rank:
            r.problem("awards.exemplar.tiers", "tiers must follow each other from rank 1 without gaps")
            break
        expected_first = tier.last_rank + 1

    pay = r.table(top.get("payouts", {}), "payouts", ("due_day_of_next_month",))
    due = r.get(pay, "payouts", "due_day_of_next_month", int, 1)
    if due is not None and due > 28:
        r.problem("payouts.due_day_of_next_month", "must be one of {allowed}", allowed="1..28")
    team = r.table(top.get("team_selection", {}), "team_selection", ("team_size",))
    stage = top.get("stage", {})
    if not isinstance(stage, dict):
        r.problem("stage", "expected {expected}, found {found}", expected="table", found=_kind(stage))
        stage = {}

    fields = dict(
        competition_name=name,
        utc_offset_hours=offset,
        periods=tuple(periods),
        final=final,
        ranking_order=tuple(order),
        pioneer_title=r.get(pion, "awards.pioneer", "title", str),
        pioneer_top_count=r.get(pion, "awards.pioneer", "top_count", int, 0),
        pioneer_top_amount_yuan=r.get(pion, "awards.pioneer", "top_amount_yuan", int, 0),
        pioneer_random_count=r.get(pion, "awards.pioneer", "random_count", int, 0),
        pioneer_random_amount_yuan=r.get(pion, "awards.pioneer", "random_amount_yuan", int, 0),
        pioneer_random_excludes_top=r.get(pion, "awards.pioneer", "random_excludes_top", bool),
        pioneer_draw_name=pioneer_draw,
        lottery_winners_per_day=r.get(lot, "awards.daily_lottery", "winners_per_day", int, 0),
        lottery_prize=r.get(lot, "awards.daily_lottery", "prize", str),
        lottery_one_win_per_person_per_day=r.get(lot, "awards.daily_lottery", "one_win_per_person_per_day", bool),
        lottery_draw_name=lottery_draw,
        learning_branch_title=r.get(lb, "awards.learning_branch", "title", str),
        learning_branch_top_count=r.get(lb, "awards.learning_branch", "top_count", int, 0),
        branch_min_party_members=r.get(lb, "awards.learning_branch", "min_party_members", int, 1),
        committee_min_party_members=r.get(cr, "awards.committee_ranking", "min_party_members", int, 1),
        excellent_org_title=r.get(eo, "awards.excellent_organisation", "title", str),
        excellent_org_count=r.get(eo, "awards.excellent_organisation", "count", int, 0),
        excellent_org_min_branches=r.get(eo, "awards.excellent_organisation", "min_branches", int, 0),
        exemplar_title=r.get(ex, "awards.exemplar", "title", str),
        exemplar_tiers=tuple(sorted(tiers, key=lambda t: t.first_rank)),
        payout_due_day=due,
        team_size=r.get(team, "team_selection", "team_size", int, 1),
        stage=stage,
    )
    if r.problems or any(value is None for value in fields.values()):
        if not r.problems:  # a value missing without its own message cannot happen; be safe
            r.problem("", "missing field")
        return None
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Rules(source=source, digest=digest, text=text, **fields)


def _phase_counts(r: _Reader, table: dict, path: str) -> tuple[int, int, int, int] | None:
    values = (
        r.get(table, path, "question_count", int, 1),
        r.get(table, path, "points_per_correct", int, 0),
        r.get(table, path, "attempts_per_day", int, 1),
        r.get(table, path, "share_credits_per_period", int, 0),
    )
    return None if None in values else values  # type: ignore[return-value]


def _clock(r: _Reader, table: dict, path: str, key: str) -> timedelta | None:
    value = r.get(table, path, key, str)
    if value is None:
        return None
    match = re.fullmatch(r"(\d{2}):(\d{2})", value.strip())
    if match and (int(match.group(1)) < 24 and int(match.group(2)) < 60 or value.strip() == "24:00"):
        return timedelta(hours=int(match.group(1)), minutes=int(match.group(2)))
    r.problem(f"{path}.{key}", "not a clock time of the form HH:MM: {value}", value=value)
    return None
