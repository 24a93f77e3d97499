"""Generates exports (schema version 1) for the demo, the tests and the benchmarks.

Realistic shape (units, nested committees, branches, party members and the public, Chinese
names, phones) and, on request, the edge cases the rules must get right: same-day repeats,
more than two shares, shares after the attempt, attempts at 05:59:59 and 24:00, UTC-offset
timestamps, score mismatches, finish before start, wrong question counts, practice days,
ties on score and duration, branches below three members, a participant with no attempts.
"""
from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from finals_app.core.rules import Rules

SCHEMA = """
create table meta (key text primary key, value text not null);
create table organizations (id integer primary key, parent_id integer references organizations(id),
  name text not null, level text not null);
create table participants (id integer primary key, name text not null, phone text,
  is_party_member integer not null, branch_id integer not null references organizations(id));
create table shares (id integer primary key, participant_id integer not null references participants(id),
  shared_at text not null);
create table attempts (id integer primary key, participant_id integer not null references participants(id),
  started_at text not null, finished_at text not null, question_count integer not null,
  correct_count integer not null, score integer not null);
create table questions (id integer primary key, kind text not null, stem text not null, options text,
  answer text not null, source text);
"""
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
COMPOUND_SURNAMES = ["欧阳", "司马", "上官", "诸葛", "东方"]
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊辉建国建华志强海燕晓东立新文博宇轩子涵雨欣浩然思远俊杰晨曦"
CITIES = ["济南", "青岛", "淄博", "枣庄", "东营", "烟台", "潍坊", "济宁", "泰安", "威海", "日照", "临沂",
          "德州", "聊城", "滨州", "菏泽"]


@dataclass
class SampleSize:
    participants: int = 2_000
    units: int = 8
    committees_per_unit: int = 3
    branches_per_committee: int = 6
    party_member_share: float = 0.8
    attempts_per_active_day: float = 1.15
    active_share: float = 0.7


def person_name(rng: random.Random) -> str:
    surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.02 else rng.choice(SURNAMES)
    length = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(GIVEN) for _ in range(length))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _local(rules: Rules, instant_ms: int, style: int = 0, with_ms: bool = True) -> str:
    """Format an instant as the platform would: local time, or with an explicit offset."""
    if style == 1:  # UTC with offset
        moment = datetime(1970, 1, 1) + timedelta(milliseconds=instant_ms)
        suffix = "+00:00"
    else:
        moment = datetime(1970, 1, 1) + timedelta(milliseconds=instant_ms, hours=rules.utc_offset_hours)
        suffix = ""
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if with_ms:
        text += f".{instant_ms % 1000:03d}"
    return text + suffix


def generate(path: str | Path, rules: Rules, size: SampleSize | None = None, seed: int = 2018,
             edge_cases: bool = True, with_final: bool = True) -> Path:
    """Write a sample export to `path` (replaced if present) and return the path."""
    size = size or SampleSize()
    rng = random.Random(seed)
    path = Path(path)
    if path.exists():
        path.unlink()
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    db.executemany("insert into meta values (?, ?)", [
        ("schema_version", "1"), ("exported_at", "2018-06-07 09:00:00"), ("source", "sample generator")])

    orgs = []
    branches = []
    next_id = 1
    for unit_index in range(size.units):
        unit_id = next_id
        next_id += 1
        city = CITIES[unit_index % len(CITIES)] + ("" if unit_index < len(CITIES) else str(unit_index))
        orgs.append((unit_id, None, f"中共{city}市委", "unit"))
        for committee_index in range(size.committees_per_unit):
            committee_id = next_id
            next_id += 1
            orgs.append((committee_id, unit_id, f"{city}市第{committee_index + 1}党委", "committee"))
            parent = committee_id
            if committee_index == 0:  # a nested committee (党总支) under the first one
                nested = next_id
                next_id += 1
                orgs.append((nested, committee_id, f"{city}市第1党委第1党总支", "committee"))
                parent = nested
            for branch_index in range(size.branches_per_committee):
                orgs.append((next_id, parent, f"{city}市第{committee_index + 1}党委第{branch_index + 1}党支部", "branch"))
                branches.append(next_id)
                next_id += 1
    db.executemany("insert into organizations values (?, ?, ?, ?)", orgs)

    people = []
    for person_id in range(1, size.participants + 1):
        member = 1 if rng.random() < size.party_member_share else 0
        people.append((person_id, person_name(rng), _phone(rng), member, rng.choice(branches)))
    if edge_cases and len(branches) > 2:
        # a branch with two party members (too small to rank) and only non-members elsewhere
        small, public_only = branches[-1], branches[-2]
        people = [(pid, n, ph, m, b) for pid, n, ph, m, b in people if b not in (small, public_only)]
        base = size.participants + 1
        people += [(base, person_name(rng), _phone(rng), 1, small), (base + 1, person_name(rng), _phone(rng), 1, small),
                   (base + 2, person_name(rng), _phone(rng), 0, small), (base + 3, person_name(rng), _phone(rng), 0, public_only),
                   (base + 4, "王", _phone(rng), 1, branches[0])]
    db.executemany("insert into participants values (?, ?, ?, ?, ?)", people)

    attempts = []
    shares = []
    attempt_id = 1
    share_id = 1

    def add_attempt(person: int, start_ms: int, seconds: float, questions: int, correct: int,
                    points: int, score: int | None = None, style: int = 0, start_text: str | None = None) -> None:
        nonlocal attempt_id
        finish_ms = start_ms + int(seconds * 1000)
        attempts.append((attempt_id, person, start_text or _local(rules, start_ms, style),
                         _local(rules, finish_ms, style), questions, correct,
                         correct * points if score is None else score))
        attempt_id += 1

    def add_share(person: int, instant_ms: int) -> None:
        nonlocal share_id
        shares.append((share_id, person, _local(rules, instant_ms, with_ms=False)))
        share_id += 1

    phases = list(rules.periods) + ([rules.final] if with_final else [])
    for phase in phases:
        for person_id, *_ in people:
            if rng.random() > size.active_share:
                continue
            skill = rng.random()
            for window in phase.windows:
                day_ms = 86_400_000
                for day_start in range(window.start_ms, window.end_ms, day_ms):
                    if rng.random() > 0.5:
                        continue
                    count = 1 + (rng.random() < size.attempts_per_active_day - 1) * rng.randint(1, 2)
                    if phase.share_credits and count > 1 and rng.random() < 0.8:
                        add_share(person_id, day_start + rng.randrange(0, 3_600_000))
                    for _ in range(count):
                        start = day_start + rng.randrange(0, min(day_ms, window.end_ms - day_start) - 900_000)
                        correct = min(phase.question_count, int(phase.question_count * (0.55 + 0.45 * skill + rng.random() * 0.2)))
                        add_attempt(person_id, start, rng.uniform(40, 600), phase.question_count, correct,
                                    phase.points_per_correct, style=1 if rng.random() < 0.05 else 0)
    # practice attempts: the 1st-10th of the months
    for person_id, *_ in people[: max(1, len(people) // 10)]:
        start = rules.periods[0].windows[0].start_ms - 5 * 86_400_000 + rng.randrange(0, 86_400_000)
        add_attempt(person_id, start, 300, 20, 20, 5)

    if edge_cases:
        _edge_cases(rules, people, add_attempt, add_share)

    db.executemany("insert into attempts values (?, ?, ?, ?, ?, ?, ?)", attempts)
    db.executemany("insert into shares values (?, ?, ?)", shares)
    db.executemany("insert into questions values (?, ?, ?, ?, ?, ?)", [
        (1, "single", "党的十九大的主题是什么?", json.dumps(["不忘初心,牢记使命", "改革开放", "科学发展", "和平发展"], ensure_ascii=False), "A", "十九大报告"),
        (2, "judge", "中国共产党党员必须履行党章规定的义务。", None, "T", "党章"),
    ])
    db.commit()
    db.close()
    return path


def _edge_cases(rules: Rules, people, add_attempt, add_share) -> None:
    """Hand-placed attempts around every rule boundary, on the first people."""
    p1 = rules.periods[0]
    start = p1.windows[0].start_ms
    end = p1.windows[0].end_ms
    ids = [person[0] for person in people[:12]]
    q, pts = p1.question_count, p1.points_per_correct
    day2 = start + 86_400_000  # 06:00 of the second day
    # 0: 05:59:59 (practice) and 06:00:00 (scored) on the first day; last instant and 24:00
    add_attempt(ids[0], start - 1000, 100, q, q, pts)
    add_attempt(ids[0], start, 100, q, q, pts)
    add_attempt(ids[0], end - 1, 100, q, q, pts)
    last_day = (datetime(1970, 1, 1) + timedelta(milliseconds=end - 1, hours=rules.utc_offset_hours)).date()
    add_attempt(ids[0], end, 100, q, q, pts, start_text=f"{last_day} 24:00:00")  # the end of P1: outside it
    # 1: three attempts a day with three shares, one share after the second attempt
    add_share(ids[1], day2 + 1_000)
    add_attempt(ids[1], day2 + 10_000, 200, q, 18, pts)
    add_attempt(ids[1], day2 + 20_000, 200, q, 19, pts)
    add_share(ids[1], day2 + 25_000)
    add_share(ids[1], day2 + 26_000)
    add_attempt(ids[1], day2 + 30_000, 200, q, q, pts)
    add_attempt(ids[1], day2 + 40_000, 200, q, q, pts)  # third extra: no credit left
    # 2: share only after the repeat; repeat is invalid, a later repeat uses the credit
    add_attempt(ids[2], day2 + 10_000, 150, q, 10, pts)
    add_attempt(ids[2], day2 + 20_000, 150, q, 12, pts)
    add_share(ids[2], day2 + 30_000)
    add_attempt(ids[2], day2 + 40_000, 150, q, 14, pts)
    # 3: data-invalid attempts first each day: they use neither the day nor a credit
    add_attempt(ids[3], day2 + 1_000, 100, q, 15, pts, score=99)  # score mismatch
    add_attempt(ids[3], day2 + 2_000, -5, q, 15, pts)  # finish before start
    add_attempt(ids[3], day2 + 3_000, 100, 25, 15, pts)  # wrong question count
    add_attempt(ids[3], day2 + 4_000, 100, q, q + 1, pts)  # correct > questions
    add_attempt(ids[3], day2 + 5_000, 100, q, 16, pts)  # the valid daily attempt
    # 4 and 5: equal totals and equal average durations: decided by the last finish, then id
    for person, offset in ((ids[4], 0), (ids[5], 0)):
        add_attempt(person, day2 + 50_000 + offset, 123.456, q, 17, pts)
    # 6: UTC-offset timestamp just before 06:00 local (practice) and a +08:00 late one
    add_attempt(ids[6], start - 60_000, 50, q, q, pts, style=1)
    add_attempt(ids[6], end - 60_000, 50, q, q, pts, style=1)
    # 7: a share before the period does not count
    add_share(ids[7], start - 3_600_000)
    add_attempt(ids[7], day2 + 10_000, 100, q, 20, pts)
    add_attempt(ids[7], day2 + 20_000, 100, q, 20, pts)
    # 8: online final: two on a day (second invalid), and a practice attempt at 05:00
    fin = rules.final
    fw = fin.windows[0].start_ms
    add_attempt(ids[8], fw + 1000, 500, fin.question_count, fin.question_count, fin.points_per_correct)
    add_attempt(ids[8], fw + 2_000_000, 500, fin.question_count, fin.question_count, fin.points_per_correct)
    add_attempt(ids[8], fw - 3_600_000, 500, fin.question_count, fin.question_count, fin.points_per_correct)
    # 9: a preliminary-shaped attempt during the final: wrong question count there
    add_attempt(ids[9], fw + 5000, 100, 20, 20, 5)
