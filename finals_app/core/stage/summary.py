"""A plain summary of the stage state (rehearsals, checks, reports): teams, ranking, ties,
prizes, sign-offs, whether the result is final."""
from __future__ import annotations

from finals_app.core.online.times import format_instant
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
                   "floor": holder, "tied": tied, "answered": question.answered, "locked_out": question.locked_out,
                   "no_answer": question.no_answer}
    timer = None
    if state.timer is not None:
        timer = {"kind": state.timer.kind, "running": state.timer.running, "duration_ms": state.timer.duration_ms,
                 "remaining_ms": state.timer.remaining_ms(now_mono_ms or 0) if now_mono_ms is not None
                 else state.timer.left_ms}
    presses: dict[str, list[dict]] = {}
    for press in state.presses:
        presses.setdefault(press.question or "", []).append(
            {"seq": press.seq, "team": press.team, "key": press.key, "device": press.device, "t_ms": press.t_ms,
             "t_us": press.t_us, "received_ms": press.received_mono_ms, "outcome": press.outcome,
             **({"uncertainty_us": press.uncertainty_us, "phone": press.phone} if press.phone else {})})
    turn = None
    if plan is not None and plan.type != "buzzer" and not state.in_tiebreak:
        from finals_app.core.stage.engine import next_turn
        turn = next_turn(state)[0]
    return {
        "contest": contest.name,
        "playing": list(state.tiebreak_teams if state.in_tiebreak else state.playing),
        "turn": turn,
        "events": state.events,
        "round": plan.id if plan else None,
        "in_tiebreak": state.in_tiebreak,
        "question": current,
        "timer": timer,
        "teams": [{"id": t.id, "unit": t.unit, "name": t.name, "members": list(t.members),
                   "score": state.scores[t.id], "tiebreak": state.tiebreak_scores[t.id]} for t in contest.teams],
        "ranking": [{k: row[k] for k in ("rank", "team", "score", "tiebreak", "prize", "tied")} for row in state.ranking()],
        "open_ties": state.open_ties(),
        "prizes": state.prizes,
        "signoffs": sorted(state.signoffs),
        "final": state.final,
        "corrections": [{"seq": c.seq, "team": c.team, "delta": c.delta, "reason": c.reason, "operator": c.operator,
                         "undone": c.undone} for c in state.changes if c.kind == "correction"],
        "changes": [{"seq": c.seq, "team": c.team, "delta": c.delta, "kind": c.kind, "reason": c.reason,
                     "question": c.question, "tiebreak": c.tiebreak, "operator": c.operator,
                     "time": format_instant(c.wall_ms), "undone": c.undone,
                     "undone_by": c.undone_by or None,
                     "undone_at": format_instant(c.undone_wall_ms) if c.undone_wall_ms is not None else None}
                    for c in sorted(state.changes, key=lambda c: c.seq)],
        "presses": presses,
        "pin_refusals": [{"judge": judge, "time": format_instant(wall)} for judge, wall in state.pin_refusals],
    }
