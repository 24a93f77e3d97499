"""A small contest for the stage and screen tests: 4 teams, three rounds, prizes 1/1/1 (fixtures
registered as a pytest plugin in tests/conftest.py)."""
from __future__ import annotations

import pytest

from finals_app.core.clock import ManualClock
from finals_app.core.stage.contest import load_contest
from finals_app.core.stage.engine import StageEngine

SMALL_CONTEST = '''
[contest]
name = "测试决赛"
date = "2018-06-28"
judges = ["甲评委", "乙评委"]
chief_judge = "甲评委"

[prizes]
first = 1
second = 1
third = 1

[[teams]]
id = "a"
unit = "甲单位"
members = ["赵一", "钱二", "孙三"]
buzzer_key = "1"

[[teams]]
id = "b"
unit = "乙单位"
members = ["李四", "周五", "吴六"]
buzzer_key = "2"

[[teams]]
id = "c"
unit = "丙单位"
members = ["郑七", "王八", "冯九"]
buzzer_key = "3"

[[teams]]
id = "d"
unit = "丁单位"
members = ["陈十", "褚一", "卫二"]
buzzer_key = "4"

[[rounds]]
id = "r1"
type = "compulsory"
title = "必答题"
questions_per_team = 1

[[rounds]]
id = "r2"
type = "buzzer"
title = "抢答题"
questions = 3

[[rounds]]
id = "r3"
type = "risk"
title = "风险题"
questions_per_team = 1
'''


def _questions() -> str:
    parts = []
    for round_id, count in (("r1", 6), ("r2", 6), ("r3", 6), ("tiebreak", 4)):
        for index in range(count):
            parts.append(f'''
[[questions]]
id = "{round_id}-{index + 1}"
round = "{round_id}"
kind = "single"
stem = "{round_id} 第{index + 1}题"
options = ["甲", "乙", "丙", "丁"]
answer = "A"
''')
    return "".join(parts)


@pytest.fixture
def contest_file(tmp_path):
    path = tmp_path / "contest.toml"
    path.write_text(SMALL_CONTEST + _questions(), encoding="utf-8")
    return path


@pytest.fixture
def contest(contest_file):
    return load_contest(contest_file)


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def engine(contest, tmp_path, clock):
    stage = StageEngine(contest, tmp_path / "show.journal", clock=clock)
    yield stage
    stage.close()
