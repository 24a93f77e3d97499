"""The stage engine: commands checked against the state, events journalled before they count.

`StageEngine.execute({"cmd": "...", ...})` either appends the command's events durably and
returns them, or raises Refusal saying why (nothing is guessed: "correct" with nobody on the
floor is refused). Screens read `engine.state`; nothing else changes it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from finals_app.core.clock import Clock, SystemClock
from finals_app.core.errors import FinalsError
from finals_app.core.i18n import N_, translate
from finals_app.core.stage.contest import Contest, Question
from finals_app.core.stage.journal import Event, Journal
from finals_app.core.stage.pins import hash_pin, valid_pin, verify_pin
from finals_app.core.stage.state import UNDOABLE, StageState, advance, fold, undo_stacks

VERDICTS = ("correct", "wrong", "timeout")
AFTER_FINAL = ("reopen_result", "press", "ceremony_next", "ceremony_replay")  # what a signed result still allows


class Refusal(FinalsError):
    """A command that does not fit the state; nothing was recorded."""


class RecordedRefusal(Refusal):
    """A refusal the journal keeps (a wrong PIN): its events are recorded, then it is raised."""

    def __init__(self, template: str, pending: list, **values):
        super().__init__(template, **values)
        self.pending = pending


@dataclass(frozen=True)
class Pending:
    """An event a command wants recorded: its type and data."""

    type: str
    data: dict


class StageEngine:
    def __init__(self, contest: Contest, journal_path: str | Path, clock: Clock | None = None,
                 durable: bool = True):
        self.contest = contest
        self.clock = clock or SystemClock()
        self.journal = Journal(journal_path, durable=durable)
        self.listeners: list[Callable[[StageState, list[Event]], None]] = []
        # How long a buzzer race settles before anyone holds the floor: 0 with keyboards and
        # boxes (their presses arrive in order within milliseconds); with phones, as long as a
        # phone's press may take to arrive (the server says), so a truly earlier press that
        # arrives later is in the race before any surface shows a winner.
        self.settle_ms: Callable[[], float] = lambda: 0
        self._probing = False
        fresh = not self.journal.events
        self.state = fold(contest, self.journal.events)
        opening = Pending("session_started" if fresh else "resumed",
                          {"contest": contest.name, "contest_digest": contest.digest,
                           "torn_tail_dropped": self.journal.recovered_torn_tail,
                           **({"torn_tail": self.journal.torn_tail} if self.journal.torn_tail else {})})
        self._record([opening], operator="system")
        self._settle_race()  # a race settling when the kiosk stopped is settled now (see state's resume)

    @property
    def events(self) -> list[Event]:
        return self.journal.events

    def close(self) -> None:
        self.journal.close()

    def now_ms(self) -> int:
        return self.clock.monotonic_ms()

    # ---- the one way in ----

    def execute(self, command: dict, operator: str = "host") -> list[Event]:
        name = command.get("cmd")
        handler = COMMANDS.get(name)
        if handler is None:
            raise Refusal("unknown command {name} (known: {known})", name=name, known=", ".join(sorted(COMMANDS)))
        if self.state.final and name not in AFTER_FINAL:
            raise Refusal("the result is final and signed; the chief judge must reopen it first")
        try:
            pending = handler(self, self.state, command)
        except RecordedRefusal as refusal:
            self._record(refusal.pending, operator=str(command.get("operator") or operator))
            raise
        return self._record(pending, operator=str(command.get("operator") or operator))

    def allows(self, command: dict) -> bool:
        """Whether `command` would be accepted now (the same checks, nothing recorded; PINs are
        not checked)."""
        handler = COMMANDS.get(command.get("cmd"))
        if handler is None or (self.state.final and command.get("cmd") not in AFTER_FINAL):
            return False
        self._probing = True
        try:
            handler(self, self.state, command)
        except Refusal:
            return False
        finally:
            self._probing = False
        return True

    def settles_at_ms(self) -> int | None:
        """The monotonic ms at which a settling buzzer race is settled (for whoever schedules
        `expire`), or None."""
        question = self.state.question
        return question.settles_at_mono_ms if question is not None else None

    def expire(self) -> list[Event]:
        """What the clock decides: a buzzer race whose settling time is over is settled, and the
        buzzers close when their press window has run out with no valid press. The kiosk calls
        this as its clock ticks and at the race's deadline; a rehearsal script says
        close_buzzers instead."""
        if self.settles_at_ms() is not None:
            return self._settle_race()
        timer = self.state.timer
        if timer is None or timer.kind != "press" or not timer.expired(self.now_ms()):
            return []
        try:
            return self.execute({"cmd": "close_buzzers", "expired": True}, operator="system")
        except Refusal:
            return []

    def _settle_race(self) -> list[Event]:
        settles_at = self.settles_at_ms()
        if settles_at is None or self.now_ms() < settles_at:
            return []
        return self._record([Pending("race_settled", {"question": self.state.question.id})], operator="system")

    def _record(self, pending: list[Pending], operator: str) -> list[Event]:
        if not pending:
            return []
        now_mono, now_wall = self.clock.monotonic_ms(), self.clock.wall_ms()
        events = self.journal.append([{"type": p.type, "wall_ms": now_wall, "mono_ms": now_mono,
                                       "operator": operator, "data": p.data} for p in pending])
        self.state = advance(self.state, self.contest, self.journal.events, events)
        for listener in list(self.listeners):
            listener(self.state, events)
        return events


# ---------------------------------------------------------------- helpers

def _require(condition: bool, template: str, **values) -> None:
    if not condition:
        raise Refusal(template, **values)


def _team(state: StageState, command: dict, key: str = "team") -> str:
    team = command.get(key)
    _require(state.contest.team(str(team)) is not None, "no team {team}", team=team)
    return str(team)


def team_name(state: StageState, team_id: str | None) -> str:
    """The show's words: a team is named as the audience knows it, never by its id."""
    team = state.contest.team(str(team_id)) if team_id is not None else None
    return team.name if team is not None else str(team_id)


def _names(state: StageState, teams) -> str:
    return "、".join(team_name(state, t) for t in teams)


def _int(command: dict, key: str) -> int:
    value = command.get(key)
    _require(isinstance(value, int) and not isinstance(value, bool), "{field} must be a whole number", field=key)
    return value


def _no_question_in_progress(state: StageState) -> None:
    _require(not state.question_in_progress, "{question} is still in progress: judge it first",
             question=question_label(state))


def question_label(state: StageState) -> str:
    """'第3题' of its round: how the host and the audience count questions."""
    question = state.question
    if question is None:
        return ""
    return translate("question {number}", number=state.shown_per_round.get(question.round, 0))


def next_turn(state: StageState) -> tuple[str | None, int | None]:
    """The team (and member, for individual questions) whose turn the next question is."""
    plan = state.round
    if plan is None or plan.type == "buzzer":
        return None, None
    turn = state.shown_per_round.get(plan.id, 0)
    team = state.playing[turn % len(state.playing)]
    if plan.type == "compulsory":
        lap = turn // len(state.playing)
        return team, lap + 1 if lap < state.contest.team_size else None
    return team, None


# ---------------------------------------------------------------- commands

def cmd_next_round(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    _no_question_in_progress(state)
    _require(not state.in_tiebreak, "a tie-break is being played: finish it first")
    _require(state.round_index + 1 < len(state.contest.rounds), "there is no further round")
    plan = state.contest.rounds[state.round_index + 1]
    teams = list(state.playing)
    if state.round_index == 0 and state.contest.advance_top:
        ranking = state.ranking()
        cut = state.contest.advance_top
        if cut < len(ranking):
            _require(ranking[cut - 1]["key"] != ranking[cut]["key"],
                     "teams are tied at the advancement cut ({teams}): play a tie-break first",
                     teams=_names(state, [r["team"] for r in ranking if r["key"] == ranking[cut - 1]["key"]]))
            teams = [r["team"] for r in ranking[:cut]]
            teams = [t.id for t in state.contest.teams if t.id in teams]
    return [Pending("round_started", {"round": plan.id, "teams": teams})]


def cmd_show_question(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    plan = state.round
    _require(plan is not None, "no round has started: start the next round first")
    _no_question_in_progress(state)
    quota = state.round_quota(plan)
    _require(state.shown_per_round.get(plan.id, 0) < quota, "round {round} has played all its {count} questions",
             round=plan.title, count=quota)
    team, member = next_turn(state)
    if command.get("team") is not None:
        _require(plan.type != "buzzer", "a buzzer question is not asked to one team")
        team = _team(state, command)
        _require(team in state.playing, "{team} does not play this round", team=team_name(state, team))
    pool = [q for q in state.contest.questions_of(plan.id) if q.id not in state.used_questions]
    wanted = command.get("question")
    if wanted is not None:
        question = state.contest.question(str(wanted))
        _require(question is not None and question.round == plan.id, "no question {question} in round {round}",
                 question=wanted, round=plan.title)
        _require(question.id not in state.used_questions, "question {question} was already asked", question=wanted)
    else:
        _require(bool(pool), "round {round} has no unused questions left", round=plan.title)
        question = _pick(pool, member)
    if question.member is not None and plan.type == "compulsory":
        member = question.member
    stake = None
    if plan.type == "risk":
        _require(team in state.stakes, "{team} must choose its stake before seeing the question",
                 team=team_name(state, team))
        stake = state.stakes[team]
    return [Pending("question_shown", {"question": question.id, "round": plan.id, "team": team,
                                       "member": member, "stake": stake})]


def _pick(pool: list[Question], member: int | None) -> Question:
    if member is not None:
        for question in pool:
            if question.member == member:
                return question
    for question in pool:
        if question.member is None:
            return question
    return pool[0]


def cmd_reveal(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    _require(state.question is not None, "no question is shown")
    _require(not state.question.revealed, "the question is already on the big screen")
    return [Pending("question_revealed", {"question": state.question.id})]


def _playable(engine: StageEngine, state: StageState, command: dict):
    """(question, medium) the host may play, pause or restart now: the question on the big
    screen has that sound or clip."""
    question = state.question
    _require(question is not None and question.revealed, "put the question on the big screen first")
    item = engine.contest.question(question.id)
    medium = command.get("medium")
    if medium is None:  # the question's one clip, when it has one
        medium = "video" if item is not None and item.video else "audio"
    _require(medium in ("audio", "video"), "the medium must be audio or video")
    found = getattr(item, medium, None) if item is not None else None
    _require(found is not None, "this question has no {medium}", medium=N_("sound") if medium == "audio" else N_("video"))
    return question, medium, found


def cmd_play_media(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    """Play the question's sound or clip from where it stands (its start the first time)."""
    question, medium, found = _playable(engine, state, command)
    playback = question.playback if question.playback is not None and question.playback.medium == medium else None
    position = playback.position(engine.now_ms()) if playback is not None else 0
    ended = found.duration_ms is not None and position >= found.duration_ms
    _require(playback is None or not playback.playing or ended, "it is already playing")
    if ended:
        position = 0  # played to its end: from the start again
    return [Pending("media_played", {"question": question.id, "medium": medium, "position_ms": position,
                                     "duration_ms": found.duration_ms})]


def cmd_pause_media(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    question, medium, found = _playable(engine, state, command)
    playback = question.playback
    _require(playback is not None and playback.medium == medium and playback.playing, "nothing is playing")
    return [Pending("media_paused", {"question": question.id, "medium": medium,
                                     "position_ms": playback.position(engine.now_ms()), "duration_ms": found.duration_ms})]


def cmd_restart_media(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    question, medium, found = _playable(engine, state, command)
    return [Pending("media_played", {"question": question.id, "medium": medium, "position_ms": 0,
                                     "duration_ms": found.duration_ms})]


def cmd_choose_stake(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    plan = state.round
    _require(plan is not None and plan.type == "risk", "stakes are chosen in a risk round only")
    _no_question_in_progress(state)
    quota = state.round_quota(plan)
    _require(state.shown_per_round.get(plan.id, 0) < quota, "round {round} has played all its {count} questions",
             round=plan.title, count=quota)
    team = _team(state, command)
    expected, _ = next_turn(state)
    _require(team == expected, "it is {expected}'s turn, not {team}'s", expected=team_name(state, expected),
             team=team_name(state, team))
    stake = _int(command, "stake")
    _require(stake in plan.stakes, "the stake must be one of {stakes}", stakes=", ".join(map(str, plan.stakes)))
    return [Pending("stake_chosen", {"team": team, "stake": stake})]


def cmd_start_timer(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    _require(state.question_in_progress, "no question is in progress")
    plan = state.contest.round(state.question.round)
    seconds = command.get("seconds", plan.seconds)
    _require(isinstance(seconds, int) and seconds > 0, "{field} must be a whole number", field="seconds")
    _require(not (state.timer and state.timer.running), "the timer is already running")
    if plan.type == "buzzer":
        holder, _ = state.floor()
        _require(holder is not None, "on a buzzer question the answer clock starts when one team holds the floor")
    return [Pending("timer_started", {"duration_ms": seconds * 1000})]


def cmd_pause_timer(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    _require(state.timer is not None and state.timer.running, "the timer is not running")
    return [Pending("timer_paused", {})]


def cmd_resume_timer(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    _require(state.timer is not None and not state.timer.running and state.timer.left_ms > 0,
             "the timer is not paused")
    return [Pending("timer_resumed", {})]


def cmd_add_time(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    _require(state.timer is not None, "no timer to add time to")
    seconds = _int(command, "seconds")
    _require(0 < seconds <= 600, "{field} must be between {low} and {high}", field="seconds", low=1, high=600)
    return [Pending("time_added", {"ms": seconds * 1000})]


def cmd_stop_timer(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    _require(state.timer is not None and state.timer.running, "the timer is not running")
    return [Pending("timer_stopped", {})]


def cmd_open_buzzers(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    question = state.question
    _require(question is not None and question.status == "shown", "open the buzzers on a question just shown")
    plan = state.contest.round(question.round)
    _require(plan.type == "buzzer", "this is not a buzzer question")
    t_ms = command.get("t_ms")
    _require(t_ms is None or isinstance(t_ms, int), "{field} must be a whole number", field="t_ms")
    return [Pending("buzzers_opened", {"t_ms": t_ms})]


def press_outcome(state: StageState, team: str, t_ms: int, uncertainty_ms: float = 0) -> str:
    """How a press counts, decided by the state and the press's own device timestamp. A press
    known only within an uncertainty (a phone) is a foul only if it was surely early."""
    question = state.question
    if state.final:
        return "ignored_final"
    if question is None or question.status == "judged":
        return "ignored_no_question"
    plan = state.contest.round(question.round)
    if plan is None or plan.type != "buzzer":
        return "ignored_not_buzzer_question"
    players = state.tiebreak_teams if state.in_tiebreak else state.playing
    if team not in players:
        return "ignored_not_playing"
    if team in question.locked_out:
        return "ignored_locked_out"
    if team in question.answered:
        return "ignored_already_answered"
    if question.status == "open" and any(p.team == team for p in question.candidates):
        return "ignored_repeat"
    if question.status == "shown":
        return "foul" if not question.answered else "ignored_closed"
    if question.open_t_ms is not None and t_ms + uncertainty_ms < question.open_t_ms:
        return "foul"
    return "accepted"


BUZZER_STATUSES = ("wait", "not_playing", "locked_out", "judged", "floor", "tie", "settling", "answered",
                   "taken", "pressed", "open", "too_early")


def buzzer_status(state: StageState, team: str) -> str:
    """Where one team's buzzer stands now, as the engine would count its press (`press_outcome`)
    and as the floor stands: wait (no buzzer question), not_playing, locked_out (it fouled),
    judged (the question is over), floor (it holds the floor), tie (tied: the host decides),
    settling (its press is in a race not yet settled), answered (it answered and missed),
    taken (another team holds the floor or is tied), pressed (it pressed; the race is decided
    without it yet), open (a press now counts), too_early (the buzzers are not open: a press now
    is a foul). Every surface (a team's phone, the console) asks this; none re-codes the rule."""
    question = state.question
    # a press at the latest instant there can be: never early once the buzzers are open
    outcome = press_outcome(state, team, 2 ** 62)
    if outcome == "ignored_no_question" and question is not None:
        return "judged"
    if outcome in ("ignored_final", "ignored_no_question", "ignored_not_buzzer_question"):
        return "wait"
    if outcome == "ignored_not_playing":
        return "not_playing"
    if outcome == "ignored_locked_out":
        return "locked_out"
    holder, tied = state.floor()
    if holder == team:
        return "floor"
    if team in tied:
        return "tie"
    if outcome == "ignored_already_answered":
        return "answered"
    if outcome == "foul":
        return "too_early"
    if holder is not None or tied:
        return "taken"
    if outcome == "ignored_repeat":
        return "settling" if question.settling else "pressed"
    if outcome == "accepted":
        return "open"
    return "wait"  # ignored_closed: the buzzers are not open and the question was answered


def round_heading(state: StageState) -> dict:
    """What the title of every audience surface says (the big screen, the stream overlay, the
    LED wall): kind `contest` (before the first round: the contest's name), `tiebreak` (the
    teams in it), `round` (its title) or `question` (its title, the question's number, the
    round's quota). One answer for every surface, the tie-break included."""
    plan = state.round
    if plan is None:
        return {"kind": "contest", "title": state.contest.name}
    if state.in_tiebreak:
        return {"kind": "tiebreak", "title": plan.title,
                "teams": [state.contest.team(t).name for t in state.tiebreak_teams]}
    shown = state.shown_per_round.get(plan.id, 0)
    if state.question is None or not shown:
        return {"kind": "round", "title": plan.title}
    return {"kind": "question", "title": plan.title, "number": shown, "total": state.round_quota(plan)}


def cmd_press(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    team = _team(state, command)
    t_ms = _int(command, "t_ms")
    uncertainty_us = command.get("uncertainty_us")
    if uncertainty_us is not None:
        _require(isinstance(uncertainty_us, int) and not isinstance(uncertainty_us, bool)
                 and 0 <= uncertainty_us <= 10_000_000, "{field} must be a whole number of microseconds "
                 "from 0 to 10 s", field="uncertainty_us")
    outcome = press_outcome(state, team, t_ms, (uncertainty_us or 0) / 1000)
    question = state.question.id if state.question else None
    received = command.get("received_ms")
    data = {"team": team, "key": str(command.get("key") or state.contest.team(team).buzzer_key), "t_ms": t_ms,
            "received_ms": received if isinstance(received, int) else engine.now_ms(), "outcome": outcome,
            "question": question}
    if outcome == "accepted" and not state.question.candidates:
        settle = math.ceil(max(0.0, min(float(engine.settle_ms()), 1000.0)))
        if settle:
            data["settle_ms"] = settle  # the first valid press of this opening: the race settles
    t_us = command.get("t_us")
    if isinstance(t_us, int) and not isinstance(t_us, bool) and t_us // 1000 == t_ms:
        data["t_us"] = t_us  # an input device's kernel time, to the microsecond
    if command.get("device"):
        data["device"] = str(command["device"])[:120]
    if uncertainty_us:
        data["uncertainty_us"] = uncertainty_us
    phone = command.get("phone")
    if isinstance(phone, dict):  # the evidence of a phone's press: its own clock, the mapping
        data["phone"] = {key: phone[key] for key in ("phone_ms", "mapped_ms", "uncertainty_ms", "arrival_ms",
                                                     "offset_ms", "rtt_ms", "connection")
                         if isinstance(phone.get(key), (int, float, str)) and not isinstance(phone.get(key), bool)}
    return [Pending("press_received", data)]  # the answer clock starts when the floor is given (state)


def cmd_resolve_tie(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    holder, tied = state.floor()
    _require(bool(tied), "there is no buzzer tie to decide")
    team = _team(state, command)
    _require(team in tied, "{team} is not among the tied teams ({tied})", team=team_name(state, team),
             tied=_names(state, tied))
    return [Pending("tie_resolved", {"team": team})]


def cmd_reask(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    question = state.question
    _require(question is not None and question.status == "open", "the buzzers are not open")
    t_ms = command.get("t_ms")
    return [Pending("buzzers_opened", {"t_ms": t_ms if isinstance(t_ms, int) else None})]


def cmd_judge(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    verdict = command.get("verdict") or command.get("cmd")
    _require(verdict in VERDICTS, "the verdict must be one of {allowed}", allowed=", ".join(VERDICTS))
    question = state.question
    _require(question is not None and question.status != "judged", "no question is waiting for a verdict")
    plan = state.contest.round(question.round)
    team, tied = state.floor()
    if tied:
        raise Refusal("{tied} pressed within {ms} ms: decide who answers first", tied=_names(state, tied),
                      ms=state.contest.tie_resolution_ms)
    _require(not question.settling, "a buzzer race is settling: wait a moment")
    if team is None and verdict == "timeout" and plan.type == "buzzer":
        return cmd_close_buzzers(engine, state, command)  # time is up and nobody pressed: no answer
    _require(team is not None, "nobody holds the floor: there is no answer to judge")
    if plan.type == "risk":
        stake = question.stake or 0
        delta = {"correct": stake, "wrong": -stake, "timeout": -stake}[verdict]
    else:
        delta = {"correct": plan.correct, "wrong": plan.wrong, "timeout": plan.timeout}[verdict]
    return [Pending("answer_judged", {"question": question.id, "team": team, "verdict": verdict, "delta": delta,
                                      "tiebreak": state.in_tiebreak})]


def cmd_close_buzzers(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    """End a buzzer question nobody won: 0 points for everyone, the answer is shown."""
    question = state.question
    _require(question is not None and question.status != "judged", "no question is waiting for a verdict")
    plan = state.contest.round(question.round)
    _require(plan.type == "buzzer", "this is not a buzzer question")
    holder, tied = state.floor()
    _require(not tied, "{tied} pressed within {ms} ms: decide who answers first", tied=_names(state, tied),
             ms=state.contest.tie_resolution_ms)
    _require(holder is None, "{team} holds the floor: judge its answer", team=team_name(state, holder))
    _require(not question.settling, "a buzzer race is settling: wait a moment")
    why = "window" if command.get("expired") else "host"
    return [Pending("no_answer", {"question": question.id, "why": why})]


def cmd_reopen(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    question = state.question
    _require(question is not None and question.status == "judged", "no judged question to re-open")
    plan = state.contest.round(question.round)
    _require(plan.type == "buzzer", "only a buzzer question can be re-opened")
    _require(plan.reopen_after_wrong, "re-opening after a wrong answer is off for this round")
    _require(not question.no_answer, "nobody answered this question: there is nothing to re-open")
    _require(bool(question.verdicts) and question.verdicts[-1][1] != "correct",
             "the question was answered correctly")
    players = state.tiebreak_teams if state.in_tiebreak else state.playing
    left = [t for t in players if t not in question.answered and t not in question.locked_out]
    _require(bool(left), "every team has answered or is locked out")
    t_ms = command.get("t_ms")
    return [Pending("buzzers_reopened", {"t_ms": t_ms if isinstance(t_ms, int) else None, "teams": left})]


def cmd_correct_score(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    team = _team(state, command)
    delta = _int(command, "delta")
    _require(delta != 0, "a correction must change the score")
    reason = str(command.get("reason") or "").strip()
    _require(bool(reason), "a score correction needs a reason")
    return [Pending("score_corrected", {"team": team, "delta": delta, "reason": reason,
                                        "tiebreak": bool(command.get("tiebreak", False))})]


def undo_target(engine: StageEngine) -> Event | None:
    """The action a plain undo would take back now (the newest in force), or None."""
    done = undo_stacks(engine.events).done
    return engine.journal.event(done[-1]) if done else None


def redo_target(engine: StageEngine) -> Event | None:
    """The action redo would restore now, or None (nothing undone since the last new action)."""
    redo = undo_stacks(engine.events).redo
    return engine.journal.event(redo[-1]) if redo else None


def cmd_undo(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    target = command.get("target")
    if target is None:
        event = undo_target(engine)
        _require(event is not None, "there is nothing to undo")
    else:
        event = engine.journal.event(target) if isinstance(target, int) else None
        _require(event is not None, "no event {target}", target=target)
        _require(event.type in UNDOABLE, "event {target} ({type}) cannot be undone", target=target, type=event.type)
        _require(event.seq not in undo_stacks(engine.events).cancelled, "event {target} is already undone",
                 target=target)
    return [Pending("undone", {"target": event.seq, "type": event.type, "reason": str(command.get("reason") or "")})]


def cmd_redo(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    event = redo_target(engine)
    _require(event is not None, "there is nothing to redo")
    return [Pending("redone", {"target": event.seq, "type": event.type})]


def _at_advancement_cut(state: StageState) -> bool:
    """Round 1 is played out and the contest cuts the field after it."""
    if state.round_index != 0 or not state.contest.advance_top or len(state.contest.rounds) < 2:
        return False
    plan = state.contest.rounds[0]
    return state.shown_per_round.get(plan.id, 0) >= state.round_quota(plan)


def _cut_ties(state: StageState) -> list[list[str]]:
    """The teams tied across the advancement cut (as one group), if any."""
    ranking = state.ranking()
    cut = state.contest.advance_top
    if not cut or cut >= len(ranking) or ranking[cut - 1]["key"] != ranking[cut]["key"]:
        return []
    return [[row["team"] for row in ranking if row["key"] == ranking[cut - 1]["key"]]]


def cmd_start_tiebreak(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    _no_question_in_progress(state)
    _require(not state.in_tiebreak, "a tie-break is already being played")
    _require(state.rounds_done or _at_advancement_cut(state),
             "the rounds are not finished: a tie-break is played on the final ranking or at the advancement cut")
    ties = state.open_ties() if state.rounds_done else _cut_ties(state)
    teams = command.get("teams")
    if teams is None:
        _require(bool(ties), "no tie straddles a prize boundary")
        teams = ties[0]
    else:
        _require(isinstance(teams, list) and len(teams) >= 2, "a tie-break needs at least two teams")
        for team in teams:
            _require(state.contest.team(str(team)) is not None, "no team {team}", team=team)
    return [Pending("tiebreak_started", {"teams": [str(t) for t in teams]})]


def cmd_end_tiebreak(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    _require(state.in_tiebreak, "no tie-break is being played")
    _no_question_in_progress(state)
    ties = state.open_ties() if state.rounds_done else _cut_ties(state)
    still = [group for group in ties if set(group) & set(state.tiebreak_teams)]
    _require(not still or bool(command.get("force")), "the tie between {teams} is not broken yet",
             teams=_names(state, still[0]) if still else "")
    return [Pending("tiebreak_ended", {"teams": state.tiebreak_teams})]


def cmd_assign_prizes(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    _require(state.rounds_done, "the rounds are not finished")
    _require(not state.in_tiebreak, "a tie-break is being played: finish it first")
    ties = state.open_ties()
    _require(not ties, "{teams} are tied across a prize boundary: play a tie-break",
             teams="；".join(_names(state, group) for group in ties))
    return [Pending("prizes_assigned", state.proposed_prizes())]


def _check_pin(engine: StageEngine, state: StageState, judge: str, command: dict) -> list[Pending]:
    """A judge's own PIN: checked against the contest's hash or the one set at the first sign-in;
    a judge without one sets it now. A wrong PIN is refused and the refusal journalled."""
    if engine._probing:
        return []
    pin = command.get("pin")
    stored = state.contest.pin_of(judge) or state.pins.get(judge)
    if stored is None:
        _require(valid_pin(pin), "{judge} has no PIN yet: choose one of 4 to 12 digits", judge=judge)
        return [Pending("judge_pin_set", {"judge": judge, "hash": hash_pin(pin)})]
    _require(pin is not None and pin != "", "{judge}: enter your PIN", judge=judge)
    if not verify_pin(pin, stored):
        raise RecordedRefusal("wrong PIN for {judge}", [Pending("pin_refused", {"judge": judge})], judge=judge)
    return []


def cmd_sign_off(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    _require(state.prizes is not None, "no prize list to sign: assign the prizes first")
    judge = str(command.get("judge") or "")
    _require(judge in state.contest.judges, "{judge} is not a judge of this contest", judge=judge)
    _require(judge not in state.signoffs, "{judge} has already signed", judge=judge)
    seen = command.get("prizes")
    _require(seen is None or seen == state.prizes, "the prize list changed since it was shown: look at it again")
    events = _check_pin(engine, state, judge, command)
    events.append(Pending("judge_signed", {"judge": judge, "prizes": state.prizes}))
    if len(state.signoffs) + 1 == len(state.contest.judges):
        events.append(Pending("result_finalized", {"prizes": state.prizes}))
    return events


def cmd_reopen_result(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    _require(state.final, "the result is not final")
    judge = str(command.get("judge") or "")
    _require(judge == state.contest.chief_judge, "only the chief judge ({chief}) can reopen the result",
             chief=state.contest.chief_judge)
    reason = str(command.get("reason") or "").strip()
    _require(bool(reason), "reopening the result needs a reason")
    events = _check_pin(engine, state, judge, command)
    return events + [Pending("result_reopened", {"judge": judge, "reason": reason})]


def ceremony_steps(state: StageState) -> list[tuple[str, str]]:
    """The prize ceremony, one step per prize-winning team: third prize first, first last."""
    prizes = state.prizes or {}
    return [(level, team) for level in ("third", "second", "first") for team in prizes.get(level, [])]


def cmd_ceremony_next(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    _require(state.final and bool(state.prizes), "the ceremony follows the judges' sign-off")
    steps = ceremony_steps(state)
    _require(state.ceremony_step <= len(steps), "every prize has been announced (replay to start again)")
    if state.ceremony_step == len(steps):  # after the first prize: the roll of every winner, on the host's key
        return [Pending("ceremony_step", {"step": state.ceremony_step + 1, "level": "roll", "team": None})]
    level, team = steps[state.ceremony_step]
    return [Pending("ceremony_step", {"step": state.ceremony_step + 1, "level": level, "team": team})]


def cmd_ceremony_replay(engine: StageEngine, state: StageState, command: dict) -> list[Pending]:
    _require(state.final and bool(state.prizes), "the ceremony follows the judges' sign-off")
    _require(state.ceremony_step > 0, "the ceremony has not started")
    return [Pending("ceremony_replayed", {})]


COMMANDS = {
    "next_round": cmd_next_round, "show_question": cmd_show_question, "reveal": cmd_reveal,
    "choose_stake": cmd_choose_stake, "start_timer": cmd_start_timer, "pause_timer": cmd_pause_timer,
    "resume_timer": cmd_resume_timer, "add_time": cmd_add_time, "stop_timer": cmd_stop_timer,
    "open_buzzers": cmd_open_buzzers, "press": cmd_press, "resolve_tie": cmd_resolve_tie, "reask": cmd_reask,
    "judge": cmd_judge, "correct": cmd_judge, "wrong": cmd_judge, "timeout": cmd_judge, "reopen": cmd_reopen,
    "correct_score": cmd_correct_score, "undo": cmd_undo, "redo": cmd_redo,
    "close_buzzers": cmd_close_buzzers, "no_answer": cmd_close_buzzers,
    "ceremony_next": cmd_ceremony_next, "ceremony_replay": cmd_ceremony_replay,
    "start_tiebreak": cmd_start_tiebreak, "end_tiebreak": cmd_end_tiebreak,
    "assign_prizes": cmd_assign_prizes, "sign_off": cmd_sign_off, "reopen_result": cmd_reopen_result,
    "play_media": cmd_play_media, "pause_media": cmd_pause_media, "restart_media": cmd_restart_media,
}
