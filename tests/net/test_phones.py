"""Phones as buzzers, arbitrated fairly: simulated phones on loopback with their own clocks (up
to ±5 s off) and networks (5-80 ms one way, 20 ms of RTT jitter) race each other through the
real server; the later press never wins, presses whose mapped instants are closer than their
combined uncertainty are a tie for the host, and each press's mapped instant is within its
stated uncertainty of the truth. (benchmarks/bench_phones.py runs 1,000 races.)"""
from __future__ import annotations

import asyncio
import json
import random

import aiohttp

from benchmarks.phone_sim import run_races
from finals_app.net.security import TEAM, Role

from .conftest import eventually, served


def test_races_between_phones_are_won_by_the_earlier_press(tmp_path):
    results, setups = asyncio.run(run_races(60, random.Random(20261202), folder=tmp_path, per_pair=30))
    assert len(setups) == 2
    assert len(results) == 60
    wrong = [r for r in results if not r.decided_right]
    assert not wrong, wrong
    # The stated bounds hold, so a true gap beyond twice the combined uncertainty is always won by
    # the earlier press (between once and twice it, the mapped gap may fall inside: a tie).
    far = [r for r in results if abs(r.gap_ms) > 2 * r.uncertainty_ms and r.winner != r.earlier]
    assert not far, far
    stated = [u for r in results for u in r.stated_ms]
    assert max(stated) <= 10.0, max(stated)
    # The stated bound holds for each press, not only for the pair.
    outside = [(error, bound) for r in results for error, bound in zip(r.errors_ms, r.stated_ms) if abs(error) > bound]
    assert not outside, outside
    # Both kinds of race happened: clear wins and ties for the host.
    assert any(r.winner for r in results) and any(r.winner is None for r in results)


def test_a_phone_press_mixes_with_a_keyboard_press_in_the_same_question(engine, clock):
    for command in ({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"},
                    {"cmd": "open_buzzers", "t_ms": 10_000}):
        engine.execute(command)
    engine.execute({"cmd": "press", "team": "a", "t_ms": 10_030, "device": "keyboard"})
    # A phone pressed 12 ms earlier, known within ±3 ms: it arrives later and takes the floor.
    engine.execute({"cmd": "press", "team": "b", "t_ms": 10_018, "t_us": 10_018_000, "uncertainty_us": 3000,
                    "device": "phone", "phone": {"phone_ms": 4321.5, "mapped_ms": 10_018.0, "uncertainty_ms": 3.0,
                                                 "arrival_ms": 10_070.0}})
    assert engine.state.floor() == ("b", [])
    press = engine.state.presses[-1]
    assert press.uncertainty_us == 3000 and press.device == "phone"
    assert engine.events[-1].data["phone"]["phone_ms"] == 4321.5


def test_the_results_workbook_keeps_each_phone_press_evidence(engine, tmp_path):
    from openpyxl import load_workbook

    from finals_app.reports.stage_documents import _results_xlsx
    test_a_phone_press_mixes_with_a_keyboard_press_in_the_same_question(engine, None)
    _results_xlsx(engine.state, tmp_path / "results.xlsx")
    rows = list(load_workbook(tmp_path / "results.xlsx")["抢答明细"].values)
    assert rows[0][:5] == ("题目", "代表队", "设备", "设备时间（毫秒）", "误差范围（毫秒）")
    phone = next(row for row in rows[1:] if row[2] == "phone")
    assert phone[3] == 10_018 and phone[4] == 3 and phone[5] == 4321.5 and phone[6] == 10_070
    keyboard = next(row for row in rows[1:] if row[2] == "keyboard")
    assert keyboard[3] == 10_030 and keyboard[4] in ("", None)


def test_presses_closer_than_their_combined_uncertainty_are_a_tie(engine):
    for command in ({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"},
                    {"cmd": "open_buzzers", "t_ms": 10_000}):
        engine.execute(command)
    engine.execute({"cmd": "press", "team": "a", "t_ms": 10_030, "t_us": 10_030_000, "uncertainty_us": 2500})
    engine.execute({"cmd": "press", "team": "c", "t_ms": 10_034, "t_us": 10_034_000, "uncertainty_us": 2000})
    assert engine.state.floor() == (None, ["a", "c"])  # 4 ms apart, ±4.5 ms together: not known
    engine.execute({"cmd": "resolve_tie", "team": "c"})
    assert engine.state.floor() == ("c", [])


def test_a_phone_press_is_a_foul_only_when_surely_early(engine):
    for command in ({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"},
                    {"cmd": "open_buzzers", "t_ms": 10_000}):
        engine.execute(command)
    engine.execute({"cmd": "press", "team": "a", "t_ms": 9_998, "uncertainty_us": 3000})  # maybe after
    assert engine.events[-1].data["outcome"] == "accepted"
    engine.execute({"cmd": "press", "team": "b", "t_ms": 9_990, "uncertainty_us": 3000})  # surely before
    assert engine.events[-1].data["outcome"] == "foul"
    for bad in (-1, 10_000_001, 2.5, True):
        try:
            engine.execute({"cmd": "press", "team": "c", "t_ms": 10_050, "uncertainty_us": bad})
        except Exception as error:  # noqa: BLE001 - a Refusal, said in words
            assert "uncertainty_us" in error.render()
        else:
            raise AssertionError(bad)


def test_a_phone_that_goes_is_shown_to_the_host_at_once(live_engine):
    told = []

    async def scenario():
        async with served(live_engine) as server, aiohttp.ClientSession() as session:
            server.listeners.append(lambda: told.append({t: s.connected for t, s in server.phones().items()}))
            url = server.url(Role(TEAM, "d")).replace("/phone?", "/ws?") + "&feed=view"
            ws = await session.ws_connect(url)
            await eventually(lambda: told and told[-1]["d"], what="the phone to be seen")
            for _ in range(6):  # answer the first pings: the clock becomes known
                message = json.loads((await ws.receive()).data)
                if message["type"] == "ping":
                    await ws.send_str(json.dumps({"type": "pong", "k": message["k"], "p": 1.0}))
            await eventually(lambda: server.phones()["d"].uncertainty_ms is not None, what="the clock")
            count = len(told)
            await ws.close()
            await eventually(lambda: len(told) > count and not told[-1]["d"], timeout=1.0,
                             what="the disconnection to be told")
            assert not server.phones()["d"].connected

    asyncio.run(scenario())
