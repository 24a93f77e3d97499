"""The show as the browser pages draw it (stream overlay, LED wall, phone buzzer, judges' tablet):
one JSON object derived from the state alone with the same words as the big screen
(`show_words`). Browsers cannot run the fold, so they get its result; Python followers get the
events themselves."""
from __future__ import annotations

from finals_app.core.stage.engine import ceremony_steps
from finals_app.ui.show_words import banner_for, question_content
from finals_app.ui.texts import ui

PRIZE_NAMES = {"first": "一等奖", "second": "二等奖", "third": "三等奖"}


def team_status(state, team: str) -> tuple[str, str]:
    """(state, words) of one team's phone buzzer: wait / open / floor / tie / locked."""
    question = state.question
    plan = state.contest.round(question.round) if question is not None else None
    if question is None or plan is None or plan.type != "buzzer" or state.final:
        return "wait", ui("等待")
    players = state.tiebreak_teams if state.in_tiebreak else state.playing
    holder, tied = state.floor()
    if team not in players:
        return "locked", ui("本轮不参赛")
    if team in question.locked_out:
        return "locked", ui("已取消本题资格")
    if question.status == "judged":
        return "wait", ui("本题结束")
    if holder == team:
        return "floor", ui("获得答题权")
    if team in tied:
        return "tie", ui("同时抢答，等待主持人裁定")
    if team in question.answered:
        return "locked", ui("本题已作答")
    if question.status == "open":
        if holder is not None or tied:
            return "wait", ui("他队已抢答")
        if any(p.team == team for p in question.candidates):
            return "wait", ui("已抢答")
        return "open", ui("请抢答")
    return "wait", ui("请听题，抢答尚未开始")


def show_view(state, now_ms: int, seq: int) -> dict:
    contest = state.contest
    headline, stem, options, correct, answer = question_content(state)
    text, background, colour = banner_for(state)
    holder, tied = state.floor()
    timer = state.timer
    remaining = None
    if timer is not None and state.question is not None and state.question.status != "judged":
        remaining = timer.remaining_ms(now_ms)
    plan = state.round
    title = contest.name
    if plan is not None:
        title = ui("加赛") if state.in_tiebreak else plan.title
        shown = state.shown_per_round.get(plan.id, 0)
        if state.question is not None and shown and not state.in_tiebreak:
            title = ui("{round} · 第 {number} / {total} 题", round=plan.title, number=shown,
                       total=state.round_quota(plan))
    ranking = state.ranking()
    rows = []
    for row in ranking:
        team = contest.team(row["team"])
        rows.append({"team": team.id, "name": team.name, "unit": team.unit, "color": team.color,
                     "score": row["score"], "tiebreak": row["tiebreak"], "rank": row["rank"],
                     # a prize only once the judges' list is assigned (a standing is not a prize)
                     "prize": ui(PRIZE_NAMES[row["prize"]]) if row["prize"] and state.prizes is not None else "",
                     "tied": row["tied"],
                     "holder": team.id == holder})
    proposed = state.proposed_prizes()
    ceremony = []
    if state.final and state.prizes:
        for level, team_id in ceremony_steps(state)[:state.ceremony_step]:
            team = contest.team(team_id)
            ceremony.append({"prize": ui(PRIZE_NAMES[level]), "name": team.name, "members": list(team.members)})
    return {
        "type": "view", "seq": seq, "contest": contest.name, "title": title,
        "banner": {"text": text, "background": background, "color": colour},
        "question": {"headline": headline, "stem": stem, "options": options, "correct": sorted(correct),
                     "answer": answer},
        "timer": None if remaining is None else {"remaining_ms": remaining, "running": bool(timer.running),
                                                 "kind": timer.kind},
        "scoreboard": rows,
        "ties": [[contest.team(t).name for t in group] for group in state.open_ties()],
        "proposed": {ui(PRIZE_NAMES[level]): [contest.team(t).name for t in teams] for level, teams in proposed.items()},
        "prizes": state.prizes,
        # needs_pin: no PIN yet (none in the contest file, none set): the first sign-in sets it
        "judges": [{"name": judge, "signed": judge in state.signoffs, "chief": judge == contest.chief_judge,
                    "needs_pin": contest.pin_of(judge) is None and judge not in state.pins}
                   for judge in contest.judges],
        "final": state.final, "ceremony": ceremony,
        "floor": {"holder": holder, "tied": tied},
    }
