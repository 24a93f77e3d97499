"""The listings of the CLI contract: stable column names, Chinese headers, and what each
public surface may show of personal data (rules.md section 6)."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Callable

from finals_app.core.i18n import NP_, current_language, pgettext, translate
from finals_app.core.tables.masking import mask_name, mask_phone

# Every column's title (the CLI contract's names are the English titles; the catalogue has the
# Chinese), and the coded values a person reads as words: each defined once, in the catalogue.
COLUMN_TITLES = (
    NP_("column", "rank"), NP_("column", "participant_id"), NP_("column", "name"), NP_("column", "phone"),
    NP_("column", "branch_id"), NP_("column", "score"), NP_("column", "duration_ms"),
    NP_("column", "valid_attempts"), NP_("column", "perfect_attempts"), NP_("column", "award"),
    NP_("column", "order"), NP_("column", "is_party_member"), NP_("column", "title"), NP_("column", "amount_yuan"),
    NP_("column", "attempt_id"), NP_("column", "participation_rate"), NP_("column", "title_holders"),
    NP_("column", "party_members"), NP_("column", "committee_id"), NP_("column", "attempts"), NP_("column", "tier"),
    NP_("column", "period"), NP_("column", "reason"), NP_("column", "draw"), NP_("column", "seed"),
    NP_("column", "eligible_count"), NP_("column", "winners"), NP_("column", "eligible_digest"),
    NP_("column", "result"), NP_("column", "created_at"), NP_("column", "unit_id"), NP_("column", "unit_name"),
    NP_("column", "slot"), NP_("column", "final_rank"), NP_("column", "best_prelim_total"), NP_("column", "titles"),
    NP_("column", "flag"), NP_("column", "branches"), NP_("column", "participants"),
    NP_("column", "share_bonus_attempts"), NP_("column", "took_part"), NP_("column", "prize"),
    NP_("column", "due_date"), NP_("column", "replaces_seed"),
)
INVALID_REASONS = (NP_("invalid reason", "finish_before_start"), NP_("invalid reason", "wrong_question_count"),
                   NP_("invalid reason", "correct_count_out_of_range"), NP_("invalid reason", "score_mismatch"),
                   NP_("invalid reason", "over_daily_allowance"))
AWARD_KINDS = (NP_("award", "top"), NP_("award", "random"))  # the count is the rules file's
TEAM_FLAGS = (NP_("team flag", "short"), NP_("team flag", "alternate"), NP_("team flag", "no_eligible_members"),
              NP_("team flag", "proposed"))  # proposed: a slot with no flag


def coded_word(context: str, code, language: str | None = None) -> str:
    """A coded value (an invalid attempt's reason, an award's kind, a team slot's flag) as the
    words of `language` (the code itself in English)."""
    return translate(NP_(context, str(code)), language)


def column_title(column: str, language: str | None = None) -> str:
    """A column's title: its contract name in English, its words in Chinese."""
    return translate(NP_("column", column), language)


@dataclass(frozen=True)
class Listing:
    """A listing's columns (the CLI contract) and its rows (tuples in column order), ready to
    write in any format."""

    name: str
    columns: tuple[str, ...]
    rows: list[tuple]
    # How the human-readable table shows a value (CSV/JSON/XLSX keep the raw value).
    display: dict[str, Callable[[object], str]]
    # Titles that differ from the shared ones (an organisation's name is 党委名称 in Chinese).
    titles: dict[str, str] | None = None


def display_width(text: str) -> int:
    """Columns a text takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def percent(value) -> str:
    return "" if value is None else f"{float(value) * 100:.2f}%"


def two_places(value) -> str:
    return "" if value is None else f"{float(value):.2f}"


def _yes_no(value) -> str:
    return pgettext("yes or no", "yes") if value else pgettext("yes or no", "no")


NUMBER_DISPLAYS = (percent, two_places)


def shown_as(listing: "Listing", column: str, language: str | None = None) -> Callable[[object], str] | None:
    """How a value of `column` is shown to a person: numbers are formatted in every language;
    coded values (award, reason, yes/no) become the Chinese words only in zh_CN, and in English
    the codes themselves (top, over_daily_allowance, 1) are the words. None: as it is."""
    show = listing.display.get(column)
    if show is None or show in NUMBER_DISPLAYS or (language or current_language()) == "zh_CN":
        return show
    return None


def publish(rows, columns: tuple[str, ...], *, mask_names: bool, full_data: bool,
            layout: tuple[str, ...] | None = None) -> list[tuple]:
    """The contract's columns as tuples, personal data masked unless the organisers need it.

    `rows` are dicts, or tuples laid out as `layout` (the fast path for a million rows)."""
    if layout is None:
        rows = [tuple(row.get(c) for c in columns) for row in rows]
    elif tuple(layout) != tuple(columns):
        picks = [layout.index(c) for c in columns]
        rows = [tuple(row[i] for i in picks) for row in rows]
    phone = columns.index("phone") if "phone" in columns and not full_data else None
    name = columns.index("name") if "name" in columns and mask_names and not full_data else None
    rows = rows if isinstance(rows, list) else list(rows)
    if (phone is None and name is None) or not rows:
        return rows
    # By columns: each distinct name masked once, then the rows put back together.
    data = list(zip(*rows))
    if phone is not None:
        data[phone] = list(map(mask_phone, data[phone]))
    if name is not None:
        masked: dict = {}
        data[name] = [masked[n] if n in masked else masked.setdefault(n, mask_name(n)) for n in data[name]]
    return list(zip(*data))


STANDINGS = ("rank", "participant_id", "name", "phone", "branch_id", "score", "duration_ms",
             "valid_attempts", "perfect_attempts")
AWARDS = ("award", "order", "participant_id", "name", "phone", "is_party_member", "title", "amount_yuan")
LOTTERY = ("order", "participant_id", "attempt_id", "name", "phone")
BRANCHES = ("rank", "branch_id", "name", "score", "participation_rate", "title_holders", "party_members")
COMMITTEES = ("rank", "committee_id", "name", "score", "participation_rate", "title_holders", "party_members")
FINAL_STANDINGS = ("rank", "participant_id", "name", "phone", "branch_id", "score", "duration_ms",
                   "attempts", "tier", "amount_yuan")
INVALID = ("attempt_id", "participant_id", "period", "reason")
TEAMS = ("unit_id", "unit_name", "slot", "participant_id", "name", "phone", "final_rank", "best_prelim_total",
         "titles", "flag")
EXCELLENT_ORGS = ("rank", "committee_id", "name", "participation_rate", "score", "branches")
MEMBER_ARCHIVE = ("period", "valid_attempts", "score", "rank", "title")
BRANCH_ARCHIVE = ("period", "party_members", "participants", "participation_rate", "score", "rank", "title_holders")
LEDGER = ("participant_id", "name", "phone", "valid_attempts", "share_bonus_attempts", "score", "took_part")
PAYOUTS = ("award", "order", "participant_id", "name", "phone", "amount_yuan", "prize", "due_date")


def standings(rows, payout: bool = False, layout: tuple[str, ...] | None = None) -> Listing:
    # A published ranking: names and phones masked.
    return Listing("standings", STANDINGS,
                   publish(rows, STANDINGS, mask_names=True, full_data=payout, layout=layout), {})


def final_standings(rows, payout: bool = False, layout: tuple[str, ...] | None = None) -> Listing:
    return Listing("final-standings", FINAL_STANDINGS,
                   publish(rows, FINAL_STANDINGS, mask_names=True, full_data=payout, layout=layout), {})


def awards(rows: list[dict], payout: bool = False) -> Listing:
    # An award list for publication: full names, masked phones.
    return Listing("awards", AWARDS, publish(rows, AWARDS, mask_names=False, full_data=payout),
                   {"award": lambda v: coded_word("award", v), "is_party_member": _yes_no})


def lottery(rows: list[dict], payout: bool = False) -> Listing:
    return Listing("lottery", LOTTERY, publish(rows, LOTTERY, mask_names=False, full_data=payout), {})


def branches(rows: list[dict]) -> Listing:
    return Listing("branches", BRANCHES, publish(rows, BRANCHES, mask_names=False, full_data=True),
                   {"score": two_places, "participation_rate": percent}, {"name": NP_("column", "branch name")})


def committees(rows: list[dict]) -> Listing:
    return Listing("committees", COMMITTEES, publish(rows, COMMITTEES, mask_names=False, full_data=True),
                   {"score": two_places, "participation_rate": percent}, {"name": NP_("column", "committee name")})


def teams(rows: list[dict]) -> Listing:
    # For the organisers and the units: full names, masked phones.
    return Listing("teams", TEAMS, publish(rows, TEAMS, mask_names=False, full_data=False),
                   {"flag": lambda v: coded_word("team flag", v or "proposed")})


def excellent_orgs(rows: list[dict]) -> Listing:
    return Listing("excellent-orgs", EXCELLENT_ORGS, publish(rows, EXCELLENT_ORGS, mask_names=False, full_data=True),
                   {"score": two_places, "participation_rate": percent}, {"name": NP_("column", "committee name")})


def member_archive(rows: list[dict]) -> Listing:
    return Listing("archive-member", MEMBER_ARCHIVE, publish(rows, MEMBER_ARCHIVE, mask_names=False, full_data=True), {})


def branch_archive(rows: list[dict]) -> Listing:
    return Listing("archive-branch", BRANCH_ARCHIVE, publish(rows, BRANCH_ARCHIVE, mask_names=False, full_data=True),
                   {"score": two_places, "participation_rate": percent})


def ledger(rows: list[dict]) -> Listing:
    # A branch's own ledger: full names, masked phones.
    return Listing("ledger", LEDGER, publish(rows, LEDGER, mask_names=False, full_data=False), {"took_part": _yes_no})


def payouts(rows: list[dict]) -> Listing:
    # For the organisers and the operator only: full phone numbers.
    return Listing("payouts", PAYOUTS, publish(rows, PAYOUTS, mask_names=False, full_data=True),
                   {"award": lambda v: coded_word("award", v)})


def invalid_attempts(rows: list[dict]) -> Listing:
    return Listing("validate", INVALID, publish(rows, INVALID, mask_names=False, full_data=True),
                   {"reason": lambda v: coded_word("invalid reason", v)})

