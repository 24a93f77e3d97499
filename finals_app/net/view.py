"""The show as the browser pages draw it (stream overlay, LED wall, phone buzzer, judges' tablet):
one JSON object derived from the state alone with the same words as the big screen
(`core.stage.display`). Browsers cannot run the fold, so they get its result; Python followers get the
events themselves."""
from __future__ import annotations

from finals_app.core.i18n import N_, _
from finals_app.core.stage.engine import buzzer_status, ceremony_steps
from finals_app.core.stage.words import prize_name
from finals_app.core.stage.display import banner_for, banner_style, question_content, title_for

STATUS_WORDS = {  # a team's buzzer status (the engine's buzzer_status) as its phone shows it
    "wait": ("wait", N_("Wait")), "not_playing": ("locked", N_("Not playing this round")),
    "locked_out": ("locked", N_("Locked out of this question")), "judged": ("wait", N_("Question closed")),
    "floor": ("floor", N_("You have the floor")), "tie": ("tie", N_("Pressed together: the host decides")),
    "settling": ("wait", N_("Pressed")), "answered": ("locked", N_("Already answered this question")),
    "taken": ("wait", N_("Another team pressed")), "pressed": ("wait", N_("Pressed")), "open": ("open", N_("Buzz now")),
    "too_early": ("wait", N_("Listen to the question: buzzing has not opened")),
}


def team_status(state, team: str) -> tuple[str, str]:
    """(state, words) of one team's phone buzzer: wait / open / floor / tie / locked, from the
    engine's own reading of where that team's buzzer stands."""
    kind, words = STATUS_WORDS[buzzer_status(state, team)]
    return kind, _(words)


def picture_url(state) -> str:
    """The address (without its token) of the picture of the question on the big screen, once it
    is there; '' otherwise. The page adds its own token; the kiosk serves it only then."""
    question = state.question
    if question is None or not question.revealed:
        return ""
    item = state.contest.question(question.id)
    image = item.image if item is not None else None
    return f"/media/{image.digest}" if image is not None else ""


def show_view(state, now_ms: int, seq: int) -> dict:
    contest = state.contest
    headline, stem, options, correct, answer = question_content(state)
    text, background = banner_for(state)
    fill, words, border = banner_style(background)
    holder, tied = state.floor()
    timer = state.timer
    remaining = None
    if timer is not None and state.question is not None and state.question.status != "judged":
        remaining = timer.remaining_ms(now_ms)
    title = title_for(state)
    ranking = state.ranking()
    rows = []
    for row in ranking:
        team = contest.team(row["team"])
        rows.append({"team": team.id, "name": team.name, "unit": team.unit, "color": team.color,
                     "score": row["score"], "tiebreak": row["tiebreak"], "rank": row["rank"],
                     # a prize only once the judges' list is assigned (a standing is not a prize)
                     "prize": prize_name(row["prize"]) if row["prize"] and state.prizes is not None else "",
                     "tied": row["tied"],
                     "holder": team.id == holder})
    proposed = state.proposed_prizes()
    ceremony = []
    if state.final and state.prizes:
        for level, team_id in ceremony_steps(state)[:state.ceremony_step]:
            team = contest.team(team_id)
            ceremony.append({"prize": prize_name(level), "name": team.name, "members": list(team.members)})
    return {
        "type": "view", "seq": seq, "contest": contest.name, "title": title,
        # background: the meaning's colour; fill, words and border: how a screen draws it
        # (display.banner_style: light words on the colour darkened, framed in the colour).
        "banner": {"text": text, "background": background, "fill": fill, "words": words, "border": border},
        "question": {"headline": headline, "stem": stem, "options": options, "correct": sorted(correct),
                     "answer": answer, "picture": picture_url(state)},
        "timer": None if remaining is None else {"remaining_ms": remaining, "running": bool(timer.running),
                                                 "kind": timer.kind},
        "scoreboard": rows,
        "ties": [[contest.team(t).name for t in group] for group in state.open_ties()],
        "proposed": {prize_name(level): [contest.team(t).name for t in teams] for level, teams in proposed.items()},
        "prizes": state.prizes,
        # needs_pin: no PIN yet (none in the contest file, none set): the first sign-in sets it
        "judges": [{"name": judge, "signed": judge in state.signoffs, "chief": judge == contest.chief_judge,
                    "needs_pin": contest.pin_of(judge) is None and judge not in state.pins}
                   for judge in contest.judges],
        "final": state.final, "ceremony": ceremony,
        "floor": {"holder": holder, "tied": tied},
    }
