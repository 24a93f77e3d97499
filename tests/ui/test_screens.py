"""Offscreen tests of every stage screen: each builds and renders, a score change reaches all
screens, a press highlights the winner, the timer counts down on a stepped clock, buzzer keys
are captured application-wide, and the kiosk refuses to close from the wrong side."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from finals_app.core.clock import ManualClock
from finals_app.core.stage.display import GOLD
from finals_app.core.stage.engine import StageEngine
from finals_app.ui.audience_screen import AudienceScreen
from finals_app.ui.bridge import BuzzerInput, StageBridge
from finals_app.ui.buzzer_screen import BuzzerScreen
from finals_app.ui.host_console import HostConsole
from finals_app.ui.sounds import Sounds
from finals_app.ui.timer_screen import TimerScreen
from tests.stage_contest import SMALL_CONTEST, _questions  # noqa: F401


class Stage:
    def __init__(self, qtbot, contest, tmp_path):
        self.qtbot = qtbot
        self.clock = ManualClock()
        self.engine = StageEngine(contest, tmp_path / "show.journal", clock=self.clock, durable=False)
        self.bridge = StageBridge(self.engine, self.clock)
        self.sounds = Sounds(enabled=False)
        self.buzzers = BuzzerInput(self.bridge)
        self.answers: list[bool] = []
        self.audience = AudienceScreen(self.bridge, self.sounds)
        self.timer = TimerScreen(self.bridge, self.sounds)
        self.buzzer = BuzzerScreen(self.bridge)
        self.host = HostConsole(self.bridge, self.buzzers, confirm=self.confirm)
        for widget in (self.audience, self.timer, self.buzzer, self.host):
            qtbot.addWidget(widget)
            widget.resize(1280, 720)
            widget.show()

    def confirm(self, parent, text: str) -> bool:
        """The host's answer to a confirmation: scripted by the test, yes when not scripted."""
        return self.answers.pop(0) if self.answers else True

    def run(self, *commands):
        for command in commands:
            assert self.bridge.execute(command), command
        # The console redraws a moment after the audience screens: wait for it.
        self.qtbot.waitUntil(lambda: not self.host._refresh_timer.isActive(), timeout=1000)

    def journal_text(self) -> str:
        return self.engine.journal.path.read_text(encoding="utf-8")

    def buzz(self, team: str, t_ms: int = 5) -> None:
        """One buzzer question: shown, opened, `team` presses first and answers right."""
        self.run({"cmd": "show_question"}, {"cmd": "open_buzzers", "t_ms": 0},
                 {"cmd": "press", "team": team, "t_ms": t_ms}, {"cmd": "correct"})

    def play_rounds(self, compulsory: tuple[str, ...], buzzer_winners: str, risk: tuple[tuple[int, str], ...]) -> None:
        """The three rounds: each compulsory question's verdict, each buzzer question's winner,
        and teams a, b, c, d's (stake, verdict) on their risk questions."""
        self.run({"cmd": "next_round"})
        for verdict in compulsory:
            self.run({"cmd": "show_question"}, {"cmd": verdict})
        self.run({"cmd": "next_round"})
        for team in buzzer_winners:
            self.buzz(team)
        self.run({"cmd": "next_round"})
        for team, (stake, verdict) in zip("abcd", risk):
            self.run({"cmd": "choose_stake", "team": team, "stake": stake}, {"cmd": "show_question"}, {"cmd": verdict})


@pytest.fixture(autouse=True)
def chinese(monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")  # the kiosk as the host and the audience see it


@pytest.fixture
def stage(qtbot, contest, tmp_path):
    built = Stage(qtbot, contest, tmp_path)
    yield built
    built.host.allow_close = True
    built.engine.close()


def to_buzzer_question(stage):
    stage.run({"cmd": "next_round"})
    for _ in range(4):
        stage.run({"cmd": "show_question"}, {"cmd": "wrong"})
    stage.run({"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "reveal"})


def test_every_screen_renders(stage):
    for widget in (stage.audience, stage.timer, stage.buzzer, stage.host):
        image = widget.grab().toImage()
        assert image.width() == 1280 and not image.isNull()


def test_a_score_change_reaches_all_screens(stage):
    stage.run({"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "reveal"}, {"cmd": "correct"})
    assert stage.audience.scoreboard.target["a"] == 10
    assert stage.audience.scoreboard.order[0] == "a"
    assert stage.host.teams.item(0, 2).text() == "10"
    assert "回答正确" in stage.audience.floor.text() and "正确答案" in stage.audience.answer.text()
    assert "+10" in stage.host.audit.item(0).text()


def test_question_reaches_the_audience_only_once_revealed(stage):
    stage.run({"cmd": "next_round"}, {"cmd": "show_question"})
    assert "r1 第1题" not in stage.audience.question.text()
    assert "r1 第1题" in stage.host.question.text() and "答案" in stage.host.answer.text()
    stage.run({"cmd": "reveal"})
    assert "r1 第1题" in stage.audience.question.text() and "A. 甲" in stage.audience.question.text()
    assert stage.audience.answer.text() == ""  # the answer only after judging


def test_a_press_highlights_the_winner_everywhere(stage):
    to_buzzer_question(stage)
    stage.run({"cmd": "open_buzzers", "t_ms": 100}, {"cmd": "press", "team": "c", "t_ms": 130},
              {"cmd": "press", "team": "b", "t_ms": 120})
    team = stage.bridge.contest.team("b")
    assert team.name in stage.audience.floor.text() and team.color in stage.audience.floor.styleSheet()
    assert stage.audience.scoreboard.highlight == "b"
    assert team.name in stage.buzzer.status.text()
    assert team.name in stage.timer.who.text()
    assert "(+10 ms)" in stage.host.evidence.item(1).text()


def test_a_foul_is_shown_on_the_buzzer_screen(stage):
    to_buzzer_question(stage)
    stage.run({"cmd": "press", "team": "d", "t_ms": 50})
    assert stage.bridge.contest.team("d").name in stage.buzzer.fouls.text()
    assert stage.host.teams.item(3, 2).text() == "-5"


def test_timer_counts_down_on_a_stepped_clock(stage):
    stage.sounds.played.clear()
    stage.run({"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "start_timer"})
    stage.bridge._emit_tick()
    assert stage.timer.countdown.text() == "30" and not stage.timer.countdown.warning
    for second in range(29, -1, -1):
        stage.clock.advance(1000)
        stage.bridge._emit_tick()
        assert stage.timer.countdown.text() == str(second)
        assert stage.host.countdown.text() == str(second)
    assert stage.timer.countdown.warning and "#ef476f" in stage.timer.countdown.styleSheet()
    assert stage.sounds.played == ["round", "tick", "tick", "tick", "buzzer"]  # the round card's call first


def test_buzzer_keys_are_captured_application_wide_with_their_timestamp(stage, qtbot):
    QApplication.instance().installEventFilter(stage.buzzers)
    try:
        to_buzzer_question(stage)
        stage.run({"cmd": "open_buzzers", "t_ms": 1000})
        press = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_3, Qt.KeyboardModifier.NoModifier, "3")
        press.setTimestamp(1234)
        QApplication.sendEvent(stage.audience, press)  # focus on the audience screen: still captured
        repeat = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_3, Qt.KeyboardModifier.NoModifier, "3", True)
        repeat.setTimestamp(1300)
        QApplication.sendEvent(stage.audience, repeat)
        presses = stage.bridge.state.presses
        assert [(p.team, p.t_ms, p.outcome) for p in presses] == [("c", 1234, "accepted")]
    finally:
        QApplication.instance().removeEventFilter(stage.buzzers)


def test_host_shortcuts_drive_the_show(stage, qtbot):
    qtbot.keyClick(stage.host, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(stage.host, Qt.Key.Key_N)
    qtbot.keyClick(stage.host, Qt.Key.Key_C)
    assert stage.bridge.state.scores["a"] == 10
    qtbot.keyClick(stage.host, Qt.Key.Key_C)  # nobody is waiting for a verdict: refused, shown
    assert "未执行" in stage.host.message.text()


def test_quitting_and_ending_a_round_early_ask_first(stage):
    stage.run({"cmd": "next_round"})
    stage.answers[:] = [False]
    stage.host.next_round()
    assert stage.bridge.state.round.id == "r1"
    stage.answers[:] = [False]
    assert not stage.host.close() and stage.host.isVisible()
    stage.answers[:] = [True]
    assert stage.host.close()


def test_kiosk_screens_cannot_be_closed_from_the_audience_side(stage):
    stage.audience.kiosk = True
    assert not stage.audience.close()
    stage.audience.kiosk = False
    assert stage.audience.close()


def test_prize_ceremony_is_paced_by_the_host_third_second_first(stage, qtbot):
    stage.play_rounds(("correct", "correct", "wrong", "wrong"), "aab",
                      ((10, "correct"), (10, "correct"), (20, "correct"), (10, "wrong")))
    stage.run({"cmd": "assign_prizes"}, {"cmd": "sign_off", "judge": "甲评委", "pin": "1234"},
              {"cmd": "sign_off", "judge": "乙评委", "pin": "5678"})
    audience, contest = stage.audience, stage.bridge.contest
    assert audience.ceremony.isVisible() and "颁奖典礼" in audience.ceremony.text()
    assert stage.sounds.played[-1] == "ceremony"
    qtbot.wait(3000)  # no step runs by itself
    assert "颁奖典礼" in audience.ceremony.text()
    prizes = stage.bridge.state.prizes
    assert stage.host.next_step.text().startswith("下一步：按 G 揭晓三等奖：")
    for level, words in (("third", "三等奖"), ("second", "二等奖"), ("first", "一等奖")):
        qtbot.keyClick(stage.host, Qt.Key.Key_G)
        team = contest.team(prizes[level][0])
        text = audience.ceremony.text()
        assert words in text and team.unit in text and team.name in text
        assert all(member in text for member in team.members) and f"总分 {stage.bridge.state.scores[team.id]} 分" in text
        if level == "first":  # the climax: gold on crimson, the team on its colour, a fanfare
            assert audience.ceremony.border == GOLD and audience.ceremony.band == team.color
            assert stage.sounds.played[-1] == "fanfare"
        else:
            assert audience.ceremony.background == team.color and stage.sounds.played[-1] == "prize"
    qtbot.wait(300)  # the first prize's moment lasts as long as the host lets it
    assert "一等奖" in audience.ceremony.text() and not audience.showing_roll
    assert stage.host.next_step.text() == "下一步：按 G 展示全部获奖名单"
    qtbot.keyClick(stage.host, Qt.Key.Key_G)  # the host's key: every winner on one page
    assert all(contest.team(t).name in audience.ceremony.text() for teams in prizes.values() for t in teams)
    assert "获奖名单" in audience.ceremony.text() and stage.sounds.played[-1] == "roll"
    qtbot.keyClick(stage.host, Qt.Key.Key_G)  # nothing left: refused, said
    assert "所有奖项均已揭晓" in stage.host.message.text()
    qtbot.keyClick(stage.host, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)  # replay
    assert "颁奖典礼" in audience.ceremony.text() and stage.bridge.state.ceremony_step == 0


def test_buzzer_self_test_maps_every_seat_and_keeps_presses_out_of_the_show(stage, qtbot):
    from finals_app.ui.buzzer_test import BuzzerSelfTest
    QApplication.instance().installEventFilter(stage.buzzers)
    dialog = BuzzerSelfTest(stage.bridge, stage.buzzers, stage.host)
    qtbot.addWidget(dialog)
    try:
        dialog.show()
        for stamp, key in enumerate("1234", start=1):
            event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_1, Qt.KeyboardModifier.NoModifier, key)
            event.setTimestamp(stamp * 100)
            QApplication.sendEvent(dialog, event)
            if key == "3":
                assert not dialog.all_mapped() and "丁单位" in dialog.summary.text()
        assert dialog.all_mapped() and dialog.summary.text() == "全部抢答器正常"
        assert [dialog.table.item(1, c).text() for c in range(4)] == ["乙单位代表队", "键盘", "2", "正常"]
        assert stage.bridge.state.presses == []  # nothing reached the show
        dialog.close()
        assert stage.buzzers.self_test is None
    finally:
        QApplication.instance().removeEventFilter(stage.buzzers)


def test_judges_view_marks_ties_and_signs_off_to_a_frozen_result(stage, qtbot):
    from finals_app.ui.judges_view import JudgesView
    asked = []
    pins = {"乙评委": ["5678"]}

    def ask(parent, judge, text, first_time):
        asked.append((judge, text, first_time))
        return pins[judge].pop(0)

    pins["甲评委"] = ["1234", "9999", "1234"]  # sets 1234; later the chief types a wrong PIN, then the right one
    view = JudgesView(stage.bridge, ask=ask)
    qtbot.addWidget(view)
    stage.play_rounds(("correct", "correct", "correct", "wrong"), "abc", ((10, "wrong"),) * 4)
    # a, b, c tie at 10 across every prize boundary
    assert "并列待加赛" in view.ranking.item(0, 4).text() and "须加赛" in view.ties.text()
    assert view.tiebreak_button.isEnabled() and not view.prizes_button.isEnabled()
    view.tiebreak_button.click()
    for winner in "aba":
        stage.buzz(winner, t_ms=3)
    stage.run({"cmd": "end_tiebreak"})
    assert view.ties.text() == "" and view.prizes_button.isEnabled()
    view.prizes_button.click()
    assert stage.bridge.state.prizes == {"first": ["a"], "second": ["b"], "third": ["c"]}
    view.sign_buttons["甲评委"].click()
    assert "已签字" in view.sign_buttons["甲评委"].text() and not view.sign_buttons["甲评委"].isEnabled()
    assert asked[0][0] == "甲评委" and asked[0][2] is True  # no PIN yet: the judge sets one
    assert "一等奖：甲单位代表队（" in asked[0][1] and "三等奖：丙单位代表队（" in asked[0][1]
    view.sign_buttons["乙评委"].click()
    assert stage.bridge.state.final and "已冻结" in view.status.text() and view.reopen_button.isEnabled()
    assert stage.engine.events[-2].operator == "乙评委"
    assert "1234" not in stage.journal_text() and "5678" not in stage.journal_text()  # only salted hashes
    from unittest import mock
    with mock.patch("finals_app.ui.judges_view.QInputDialog.getText", return_value=("复核", True)):
        view.reopen_button.click()  # the chief types 9999: refused, journalled, still final
        assert stage.bridge.state.final and stage.engine.events[-1].type == "pin_refused"
        assert "密码错误" in view.message.text()
        view.reopen_button.click()
    assert not stage.bridge.state.final and asked[-1][2] is False


def test_the_kiosk_speaks_english_when_asked(qtbot, contest, tmp_path, monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "en")
    stage = Stage(qtbot, contest, tmp_path)
    try:
        assert stage.host.windowTitle().startswith("Host console — ")
        stage.run({"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "reveal"}, {"cmd": "correct"})
        assert "Correct" in stage.audience.floor.text() and "Answer:" in stage.audience.answer.text()
        assert "Answer:" in stage.host.answer.text()
        from PySide6.QtWidgets import QPushButton
        buttons = [b.text().split("\n")[0] for b in stage.host.findChildren(QPushButton)]
        assert "Undo" in buttons and "Next question" in buttons and "Set prizes" in buttons
        import re
        assert not re.search(r"[\u4e00-\u9fff]", "".join(buttons)), buttons
    finally:
        stage.host.allow_close = True
        stage.engine.close()


def test_an_interface_error_is_logged_and_shown_not_fatal(stage, tmp_path, monkeypatch):
    import sys
    from finals_app.app import keep_the_show_running
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    import logging
    log = tmp_path / "finals-app.log"
    handler = logging.FileHandler(log, encoding="utf-8")  # what start_logging puts on the "finals_app" logger
    logging.getLogger("finals_app").addHandler(handler)
    hook = keep_the_show_running(stage.host.message, log)
    assert sys.excepthook is hook
    stage.run({"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "correct"})
    score = stage.engine.state.scores
    try:
        raise ValueError("a slot failed")
    except ValueError:
        hook(*sys.exc_info())
    handler.flush()
    logging.getLogger("finals_app").removeHandler(handler)
    handler.close()
    assert "ValueError: a slot failed" in log.read_text(encoding="utf-8")
    assert "界面内部错误" in stage.host.message.text() and str(log) in stage.host.message.text()
    assert stage.engine.state.scores == score and stage.bridge.execute({"cmd": "show_question"})  # the show goes on


def test_per_machine_settings_live_where_the_readme_says():
    from pathlib import Path

    from PySide6.QtCore import QSettings

    from finals_app.app import pairing_file
    screens = Path(QSettings("finals-app", "kiosk").fileName())
    assert screens.parts[-2:] == ("finals-app", "kiosk.conf")
    assert pairing_file().parent == screens.parent and pairing_file().name == "buzzer-pairing.json"
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert "~/.config/finals-app/kiosk.conf" in readme and "~/.config/finals-app/buzzer-pairing.json" in readme


def test_qt_own_dialogs_speak_chinese(qapp, monkeypatch):
    from PySide6.QtWidgets import QDialogButtonBox

    from PySide6.QtCore import QLocale

    from finals_app.ui.qt_language import install_qt_translations
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")
    previous = QLocale()
    assert install_qt_translations(qapp)
    try:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                               | QDialogButtonBox.StandardButton.Yes | QDialogButtonBox.StandardButton.No)
        words = {box.button(b).text().replace("&", "").split("(")[0] for b in (
            QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel,
            QDialogButtonBox.StandardButton.Yes, QDialogButtonBox.StandardButton.No)}
        assert words == {"确定", "取消", "是", "否"}, words
    finally:
        from finals_app.ui import qt_language
        for translator in qt_language._installed:
            qapp.removeTranslator(translator)
        qt_language._installed.clear()
        QLocale.setDefault(previous)
