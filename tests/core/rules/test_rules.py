"""The rules file: the shipped default holds the notice's values; a wrong file is named with
file, line, field and reason."""
from __future__ import annotations

from datetime import date

import pytest

from finals_app.core.errors import RulesError
from finals_app.core.online.times import parse_instant
from finals_app.core.rules import load_rules, parse_rules


def test_default_rules_are_the_2017_2018_competition(rules):
    assert [p.id for p in rules.periods] == ["P1", "P2", "P3", "P4", "P5", "P6"]
    p1 = rules.periods[0]
    assert p1.windows[0].start_ms == parse_instant("2017-12-18 06:00:00")
    assert p1.windows[0].end_ms == parse_instant("2017-12-25 00:00:00")
    assert (p1.first_day, p1.last_day) == (date(2017, 12, 18), date(2017, 12, 24))
    assert rules.periods[3].windows[0].start_ms == parse_instant("2018-03-11 06:00:00")
    assert rules.periods[3].last_day == date(2018, 3, 20)
    assert (p1.question_count, p1.points_per_correct, p1.max_score, p1.share_credits) == (20, 5, 100, 2)
    final = rules.final
    assert (final.question_count, final.points_per_correct, final.share_credits) == (50, 2, 0)
    assert [w.start_ms for w in final.windows] == [parse_instant(f"2018-06-0{d} 06:00:00") for d in (4, 5, 6)]
    assert (rules.pioneer_top_count, rules.pioneer_top_amount_yuan) == (500, 50)
    assert (rules.pioneer_random_count, rules.pioneer_random_amount_yuan) == (1500, 30)
    assert rules.lottery_winners_per_day == 2000 and rules.learning_branch_top_count == 500
    assert [(t.first_rank, t.last_rank, t.amount_yuan) for t in rules.exemplar_tiers] == [
        (1, 100, 500), (101, 300, 200), (301, 500, 100)]
    assert rules.branch_min_party_members == 3 and rules.committee_min_party_members == 3
    assert (rules.excellent_org_count, rules.excellent_org_min_branches) == (10, 3)
    assert rules.pioneer_draw("P3") == "pioneer-random:P3"
    assert rules.lottery_draw(date(2018, 2, 14)) == "daily-lottery:2018-02-14"
    assert rules.ranking_order[-1] == "participant_id_asc"


def test_window_edges_05_59_59_and_24_00(rules):
    p1 = rules.periods[0].windows[0]
    assert not p1.contains(parse_instant("2017-12-18 05:59:59.999"))
    assert p1.contains(parse_instant("2017-12-18 06:00:00"))
    assert p1.contains(parse_instant("2017-12-24 23:59:59.999"))
    assert not p1.contains(parse_instant("2017-12-24 24:00:00"))
    assert p1.contains(parse_instant("2017-12-17 22:00:00+00:00"))


def _error(text: str) -> str:
    with pytest.raises(RulesError) as raised:
        parse_rules(text, "province.toml")
    return raised.value.render("en")


def test_wrong_type_names_file_line_and_field(rules):
    text = rules.text.replace("top_count = 500\ntop_amount_yuan", 'top_count = "many"\ntop_amount_yuan')
    line = text.splitlines().index('top_count = "many"') + 1
    message = _error(text)
    assert f"province.toml:{line}" in message
    assert "field awards.pioneer.top_count" in message and "expected integer, found text" in message


def test_unknown_field_and_missing_field(rules):
    message = _error(rules.text.replace("random_count = 1500", "random_cuont = 1500"))
    assert "awards.pioneer.random_cuont: unknown field" in message
    assert "awards.pioneer.random_count: missing field" in message


def test_bad_period_times_and_overlap(rules):
    message = _error(rules.text.replace('end = "2018-01-20 24:00"', 'end = "2018-01-20 25:00"'))
    assert "preliminary.periods[1].end" in message and "2018-01-20 25:00" in message
    message = _error(rules.text.replace('start = "2018-01-11 06:00"', 'start = "2017-12-20 06:00"'))
    assert "period P1 overlaps period P2" in message


def test_a_period_longer_than_the_day_bits_is_refused(rules):
    # The store keeps the days a person took part as 62 bits: a longer period is said, not truncated.
    message = _error(rules.text.replace('end = "2017-12-24 24:00"', 'end = "2018-03-01 24:00"')
                     .replace('start = "2018-01-11 06:00"', 'start = "2018-03-02 06:00"'))
    assert "preliminary.periods[0].end: a phase may span at most 62 days, this one spans 74" in message


def test_broken_toml_names_the_line():
    message = _error('[competition]\nname = "x"\nutc_offset_hours = \n')
    assert message.startswith("province.toml:3")


def test_ranking_order_must_end_with_participant_id(rules):
    message = _error(rules.text.replace(
        'order = ["score_desc", "average_duration_asc", "last_finish_asc", "participant_id_asc"]',
        'order = ["participant_id_asc", "score_desc"]'))
    assert "ranking.order" in message


def test_chinese_message(rules):
    with pytest.raises(RulesError) as raised:
        parse_rules(rules.text.replace("random_count = 1500", "random_count = -3"), "省.toml")
    assert "字段 awards.pioneer.random_count: 不能小于 0" in raised.value.render("zh_CN")


def test_missing_rules_file(tmp_path):
    with pytest.raises(RulesError, match="cannot read the rules file"):
        load_rules(tmp_path / "none.toml")


def test_a_changed_value_changes_behaviour(rules):
    changed = parse_rules(rules.text.replace("share_credits_per_period = 2", "share_credits_per_period = 3"), "x.toml")
    assert changed.periods[0].share_credits == 3 and changed.digest != rules.digest
