"""The host plays, pauses and restarts a question's sound or clip from the console (issue 27): a
key each (M, Shift+M, Ctrl+M), each enabled only when the engine allows it; the question panel
previews the picture small and names the sound or clip with its length, where it stands and
whether it plays. The answer timer still starts only when the host starts it."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from finals_app.core.stage.guide import legal_commands
from finals_app.ui.bridge import StageBridge
from finals_app.ui.host_console import HostConsole
from tests.ui.test_media_view import media_show, to_the_question

MEDIA_KEYS = ("play_media", "pause_media", "restart_media")


@pytest.fixture
def console(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")
    engine, clock = media_show(tmp_path, 'image = "media/flag.png"\naudio = "media/dongfanghong.wav"')
    bridge = StageBridge(engine, clock)
    host = HostConsole(bridge, None, confirm=lambda parent, text: True)
    qtbot.addWidget(host)
    host.resize(1600, 900)
    host.show()
    yield engine, clock, host
    host.allow_close = True
    engine.close()


def redrawn(qtbot, host) -> None:
    qtbot.waitUntil(lambda: not host._refresh_timer.isActive(), timeout=1000)


def enabled(host) -> set[str]:
    return {name for name in MEDIA_KEYS if host.buttons[name].isEnabled()}


def test_the_media_keys_are_free_and_enabled_only_when_legal(console, qtbot):
    engine, clock, host = console
    keys = [key for key in host.keys.values()]
    assert len(keys) == len(set(keys))  # no key does two things
    assert (host.keys["play_media"], host.keys["pause_media"], host.keys["restart_media"]) == ("M", "Shift+M", "Ctrl+M")
    to_the_question(engine)
    redrawn(qtbot, host)
    assert enabled(host) == set()  # shown to the host only: nothing plays yet
    assert "图片：media/flag.png（PNG, 8 KiB, 600×400）" in host.question_panel.media.text()
    assert "尚未播放（时长 0:06）" in host.question_panel.media.text()
    assert host.question_panel.preview.pixmap().width() <= 200 and not host.question_panel.preview.pixmap().isNull()
    engine.execute({"cmd": "reveal"})
    redrawn(qtbot, host)
    assert enabled(host) == {"play_media", "restart_media"}
    qtbot.keyClick(host, Qt.Key.Key_M)
    assert engine.events[-1].type == "media_played" and engine.events[-1].data["medium"] == "audio"
    assert engine.state.timer is None  # the answer timer waits for the host's own key
    redrawn(qtbot, host)
    assert enabled(host) == {"pause_media", "restart_media"}
    assert "播放中 0:00 / 0:06" in host.question_panel.media.text()
    clock.advance(3_200)
    qtbot.keyClick(host, Qt.Key.Key_M, Qt.KeyboardModifier.ShiftModifier)
    assert engine.events[-1].type == "media_paused" and engine.events[-1].data["position_ms"] == 3_200
    redrawn(qtbot, host)
    assert "已暂停 0:03 / 0:06" in host.question_panel.media.text()
    assert enabled(host) == {"play_media", "restart_media"}
    qtbot.keyClick(host, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert engine.events[-1].type == "media_played" and engine.events[-1].data["position_ms"] == 0
    clock.advance(10_000)
    host.question_panel.show_media(engine.state)
    assert "已播放完毕（时长 0:06）" in host.question_panel.media.text()
    # a clip played to its end: M plays it again from the start, as Ctrl+M does
    assert set(MEDIA_KEYS) & set(legal_commands(engine)) == {"play_media", "pause_media", "restart_media"}
    engine.execute({"cmd": "open_buzzers", "t_ms": 0})
    engine.execute({"cmd": "close_buzzers"})
    engine.execute({"cmd": "show_question"})  # a question without media
    redrawn(qtbot, host)
    assert enabled(host) == set() and not host.question_panel.media.isVisible()
    assert not host.question_panel.preview.isVisible()
