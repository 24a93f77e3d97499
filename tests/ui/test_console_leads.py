"""The console leads the host (issue 11): only legal actions enabled, the next step large, undo
in the show's words, undone changes struck through with who undid them; the host's typing is
never a press; buzzer boxes read as input devices (a recorded source through the kiosk's own
reader) with pairing remembered per machine and the self-test naming device, key and latency."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication

from finals_app.core.stage.devices import DeviceEvent, PairingStore, RecordedSource
from finals_app.ui.bridge import DeviceBuzzers
from finals_app.ui.host_console import CorrectionDialog
import pytest

from tests.ui.test_screens import Stage


@pytest.fixture
def stage(qtbot, contest, tmp_path, monkeypatch):
    """A small show on every screen, in Chinese, as the host sees it."""
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")
    built = Stage(qtbot, contest, tmp_path)
    yield built
    built.host.allow_close = True
    built.engine.close()


def enabled(stage) -> set[str]:
    return {name for name, button in stage.host.buttons.items() if button.isEnabled()}


def test_only_legal_actions_are_enabled_and_the_next_step_is_said(stage):
    host = stage.host
    assert host.next_step.text() == "下一步：按 Ctrl+N 进入下一轮"
    assert "correct" not in enabled(stage) and "open" not in enabled(stage) and "next_round" in enabled(stage)
    assert host.isVisible() and host.buttons["correct"].isVisible()  # greyed, never hidden
    stage.run({"cmd": "next_round"})
    assert host.next_step.text() == "下一步：按 N 出题"
    stage.run({"cmd": "show_question"})
    assert host.next_step.text() == "下一步：按 R 题目上大屏"
    assert {"correct", "wrong", "timeout", "reveal", "timer"} <= enabled(stage)
    assert not ({"show", "open", "next_round", "tie", "close", "redo"} & enabled(stage))
    stage.run({"cmd": "reveal"}, {"cmd": "start_timer"})
    assert host.next_step.text().startswith("下一步：判定 按 C 正确")
    stage.run({"cmd": "correct"})
    for _ in range(3):
        stage.run({"cmd": "show_question"}, {"cmd": "wrong"})
    stage.run({"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "reveal"})
    assert host.next_step.text() == "下一步：按 B 开放抢答"
    stage.run({"cmd": "open_buzzers", "t_ms": 0})
    assert "等待抢答" in host.next_step.text() and "close" in enabled(stage) and "correct" not in enabled(stage)
    stage.run({"cmd": "press", "team": "b", "t_ms": 5}, {"cmd": "press", "team": "c", "t_ms": 5})
    assert host.next_step.text() == "下一步：按 J 裁定同时抢答"
    assert "tie" in enabled(stage) and "correct" not in enabled(stage)


def test_undo_asks_in_the_show_words_and_the_trail_keeps_who_undid(stage):
    asked = []
    stage.host.confirm = lambda parent, text: asked.append(text) or True
    stage.run({"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "correct"})
    stage.run({"cmd": "correct_score", "team": "b", "delta": -5, "reason": "第1题计分错误"})
    stage.host.undo()
    assert asked[-1] == "撤销：乙单位代表队 -5（更正：第1题计分错误）？"
    stage.host.undo()
    assert asked[-1] == "撤销：甲单位代表队 +10（第1题 正确）？"
    assert stage.bridge.state.scores == {"a": 0, "b": 0, "c": 0, "d": 0}
    stage.qtbot.waitUntil(lambda: not stage.host._refresh_timer.isActive(), timeout=1000)
    newest = stage.host.audit.item(0)
    assert "已撤销：host" in newest.text() and newest.font().strikeOut()
    stage.host.redo()
    assert asked[-1] == "恢复：甲单位代表队 +10（第1题 正确）？" and stage.bridge.state.scores["a"] == 10


def test_typing_in_the_correction_dialog_is_never_a_press(stage, qtbot):
    QApplication.instance().installEventFilter(stage.buzzers)
    try:
        stage.run({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"},
                  {"cmd": "open_buzzers", "t_ms": 0})
        before = len(stage.engine.events)
        dialog = CorrectionDialog(stage.bridge.contest, stage.host)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.delta.setFocus()
        dialog.delta.selectAll()
        qtbot.keyClicks(dialog.delta, "15")  # "1" is team a's buzzer key
        dialog.reason.setFocus()
        qtbot.keyClicks(dialog.reason, "Q3 judge 2 recount")  # "3" and "2" are buzzer keys too
        assert dialog.command() == {"cmd": "correct_score", "team": "a", "delta": 15, "reason": "Q3 judge 2 recount"}
        assert len(stage.engine.events) == before and not stage.bridge.state.question.candidates
        dialog.close()
        qtbot.keyClick(stage.host, "2")  # the dialog is gone: team b's buzzer again
        assert stage.bridge.state.floor() == ("b", [])
    finally:
        QApplication.instance().removeEventFilter(stage.buzzers)


def key(device, code, value, t_us, name="Buzzer box"):
    return DeviceEvent(device, name, 1, code, value, t_us // 1_000_000, t_us % 1_000_000)


def test_device_mode_pairs_boxes_and_presses_carry_the_kernel_time(stage, qtbot, tmp_path):
    from finals_app.ui.buzzer_test import BuzzerPairing, BuzzerSelfTest
    store = PairingStore(tmp_path / "pairing.json")
    host_keyboard = "046d:c31c:usb-0000:00:14.0-1/input0"
    boxes = [f"1a86:e026:usb-0000:00:14.0-{n}/input0" for n in (2, 3, 4, 5)]
    source = RecordedSource([])
    devices = DeviceBuzzers(stage.bridge, source, store)
    assert devices.paired() == []
    pairing = BuzzerPairing(stage.bridge, devices, stage.host)
    qtbot.addWidget(pairing)
    pairing.show()
    for team, box in zip("abcd", boxes):
        devices.arrived.emit(key(box, 2, 1, 1_000_000, name=f"Buzzer {team}"))
    qtbot.waitUntil(lambda: len(devices.paired()) == 4, timeout=2000)
    assert devices.describe("c") == ("Buzzer c", "1")
    assert "全部抢答器已配对" in pairing.prompt.text()
    pairing.close()
    again = DeviceBuzzers(stage.bridge, RecordedSource([]), store)  # remembered on this machine
    assert again.bindings == devices.bindings

    stage.host.buzzers = again
    stage.run({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"},
              {"cmd": "open_buzzers", "t_ms": 5_000})
    recorded = RecordedSource([
        key(host_keyboard, 2, 1, 5_100_000),   # the host types "1": not a buzzer
        key(boxes[2], 2, 1, 5_200_321, "Buzzer c"),  # team c's box, pressed at 5.200321 s kernel time
        key(boxes[2], 2, 2, 5_230_000),        # key repeat: not another press
        key(boxes[2], 2, 0, 5_300_000),        # release
        key(boxes[1], 2, 1, 5_200_900),        # team b, 579 µs later: a tie for the host
    ])
    again.source = recorded
    again.start()
    qtbot.waitUntil(lambda: len(stage.bridge.state.presses) == 2, timeout=2000)
    first, second = stage.bridge.state.presses
    assert (first.team, first.t_us, first.t_ms, first.device, first.outcome) == ("c", 5_200_321, 5_200, "Buzzer c",
                                                                                "accepted")
    assert (second.team, second.t_us) == ("b", 5_200_900)
    assert stage.bridge.state.floor() == (None, ["c", "b"])  # in device-time order

    test = BuzzerSelfTest(stage.bridge, again, stage.host)
    qtbot.addWidget(test)
    test.show()
    again.self_test = test.record
    again.source = RecordedSource([key(boxes[0], 2, 1, 0)])
    again.start()
    qtbot.waitUntil(lambda: test.samples["a"] != [], timeout=2000)
    row = [test.table.item(0, column).text() for column in range(5)]
    assert row[:4] == ["甲单位代表队", "Buzzer a", "1", "正常"] and row[4]
    assert len(stage.bridge.state.presses) == 2  # self-test presses never reach the show
    test.close()


def test_the_console_says_which_buzzer_mode_is_active(stage):
    stage.buzzers.reason = "无法读取输入设备（/dev/input does not exist on this machine），改用按键模式"
    stage.host.refresh(stage.bridge.state)
    assert stage.host.mode.text().startswith("抢答器：按键模式（键盘）")
    assert "/dev/input" in stage.host.mode.text()
    assert stage.host.buttons["pair"].isEnabled() is False
    stage.host.buttons["pair"].setEnabled(True)
    stage.host.pair_buzzers()  # no device source: said, nothing opened
    assert "/dev/input" in stage.host.message.text()


def test_an_unanswered_buzzer_question_closes_itself_on_the_kiosk(stage):
    stage.run({"cmd": "next_round"}, {"cmd": "next_round"}, {"cmd": "show_question"},
              {"cmd": "open_buzzers", "t_ms": 0})
    assert stage.bridge.state.timer.kind == "press"
    stage.clock.advance(10_000)
    stage.qtbot.waitUntil(lambda: stage.bridge.state.question.no_answer, timeout=2000)  # the bridge's tick
    assert stage.engine.events[-1].operator == "system"
    stage.qtbot.waitUntil(lambda: stage.host.next_step.text() == "下一步：按 N 出题", timeout=1000)
