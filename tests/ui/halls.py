"""The show the hall tests play on every screen size: the bundled demo (eight teams, the longest
names it has) with the platform's longest question added — a 210-character multiple-choice stem
with four long options — played through every state the big screen has: the welcome, each
round's card, questions before and after reveal, every banner, a tie-break, the interval, each
prize of the ceremony and the roll of every winner."""
from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from finals_app.core.clock import ManualClock
from finals_app.core.stage.contest import load_contest
from finals_app.core.stage.engine import StageEngine

HALLS = [(1024, 768), (1280, 1024), (1366, 768), (1280, 800), (1920, 1200), (1920, 1080), (2560, 1080),
         (3840, 1080), (3840, 2160), (1152, 576), (768, 384)]

LONG_STEM = ("党的十九大报告指出，经过长期努力，中国特色社会主义进入了新时代，这是我国发展新的历史方位。中国特色社会主义进入新时代，"
             "意味着近代以来久经磨难的中华民族迎来了从站起来、富起来到强起来的伟大飞跃，迎来了实现中华民族伟大复兴的光明前景；"
             "意味着科学社会主义在二十一世纪的中国焕发出强大生机活力，在世界上高高举起了中国特色社会主义伟大旗帜；"
             "意味着中国特色社会主义道路、理论、制度、文化不断发展。以下说法正确的是哪几项？")
LONG_OPTIONS = ["这个新时代是承前启后、继往开来、在新的历史条件下继续夺取中国特色社会主义伟大胜利的时代，是决胜全面建成小康社会的时代",
                "是全国各族人民团结奋斗、不断创造美好生活、逐步实现全体人民共同富裕的时代",
                "是全体中华儿女勠力同心、奋力实现中华民族伟大复兴中国梦的时代",
                "是我国日益走近世界舞台中央、不断为人类作出更大贡献的时代"]
LONGEST_TEAM = "enterprise"  # 国网山东电力代表队, the demo's longest name


def demo_with_long_question(folder: Path):
    demo = Path(str(resources.files("finals_app.assets") / "contests"))
    shutil.copy(demo / "demo-bank.csv", folder / "demo-bank.csv")
    shutil.copytree(demo / "media", folder / "media")  # the bank's picture, sound and clip
    options = ", ".join(f'"{o}"' for o in LONG_OPTIONS)
    text = (demo / "demo.toml").read_text(encoding="utf-8") + f'''
[[questions]]
id = "long"
round = "buzzer"
kind = "multiple"
stem = "{LONG_STEM}"
options = [{options}]
answer = "ABCD"
'''
    (folder / "demo.toml").write_text(text, encoding="utf-8")
    return load_contest(folder / "demo.toml")


def new_engine(folder: Path):
    contest = demo_with_long_question(folder)
    clock = ManualClock()
    return StageEngine(contest, folder / "show.journal", clock=clock, durable=False), clock


def play(engine, clock, bridge, audience):
    """Run the show; yield (name, audience) at each state worth a look."""
    contest = engine.contest
    teams = [t.id for t in contest.teams]

    def run(*commands):
        for command in commands:
            engine.execute(command)

    def settled(name):
        from PySide6.QtWidgets import QApplication
        QApplication.processEvents()  # a scoreboard shown again hears of its size
        audience.scoreboard.settle()
        return name

    yield settled("welcome")
    run({"cmd": "next_round"})
    yield settled("round-compulsory")
    run({"cmd": "show_question"})
    yield settled("compulsory-asked")
    run({"cmd": "reveal"}, {"cmd": "start_timer"})
    bridge._emit_tick()
    yield settled("compulsory-revealed")
    run({"cmd": "correct"})
    yield settled("compulsory-correct")
    for index in range(len(teams) * 4 - 1):
        run({"cmd": "show_question"}, {"cmd": "correct" if index % 3 else "wrong"})
    run({"cmd": "next_round"})
    yield settled("round-buzzer")
    run({"cmd": "show_question", "question": "long"})
    yield settled("long-listen")
    run({"cmd": "reveal"}, {"cmd": "press", "team": "jinan", "t_ms": 3})
    yield settled("long-foul")
    run({"cmd": "open_buzzers", "t_ms": 10})
    yield settled("long-open")
    run({"cmd": "press", "team": LONGEST_TEAM, "t_ms": 20})
    clock.advance(2000)
    engine.expire()
    yield settled("long-floor")
    run({"cmd": "correct"})
    yield settled("long-correct")
    for index in range(11):
        winner = teams[(index * 3) % len(teams)]
        run({"cmd": "show_question"}, {"cmd": "reveal"}, {"cmd": "open_buzzers", "t_ms": 0},
            {"cmd": "press", "team": winner, "t_ms": 5})
        clock.advance(2000)
        engine.expire()
        run({"cmd": "correct" if index % 4 else "wrong"})
    run({"cmd": "next_round"})
    yield settled("round-risk")
    run({"cmd": "choose_stake", "team": teams[0], "stake": 30})
    yield settled("risk-stake")
    run({"cmd": "show_question"}, {"cmd": "reveal"})
    yield settled("risk-question")
    run({"cmd": "wrong"})
    for team in teams[1:]:
        run({"cmd": "choose_stake", "team": team, "stake": 10}, {"cmd": "show_question"}, {"cmd": "correct"})
    # every score apart, then a tie across the first prize's boundary: the two leaders level
    seen = set()
    for row in engine.state.ranking():
        score = row["score"]
        while score in seen:
            score -= 1
        if score != row["score"]:
            run({"cmd": "correct_score", "team": row["team"], "delta": score - row["score"], "reason": "复核"})
        seen.add(score)
    ranking = engine.state.ranking()
    first, second = ranking[0], ranking[1]
    if first["score"] != second["score"]:
        run({"cmd": "correct_score", "team": second["team"], "delta": first["score"] - second["score"],
             "reason": "复核"})
    run({"cmd": "start_tiebreak"})
    yield settled("round-tiebreak")
    tied = engine.state.tiebreak_teams
    run({"cmd": "show_question"}, {"cmd": "reveal"}, {"cmd": "open_buzzers", "t_ms": 0},
        {"cmd": "press", "team": tied[-1], "t_ms": 5})
    clock.advance(2000)
    engine.expire()
    yield settled("tiebreak-floor")
    run({"cmd": "correct"})
    yield settled("tiebreak-correct")
    run({"cmd": "end_tiebreak"})
    yield settled("interval")
    run({"cmd": "assign_prizes"})
    for judge in contest.judges:
        run({"cmd": "sign_off", "judge": judge, "pin": "1234"})
    yield settled("ceremony-intro")
    step = 0
    while engine.state.ceremony_step < sum(count for _level, count in contest.prizes):
        run({"cmd": "ceremony_next"})
        step += 1
        yield settled(f"ceremony-{step}")
    run({"cmd": "ceremony_next"})  # the host's key after the first prize: every winner on one page
    yield settled("ceremony-roll")
