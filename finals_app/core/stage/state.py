"""The stage's state: a pure fold of the journal's events.

`fold(contest, events)` replays every event that is not cancelled by an undo. Undo is itself an
event naming its target; an undo can be undone in turn (redo). Nothing here reads a clock:
timers are deadlines, and `remaining_ms(now)` is asked with the caller's monotonic time.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from finals_app.core.stage.contest import Contest, Round
from finals_app.core.stage.journal import Event

PRIZE_LEVELS = ("first", "second", "third")
UNDOABLE = ("answer_judged", "score_corrected", "press_received", "tie_resolved", "stake_chosen",
            "buzzers_reopened", "question_revealed", "time_added")


@dataclass
class Press:
    seq: int
    team: str
    key: str
    t_ms: int
    received_mono_ms: int
    wall_ms: int
    outcome: str
    question: str | None
    t_us: int | None = None  # the device's microseconds, when it reports them (input devices do)
    device: str = ""  # which input reported it ("keyboard", an input device's name, "phone", ...)
    uncertainty_us: int = 0  # how far the true instant may be from t_us (a phone's mapped clock)
    phone: dict | None = None  # a phone's evidence: its own time, the mapped time, uncertainty, arrival

    @property
    def device_us(self) -> int:
        return self.t_us if self.t_us is not None else self.t_ms * 1000


@dataclass
class ScoreChange:
    seq: int
    team: str
    delta: int
    kind: str  # answer | foul | correction
    reason: str
    operator: str
    wall_ms: int
    question: str | None
    tiebreak: bool
    undone: bool = False
    undone_by: str = ""  # who took it back, when, and why (the audit trail keeps it)
    undone_wall_ms: int | None = None
    undo_reason: str = ""


@dataclass
class Timer:
    duration_ms: int
    deadline_mono_ms: int | None  # set while running
    deadline_wall_ms: int | None
    left_ms: int  # while paused
    running: bool
    kind: str = "answer"  # answer: the floor's answer time; press: the buzzers' press window

    def expired(self, now_mono_ms: int) -> bool:
        return self.running and self.remaining_ms(now_mono_ms) == 0

    def remaining_ms(self, now_mono_ms: int) -> int:
        if self.running and self.deadline_mono_ms is not None:
            return max(0, self.deadline_mono_ms - now_mono_ms)
        return max(0, self.left_ms)


@dataclass
class MediaPlayback:
    """Where a question's sound or clip is: playing from `position_ms` since the moment given
    (monotonic and wall), or paused at `position_ms`. The big screen, every follower and a
    resumed kiosk show the same point of the clip."""

    medium: str  # audio | video
    playing: bool
    position_ms: int
    since_mono_ms: int
    since_wall_ms: int
    duration_ms: int | None = None

    def position(self, now_mono_ms: int) -> int:
        """The clip's position now (ms), never past its end when its length is known."""
        position = self.position_ms + (max(0, now_mono_ms - self.since_mono_ms) if self.playing else 0)
        return min(position, self.duration_ms) if self.duration_ms is not None else position


@dataclass
class QuestionState:
    id: str
    round: str
    team: str | None  # the team asked (compulsory, risk)
    member: int | None
    stake: int | None
    revealed: bool = False
    status: str = "shown"  # shown | open | judged
    open_t_ms: int | None = None  # device time the buzzers opened (None: not reported)
    candidates: list[Press] = field(default_factory=list)  # accepted presses of this opening
    resolved_team: str | None = None  # the host's choice in a tie
    answered: list[str] = field(default_factory=list)  # teams that answered (and missed)
    locked_out: list[str] = field(default_factory=list)  # teams that fouled
    verdicts: list[tuple[str, str]] = field(default_factory=list)  # (team, verdict)
    no_answer: bool = False  # ended with no valid press (press window out, or closed by the host)
    timer_team: str | None = None  # whose answer time the timer counts
    # While a buzzer race settles (phones' presses may arrive after a later one): the engine's
    # monotonic ms at which it is settled. Nobody holds the floor before; None: settled.
    settles_at_mono_ms: int | None = None
    playback: MediaPlayback | None = None  # the question's sound or clip, once the host has played it

    @property
    def settling(self) -> bool:
        return self.settles_at_mono_ms is not None


@dataclass
class StageState:
    contest: Contest
    scores: dict[str, int]
    tiebreak_scores: dict[str, int]
    round_index: int = -1  # index into contest.rounds; -1 before the first round
    playing: list[str] = field(default_factory=list)
    in_tiebreak: bool = False
    tiebreak_teams: list[str] = field(default_factory=list)
    question: QuestionState | None = None
    shown_per_round: dict[str, int] = field(default_factory=dict)
    used_questions: list[str] = field(default_factory=list)
    stakes: dict[str, int] = field(default_factory=dict)  # risk round: team -> stake for its next question
    timer: Timer | None = None
    presses: list[Press] = field(default_factory=list)
    changes: list[ScoreChange] = field(default_factory=list)
    prizes: dict[str, list[str]] | None = None
    signoffs: dict[str, int] = field(default_factory=dict)
    final: bool = False
    reopened: list[tuple[str, str, int]] = field(default_factory=list)  # (judge, reason, wall_ms)
    last_seq: int = 0
    events: int = 0
    advanced: list[str] | None = None  # teams that advanced past round 1 (None: no cut was made)
    ceremony_step: int = 0  # prize ceremony steps shown (third prize first), paced by the host
    pins: dict[str, str] = field(default_factory=dict)  # judge -> scrypt hash set at the first sign-in
    pin_refusals: list[tuple[str, int]] = field(default_factory=list)  # (judge, wall_ms) of wrong PINs

    # ---- where we are ----

    @property
    def round(self) -> Round | None:
        if self.in_tiebreak:
            return self.contest.tiebreak
        if 0 <= self.round_index < len(self.contest.rounds):
            return self.contest.rounds[self.round_index]
        return None

    @property
    def question_in_progress(self) -> bool:
        return self.question is not None and self.question.status != "judged"

    def round_quota(self, plan: Round) -> int:
        if plan.type == "buzzer":
            return plan.questions if plan.id != self.contest.tiebreak.id else 10**9
        return plan.questions_per_team * len(self.playing)

    @property
    def rounds_done(self) -> bool:
        """The last round has started and played its quota (or the host moved past it)."""
        if self.round_index < len(self.contest.rounds) - 1:
            return False
        plan = self.contest.rounds[-1]
        return self.shown_per_round.get(plan.id, 0) >= self.round_quota(plan) and not self.question_in_progress

    # ---- the floor ----

    def floor(self) -> tuple[str | None, list[str]]:
        """(team holding the floor, teams tied with it). A tie leaves the floor to the host."""
        question = self.question
        if question is None:
            return None, []
        plan = self.contest.round(question.round)
        if plan is None or plan.type != "buzzer":
            return question.team, []
        if question.status != "open" or not question.candidates or question.settling:
            return None, []  # no race yet, or one still settling: no surface may show a winner
        ordered = sorted(question.candidates, key=lambda p: (p.device_us, p.seq))
        first = ordered[0]
        resolution_us = max(1, self.contest.tie_resolution_ms) * 1000
        # Closer than the tie resolution, or than the two presses' combined uncertainty (a phone's
        # clock is known only within a stated bound): the order is not known, the host decides.
        tied = [p.team for p in ordered
                if p.device_us - first.device_us < max(resolution_us, first.uncertainty_us + p.uncertainty_us)]
        if len(tied) > 1:
            if question.resolved_team in tied:
                return question.resolved_team, []
            return None, tied
        return first.team, []

    # ---- ranking and prizes ----

    def ranking(self) -> list[dict]:
        """Teams that advanced first, then by total desc, then tie-break points desc; equal keys
        share a rank. Teams tied across a prize boundary (an open tie) show no prize at all: the
        app never breaks a prize tie by itself (rules.md section 5)."""
        advanced = set(self.advanced) if self.advanced is not None else {t.id for t in self.contest.teams}
        order = {t.id: index for index, t in enumerate(self.contest.teams)}

        def key(team_id: str) -> tuple:
            return (team_id in advanced, self.scores[team_id], self.tiebreak_scores[team_id])

        teams = sorted(order, key=lambda t: (not key(t)[0], -key(t)[1], -key(t)[2], order[t]))
        rows = []
        for position, team_id in enumerate(teams, start=1):
            rank = position
            if rows and rows[-1]["key"] == key(team_id):
                rank = rows[-1]["rank"]
            rows.append({"rank": rank, "team": team_id, "score": self.scores[team_id],
                         "tiebreak": self.tiebreak_scores[team_id], "key": key(team_id), "position": position,
                         "prize": self.prize_at(position), "advanced": team_id in advanced, "tied": False})
        groups: dict[tuple, list[dict]] = {}
        for row in rows:
            groups.setdefault(row["key"], []).append(row)
        for group in groups.values():
            if len(group) > 1 and len({row["prize"] for row in group}) > 1:
                for row in group:
                    row["prize"] = None
                    row["tied"] = True
        return rows

    def prize_at(self, position: int) -> str | None:
        limit = 0
        for level, count in self.contest.prizes:
            limit += count
            if position <= limit:
                return level
        return None

    def open_ties(self) -> list[list[str]]:
        """Groups of teams with equal scores whose positions straddle a prize boundary."""
        groups: dict[tuple, list[str]] = {}
        for row in self.ranking():
            if row["tied"]:
                groups.setdefault(row["key"], []).append(row["team"])
        return list(groups.values())

    def proposed_prizes(self) -> dict[str, list[str]]:
        prizes: dict[str, list[str]] = {level: [] for level in PRIZE_LEVELS}
        for row in self.ranking():
            if row["prize"]:
                prizes[row["prize"]].append(row["team"])
        return prizes


def is_undoable_action(event: Event) -> bool:
    """What a plain undo can take back: the host's verdicts, corrections and decisions, and a
    foul (a press that cost points); never an ordinary press, which is evidence."""
    if event.type not in UNDOABLE:
        return False
    return event.type != "press_received" or event.data.get("outcome") == "foul"


# Events that are not a new action of anyone: they neither enter the undo stack nor clear redo.
_NEUTRAL = ("session_started", "resumed", "undone", "redone", "pin_refused", "ceremony_step", "ceremony_replayed")


@dataclass
class UndoStacks:
    """Undo and redo as an editor has them, derived from the journal alone."""

    done: list[int]  # undoable actions in force, oldest first: undo takes the last
    redo: list[int]  # undone actions that redo can restore, the next one last
    cancelled: dict[int, Event]  # action seq -> the undo event in force for it


def undo_stacks(events: list[Event]) -> UndoStacks:
    """Walk the journal once. A new action (anything but an ignored press, an undo or a redo)
    clears the redo stack; undo moves an action from done to redo; redo moves it back.
    Journals written before redo had its own event recorded a redo as an undo of an undo."""
    by_seq: dict[int, Event] = {}
    done: list[int] = []
    redo: list[int] = []
    cancelled: dict[int, Event] = {}

    def restore(target: int) -> None:
        cancelled.pop(target, None)
        if target in redo:
            redo.remove(target)
        if target not in done:
            done.append(target)
            done.sort()

    for event in events:
        by_seq[event.seq] = event
        if event.type == "undone":
            target = event.data["target"]
            earlier = by_seq.get(target)
            if earlier is not None and earlier.type == "undone":  # an old journal's redo
                restore(earlier.data["target"])
                continue
            cancelled[target] = event
            if target in done:
                done.remove(target)
            if target in redo:
                redo.remove(target)
            redo.append(target)
        elif event.type == "redone":
            restore(event.data["target"])
        elif is_undoable_action(event):
            done.append(event.seq)
            redo.clear()
        elif event.type not in _NEUTRAL and not (event.type == "press_received"
                                                 and str(event.data.get("outcome", "")).startswith("ignored")):
            redo.clear()
    return UndoStacks(done, redo, cancelled)


def fold(contest: Contest, events: list[Event]) -> StageState:
    state = StageState(contest, {t.id: 0 for t in contest.teams}, {t.id: 0 for t in contest.teams},
                       playing=[t.id for t in contest.teams])
    stacks = undo_stacks(events)
    cancelled = set(stacks.cancelled)
    apply(state, events, cancelled)
    for change in state.changes:
        undo = stacks.cancelled.get(change.seq)
        change.undone = undo is not None
        if undo is not None:
            change.undone_by, change.undone_wall_ms = undo.operator, undo.wall_ms
            change.undo_reason = str(undo.data.get("reason") or "")
    return state


def advance(state: StageState, contest: Contest, journal: list[Event], new: list[Event]) -> StageState:
    """The state after `new`, the last events of `journal`: applied one by one, or the whole
    journal folded again when an undo or a redo changes what counts (the engine and every
    follower move the same way)."""
    if any(event.type in ("undone", "redone") for event in new):
        return fold(contest, journal)
    return apply(state, new)


def apply(state: StageState, events: list[Event], cancelled: set[int] = frozenset()) -> StageState:
    """Apply events in order (the fold's step; also used to extend a state by new events that
    contain no undo, which gives the same result as folding everything again)."""
    for event in events:
        state.last_seq = event.seq
        state.events += 1
        if event.type in ("undone", "redone") or event.seq in cancelled:
            if event.seq in cancelled:
                _record_cancelled(state, event)
            continue
        handler = _HANDLERS.get(event.type)
        if handler:
            handler(state, event)
    return state


def _record_cancelled(state: StageState, event: Event) -> None:
    """An undone event stays in the evidence and the audit trail, marked, without effect."""
    data = event.data
    change = None
    if event.type == "press_received":
        _record_press(state, event, counted=False)
        if data["outcome"] == "foul":
            plan = state.contest.round(state.question.round) if state.question else None
            change = (data["team"], plan.early_press if plan else 0, "foul", "提前抢答", state.in_tiebreak)
    elif event.type == "answer_judged":
        change = (data["team"], data["delta"], "answer", data["verdict"], data.get("tiebreak", False))
    elif event.type == "score_corrected":
        change = (data["team"], data["delta"], "correction", data["reason"], data.get("tiebreak", False))
    if change:
        team, delta, kind, reason, tiebreak = change
        state.changes.append(ScoreChange(event.seq, team, delta, kind, reason, event.operator, event.wall_ms,
                                         data.get("question"), tiebreak, undone=True))


def _score(state: StageState, event: Event, team: str, delta: int, kind: str, reason: str, tiebreak: bool) -> None:
    if delta == 0 and kind != "answer":
        return
    target = state.tiebreak_scores if tiebreak else state.scores
    target[team] += delta
    question = state.question.id if state.question else None
    state.changes.append(ScoreChange(event.seq, team, delta, kind, reason, event.operator, event.wall_ms,
                                     question, tiebreak))
    if state.prizes is not None and not state.final:
        state.prizes = None  # a score moved: the proposal and its sign-offs no longer hold
        state.signoffs = {}


def _stop_timer(state: StageState, event: Event) -> None:
    if state.timer and state.timer.running:
        state.timer.left_ms = state.timer.deadline_mono_ms - event.mono_ms
        state.timer.running = False
        state.timer.deadline_mono_ms = state.timer.deadline_wall_ms = None


def _on_session(state: StageState, event: Event) -> None:
    pass


def _on_resumed(state: StageState, event: Event) -> None:
    """A restart: re-anchor a running timer on the new process's monotonic clock by wall time."""
    timer = state.timer
    if timer and timer.running and timer.deadline_wall_ms is not None:
        left = timer.deadline_wall_ms - event.wall_ms
        timer.deadline_mono_ms = event.mono_ms + left
        timer.deadline_wall_ms = event.wall_ms + left
    if state.question is not None and state.question.settling:
        # whatever was on its way before the crash has arrived or is lost: settled at once
        state.question.settles_at_mono_ms = event.mono_ms
    playback = state.question.playback if state.question is not None else None
    if playback is not None and playback.playing:  # a clip plays on from where the wall clock says it is
        playback.since_mono_ms = event.mono_ms - (event.wall_ms - playback.since_wall_ms)


def _on_round_started(state: StageState, event: Event) -> None:
    state.round_index = state.contest.rounds.index(state.contest.round(event.data["round"]))
    state.playing = list(event.data["teams"])
    if state.round_index > 0 and len(state.playing) < len(state.contest.teams):
        state.advanced = list(state.playing)
    state.in_tiebreak = False
    state.question = None
    state.timer = None
    state.stakes = {}


def _on_question_shown(state: StageState, event: Event) -> None:
    data = event.data
    state.question = QuestionState(data["question"], data["round"], data.get("team"), data.get("member"),
                                   data.get("stake"))
    state.used_questions.append(data["question"])
    state.shown_per_round[data["round"]] = state.shown_per_round.get(data["round"], 0) + 1
    if data.get("team") in state.stakes:
        del state.stakes[data["team"]]
    state.timer = None


def _on_question_revealed(state: StageState, event: Event) -> None:
    if state.question:
        state.question.revealed = True


def _on_media_played(state: StageState, event: Event) -> None:
    question = state.question
    if question is not None and question.id == event.data.get("question"):
        question.playback = MediaPlayback(event.data["medium"], True, int(event.data.get("position_ms") or 0),
                                          event.mono_ms, event.wall_ms, event.data.get("duration_ms"))


def _on_media_paused(state: StageState, event: Event) -> None:
    question = state.question
    if question is not None and question.id == event.data.get("question"):
        question.playback = MediaPlayback(event.data["medium"], False, int(event.data.get("position_ms") or 0),
                                          event.mono_ms, event.wall_ms, event.data.get("duration_ms"))


def _on_stake_chosen(state: StageState, event: Event) -> None:
    state.stakes[event.data["team"]] = event.data["stake"]


def _start_timer(state: StageState, event: Event, duration: int, kind: str = "answer") -> None:
    state.timer = Timer(duration, event.mono_ms + duration, event.wall_ms + duration, duration, True, kind)


def _on_timer_started(state: StageState, event: Event) -> None:
    _start_timer(state, event, event.data["duration_ms"])
    if state.question is not None:
        state.question.timer_team = state.floor()[0]


def _on_timer_paused(state: StageState, event: Event) -> None:
    _stop_timer(state, event)


def _on_timer_resumed(state: StageState, event: Event) -> None:
    timer = state.timer
    if timer and not timer.running:
        timer.running = True
        timer.deadline_mono_ms = event.mono_ms + timer.left_ms
        timer.deadline_wall_ms = event.wall_ms + timer.left_ms


def _on_time_added(state: StageState, event: Event) -> None:
    timer = state.timer
    if timer:
        added = event.data["ms"]
        timer.duration_ms += added
        if timer.running:
            timer.deadline_mono_ms += added
            timer.deadline_wall_ms += added
        else:
            timer.left_ms += added


def _on_timer_stopped(state: StageState, event: Event) -> None:
    _stop_timer(state, event)
    if state.timer:
        state.timer.left_ms = 0


def _on_buzzers_opened(state: StageState, event: Event) -> None:
    """The buzzers open: the press window (a countdown) runs until a valid press takes the floor."""
    question = state.question
    if question:
        question.status = "open"
        question.open_t_ms = event.data.get("t_ms")
        question.candidates = []
        question.resolved_team = None
        question.timer_team = None
        question.settles_at_mono_ms = None
        plan = state.contest.round(question.round)
        window = plan.press_seconds * 1000 if plan is not None else 0
        if window > 0:
            _start_timer(state, event, window, kind="press")
        else:
            state.timer = None


def _give_answer_time(state: StageState, event: Event) -> None:
    """The answer clock follows the floor: it starts when one team holds it, with that team's
    full answer time, and stands still while the host decides a tie."""
    question = state.question
    holder, tied = state.floor()
    plan = state.contest.round(question.round)
    if tied:
        state.timer = None
        question.timer_team = None
    elif holder is not None and holder != question.timer_team and plan is not None:
        _start_timer(state, event, plan.seconds * 1000)
        question.timer_team = holder


def _on_no_answer(state: StageState, event: Event) -> None:
    question = state.question
    if question is not None and question.id == event.data.get("question"):
        question.status = "judged"
        question.no_answer = True
        question.candidates = []
        question.settles_at_mono_ms = None
    state.timer = None


def _record_press(state: StageState, event: Event, counted: bool) -> Press:
    data = event.data
    outcome = data["outcome"] if counted else f"{data['outcome']} (undone)"
    press = Press(event.seq, data["team"], data.get("key", ""), data["t_ms"], data.get("received_ms", event.mono_ms),
                  event.wall_ms, outcome, data.get("question"), data.get("t_us"), str(data.get("device", "")),
                  int(data.get("uncertainty_us") or 0), data.get("phone"))
    state.presses.append(press)
    return press


def _on_press_received(state: StageState, event: Event) -> None:
    press = _record_press(state, event, counted=True)
    question = state.question
    if question is None or press.question != question.id:
        return
    if press.outcome == "accepted":
        question.candidates.append(press)
        settle = event.data.get("settle_ms")
        if isinstance(settle, int) and settle > 0 and not question.settling:
            question.settles_at_mono_ms = event.mono_ms + settle  # the race starts settling
        _give_answer_time(state, event)
    elif press.outcome == "foul":
        question.locked_out.append(press.team)
        plan = state.contest.round(question.round)
        _score(state, event, press.team, plan.early_press if plan else 0, "foul", "提前抢答", state.in_tiebreak)


def _on_race_settled(state: StageState, event: Event) -> None:
    """The race has settled: every press that could still arrive has arrived; the floor is given."""
    question = state.question
    if question is not None and question.id == event.data.get("question") and question.settling:
        question.settles_at_mono_ms = None
        if question.status == "open":
            _give_answer_time(state, event)


def _on_tie_resolved(state: StageState, event: Event) -> None:
    if state.question:
        state.question.resolved_team = event.data["team"]
        _give_answer_time(state, event)


def _on_answer_judged(state: StageState, event: Event) -> None:
    data = event.data
    question = state.question
    if question is not None and question.id == data["question"]:
        question.status = "judged"
        question.answered.append(data["team"])
        question.verdicts.append((data["team"], data["verdict"]))
        _stop_timer(state, event)
    _score(state, event, data["team"], data["delta"], "answer", data["verdict"], data.get("tiebreak", False))


def _on_buzzers_reopened(state: StageState, event: Event) -> None:
    _on_buzzers_opened(state, event)


def _on_score_corrected(state: StageState, event: Event) -> None:
    _score(state, event, event.data["team"], event.data["delta"], "correction", event.data["reason"],
           event.data.get("tiebreak", False))


def _on_tiebreak_started(state: StageState, event: Event) -> None:
    state.in_tiebreak = True
    state.tiebreak_teams = list(event.data["teams"])
    state.question = None
    state.timer = None


def _on_tiebreak_ended(state: StageState, event: Event) -> None:
    state.in_tiebreak = False
    state.tiebreak_teams = []
    state.question = None
    state.timer = None


def _on_prizes_assigned(state: StageState, event: Event) -> None:
    state.prizes = {level: list(event.data.get(level, [])) for level in PRIZE_LEVELS}
    state.signoffs = {}


def _on_judge_signed(state: StageState, event: Event) -> None:
    state.signoffs[event.data["judge"]] = event.wall_ms


def _on_pin_set(state: StageState, event: Event) -> None:
    state.pins[event.data["judge"]] = event.data["hash"]


def _on_pin_refused(state: StageState, event: Event) -> None:
    state.pin_refusals.append((event.data["judge"], event.wall_ms))


def _on_result_finalized(state: StageState, event: Event) -> None:
    state.final = True


def _on_ceremony_step(state: StageState, event: Event) -> None:
    state.ceremony_step = event.data["step"]


def _on_ceremony_replayed(state: StageState, event: Event) -> None:
    state.ceremony_step = 0


def _on_result_reopened(state: StageState, event: Event) -> None:
    state.final = False
    state.ceremony_step = 0
    state.prizes = None
    state.signoffs = {}
    state.reopened.append((event.data["judge"], event.data["reason"], event.wall_ms))


_HANDLERS = {
    "session_started": _on_session, "resumed": _on_resumed, "round_started": _on_round_started,
    "question_shown": _on_question_shown, "question_revealed": _on_question_revealed,
    "stake_chosen": _on_stake_chosen, "timer_started": _on_timer_started, "timer_paused": _on_timer_paused,
    "timer_resumed": _on_timer_resumed, "time_added": _on_time_added, "timer_stopped": _on_timer_stopped,
    "buzzers_opened": _on_buzzers_opened, "press_received": _on_press_received,
    "tie_resolved": _on_tie_resolved, "answer_judged": _on_answer_judged,
    "buzzers_reopened": _on_buzzers_reopened, "score_corrected": _on_score_corrected,
    "tiebreak_started": _on_tiebreak_started, "tiebreak_ended": _on_tiebreak_ended,
    "prizes_assigned": _on_prizes_assigned, "judge_signed": _on_judge_signed,
    "result_finalized": _on_result_finalized, "result_reopened": _on_result_reopened,
    "no_answer": _on_no_answer, "race_settled": _on_race_settled, "media_played": _on_media_played,
    "media_paused": _on_media_paused, "judge_pin_set": _on_pin_set, "pin_refused": _on_pin_refused,
    "ceremony_step": _on_ceremony_step, "ceremony_replayed": _on_ceremony_replayed,
}
