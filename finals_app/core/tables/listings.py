"""The listings of the CLI contract: stable column names, Chinese headers, and what each
public surface may show of personal data (rules.md section 6)."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Callable

from finals_app.core.i18n import current_language
from finals_app.core.tables.masking import mask_name, mask_phone

HEADERS_ZH = {
    "rank": "名次", "participant_id": "参赛者ID", "name": "姓名", "phone": "手机号",
    "branch_id": "党支部ID", "score": "得分", "duration_ms": "用时（毫秒）",
    "valid_attempts": "有效答题次数", "perfect_attempts": "满分次数", "award": "奖项",
    "order": "序号", "is_party_member": "党员", "title": "称号", "amount_yuan": "金额（元）",
    "attempt_id": "答题ID", "participation_rate": "参与率", "title_holders": "获称号人数",
    "party_members": "党员人数", "committee_id": "党委ID", "attempts": "答题次数", "tier": "档次",
    "period": "期次", "reason": "原因",
    "draw": "抽奖", "seed": "种子", "eligible_count": "参与人数/票数", "winners": "中奖数",
    "eligible_digest": "名单摘要", "result": "核验结果", "created_at": "记录时间",
    "unit_id": "单位ID", "unit_name": "单位", "slot": "顺位", "final_rank": "决赛名次",
    "best_prelim_total": "初赛最好成绩", "titles": "称号", "flag": "标记", "branches": "下属党支部数",
    "participants": "参与人数", "share_bonus_attempts": "分享获赠答题次数", "took_part": "是否参与",
    "prize": "奖品", "due_date": "发放截止日期", "replaces_seed": "被替换的抽取种子",
}
HEADERS_EN = {key: key for key in HEADERS_ZH}

REASONS_ZH = {
    "finish_before_start": "结束时间早于开始时间",
    "wrong_question_count": "题目数量不符",
    "correct_count_out_of_range": "答对题数超出范围",
    "score_mismatch": "得分与答对题数不符",
    "over_daily_allowance": "超出每日答题次数（无可用分享机会）",
}
AWARDS_ZH = {"top": "排名前列", "random": "满分随机抽取"}  # the count is the rules file's


@dataclass(frozen=True)
class Listing:
    """A listing's columns (the CLI contract) and its rows (tuples in column order), ready to
    write in any format."""

    name: str
    columns: tuple[str, ...]
    rows: list[tuple]
    # How the human-readable table shows a value (CSV/JSON/XLSX keep the raw value).
    display: dict[str, Callable[[object], str]]
    # Chinese headers that differ from the shared ones (an organisation's name is 名称).
    headers_zh: dict[str, str] | None = None


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
    return "是" if value else "否"


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
FLAGS_ZH = {"short": "不足三人", "alternate": "候补", "no_eligible_members": "无符合条件人员", "": "推荐"}


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
                   {"award": lambda v: AWARDS_ZH.get(v, str(v)), "is_party_member": _yes_no})


def lottery(rows: list[dict], payout: bool = False) -> Listing:
    return Listing("lottery", LOTTERY, publish(rows, LOTTERY, mask_names=False, full_data=payout), {})


def branches(rows: list[dict]) -> Listing:
    return Listing("branches", BRANCHES, publish(rows, BRANCHES, mask_names=False, full_data=True),
                   {"score": two_places, "participation_rate": percent}, {"name": "党支部名称"})


def committees(rows: list[dict]) -> Listing:
    return Listing("committees", COMMITTEES, publish(rows, COMMITTEES, mask_names=False, full_data=True),
                   {"score": two_places, "participation_rate": percent}, {"name": "党委名称"})


def teams(rows: list[dict]) -> Listing:
    # For the organisers and the units: full names, masked phones.
    return Listing("teams", TEAMS, publish(rows, TEAMS, mask_names=False, full_data=False),
                   {"flag": lambda v: FLAGS_ZH.get(v, str(v))})


def excellent_orgs(rows: list[dict]) -> Listing:
    return Listing("excellent-orgs", EXCELLENT_ORGS, publish(rows, EXCELLENT_ORGS, mask_names=False, full_data=True),
                   {"score": two_places, "participation_rate": percent}, {"name": "党委名称"})


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
                   {"award": lambda v: AWARDS_ZH.get(v, str(v))})


def invalid_attempts(rows: list[dict]) -> Listing:
    return Listing("validate", INVALID, publish(rows, INVALID, mask_names=False, full_data=True),
                   {"reason": lambda v: REASONS_ZH.get(v, str(v))})

