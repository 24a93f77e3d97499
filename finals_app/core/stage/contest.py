"""The contest file (TOML) of the stage final, and question banks (XLSX or CSV) it may name.

`load_contest(path)` returns a checked Contest or raises ContestError listing every problem
with file, line (or bank row) and field.
"""
from __future__ import annotations

import csv
import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from finals_app.core.errors import FinalsError, Location, Problem
from finals_app.core.i18n import N_
from finals_app.core.rules import Rules, load_rules
from finals_app.core.stage import media
from finals_app.core.stage.media import Medium
from finals_app.core.stage.pins import well_formed
from finals_app.core.tomlcheck import TomlReader

ROUND_TYPES = ("compulsory", "buzzer", "risk")
QUESTION_KINDS = ("single", "multiple", "judge", "fill", "open")
TIEBREAK_ROUND = "tiebreak"
KIND_NAMES = {
    "单选": "single", "单选题": "single", "单项选择": "single", "单项选择题": "single",
    "多选": "multiple", "多选题": "multiple", "多项选择": "multiple", "多项选择题": "multiple",
    "判断": "judge", "判断题": "judge", "填空": "fill", "填空题": "fill",
    "简答": "open", "简答题": "open", "问答": "open", "问答题": "open",
}
JUDGE_ANSWERS = {"T": "T", "F": "F", "对": "T", "错": "F", "√": "T", "×": "F", "正确": "T", "错误": "F",
                 "TRUE": "T", "FALSE": "F", "是": "T", "否": "F"}


class ContestError(FinalsError):
    """The contest file or a question bank is wrong."""


@dataclass(frozen=True)
class Team:
    id: str
    unit: str
    name: str
    members: tuple[str, ...]
    buzzer_key: str
    color: str


@dataclass(frozen=True)
class Question:
    id: str
    round: str
    kind: str
    stem: str
    options: tuple[str, ...]
    answer: str
    explanation: str = ""
    source: str = ""
    member: int | None = None  # an individual compulsory question for this member (1-based)
    image: Medium | None = None  # a picture shown with the stem
    audio: Medium | None = None  # a sound the host plays
    video: Medium | None = None  # a clip the host plays in the question zone

    @property
    def media(self) -> tuple[Medium, ...]:
        return tuple(m for m in (self.image, self.audio, self.video) if m is not None)

    def answer_text(self) -> str:
        if self.kind in ("single", "multiple") and self.options:
            letters = [c for c in self.answer if c.isalpha()]
            return "、".join(f"{c} {self.options[ord(c) - 65]}" for c in letters if ord(c) - 65 < len(self.options))
        if self.kind == "judge":
            return "正确" if self.answer == "T" else "错误"
        return self.answer


@dataclass(frozen=True)
class Round:
    id: str
    type: str
    title: str
    correct: int
    wrong: int
    timeout: int
    seconds: int
    questions: int = 0  # buzzer rounds: how many questions are played
    questions_per_team: int = 0  # compulsory and risk rounds
    early_press: int = 0
    reopen_after_wrong: bool = False
    stakes: tuple[int, ...] = ()
    press_seconds: int = 0  # buzzer rounds: the press window after the buzzers open (0: none)


@dataclass(frozen=True)
class Contest:
    source: str
    digest: str
    name: str
    date: str
    venue: str
    judges: tuple[str, ...]
    chief_judge: str
    teams: tuple[Team, ...]
    rounds: tuple[Round, ...]
    tiebreak: Round
    questions: tuple[Question, ...]
    prizes: tuple[tuple[str, int], ...]  # ("first", 1), ("second", 2), ("third", 3)
    advance_top: int
    tie_resolution_ms: int
    team_size: int
    judge_pins: tuple[tuple[str, str], ...] = ()  # (judge, scrypt hash) set before the show
    issuer: str = ""  # who issues the certificates (中共山东省委组织部)

    def pin_of(self, judge: str) -> str | None:
        return dict(self.judge_pins).get(judge)

    def team(self, team_id: str) -> Team | None:
        return next((t for t in self.teams if t.id == team_id), None)

    def round(self, round_id: str) -> Round | None:
        if round_id == self.tiebreak.id:
            return self.tiebreak
        return next((r for r in self.rounds if r.id == round_id), None)

    def question(self, question_id: str) -> Question | None:
        return self._question_index.get(question_id)

    def questions_of(self, round_id: str) -> list[Question]:
        return [q for q in self.questions if q.round == round_id]

    def learn(self, question: Question) -> None:
        """A follower's contest starts with no questions (the answers stay on the kiosk) and
        learns each one as the show discloses it: the stem when it is put on the big screen, the
        answer when it is judged."""
        self._question_index[question.id] = question

    @property
    def _question_index(self) -> dict[str, Question]:
        index = self.__dict__.get("_index")
        if index is None:
            index = {q.id: q for q in self.questions}
            object.__setattr__(self, "_index", index)
        return index


def normalise_answer(kind: str, raw: str) -> str | None:
    text = str(raw).strip()
    if kind in ("single", "multiple"):
        letters = re.sub(r"[\s,,、;;]", "", text).upper()
        if not letters or not re.fullmatch(r"[A-Z]+", letters) or len(set(letters)) != len(letters):
            return None
        if kind == "single" and len(letters) != 1:
            return None
        return "".join(sorted(letters))
    if kind == "judge":
        return JUDGE_ANSWERS.get(text.upper())
    return text or None


def load_contest(path: str | Path, rules: Rules | None = None) -> Contest:
    rules = rules or load_rules()
    source = str(path)
    try:
        raw_bytes = Path(path).read_bytes()
        text = raw_bytes.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ContestError("cannot read {path}: {reason}", Location(source), path=source, reason=str(error)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        raise ContestError("not valid TOML: {reason}", Location(source, int(match.group(1)) if match else None),
                           reason=str(error)) from None
    reader = TomlReader(source, text)
    digest = hashlib.sha256(raw_bytes)
    contest = _build(reader, data, source, Path(path).parent, rules, digest)
    if reader.problems:
        raise ContestError.of(reader.problems)
    assert contest is not None
    return contest


def _build(r: TomlReader, data: dict, source: str, folder: Path, rules: Rules, digest) -> Contest | None:
    stage = rules.stage
    top = r.table(data, "", ("contest", "prizes", "teams", "rounds", "tiebreak", "questions", "banks"))
    info = r.table(top.get("contest", {}), "contest",
                   ("name", "date", "venue", "judges", "chief_judge", "advance_top", "tie_resolution_ms",
                    "judge_pins", "issuer"))
    name = r.get(info, "contest", "name", str)
    date = info.get("date", "")
    venue = (r.get(info, "contest", "venue", str) or "") if "venue" in info else ""  # optional: where, for the welcome
    judges = r.get(info, "contest", "judges", list) or []
    if judges and (not all(isinstance(j, str) and j.strip() for j in judges) or len(set(judges)) != len(judges)):
        r.problem("contest.judges", "judges must be distinct names")
    if "judges" in info and not judges:
        r.problem("contest.judges", "must not be empty")
    chief = r.get(info, "contest", "chief_judge", str)
    if chief and judges and chief not in judges:
        r.problem("contest.chief_judge", "the chief judge must be one of the judges")
    pins_raw = r.table(info.get("judge_pins", {}), "contest.judge_pins", tuple(j for j in judges if isinstance(j, str)))
    judge_pins = []
    for judge, stored in pins_raw.items():
        if not isinstance(stored, str) or not well_formed(stored):
            r.problem(f"contest.judge_pins.{judge}", "not a PIN hash of the form scrypt$...: make one with "
                      "'finals-app contest pin'")
        else:
            judge_pins.append((judge, stored))
    advance_top = info.get("advance_top", stage.get("advance_top", 0))
    resolution = info.get("tie_resolution_ms", stage.get("buzzer_tie_resolution_ms", 1))
    for key, value in (("advance_top", advance_top), ("tie_resolution_ms", resolution)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            r.problem(f"contest.{key}", "must be at least {minimum}", minimum=0)

    prize_table = r.table(top.get("prizes", stage.get("prizes", {"first": 1, "second": 2, "third": 3})), "prizes",
                          ("first", "second", "third"))
    prizes = tuple((level, r.get(prize_table, "prizes", level, int, 0) or 0) for level in ("first", "second", "third"))

    teams: list[Team] = []
    seen_keys: dict[str, int] = {}
    for index, raw in enumerate(r.get(top, "", "teams", list) or []):
        path = f"teams[{index}]"
        item = r.table(raw, path, ("id", "unit", "name", "members", "buzzer_key", "color"))
        team_id = r.get(item, path, "id", str)
        unit = r.get(item, path, "unit", str)
        team_name = item.get("name") or (f"{unit}代表队" if unit else None)
        members = r.get(item, path, "members", list) or []
        if "members" in item and len(members) != rules.team_size:
            r.problem(f"{path}.members", "a team has {size} members, found {count}", size=rules.team_size,
                      count=len(members))
        if not all(isinstance(m, str) and m.strip() for m in members):
            r.problem(f"{path}.members", "must not be empty")
        key = r.get(item, path, "buzzer_key", str)
        if key is not None:
            key = key.strip().upper()
            if key in seen_keys:
                r.problem(f"{path}.buzzer_key", "buzzer key {key} is already team {other}'s", key=key,
                          other=teams[seen_keys[key]].id if seen_keys[key] < len(teams) else "?")
            seen_keys[key] = len(teams)
        color = item.get("color", _DEFAULT_COLOURS[index % len(_DEFAULT_COLOURS)])
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", str(color)):
            r.problem(f"{path}.color", "not a colour of the form #RRGGBB: {value}", value=color)
        if team_id and any(t.id == team_id for t in teams):
            r.problem(f"{path}.id", "duplicate id {value}", value=team_id)
        if team_id and unit and key and len(members) == rules.team_size:
            teams.append(Team(team_id, unit, team_name, tuple(members), key, str(color)))
    if "teams" in top and len(top.get("teams") or []) < 2:
        r.problem("teams", "a contest needs at least two teams")

    rounds: list[Round] = []
    for index, raw in enumerate(r.get(top, "", "rounds", list) or []):
        built = _round(r, raw, f"rounds[{index}]", stage)
        if built and any(x.id == built.id for x in rounds):
            r.problem(f"rounds[{index}].id", "duplicate id {value}", value=built.id)
        elif built:
            rounds.append(built)
    if "rounds" in top and not top.get("rounds"):
        r.problem("rounds", "must not be empty")
    tiebreak_raw = dict(top.get("tiebreak", {}))
    tiebreak_raw.setdefault("id", TIEBREAK_ROUND)
    tiebreak_raw.setdefault("type", "buzzer")
    tiebreak_raw.setdefault("title", "加赛")
    tiebreak = _round(r, tiebreak_raw, "tiebreak", stage)

    questions: list[Question] = []
    for index, raw in enumerate(top.get("questions", []) or []):
        question = _toml_question(r, raw, f"questions[{index}]", index, Path(source), folder)
        if question:
            questions.append(question)
    bank_problems: list[Problem] = []
    for index, raw in enumerate(top.get("banks", []) or []):
        path = f"banks[{index}]"
        item = r.table(raw, path, ("file", "round"))
        file_name = r.get(item, path, "file", str)
        if file_name and not (folder / file_name).is_file():
            r.problem(f"{path}.file", "no question bank {file} (looked in {folder})", file=file_name, folder=folder)
        elif file_name:
            questions.extend(read_bank(folder / file_name, item.get("round"), bank_problems, folder))
    r.problems.extend(bank_problems)
    ids: set[str] = set()
    for question in questions:
        if question.id in ids:
            r.problem("questions", "duplicate id {value}", value=question.id)
        ids.add(question.id)
    round_ids = {x.id for x in rounds} | {TIEBREAK_ROUND}
    for question in questions:
        if question.round not in round_ids:
            r.problem("questions", "question {question} names round {round}, which does not exist",
                      question=question.id, round=question.round)
    for plan in rounds:
        have = sum(1 for q in questions if q.round == plan.id)
        need = plan.questions if plan.type == "buzzer" else plan.questions_per_team * len(teams)
        if have < need:
            r.problem(f"rounds[{rounds.index(plan)}]", "round {round} needs {need} questions, the contest has {have}",
                      round=plan.id, need=need, have=have)
    if not any(q.round == TIEBREAK_ROUND for q in questions):
        r.problem("questions", "no tie-break questions (round = \"tiebreak\"): a prize tie could not be played off")
    if sum(count for _level, count in prizes) > len(teams) and teams:
        r.problem("prizes", "more prizes ({prizes}) than teams ({teams})", prizes=sum(c for _level, c in prizes),
                  teams=len(teams))
    if r.problems or not (name and judges and chief and tiebreak):
        if not r.problems:
            r.problem("", "missing field")
        return None
    return Contest(source=source, digest=digest.hexdigest(), name=name, date=str(date), venue=str(venue),
                   judges=tuple(judges), chief_judge=chief, teams=tuple(teams), rounds=tuple(rounds),
                   tiebreak=tiebreak, questions=tuple(questions), prizes=prizes, advance_top=int(advance_top),
                   tie_resolution_ms=int(resolution), team_size=rules.team_size,
                   judge_pins=tuple(judge_pins), issuer=str(info.get("issuer", "")))


_DEFAULT_COLOURS = ("#e63946", "#f4a261", "#2a9d8f", "#457b9d", "#9b5de5", "#f15bb5", "#00bbf9", "#8ac926",
                    "#ffca3a", "#6a4c93")


def _round(r: TomlReader, raw, path: str, stage: dict) -> Round | None:
    item = r.table(raw, path, ("id", "type", "title", "correct", "wrong", "timeout", "seconds", "questions",
                               "questions_per_team", "early_press", "reopen_after_wrong", "stakes",
                               "press_seconds"))
    round_id = r.get(item, path, "id", str)
    kind = r.get(item, path, "type", str)
    if kind is not None and kind not in ROUND_TYPES:
        r.problem(f"{path}.type", "must be one of {allowed}, found {value}", allowed=", ".join(ROUND_TYPES), value=kind)
        return None
    title = item.get("title") or round_id
    prefix = {"compulsory": "compulsory", "buzzer": "buzzer", "risk": "risk"}.get(kind or "", "")
    defaults = {
        "correct": stage.get(f"{prefix}_correct", 10),
        "wrong": stage.get(f"{prefix}_wrong", 0 if kind == "compulsory" else -10),
        "seconds": stage.get(f"{prefix}_seconds", 30),
    }
    defaults["timeout"] = stage.get(f"{prefix}_timeout", defaults["wrong"])
    values = {}
    for key in ("correct", "wrong", "timeout", "seconds"):
        value = item.get(key, defaults[key])
        if isinstance(value, bool) or not isinstance(value, int):
            r.problem(f"{path}.{key}", "expected {expected}, found {found}", expected="integer", found=type(value).__name__)
            value = 0
        values[key] = value
    if values["seconds"] <= 0:
        r.problem(f"{path}.seconds", "must be at least {minimum}", minimum=1)
    questions = item.get("questions", 0)
    per_team = item.get("questions_per_team", 1 if kind in ("compulsory", "risk") else 0)
    if kind == "buzzer" and round_id != TIEBREAK_ROUND and (not isinstance(questions, int) or questions < 1):
        r.problem(f"{path}.questions", "must be at least {minimum}", minimum=1)
    if kind in ("compulsory", "risk") and (not isinstance(per_team, int) or per_team < 1):
        r.problem(f"{path}.questions_per_team", "must be at least {minimum}", minimum=1)
    stakes = tuple(item.get("stakes", stage.get("risk_stakes", [10, 20, 30]))) if kind == "risk" else ()
    if kind == "risk" and (not stakes or not all(isinstance(s, int) and s > 0 for s in stakes)):
        r.problem(f"{path}.stakes", "stakes must be positive whole numbers")
    elif kind == "risk" and (len(set(stakes)) != len(stakes) or len(stakes) > 12):
        r.problem(f"{path}.stakes", "stakes must be different, and at most 12 (a key each on the console)")
    early = item.get("early_press", stage.get("buzzer_early_press", -5)) if kind == "buzzer" else 0
    reopen = item.get("reopen_after_wrong", stage.get("buzzer_reopen_after_wrong", True)) if kind == "buzzer" else False
    press = item.get("press_seconds", stage.get("buzzer_press_window_seconds", 10)) if kind == "buzzer" else 0
    if kind == "buzzer" and (isinstance(press, bool) or not isinstance(press, int) or press < 1):
        r.problem(f"{path}.press_seconds", "must be at least {minimum}", minimum=1)
        press = 10
    if round_id is None or kind is None:
        return None
    if kind == "risk":
        values["correct"], values["wrong"], values["timeout"] = 0, 0, 0  # the stake decides
    return Round(round_id, kind, str(title), values["correct"], values["wrong"], values["timeout"],
                 values["seconds"], int(questions or 0), int(per_team or 0), int(early), bool(reopen), stakes,
                 int(press))


def _toml_question(r: TomlReader, raw, path: str, index: int, contest_file: Path, folder: Path) -> Question | None:
    item = r.table(raw, path, ("id", "round", "kind", "stem", "options", "answer", "explanation", "source", "member",
                               *media.KINDS))
    round_id = r.get(item, path, "round", str)
    kind = r.get(item, path, "kind", str)
    stem = r.get(item, path, "stem", str)
    answer_raw = r.get(item, path, "answer", str)
    options = item.get("options", [])
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        r.problem(f"{path}.options", "expected {expected}, found {found}", expected=N_("array"), found="?")
        options = []
    if kind is not None and kind not in QUESTION_KINDS:
        r.problem(f"{path}.kind", "must be one of {allowed}", allowed=", ".join(QUESTION_KINDS))
        return None
    if kind in ("single", "multiple") and len(options) < 2:
        r.problem(f"{path}.options", "a choice question needs at least two options")
    answer = normalise_answer(kind, answer_raw) if kind and answer_raw is not None else None
    if answer_raw is not None and kind and answer is None:
        r.problem(f"{path}.answer", "not a valid answer for a {kind} question: {value}", kind=kind, value=answer_raw)
    if answer and kind in ("single", "multiple") and any(ord(c) - 65 >= len(options) for c in answer):
        r.problem(f"{path}.answer", "the answer names an option the question does not have: {value}", value=answer_raw)
    member = item.get("member")
    if member is not None and (not isinstance(member, int) or member < 1):
        r.problem(f"{path}.member", "must be at least {minimum}", minimum=1)
    found = {}
    for medium in media.KINDS:
        name = r.get(item, path, medium, str) if medium in item else None
        if name is not None:
            try:
                found[medium] = media.check(medium, name, contest_file, folder)
            except media.MediaProblem as problem:
                r.problem(f"{path}.{medium}", problem.template, **problem.values)
    if None in (round_id, kind, stem, answer):
        return None
    return Question(str(item.get("id") or f"q{index + 1}"), round_id, kind, stem, tuple(options), answer,
                    str(item.get("explanation", "")), str(item.get("source", "")), member, **found)


BANK_COLUMNS = {"题型": "kind", "题干": "stem", "答案": "answer", "解析": "explanation", "出处": "source",
                "轮次": "round", "编号": "id", "题号": "id", "图片": "image", "音频": "audio", "视频": "video"}
MEDIA_COLUMNS = {"image": "图片", "audio": "音频", "video": "视频"}


def read_bank(path: Path, default_round: str | None, problems: list[Problem],
              contest_folder: Path | None = None) -> list[Question]:
    """Questions from the organisers' spreadsheet (XLSX) or CSV; every bad row is named. A row's
    media (图片, 音频, 视频) are paths relative to the bank, inside the contest's folder."""
    label = str(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            from openpyxl import load_workbook
            workbook = load_workbook(path, read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]
            workbook.close()
        else:
            with path.open(encoding="utf-8-sig", newline="") as stream:
                rows = [[v.strip() for v in row] for row in csv.reader(stream)]
    except Exception as error:  # noqa: BLE001 - any unreadable file is reported, named
        problems.append(Problem("cannot read {path}: {reason}", Location(label), {"path": label, "reason": str(error)}))
        return []
    if not rows:
        problems.append(Problem("the question bank is empty", Location(label)))
        return []
    header = rows[0]
    columns: dict[str, int] = {}
    option_columns: list[tuple[str, int]] = []
    for position, title in enumerate(header):
        title = title.replace(" ", "")
        match = re.fullmatch(r"选项([A-Z])", title)
        if match:
            option_columns.append((match.group(1), position))
        elif title in BANK_COLUMNS:
            columns[BANK_COLUMNS[title]] = position
    for needed in ("题型", "题干", "答案"):
        if BANK_COLUMNS[needed] not in columns:
            problems.append(Problem("the question bank has no column {column}", Location(label, 1), {"column": needed}))
    if "round" not in columns and not default_round:
        problems.append(Problem("the question bank has no column {column}", Location(label, 1), {"column": "轮次"}))
    if any(p.where.file == label for p in problems):
        return []
    option_columns.sort()
    questions = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        cell = lambda key: row[columns[key]] if key in columns and columns[key] < len(row) else ""  # noqa: E731
        kind = KIND_NAMES.get(cell("kind"), cell("kind") if cell("kind") in QUESTION_KINDS else None)
        if kind is None:
            problems.append(Problem("unknown question type {value}", Location(label, line, field="题型"), {"value": cell("kind")}))
            continue
        options = tuple(row[p] for _name, p in option_columns if p < len(row) and row[p])
        stem = cell("stem")
        if not stem:
            problems.append(Problem("must not be empty", Location(label, line, field="题干")))
            continue
        answer = normalise_answer(kind, cell("answer"))
        if answer is None or (kind in ("single", "multiple") and any(ord(c) - 65 >= len(options) for c in answer)):
            problems.append(Problem("not a valid answer for a {kind} question: {value}", Location(label, line, field="答案"),
                                    {"kind": kind, "value": cell("answer")}))
            continue
        if kind in ("single", "multiple") and len(options) < 2:
            problems.append(Problem("a choice question needs at least two options", Location(label, line, field="选项A")))
            continue
        found, bad = {}, False
        for medium, column in MEDIA_COLUMNS.items():
            if cell(medium):
                try:
                    found[medium] = media.check(medium, cell(medium), path, contest_folder or path.parent)
                except media.MediaProblem as problem:
                    problems.append(Problem(problem.template, Location(label, line, field=column), problem.values))
                    bad = True
        if bad:
            continue
        questions.append(Question(cell("id") or f"{path.stem}-{line}", cell("round") or default_round or "",
                                  kind, stem, options, answer, cell("explanation"), cell("source"), **found))
    return questions
