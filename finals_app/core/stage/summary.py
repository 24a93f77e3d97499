"""A plain summary of the stage state (rehearsals, checks, reports): teams, ranking, ties,
prizes, sign-offs, whether the result is final."""
from __future__ import annotations

from finals_app.core.stage.state import StageState


def summarise(state: StageState, now_mono_ms: int | None = None) -> dict:
    contest = state.contest
    plan = state.round
    question = state.question
    holder, tied = state.floor()
    current = None
    if question is not None:
        current = {"id": question.id, "round": question.round, "team": question.team, "member": question.member,
                   "stake": question.stake, "status": question.status, "revealed": question.revealed,
                   "floor": holder, "tied": tied, "answered": question.answered, "locked_out": question.locked_out}
    timer = None
    if state.timer is not None:
        timer = {"running": state.timer.running, "duration_ms": state.timer.duration_ms,
                 "remaining_ms": state.timer.remaining_ms(now_mono_ms or 0) if now_mono_ms is not None
                 else state.timer.left_ms}
    return {
        "contest": contest.name,
        "events": state.events,
        "round": plan.id if plan else None,
        "in_tiebreak": state.in_tiebreak,
        "question": current,
        "timer": timer,
        "teams": [{"id": t.id, "unit": t.unit, "name": t.name, "members": list(t.members),
                   "score": state.scores[t.id], "tiebreak": state.tiebreak_scores[t.id]} for t in contest.teams],
        "ranking": [{k: row[k] for k in ("rank", "team", "score", "tiebreak", "prize")} for row in state.ranking()],
        "open_ties": state.open_ties(),
        "prizes": state.prizes,
        "signoffs": sorted(state.signoffs),
        "final": state.final,
        "corrections": [{"seq": c.seq, "team": c.team, "delta": c.delta, "reason": c.reason, "operator": c.operator,
                         "undone": c.undone} for c in state.changes if c.kind == "correction"],
    }
