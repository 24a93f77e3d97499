"""The stage journal as it travels to a follower: the same events, a contest without secrets, and
each question disclosed no earlier than the big screen shows it.

A follower folds exactly the events the kiosk journalled (`state.advance`), so its state is the
kiosk's. What a follower must not learn before the hall does stays on the kiosk: the contest it
gets has no questions and no PIN hashes (nor do the events: a judge's PIN set at the first
sign-in travels without its hash); a question's kind comes with `question_shown`, its stem
and options with `question_revealed`, its answer and explanation once it is judged (or ended
with no answer). A follower that catches up later gets each question as far as it has been
disclosed by then, on the first event that names it.
"""
from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path, PurePath

from finals_app.core.errors import FinalsError
from finals_app.core.stage.contest import Contest, Question, Round, Team
from finals_app.core.stage.journal import Event
from finals_app.core.stage.media import KINDS, Medium

PROTOCOL = 1
SHOWN, REVEALED, ANSWERED = 1, 2, 3
SECRET = "(kept on the kiosk)"


class WireError(FinalsError):
    """A message from the kiosk that does not fit the protocol."""


def public_contest(contest: Contest) -> dict:
    """The contest as a follower may have it: no questions, no PIN hashes, no file path."""
    data = asdict(replace(contest, questions=(), judge_pins=(), source=""))
    data.pop("_index", None)
    return data


def contest_from_public(data: dict) -> Contest:
    try:
        teams = tuple(Team(**{**team, "members": tuple(team["members"])}) for team in data["teams"])
        rounds = tuple(Round(**{**plan, "stakes": tuple(plan.get("stakes", ()))}) for plan in data["rounds"])
        tiebreak = data["tiebreak"]
        tiebreak = Round(**{**tiebreak, "stakes": tuple(tiebreak.get("stakes", ()))})
        fields = {key: value for key, value in data.items() if key not in ("teams", "rounds", "tiebreak")}
        return Contest(**{**fields, "teams": teams, "rounds": rounds, "tiebreak": tiebreak, "questions": (),
                          "judges": tuple(data["judges"]), "judge_pins": (),
                          "prizes": tuple((level, count) for level, count in data["prizes"])})
    except (KeyError, TypeError, ValueError) as problem:
        raise WireError("the kiosk sent a contest this version cannot read ({problem})", problem=problem) from None


def _question_payload(question: Question, level: int) -> dict:
    payload = {"id": question.id, "round": question.round, "kind": question.kind, "member": question.member,
               "stem": "", "options": [], "answer": "", "explanation": "", "source": question.source}
    if level >= REVEALED:
        payload.update(stem=question.stem, options=list(question.options))
        # its media as a follower fetches them from the kiosk (by digest, with its token; never
        # the kiosk's path), only once the question is on the big screen
        payload["media"] = [{"kind": m.kind, "name": PurePath(m.name).name, "format": m.format,
                             "digest": m.digest, "size_bytes": m.size_bytes, "width": m.width, "height": m.height,
                             "duration_ms": m.duration_ms} for m in question.media]
    if level >= ANSWERED:
        payload.update(answer=question.answer, explanation=question.explanation)
    return payload


def _remote_medium(item: dict) -> Medium:
    """A medium a follower knows by its digest (the file is the kiosk's; the follower fetches it)."""
    kind, digest = str(item["kind"]), str(item["digest"])
    if kind not in KINDS or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"bad medium {kind!r}")
    whole = {key: value for key, value in item.items() if type(value) is int}  # never a bool or a text
    return Medium(kind, str(item.get("name", ""))[:200], Path(), str(item.get("format", ""))[:20],
                  whole.get("size_bytes", 0), digest, whole.get("width"), whole.get("height"),
                  whole.get("duration_ms"))


def question_from_payload(payload: dict) -> Question:
    try:
        media = {}
        for item in payload.get("media", []) or []:
            medium = _remote_medium(item)
            media[medium.kind] = medium
        return Question(str(payload["id"]), str(payload["round"]), str(payload["kind"]), str(payload["stem"]),
                        tuple(str(o) for o in payload["options"]), str(payload["answer"]),
                        str(payload.get("explanation", "")), str(payload.get("source", "")),
                        payload.get("member") if isinstance(payload.get("member"), int) else None, **media)
    except (KeyError, TypeError, ValueError, AttributeError) as problem:
        raise WireError("a question from the kiosk is incomplete ({problem})", problem=problem) from None


class Disclosures:
    """How far each question has been disclosed by the journal so far, kept up to date event by
    event (undo never un-discloses: the hall has seen it)."""

    def __init__(self, events: list[Event] = ()):
        self.levels: dict[str, int] = {}
        self._current = None
        self.update(events)

    def update(self, events: list[Event]) -> None:
        levels = self.levels
        for event in events:
            kind = event.type
            if kind == "question_shown":
                self._current = event.data.get("question")
                levels[self._current] = max(levels.get(self._current, 0), SHOWN)
            elif kind == "question_revealed" and self._current is not None:
                levels[self._current] = max(levels[self._current], REVEALED)
            elif kind in ("answer_judged", "no_answer") and event.data.get("question") in levels:
                levels[event.data["question"]] = ANSWERED


class Discloser:
    """Attaches to outgoing events the questions a follower may now know (per follower: each
    question again only when it is disclosed further)."""

    def __init__(self, contest: Contest):
        self.contest = contest
        self.sent: dict[str, int] = {}

    def records(self, events: list[Event], levels: dict[str, int]) -> list[dict]:
        """Wire records of `events`; `levels` is the disclosure reached by the whole journal so far."""
        out = []
        for event in events:
            record = event.to_record()
            if event.type == "judge_pin_set":  # a PIN's hash stays on the kiosk (a 4-digit PIN is soon guessed)
                record["data"] = {**event.data, "hash": SECRET}
            elif isinstance(event.data.get("torn_tail"), dict) and "excerpt" in event.data["torn_tail"]:
                # the bytes of a record torn by a crash may be any record's, a PIN's hash too
                record["data"] = {**event.data, "torn_tail": {**event.data["torn_tail"], "excerpt": SECRET}}
            question_id = event.data.get("question") if isinstance(event.data, dict) else None
            if isinstance(question_id, str) and levels.get(question_id, 0) > self.sent.get(question_id, 0):
                question = self.contest.question(question_id)
                if question is not None:
                    self.sent[question_id] = levels[question_id]
                    record["disclose"] = _question_payload(question, levels[question_id])
            out.append(record)
        return out


def event_from_record(record: dict) -> Event:
    try:
        event = Event(int(record["seq"]), str(record["type"]), int(record["wall_ms"]), int(record["mono_ms"]),
                      str(record["operator"]), dict(record["data"]))
    except (KeyError, TypeError, ValueError) as problem:
        raise WireError("an event from the kiosk is incomplete ({problem})", problem=problem) from None
    return event
