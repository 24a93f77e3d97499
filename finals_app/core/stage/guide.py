"""What the host may do now, and what the usual next step is: asked of the engine's own checks
(`StageEngine.allows`), never a second copy of the rules. The console enables only the legal
actions and shows the next step large; `rehearse --json` prints the same."""
from __future__ import annotations

from finals_app.core.i18n import N_, translate
from finals_app.core.stage.engine import StageEngine, next_turn, redo_target, team_name, undo_target
from finals_app.core.stage.journal import Event

# Every command the host (or a judge) gives, in the console's order. `press` is the teams'.
HOST_COMMANDS = ("next_round", "show_question", "reveal", "choose_stake", "open_buzzers", "start_timer",
                 "pause_timer", "resume_timer", "add_time", "stop_timer", "correct", "wrong", "timeout",
                 "resolve_tie", "reask", "reopen", "close_buzzers", "correct_score", "undo", "redo",
                 "start_tiebreak", "end_tiebreak", "assign_prizes", "sign_off", "reopen_result", "ceremony_next",
                 "ceremony_replay", "play_media", "pause_media", "restart_media")


def probe(engine: StageEngine, name: str) -> dict:
    """A representative command of that name for the state: the parameters the console would
    fill in (the team whose turn it is, the first of the tied teams, an unsigned judge; the
    question's own clip for the media commands)."""
    state = engine.state
    command: dict = {"cmd": name}
    if name == "choose_stake":
        team, _ = next_turn(state)
        plan = state.round
        command.update(team=team, stake=plan.stakes[0] if plan is not None and plan.stakes else 0)
    elif name == "resolve_tie":
        tied = state.floor()[1]
        command["team"] = tied[0] if tied else None
    elif name == "add_time":
        command["seconds"] = 10
    elif name == "correct_score":
        command.update(team=state.contest.teams[0].id, delta=1, reason="?")
    elif name == "sign_off":
        unsigned = [j for j in state.contest.judges if j not in state.signoffs]
        command["judge"] = unsigned[0] if unsigned else None
    elif name == "reopen_result":
        command.update(judge=state.contest.chief_judge, reason="?")
    return command


def legal_commands(engine: StageEngine) -> list[str]:
    return [name for name in HOST_COMMANDS if engine.allows(probe(engine, name))]


def next_step(engine: StageEngine, legal: list[str] | None = None) -> str | None:
    """The usual next command of a show in this state (one of the legal ones), or None when
    the show is over (the result signed) or waits on the teams."""
    legal = legal_commands(engine) if legal is None else legal
    state = engine.state
    question = state.question

    def first(*names: str) -> str | None:
        return next((n for n in names if n in legal), None)

    if state.final:
        return first("ceremony_next")  # the prize ceremony, step by step; then the show is over
    if question is not None and question.status != "judged":
        plan = state.contest.round(question.round)
        if not question.revealed:
            return first("reveal")
        if plan.type == "buzzer":
            holder, tied = state.floor()
            if tied:
                return first("resolve_tie")
            if question.status == "shown":
                return first("open_buzzers")
            if holder is None:
                if state.timer is not None and state.timer.expired(engine.now_ms()):
                    return first("close_buzzers")
                return None  # waiting for a press; close_buzzers is there if nobody does
        elif state.timer is None:
            return first("start_timer")
        if state.timer is not None and state.timer.kind == "answer" and state.timer.expired(engine.now_ms()):
            return first("timeout")
        return first("correct")
    if state.prizes is not None:
        return first("sign_off")
    if state.in_tiebreak:
        return first("end_tiebreak", "show_question")
    if state.round is not None and state.round.type == "risk":
        team, _ = next_turn(state)
        if team is not None and team not in state.stakes:
            return first("choose_stake", "next_round", "start_tiebreak", "assign_prizes")
    return first("show_question", "next_round", "start_tiebreak", "assign_prizes")


def guide(engine: StageEngine) -> dict:
    legal = legal_commands(engine)
    return {"next": next_step(engine, legal), "legal": legal}


VERDICT_WORDS = {"correct": N_("correct"), "wrong": N_("wrong"), "timeout": N_("time up")}


def describe_action(engine: StageEngine, event: Event) -> str:
    """An undoable action in the show's words: "济南市代表队 +10（第3题 正确）"."""
    data = event.data
    state = engine.state
    team = team_name(state, data.get("team")) if data.get("team") else ""
    question = data.get("question")
    number = _question_number(engine, question) if question else ""
    if event.type == "answer_judged":
        return translate("{team} {delta:+d} ({question} {verdict})", team=team, delta=data["delta"], question=number,
                         verdict=translate(VERDICT_WORDS.get(data["verdict"], data["verdict"])))
    if event.type == "score_corrected":
        return translate("{team} {delta:+d} (correction: {reason})", team=team, delta=data["delta"],
                         reason=data["reason"])
    if event.type == "press_received":
        plan = state.contest.round(_round_of(engine, question)) if question else None
        return translate("{team} {delta:+d} (early press, {question})", team=team,
                         delta=plan.early_press if plan else 0, question=number)
    if event.type == "tie_resolved":
        return translate("the floor given to {team} in a buzzer tie", team=team)
    if event.type == "stake_chosen":
        return translate("{team} chose a stake of {stake}", team=team, stake=data["stake"])
    if event.type == "buzzers_reopened":
        return translate("the buzzers re-opened")
    if event.type == "question_revealed":
        return translate("{question} put on the big screen", question=number)
    if event.type == "time_added":
        return translate("{seconds} s added to the timer", seconds=data["ms"] // 1000)
    return event.type


def undo_prompt(engine: StageEngine) -> str | None:
    event = undo_target(engine)
    return translate("Undo: {action}?", action=describe_action(engine, event)) if event else None


def redo_prompt(engine: StageEngine) -> str | None:
    event = redo_target(engine)
    return translate("Redo: {action}?", action=describe_action(engine, event)) if event else None


def _round_of(engine: StageEngine, question_id: str | None) -> str | None:
    question = engine.contest.question(question_id) if question_id else None
    return question.round if question else None


def _question_number(engine: StageEngine, question_id: str) -> str:
    """第n题 of its round, counted from the journal's question_shown events."""
    count: dict[str, int] = {}
    for event in engine.events:
        if event.type == "question_shown":
            count[event.data["round"]] = count.get(event.data["round"], 0) + 1
            if event.data["question"] == question_id:
                return translate("question {number}", number=count[event.data["round"]])
    return question_id
