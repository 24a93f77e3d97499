"""What the stage says, as words and colours, derived from the state alone: the audience's state
banner and question zone. No Qt here: the big screen, the followers and the browser pages (the
stream overlay, the LED walls) all say exactly the same thing."""
from __future__ import annotations

from finals_app.core.i18n import _, pgettext
from finals_app.core.stage import palette
from finals_app.core.stage.engine import next_turn, round_heading

# One banner, one meaning, one colour (stage-screens.md).
GREEN, RED, AMBER, GREY, BLUE = "#1f9d55", "#d64545", "#f0a202", "#6b7280", "#2f6fdd"


def banner_for(state) -> tuple[str, str, str]:
    """(text, background, text colour) of the state banner; ('', '', '') when there is none.
    Derived from the state alone, so it stays until the state changes."""
    contest = state.contest
    question = state.question
    if question is None:
        plan = state.round
        if plan is not None and plan.type == "risk" and not state.in_tiebreak:
            team, _ignored = next_turn(state)
            if team in state.stakes:
                return _("{team} stakes {stake} points", team=contest.team(team).name, stake=state.stakes[team]), \
                    palette.ACCENT, palette.BACKGROUND
        return "", "", ""
    plan = contest.round(question.round)
    if question.status == "judged":
        if question.no_answer:
            return _("Time up · no answer"), GREY, palette.TEXT
        team, verdict = question.verdicts[-1]
        change = next((c for c in reversed(state.changes) if c.question == question.id and c.kind == "answer"
                       and c.team == team and not c.undone), None)
        points = f"{change.delta:+d}".replace("-", "−") if change is not None and change.delta else ""
        name = contest.team(team).name
        if verdict == "correct":
            return _("✓ Correct  {team} {points}", team=name, points=points).strip(), GREEN, palette.TEXT
        if verdict == "wrong":
            return _("✗ Wrong  {team} {points}", team=name, points=points).strip(), RED, palette.TEXT
        return _("Time up  {team} {points}", team=name, points=points).strip(), GREY, palette.TEXT
    timer = state.timer
    if timer is not None and not timer.running and timer.left_ms > 0:
        return _("Paused"), BLUE, palette.TEXT
    holder, tied = state.floor()
    if plan.type == "buzzer":
        if tied:
            return _("Simultaneous buzz: the host decides"), palette.ACCENT, palette.BACKGROUND
        if holder:
            team = contest.team(holder)
            return _("{team} buzzed first", team=team.name), team.color, palette.BACKGROUND
        if question.status == "open":
            return _("Buzz now!"), palette.GOOD, palette.BACKGROUND
        fouls = [c for c in state.changes if c.question == question.id and c.kind == "foul" and not c.undone]
        if fouls:
            return _("{points} early press  {team}", points=f"{fouls[-1].delta:+d}".replace("-", "−"),
                      team=contest.team(fouls[-1].team).name), AMBER, palette.BACKGROUND
    return "", "", ""


def question_content(state) -> tuple[str, str, list[str], set[int], str]:
    """(headline, stem, options, correct option indexes, answer line) as the audience sees them:
    the stem only once it is put on the big screen, the answer only after the verdict."""
    contest = state.contest
    question = state.question
    if question is None:
        return "", banner_for(state)[0], [], set(), ""  # a risk stake announced before its question
    item = contest.question(question.id)
    headline = ""
    if question.team:
        team = contest.team(question.team)
        headline = team.name
        if question.member:
            headline += _("  {member}", member=team.members[question.member - 1])
        if question.stake:
            headline += _("  stake {stake} points", stake=question.stake)
    elif contest.round(question.round).type == "buzzer" and not question.revealed:
        headline = _("Listen to the question")
    if item is None:  # a follower not yet told this question
        return headline, "", [], set(), ""
    stem, options = (item.stem, list(item.options)) if question.revealed else ("", [])
    judged = question.status == "judged"
    correct = {ord(c) - 65 for c in item.answer if c.isalpha()} if judged and item.kind in ("single", "multiple") \
        else set()
    answer = _("Answer: {answer}", answer=item.answer_text()) if judged and item.answer else ""
    return headline, stem, options, correct, answer


def title_for(state) -> str:
    """The title band of every audience surface (the big screen, the overlay, the LED wall)."""
    heading = round_heading(state)
    if heading["kind"] == "tiebreak":
        return _("Tie-break: {teams}", teams=pgettext("punctuation", ", ").join(heading["teams"]))
    if heading["kind"] == "question":
        return _("{round} · question {number} / {total}", round=heading["title"], number=heading["number"],
                  total=heading["total"])
    return heading["title"]
