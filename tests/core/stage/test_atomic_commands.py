"""A command's events land together or not at all: a whole show is played, and every command
that wrote several records is cut, on a copy of the journal, at each record boundary inside its
write and in the middle of each of its records. Reopening gives exactly the state before that
command or the state after it, never a state in between (a result every judge signed but not
final, which nobody could ever sign again)."""
from __future__ import annotations

import json
import zlib

import pytest

from finals_app.core.clock import ManualClock
from finals_app.core.stage.engine import StageEngine
from finals_app.core.stage.journal import Journal, JournalError, read_events
from finals_app.core.stage.state import fold
from finals_app.core.stage.summary import summarise


def _whole_show(engine: StageEngine) -> list[tuple[dict, int, int]]:
    """Plays a show to its signed result, reopened and signed again, then the ceremony; returns
    (command, journal size before, journal size after) of every accepted command."""
    writes = []

    def run(command: dict) -> None:
        before = engine.journal.path.stat().st_size
        engine.execute(command)
        writes.append((command, before, engine.journal.path.stat().st_size))

    run({"cmd": "next_round"})
    for verdict in ("correct", "correct", "wrong", "wrong"):
        run({"cmd": "show_question"})
        run({"cmd": verdict})
    run({"cmd": "next_round"})
    for step, winner in enumerate("abc"):
        run({"cmd": "show_question"})
        run({"cmd": "open_buzzers", "t_ms": step * 1000})
        run({"cmd": "press", "team": winner, "t_ms": step * 1000 + 10})
        run({"cmd": "correct"})
    run({"cmd": "next_round"})
    for team, stake, verdict in (("a", 10, "correct"), ("b", 20, "wrong"), ("c", 10, "correct"), ("d", 30, "wrong")):
        run({"cmd": "choose_stake", "team": team, "stake": stake})
        run({"cmd": "show_question"})
        run({"cmd": verdict})
    run({"cmd": "assign_prizes"})
    run({"cmd": "sign_off", "judge": "甲评委", "pin": "1234"})  # sets the PIN, signs
    run({"cmd": "sign_off", "judge": "乙评委", "pin": "5678"})  # sets the PIN, signs, finalizes
    run({"cmd": "reopen_result", "judge": "甲评委", "reason": "计分复核", "pin": "1234"})
    run({"cmd": "assign_prizes"})
    run({"cmd": "sign_off", "judge": "乙评委", "pin": "5678"})
    run({"cmd": "sign_off", "judge": "甲评委", "pin": "1234"})  # signs, finalizes
    for _ in range(3):
        run({"cmd": "ceremony_next"})
    return writes


def _snapshot(contest, events) -> tuple:
    state = fold(contest, events)
    return (summarise(state), state.final, dict(state.signoffs), dict(state.pins), state.prizes,
            [(c.seq, c.team, c.delta, c.undone) for c in state.changes])


def _cuts(data: bytes, start: int, end: int) -> list[int]:
    """Every record boundary strictly inside the write [start, end), and the middle and the
    last byte but one of every record in it (a cut inside a record, at any distance from its end)."""
    cuts = []
    offset = start
    while offset < end:
        line_end = data.index(b"\n", offset) + 1
        cuts += [offset + (line_end - offset) // 2, line_end - 1]
        if line_end < end:
            cuts.append(line_end)
        offset = line_end
    return cuts


def test_every_command_of_several_records_lands_whole_or_not_at_all(contest, tmp_path):
    path = tmp_path / "show.journal"
    engine = StageEngine(contest, path, clock=ManualClock(), durable=False)
    try:
        writes = _whole_show(engine)
        assert engine.state.final and engine.state.ceremony_step == 3
    finally:
        engine.close()
    data = path.read_bytes()
    several = [(command, start, end) for command, start, end in writes if data[start:end].count(b"\n") > 1]
    assert [command["cmd"] for command, _, _ in several] == ["sign_off", "sign_off", "sign_off"]
    checked = 0
    for command, start, end in several:
        before = _snapshot(contest, read_events_of(data[:start], tmp_path))
        after = _snapshot(contest, read_events_of(data[:end], tmp_path))
        assert before != after
        for cut in _cuts(data, start, end):
            copy = tmp_path / "cut.journal"
            copy.write_bytes(data[:cut])
            with Journal(copy, durable=False) as reopened:
                assert reopened.recovered_torn_tail, (command, cut)
                assert _snapshot(contest, reopened.events) == before, (command, cut - start)
            assert copy.read_bytes() == data[:start]  # the partial command is cut off the journal...
            kept = copy.with_name(copy.name + ".torn")
            assert kept.read_bytes().startswith(data[start:cut])  # ...and kept aside, never silently gone
            kept.unlink()
            checked += 1
    assert checked == 18  # 2 + 3 + 2 records: 5 + 8 + 5 cuts


def read_events_of(data: bytes, folder) -> list:
    scratch = folder / "scratch.journal"
    scratch.write_bytes(data)
    events, size, torn = read_events(scratch)
    assert size == len(data) and not torn
    return events


def test_the_last_judge_cut_before_the_result_was_final_can_still_sign_and_finalize(contest, tmp_path):
    """The fault as a show meets it: the power goes after the last judge's PIN and signature were
    written but before the result was finalized; the kiosk comes back with that judge not signed
    (not "every judge signed, never final"), the judge signs again, the result is final."""
    path = tmp_path / "show.journal"
    clock = ManualClock()
    engine = StageEngine(contest, path, clock=clock, durable=False)
    writes = _whole_show(engine)
    engine.close()
    data = path.read_bytes()
    command, start, end = writes[[c["cmd"] for c, _, _ in writes].index("sign_off") + 1]
    assert command["judge"] == "乙评委"
    second_record_end = data.index(b"\n", data.index(b"\n", start) + 1) + 1
    assert second_record_end < end
    path.write_bytes(data[:second_record_end])  # judge_pin_set and judge_signed landed, not result_finalized
    resumed = StageEngine(contest, path, clock=clock, durable=False)
    try:
        assert "乙评委" not in resumed.state.signoffs and not resumed.state.final
        resumed.execute({"cmd": "sign_off", "judge": "乙评委", "pin": "5678"})
        assert resumed.state.final
    finally:
        resumed.close()


def _old_line(record: dict) -> bytes:
    body = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return b"%08x " % zlib.crc32(body) + body + b"\n"


def test_a_journal_written_before_parts_existed_still_opens(contest, tmp_path):
    """Earlier versions wrote a command's records as plain lines: each opens as its own command."""
    path = tmp_path / "old.journal"
    records = [{"seq": 1, "type": "session_started", "wall_ms": 0, "mono_ms": 0, "operator": "system",
                "data": {"contest": contest.name, "contest_digest": contest.digest, "torn_tail_dropped": False}},
               {"seq": 2, "type": "score_corrected", "wall_ms": 1, "mono_ms": 1, "operator": "host",
                "data": {"team": "a", "delta": 5, "reason": "漏记"}},
               {"seq": 3, "type": "score_corrected", "wall_ms": 2, "mono_ms": 2, "operator": "host",
                "data": {"team": "b", "delta": -5, "reason": "复核"}}]
    path.write_bytes(b"".join(_old_line(r) for r in records))
    engine = StageEngine(contest, path, clock=ManualClock(), durable=False)
    try:
        assert engine.state.scores["a"] == 5 and engine.state.scores["b"] == -5
        assert [e.type for e in engine.events] == ["session_started", "score_corrected", "score_corrected", "resumed"]
        assert not engine.journal.recovered_torn_tail
    finally:
        engine.close()


def test_a_command_cut_short_before_a_later_command_is_damage_not_a_tail(tmp_path):
    """Parts out of order in the middle of the file cannot be a power cut: refused with the line."""
    path = tmp_path / "j.journal"
    first = {"seq": 1, "type": "judge_pin_set", "wall_ms": 0, "mono_ms": 0, "operator": "x", "data": {}, "part": [1, 2]}
    second = {"seq": 2, "type": "score_corrected", "wall_ms": 0, "mono_ms": 0, "operator": "x", "data": {}}
    path.write_bytes(_old_line(first) + _old_line(second))
    with pytest.raises(JournalError) as raised:
        Journal(path)
    assert "damaged at line 2" in raised.value.render("en")
