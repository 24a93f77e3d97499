"""The journal: durable, torn last record dropped, other damage refused, one writer only,
and a restart resumes the show exactly (timers included)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from finals_app.core.stage.engine import StageEngine
from finals_app.core.stage.journal import Journal, JournalError


def _records(count):
    return [{"type": "score_corrected", "wall_ms": i, "mono_ms": i, "operator": "host",
             "data": {"team": "a", "delta": 1, "reason": f"第{i}次"}} for i in range(count)]


def test_events_survive_reopening(tmp_path):
    path = tmp_path / "j.journal"
    with Journal(path) as journal:
        journal.append(_records(3))
    with Journal(path) as journal:
        assert [e.seq for e in journal.events] == [1, 2, 3]
        assert journal.events[2].data["reason"] == "第2次"
        assert not journal.recovered_torn_tail


@pytest.mark.parametrize("cut", [1, 10, 40])
def test_a_torn_last_record_is_dropped(tmp_path, cut):
    path = tmp_path / "j.journal"
    with Journal(path) as journal:
        for record in _records(4):  # four commands of one record each
            journal.append([record])
    data = path.read_bytes()
    path.write_bytes(data[:-cut])  # power cut in the middle of writing the last record
    with Journal(path) as journal:
        assert [e.seq for e in journal.events] == [1, 2, 3]
        assert journal.recovered_torn_tail
        journal.append(_records(1))
    with Journal(path) as journal:
        assert [e.seq for e in journal.events] == [1, 2, 3, 4]


def test_damage_before_the_end_is_refused_not_repaired(tmp_path):
    path = tmp_path / "j.journal"
    with Journal(path) as journal:
        journal.append(_records(4))
    lines = path.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1].replace("第1次".encode(), "第9次".encode())
    path.write_bytes(b"".join(lines))
    with pytest.raises(JournalError) as raised:
        Journal(path)
    assert "damaged at line 2" in raised.value.render("en")
    assert b"".join(lines) == path.read_bytes()  # untouched


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "j.journal"
    with Journal(path):
        code = (f"from finals_app.core.stage.journal import Journal, JournalError\n"
                f"try:\n    Journal({str(path)!r})\nexcept JournalError as e:\n    print(e.render('en'))")
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "already open in another finals-app" in result.stdout
    with Journal(path):  # released on close
        pass


def test_a_running_timer_resumes_with_the_time_it_had_left(contest, tmp_path, clock):
    path = tmp_path / "show.journal"
    engine = StageEngine(contest, path, clock=clock)
    for command in ({"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "start_timer"}):
        engine.execute(command)
    clock.advance(10_000)
    engine.close()  # the crash
    clock.advance(5_000)  # restart takes five seconds
    clock.mono = 50  # a new boot: the monotonic clock starts again
    again = StageEngine(contest, path, clock=clock)
    try:
        assert again.state.timer.running
        assert again.state.timer.remaining_ms(clock.monotonic_ms()) == 15_000
        clock.advance(20_000)
        assert again.state.timer.remaining_ms(clock.monotonic_ms()) == 0  # shown as expired
    finally:
        again.close()


def test_a_full_disk_records_nothing_and_says_so(contest, tmp_path, clock, monkeypatch):
    engine = StageEngine(contest, tmp_path / "show.journal", clock=clock)
    try:
        engine.execute({"cmd": "next_round"})
        before = len(engine.events)
        import os
        real_fsync = os.fsync

        def full(fd):
            raise OSError(28, "No space left on device")
        monkeypatch.setattr(os, "fsync", full)
        with pytest.raises(JournalError) as raised:
            engine.execute({"cmd": "show_question"})
        monkeypatch.setattr(os, "fsync", real_fsync)
        assert "No space left on device" in raised.value.render("en")
        assert len(engine.events) == before and engine.state.question is None
        engine.execute({"cmd": "show_question"})  # works again once there is room
        assert engine.state.question is not None
    finally:
        engine.close()
    reopened = StageEngine(contest, tmp_path / "show.journal", clock=clock)
    try:
        assert [e.type for e in reopened.events].count("question_shown") == 1
    finally:
        reopened.close()


def test_a_torn_record_is_said_on_resume_with_what_was_lost(tmp_path, contest_file, contest):
    import io
    import json

    from finals_app.cli import main
    from finals_app.core.stage.engine import StageEngine
    path = tmp_path / "show.journal"
    engine = StageEngine(contest, path, durable=False)
    engine.execute({"cmd": "next_round"})
    engine.execute({"cmd": "show_question"})
    engine.close()
    data = path.read_bytes()
    path.write_bytes(data[:-2])  # the question_shown record torn by a power cut
    out = io.StringIO()
    assert main(["rehearse", str(contest_file), "--journal", str(path), "--json"], out, io.StringIO()) == 0
    torn = json.loads(out.getvalue())["torn_tail"]
    assert torn["type"] == "question_shown" and torn["after_seq"] == 2 and torn["bytes"] > 30
    assert '"question":' in torn["excerpt"]
    assert (tmp_path / "show.journal.torn").read_bytes() == data.splitlines(keepends=True)[-1][:-2] + b"\n"
    with Journal(path) as again:
        assert again.torn_tail is None and again.events[-1].type == "resumed"
        assert again.events[-1].data["torn_tail"]["type"] == "question_shown"


def test_the_console_says_a_torn_record_was_dropped(tmp_path, contest, qtbot, monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")
    from finals_app.core.clock import ManualClock
    from finals_app.core.stage.engine import StageEngine
    from finals_app.ui.bridge import StageBridge
    from finals_app.ui.host_console import HostConsole
    path = tmp_path / "show.journal"
    engine = StageEngine(contest, path, durable=False)
    engine.execute({"cmd": "correct_score", "team": "a", "delta": 5, "reason": "复核"})
    engine.close()
    path.write_bytes(path.read_bytes()[:-9])
    engine = StageEngine(contest, path, durable=False)
    try:
        clock = ManualClock()
        console = HostConsole(StageBridge(engine, clock), confirm=lambda *_: True)
        qtbot.addWidget(console)
        assert "最后一条因崩溃未写完，已丢弃：score_corrected" in console.message.text()
        assert "show.journal.torn" in console.message.text()
        console.allow_close = True
    finally:
        engine.close()
