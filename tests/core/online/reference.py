"""A plain-Python reference of rules.md, written to be obviously right rather than fast.

It reads the export directly (not the store) and walks each person's attempts in a loop,
exactly as the rules text says. Every engine is compared with it.
"""
from __future__ import annotations

import hashlib
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field

from finals_app.core.online.times import parse_instant
from finals_app.core.rules import Rules


@dataclass
class Attempt:
    id: int
    person: int
    start: int
    finish: int
    questions: int
    correct: int
    score: int
    phase: str | None = None
    day: int | None = None
    reason: str | None = None
    share_credit: bool = False

    @property
    def perfect(self) -> bool:
        return self.correct == self.questions


@dataclass
class Reference:
    rules: Rules
    people: dict[int, tuple] = field(default_factory=dict)  # id -> (name, phone, member, branch)
    orgs: dict[int, tuple] = field(default_factory=dict)  # id -> (parent, name, level)
    attempts: list[Attempt] = field(default_factory=list)
    shares: dict[int, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def from_export(cls, path, rules: Rules) -> "Reference":
        ref = cls(rules)
        db = sqlite3.connect(path)
        for row in db.execute("select id, parent_id, name, level from organizations"):
            ref.orgs[row[0]] = row[1:]
        for row in db.execute("select id, name, phone, is_party_member, branch_id from participants"):
            ref.people[row[0]] = row[1:]
        offset = rules.utc_offset_hours
        for sid, person, shared_at in db.execute("select id, participant_id, shared_at from shares"):
            ref.shares[person].append((parse_instant(shared_at, offset), sid))
        for row in db.execute("select id, participant_id, started_at, finished_at, question_count, "
                              "correct_count, score from attempts"):
            ref.attempts.append(Attempt(row[0], row[1], parse_instant(row[2], offset), parse_instant(row[3], offset),
                                        row[4], row[5], row[6]))
        db.close()
        ref._classify()
        return ref

    def _phase_of(self, instant: int):
        for phase in self.rules.phases:
            for window in phase.windows:
                if window.start_ms <= instant < window.end_ms:
                    return phase
        return None

    def _classify(self) -> None:
        day_ms = 86_400_000
        offset_ms = self.rules.utc_offset_hours * 3_600_000
        by_person_phase = defaultdict(list)
        for attempt in self.attempts:
            phase = self._phase_of(attempt.start)
            if phase is None:
                continue  # practice
            attempt.phase = phase.id
            attempt.day = (attempt.start + offset_ms) // day_ms
            if attempt.finish < attempt.start:
                attempt.reason = "finish_before_start"
            elif attempt.questions != phase.question_count:
                attempt.reason = "wrong_question_count"
            elif attempt.correct < 0 or attempt.correct > attempt.questions:
                attempt.reason = "correct_count_out_of_range"
            elif attempt.score != attempt.correct * phase.points_per_correct:
                attempt.reason = "score_mismatch"
            else:
                by_person_phase[(attempt.person, phase.id)].append(attempt)
        for (person, phase_id), walk in by_person_phase.items():
            phase = self.rules.phase(phase_id)
            credits = sorted(s for s in self.shares.get(person, []) if self._phase_of(s[0]) is phase)
            credit_times = [t for t, _ in credits[: phase.share_credits]]
            used = 0
            per_day = defaultdict(int)
            for attempt in sorted(walk, key=lambda a: (a.start, a.id)):
                if per_day[attempt.day] < phase.attempts_per_day:
                    per_day[attempt.day] += 1
                    continue
                earned = sum(1 for t in credit_times if t <= attempt.start)
                if earned > used:
                    used += 1
                    attempt.share_credit = True
                else:
                    attempt.reason = "over_daily_allowance"

    # ---- results ----

    def valid(self, phase_id: str) -> list[Attempt]:
        return [a for a in self.attempts if a.phase == phase_id and a.reason is None]

    def totals(self, phase_id: str) -> list[dict]:
        per_person = defaultdict(list)
        for attempt in self.valid(phase_id):
            per_person[attempt.person].append(attempt)
        rows = []
        for person, done in per_person.items():
            last = max(done, key=lambda a: (a.start, a.id))
            duration = sum(a.finish - a.start for a in done)
            rows.append({"participant_id": person, "score": sum(a.score for a in done),
                         "duration_ms": duration, "valid_attempts": len(done),
                         "perfect_attempts": sum(1 for a in done if a.perfect), "last_finish": last.finish,
                         "average": duration / len(done)})
        rows.sort(key=lambda r: (-r["score"], r["average"], r["last_finish"], r["participant_id"]))
        for rank, row in enumerate(rows, start=1):
            row["rank"] = rank
        return rows

    @staticmethod
    def draw(seed: str, name: str, tickets: list[tuple[int, int]], count: int, one_per_person: bool) -> list[tuple[int, int]]:
        keyed = sorted(tickets, key=lambda t: hashlib.sha256(f"{seed}|{name}|{t[0]}".encode()).hexdigest())
        winners, seen = [], set()
        for ticket, person in keyed:
            if len(winners) == count:
                break
            if one_per_person and person in seen:
                continue
            seen.add(person)
            winners.append((ticket, person))
        return winners

    def awards(self, phase_id: str, seed: str) -> tuple[list[int], list[int]]:
        rules = self.rules
        totals = self.totals(phase_id)
        top = [r["participant_id"] for r in totals if r["rank"] <= rules.pioneer_top_count]
        eligible = [r["participant_id"] for r in totals if r["perfect_attempts"] > 0
                    and not (rules.pioneer_random_excludes_top and r["rank"] <= rules.pioneer_top_count)]
        drawn = self.draw(seed, rules.pioneer_draw(phase_id), [(p, p) for p in eligible], rules.pioneer_random_count, True)
        return top, [p for _, p in drawn]

    def lottery(self, day, seed: str) -> list[tuple[int, int]]:
        from datetime import date
        phase = self.rules.period_of_day(day)
        number = (day - date(1970, 1, 1)).days
        tickets = [(a.id, a.person) for a in self.valid(phase.id) if a.day == number and a.perfect]
        return self.draw(seed, self.rules.lottery_draw(day), tickets, self.rules.lottery_winners_per_day,
                         self.rules.lottery_one_win_per_person_per_day)

    def _org_rows(self, members_of: dict[int, list[int]], minimum: int, phase_id: str, seed: str) -> list[dict]:
        totals = {r["participant_id"]: r for r in self.totals(phase_id)}
        if seed is None:  # the random draw not run yet: the top of the ranking only
            top, drawn = [p for p, r in totals.items() if r["rank"] <= self.rules.pioneer_top_count], []
        else:
            top, drawn = self.awards(phase_id, seed)
        holders = set(top) | set(drawn)
        rows = []
        for org, members in members_of.items():
            if len(members) < minimum:
                continue
            took_part = [m for m in members if m in totals]
            rows.append({"org_id": org, "score": sum(totals[m]["score"] for m in took_part) / len(members),
                         "participation_rate": len(took_part) / len(members),
                         "title_holders": sum(1 for m in members if m in holders),
                         "party_members": len(members)})
        rows.sort(key=lambda r: (-r["score"], -r["participation_rate"], -r["title_holders"], r["org_id"]))
        for rank, row in enumerate(rows, start=1):
            row["rank"] = rank
        return rows

    def branches(self, phase_id: str, seed: str) -> list[dict]:
        members = defaultdict(list)
        for person, (_, _, member, branch) in self.people.items():
            if member == 1:
                members[branch].append(person)
        return self._org_rows(members, self.rules.branch_min_party_members, phase_id, seed)

    def committees(self, phase_id: str, seed: str) -> list[dict]:
        members = defaultdict(list)
        for person, (_, _, member, branch) in self.people.items():
            if member != 1:
                continue
            node = self.orgs[branch][0]
            while node is not None:
                if self.orgs[node][2] == "committee":
                    members[node].append(person)
                node = self.orgs[node][0]
        return self._org_rows(members, self.rules.committee_min_party_members, phase_id, seed)

    def teams(self, seed: str, drawn_periods: list[str]) -> dict[int, list[int]]:
        """Each unit's eligible party members in proposal order (rules.md section 4)."""
        rules = self.rules
        holders: set[int] = set()
        best: dict[int, int] = {}
        for period in rules.periods:
            totals = self.totals(period.id)
            for row in totals:
                best[row["participant_id"]] = max(best.get(row["participant_id"], 0), row["score"])
            if not totals:
                continue
            top, drawn = self.awards(period.id, seed)
            holders |= set(top) | (set(drawn) if period.id in drawn_periods else set())
        final = {r["participant_id"]: r["rank"] for r in self.totals(rules.final.id)}
        holders |= {p for p, rank in final.items() if rank <= rules.exemplar_tiers[-1].last_rank}
        units: dict[int, list[int]] = defaultdict(list)
        for person in holders:
            name, phone, member, branch = self.people[person]
            if member != 1:
                continue
            node = branch
            while node is not None and self.orgs[node][2] != "unit":
                node = self.orgs[node][0]
            if node is not None:
                units[node].append(person)
        return {unit: sorted(people, key=lambda p: (p not in final, final.get(p, 0), -best.get(p, 0), p))
                for unit, people in units.items()}

    def excellent_organisations(self, phase_id: str) -> list[tuple[int, float, float, int]]:
        """(committee id, participation rate, score, branches below), best first, top N."""
        rules = self.rules
        totals = {r["participant_id"]: r for r in self.totals(phase_id)}
        below: dict[int, set[int]] = defaultdict(set)
        for org, (parent, _, level) in self.orgs.items():
            if level != "branch":
                continue
            node = parent
            while node is not None:
                below[node].add(org)
                node = self.orgs[node][0]
        rows = []
        for org, branches in below.items():
            if self.orgs[org][2] != "committee" or len(branches) < rules.excellent_org_min_branches:
                continue
            members = [p for p, (_, _, member, branch) in self.people.items() if member == 1 and branch in branches]
            if not members:
                continue
            took_part = [m for m in members if m in totals]
            rows.append((org, len(took_part) / len(members), sum(totals[m]["score"] for m in took_part) / len(members),
                         len(branches)))
        rows.sort(key=lambda r: (-r[1], -r[2], r[0]))
        return rows[: rules.excellent_org_count]

    def period_report(self, org_id: int, phase_id: str, seed: str, lottery_days=()) -> dict:
        """The figures of a committee's or a branch's period report, counted person by person."""
        phase = self.rules.phase(phase_id)
        branches = set()
        for org, (parent, _, level) in self.orgs.items():
            if level != "branch":
                continue
            node = org
            while node is not None and node != org_id:
                node = self.orgs[node][0]
            if node == org_id:
                branches.add(org)
        members = sorted(p for p, (_, _, member, branch) in self.people.items() if member == 1 and branch in branches)
        totals = {r["participant_id"]: r for r in self.totals(phase_id)}
        took_part = [m for m in members if m in totals]
        valid = [a for a in self.valid(phase_id) if a.person in set(members)]
        first = phase.first_day_number
        daily = [len({a.person for a in valid if a.day == first + offset}) for offset in range(len(phase.days()))]
        top, drawn = self.awards(phase_id, seed)
        holders = (set(top) | set(drawn)) & set(took_part)
        per_branch = {}
        for branch in branches:
            own = [m for m in members if self.people[m][3] == branch]
            if own:
                took = [m for m in own if m in totals]
                per_branch[branch] = (len(own), len(took), sum(totals[m]["score"] for m in took) / len(own))
        return {"party_members": len(members), "participants": len(took_part),
                "total": sum(totals[m]["score"] for m in took_part),
                "valid_attempts": sum(totals[m]["valid_attempts"] for m in took_part),
                "share_bonus_attempts": sum(1 for a in valid if a.share_credit), "daily": daily,
                "branches": per_branch, "pioneers": sorted(holders, key=lambda m: totals[m]["rank"]),
                "members": [(m, totals[m]["rank"], totals[m]["score"]) for m in
                            sorted(took_part, key=lambda m: totals[m]["rank"])],
                "lottery_winners": [(day, person) for day in sorted(lottery_days)
                                    for person in sorted({p for _, p in self.lottery(day, seed)})
                                    if person in set(members)],
                # grouped by branch for the secretaries who follow them up
                "absent": sorted((m for m in members if m not in totals), key=lambda m: (self.people[m][3], m))}
