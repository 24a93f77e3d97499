"""Draws are reproducible from seed and tickets alone; export times parse as the schema says."""
from __future__ import annotations

import hashlib

import pytest

from finals_app.core.online.draws import Ticket, draw_winners_of, eligible_digest, ticket_key, verify, DrawResult
from finals_app.core.online.times import format_instant, parse_instant
from finals_app.core.tables.masking import mask_name, mask_phone


def test_ticket_key_is_the_published_formula():
    expected = hashlib.sha256("000001|pioneer-random:P3|42".encode()).hexdigest()
    assert ticket_key("000001", "pioneer-random:P3", 42) == expected
    assert ticket_key("种子", "daily-lottery:2018-02-14", 7) == hashlib.sha256(
        "种子|daily-lottery:2018-02-14|7".encode("utf-8")).hexdigest()


def test_draw_orders_by_key_and_skips_repeat_winners():
    tickets = [Ticket(t, t % 3) for t in range(1, 31)]  # three people, many tickets
    winners = draw_winners_of("s", "daily-lottery:2018-01-11", tickets, 5, one_per_person=True)
    assert len(winners) == 3 and len({w.participant_id for w in winners}) == 3
    keys = [ticket_key("s", "daily-lottery:2018-01-11", w.ticket_id) for w in winners]
    assert keys == sorted(keys)
    everyone = sorted(tickets, key=lambda t: ticket_key("s", "daily-lottery:2018-01-11", t.ticket_id))
    assert draw_winners_of("s", "daily-lottery:2018-01-11", tickets, 5, one_per_person=False) == everyone[:5]


def test_fewer_eligible_than_wanted_all_win_and_order_of_input_does_not_matter():
    tickets = [Ticket(t, t) for t in (5, 3, 9)]
    assert sorted(w.ticket_id for w in draw_winners_of("x", "d", tickets, 10)) == [3, 5, 9]
    assert draw_winners_of("x", "d", tickets, 2) == draw_winners_of("x", "d", list(reversed(tickets)), 2)


def test_verify_detects_a_changed_winner_and_a_changed_list():
    tickets = [Ticket(t, t) for t in range(1, 100)]
    winners = tuple(draw_winners_of("seed", "d", tickets, 10))
    draw = DrawResult(1, "d", "seed", 10, True, len(tickets), eligible_digest(tickets), winners)
    assert verify(draw, tickets).ok
    forged = DrawResult(1, "d", "seed", 10, True, len(tickets), eligible_digest(tickets), winners[:-1] + (Ticket(100, 100),))
    assert not verify(forged, tickets).winners_match
    assert not verify(draw, tickets[:-1]).tickets_match_digest


@pytest.mark.parametrize("text, expected", [
    ("2017-12-18 06:00:00", "2017-12-18 06:00:00.000"),
    ("2017-12-18 06:00:00.5", "2017-12-18 06:00:00.500"),
    ("2017-12-18 06:00:00.123", "2017-12-18 06:00:00.123"),
    ("2017-12-17 22:00:00+00:00", "2017-12-18 06:00:00.000"),
    ("2017-12-18T01:00:00-05:00", "2017-12-18 14:00:00.000"),
    ("2017-12-24 24:00:00", "2017-12-25 00:00:00.000"),
    ("2017-12-24 24:00:00+08:00", "2017-12-25 00:00:00.000"),
])
def test_times_parse_with_their_offsets(text, expected):
    assert format_instant(parse_instant(text)) == expected


@pytest.mark.parametrize("text", ["", "2017-12-18", "2017-12-18 6:00:00", "2017-12-32 06:00:00",
                                  "2017-12-24 24:00:01", "2017-12-18 06:00:00 CST", None, 1513548000])
def test_times_that_do_not_parse(text):
    assert parse_instant(text) is None


@pytest.mark.parametrize("phone, masked", [("13812341234", "138****1234"), ("", ""), (None, ""),
                                           ("1381234", "*******"), ("861381234123", "861*****4123")])
def test_phone_masking(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("name, masked", [("孙志勇", "孙*勇"), ("欧阳建华", "欧阳*华"), ("欧阳华", "欧阳*"),
                                          ("司马光", "司马*"), ("诸葛亮", "诸葛*"), ("司马相如", "司马*如"), ("王五", "王*"), ("王", "王*"), ("孙建国强", "孙*强"), ("", "")])
def test_name_masking(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize("name", ["孙志勇", "欧阳华", "司马光", "诸葛亮", "王五", "司马相如", "欧阳", "上官婉儿"])
def test_a_masked_name_always_hides_at_least_one_character(name):
    masked = mask_name(name)
    assert masked.count("*") == 1 and len(masked.replace("*", "")) < len(name)
    assert name.startswith(masked.split("*")[0]) and name.endswith(masked.split("*")[1])
