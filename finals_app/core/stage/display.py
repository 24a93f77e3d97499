"""What the stage says, as words and colours, derived from the state alone: the audience's state
banner and question zone. No Qt here: the big screen, the followers and the browser pages (the
stream overlay, the LED walls) all say exactly the same thing."""
from __future__ import annotations

from finals_app.core.i18n import _, pgettext
from finals_app.core.stage import palette
from finals_app.core.stage.engine import ceremony_steps, next_turn, round_heading
from finals_app.core.stage.words import prize_name, question_kind

# One banner, one meaning, one colour (stage-screens.md).
GREEN, RED, AMBER, GREY, BLUE = "#1f9d55", "#d64545", "#f0a202", "#6b7280", "#2f6fdd"


def banner_style(background: str) -> tuple[str, str, str]:
    """(fill, text colour, border) a screen draws a banner of banner_for with: white words on
    the meaning's colour darkened to a luminance of 0.14 at most (a contrast of 5:1 or more),
    framed in the colour itself. The meaning's colour stays, and every banner is light on dark
    like the rest of the screen (a reader of the screen, a camera's OCR, lost the start of dark
    words on a light band: tesseract read "国网山东电力代表队 抢答成功" as "表队 抢答成功")."""
    if not background:
        return "", "", ""
    return palette.darkened(background), palette.TEXT, background


def banner_for(state) -> tuple[str, str]:
    """(text, the colour of its meaning) of the state banner; ('', '') when there is none.
    Derived from the state alone, so it stays until the state changes; banner_style says how a
    screen draws it."""
    contest = state.contest
    question = state.question
    if question is None:
        plan = state.round
        if plan is not None and plan.type == "risk" and not state.in_tiebreak:
            team, _ignored = next_turn(state)
            if team in state.stakes:
                return _("{team} stakes {stake} points", team=contest.team(team).name, stake=state.stakes[team]), \
                    palette.ACCENT
        return "", ""
    plan = contest.round(question.round)
    if question.status == "judged":
        if question.no_answer:
            return _("Time up · no answer"), GREY
        team, verdict = question.verdicts[-1]
        change = next((c for c in reversed(state.changes) if c.question == question.id and c.kind == "answer"
                       and c.team == team and not c.undone), None)
        points = f"{change.delta:+d}".replace("-", "−") if change is not None and change.delta else ""
        name = contest.team(team).name
        if verdict == "correct":
            return _("✓ Correct  {team} {points}", team=name, points=points).strip(), GREEN
        if verdict == "wrong":
            return _("✗ Wrong  {team} {points}", team=name, points=points).strip(), RED
        return _("Time up  {team} {points}", team=name, points=points).strip(), GREY
    timer = state.timer
    if timer is not None and not timer.running and timer.left_ms > 0:
        return _("Paused"), BLUE
    holder, tied = state.floor()
    if plan.type == "buzzer":
        if tied:
            return _("Simultaneous buzz: the host decides"), palette.ACCENT
        if holder:
            team = contest.team(holder)
            return _("{team} buzzed first", team=team.name), team.color
        if question.status == "open":
            return _("Buzz now!"), palette.GOOD
        fouls = [c for c in state.changes if c.question == question.id and c.kind == "foul" and not c.undone]
        if fouls:
            return _("{points} early press  {team}", points=f"{fouls[-1].delta:+d}".replace("-", "−"),
                      team=contest.team(fouls[-1].team).name), AMBER
    return "", ""


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
    # A choice question on screen has its right options marked: the letters say enough (a long
    # option written out again would push the answer off a 4:3 screen).
    said = "、".join(c for c in item.answer if c.isalpha()) if options and item.kind in ("single", "multiple") \
        else item.answer_text()
    answer = _("Answer: {answer}", answer=said) if judged and item.answer else ""
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


# ---- what the big screen says around the questions: welcome, round cards, the ceremony ----

# Where a line of Chinese may break: after these (a pause), before these (an opening).
_BREAK_AFTER = "、，,：:；;。！？!?）)」』”》·—/ 　"
_BREAK_BEFORE = "（(「『“《"
_NO_LINE_START = "、，,：:；;。！？!?）)」』”》·"
# Words a line may start with, at a small cost: the heads of the parts of a contest's or a
# team's name (…学习竞赛 / 线下总决赛, 国网山东电力 / 代表队).
_SEGMENT_HEADS = ("线下", "线上", "总决赛", "决赛", "初赛", "复赛", "暨", "代表队", "党委", "工委", "委员会",
                  "公司", "机关", "知识竞赛", "学习竞赛", "竞赛", "活动", "颁奖")
# Words never split across lines.
_WORDS = ("竞赛", "决赛", "总决赛", "代表队", "党建", "十九大", "学习", "精神", "在线", "灯塔", "山东", "电力",
          "机关", "省直", "国网", "党委", "公司", "委员会", "颁奖", "典礼")


def break_points(text: str) -> dict[int, int]:
    """Where `text` may break (index of the next line's first character) and at what cost: 0 at
    punctuation and spaces, 2 before the head of a part of a name, 8 between two other
    characters that are not one of the known words; never before closing punctuation, never
    after an opening one, never inside a Latin word or a number."""
    points: dict[int, int] = {}
    protected = set()
    for word in _WORDS:
        start = text.find(word)
        while start >= 0:
            protected.update(range(start + 1, start + len(word)))
            start = text.find(word, start + 1)
    quoted = 0
    for index in range(1, len(text)):
        before, after = text[index - 1], text[index]
        quoted += (before in "“「『《（(") - (before in "”」』》）)")
        if after in _NO_LINE_START or before in _BREAK_BEFORE or (after == " " or after == "　"):
            continue
        if before.isascii() and after.isascii() and before.isalnum() and after.isalnum():
            continue  # inside a Latin word or a number
        if before in _BREAK_AFTER or after in _BREAK_BEFORE:
            points[index] = 0
        elif index in protected:
            continue
        elif any(text.startswith(head, index) for head in _SEGMENT_HEADS):
            points[index] = 2
        else:
            points[index] = 8
        if index in points and quoted > 0:
            points[index] += 6  # inside quotes or brackets: a name, kept whole if it can be
    return points


def break_lines(text: str, width_of, room: float, max_lines: int = 4) -> list[str]:
    """`text` in as few lines as fit `room` (measured by `width_of`), broken at the cheapest
    natural points, the lines as even as the points allow. When no break makes it fit in
    `max_lines`, the best try (a line may be too wide: the caller makes the text smaller)."""
    text = text.strip()
    if not text or width_of(text) <= room:
        return [text] if text else []
    points = break_points(text)
    cuts = [0, *sorted(points), len(text)]
    cache: dict[tuple[int, int], float] = {}

    def width(start: int, end: int) -> float:
        if (start, end) not in cache:
            cache[(start, end)] = width_of(text[start:end].strip())
        return cache[(start, end)]

    # best[end] = (overflow, lines, cost, unevenness, previous cut)
    best: dict[int, tuple] = {0: (0.0, 0, 0, 0.0, None)}
    for end in cuts[1:]:
        options = []
        for start in cuts:
            if start >= end or start not in best:
                continue
            overflow, lines, cost, uneven, _previous = best[start]
            if lines + 1 > max_lines:
                continue
            used = width(start, end)
            over = max(0.0, used - room)
            options.append((overflow + over, lines + 1, cost + points.get(end, 0), uneven + (room - min(used, room)) ** 2,
                            start))
        if options:
            best[end] = min(options)
    lines = []
    end = len(text)
    while end:
        start = best[end][4]
        lines.append(text[start:end].strip())
        end = start
    return lines[::-1]


def signed(points: int) -> str:
    """+10, −10 (a true minus sign) or 0."""
    return f"{points:+d}".replace("-", "−") if points else "0"


def long_date(iso: str) -> str:
    """2018-06-28 as the audience reads a date (2018年6月28日); anything else as it is."""
    parts = iso.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return _("{month}/{day}/{year}", year=int(parts[0]), month=int(parts[1]), day=int(parts[2]))
    return iso


def round_rules(plan) -> str:
    """A round's rules in one line, from the contest file: 答对 +10 · 答错 −10 · 提前抢答 −5 · 限时 20 秒."""
    dot = pgettext("separator", " · ")
    if plan.type == "risk":
        parts = [_("stakes {stakes}", stakes=" / ".join(str(s) for s in plan.stakes)),
                 _("correct + stake"), _("wrong − stake")]
    else:
        parts = [_("correct {points}", points=signed(plan.correct)), _("wrong {points}", points=signed(plan.wrong))]
        if plan.timeout != plan.wrong:
            parts.append(_("time up {points}", points=signed(plan.timeout)))
        if plan.type == "buzzer" and plan.early_press:
            parts.append(_("early press {points}", points=signed(plan.early_press)))
    parts.append(_("{seconds} s to answer", seconds=plan.seconds))
    return dot.join(parts)


def teams_in_colours(contest, team_ids=None) -> list[tuple[str, str]]:
    """(name, colour) of the contest's teams, or of `team_ids` in that order."""
    teams = contest.teams if team_ids is None else [contest.team(t) for t in team_ids]
    return [(team.name, team.color) for team in teams]


def welcome_content(state) -> dict:
    """The welcome screen: the contest's name, who organises it, where and when, the teams."""
    contest = state.contest
    place = pgettext("separator", " · ").join(p for p in (contest.venue, long_date(contest.date)) if p)
    return {"name": contest.name, "issuer": _("Organised by {issuer}", issuer=contest.issuer) if contest.issuer else "",
            "place": place, "teams": teams_in_colours(contest)}


def round_card(state) -> dict:
    """The card a round opens with: its name, its rules in one line, the teams playing it (the
    tied teams of a tie-break)."""
    plan = state.round
    teams = state.tiebreak_teams if state.in_tiebreak else (state.playing or [t.id for t in state.contest.teams])
    return {"title": plan.title, "rules": round_rules(plan), "teams": teams_in_colours(state.contest, teams),
            "contest": state.contest.name}


def stage_view(state) -> str:
    """Which screen the audience sees: `ceremony`, `welcome` (before the first round), `round`
    (a round or a tie-break has started, no question yet), `interval` (after a tie-break, before
    the prizes), or `question` (the title band, the question zone, the banner, the scores)."""
    if state.final and state.prizes:
        return "ceremony"
    if state.question is not None:
        return "question"
    if state.round is None:
        return "welcome"
    if banner_for(state)[0]:
        return "question"  # a risk stake announced before its question
    if state.in_tiebreak or not state.shown_per_round.get(state.round.id, 0):
        return "round"
    return "interval"


def kind_of_question(state) -> str:
    """The question's kind as the big screen tags it (单选题 / 多选题 / 判断题), once it is shown."""
    question = state.question
    item = state.contest.question(question.id) if question is not None else None
    if item is None or not question.revealed:
        return ""
    return question_kind(item.kind)


def text_on(colour: str) -> str:
    """The text colour that reads on a `colour` background: the stage's dark blue or white."""
    return max((palette.BACKGROUND, palette.TEXT), key=lambda text: palette.contrast(colour, text))


GOLD, CRIMSON = "#ffd24a", "#7d0a12"  # the first prize: gold on crimson


def ceremony_card(state) -> dict:
    """The ceremony's page for the host's current step: `intro` (the contest, 颁奖典礼), a
    `prize` card (prize, unit, team, the three members, the score, in the team's colour; the
    first prize the `climax`, gold), with the sound `cue` that goes with it."""
    contest = state.contest
    steps = ceremony_steps(state)
    step = state.ceremony_step
    if step == len(steps) + 1:  # after the first prize, on the host's key: every winner on one page
        return {"kind": "roll", "cue": "roll"}
    if step == 0 or step > len(steps):
        return {"kind": "intro", "contest": contest.name, "title": _("Prize ceremony"), "cue": "ceremony"}
    level, team_id = steps[step - 1]
    team = contest.team(team_id)
    climax = level == "first"
    background = CRIMSON if climax else team.color
    return {"kind": "prize", "level": level, "prize": prize_name(level), "unit": team.unit, "team": team.name,
            "members": pgettext("separator", "  ").join(team.members),
            "score": _("Total {score} points", score=state.scores[team_id]), "colour": team.color,
            "background": background, "text": GOLD if climax else text_on(background), "climax": climax,
            "last": step == len(steps), "cue": "fanfare" if climax else "prize"}


def prize_roll(state) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Every prize winner, first prize first: (prize name, [(team, unit, colour), …])."""
    contest = state.contest
    prizes = state.prizes or {}
    return [(prize_name(level), [(contest.team(t).name, contest.team(t).unit, contest.team(t).color)
                                 for t in prizes.get(level, [])])
            for level in ("first", "second", "third") if prizes.get(level)]
