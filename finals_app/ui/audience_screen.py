"""The audience big screen: round title, the question once revealed, the answer once judged,
the countdown, the buzzer winner in the team colour, the scoreboard, and the prize ceremony.
No controls, no cursor; it cannot be closed from the audience side."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from finals_app.core.stage.state import PRIZE_LEVELS
from finals_app.ui import theme
from finals_app.ui.texts import ui
from finals_app.ui.widgets.countdown import Countdown
from finals_app.ui.widgets.kiosk_screen import KioskScreen
from finals_app.ui.widgets.scoreboard import Scoreboard

PRIZE_NAMES = {"first": "一等奖", "second": "二等奖", "third": "三等奖"}
VERDICT_NAMES = {"correct": "回答正确", "wrong": "回答错误", "timeout": "超时"}


class AudienceScreen(KioskScreen):
    def __init__(self, bridge, sounds=None, parent=None):
        super().__init__(ui("观众大屏"), parent)
        self.bridge = bridge
        self.sounds = sounds
        self.stack = QStackedWidget(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

        self.show_page = QWidget()
        page = QVBoxLayout(self.show_page)
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        top = QHBoxLayout()
        self.question = QLabel()
        self.question.setWordWrap(True)
        self.question.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.countdown = Countdown()
        top.addWidget(self.question, 5)
        top.addWidget(self.countdown, 1)
        self.floor = QLabel()
        self.floor.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.answer = QLabel()
        self.answer.setWordWrap(True)
        self.answer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scoreboard = Scoreboard(bridge.contest)
        page.addWidget(self.title)
        page.addLayout(top, 3)
        page.addWidget(self.floor)
        page.addWidget(self.answer)
        page.addWidget(self.scoreboard, 4)
        self.stack.addWidget(self.show_page)

        self.ceremony_page = QWidget()
        ceremony = QVBoxLayout(self.ceremony_page)
        self.ceremony_title = QLabel(bridge.contest.name)
        self.ceremony_title.setWordWrap(True)
        self.ceremony_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        ceremony.addWidget(self.ceremony_title)
        self.ceremony_rows = {}
        for level in reversed(PRIZE_LEVELS):
            label = QLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            ceremony.addWidget(label)
            self.ceremony_rows[level] = label
        self.stack.addWidget(self.ceremony_page)
        self.ceremony_step = 0
        self.ceremony_timer = QTimer(self)
        self.ceremony_timer.setInterval(2500)
        self.ceremony_timer.timeout.connect(self._reveal_next_prize)

        self.apply_sizes()
        bridge.changed.connect(self.refresh)
        bridge.tick.connect(self.countdown.show_ms)
        bridge.pressed.connect(self._on_press)
        self.refresh(bridge.state)

    # ---- sizing: everything follows the screen's height ----

    def apply_sizes(self) -> None:
        if "ceremony_rows" not in self.__dict__:
            return  # a resize during construction
        scale = self.scale()
        self.title.setFont(theme.font(54 * scale, bold=True))
        self.title.setStyleSheet(f"color: {theme.ACCENT};")
        self.question.setFont(theme.font(46 * scale))
        self.countdown.setFont(theme.font(150 * scale, bold=True))
        self.floor.setFont(theme.font(60 * scale, bold=True))
        self.answer.setFont(theme.font(44 * scale, bold=True))
        self.scoreboard.set_text_size(int(30 * scale))
        self.ceremony_title.setFont(theme.font(56 * scale, bold=True))
        for level, label in self.ceremony_rows.items():
            label.setFont(theme.font((64 if level == "first" else 52) * scale, bold=True))

    # ---- what the audience sees ----

    def refresh(self, state) -> None:
        contest = state.contest
        if state.final and state.prizes:
            self._show_ceremony()
            return
        self.stack.setCurrentWidget(self.show_page)
        plan = state.round
        self.title.setText(plan.title if plan else contest.name)
        question = state.question
        text, answer = "", ""
        if question is not None:
            item = contest.question(question.id)
            if question.revealed:
                text = item.stem
                if item.options:
                    text += "\n" + "\n".join(f"{chr(65 + i)}. {option}" for i, option in enumerate(item.options))
            if question.team:
                who = contest.team(question.team).name
                member = question.member
                if member:
                    who += f" {contest.team(question.team).members[member - 1]}"
                stake = ui("(风险分值 {stake})", stake=question.stake) if question.stake else ""
                text = ui("【{who}{stake}】", who=who, stake=stake) + "\n" + text
            if question.status == "judged" and question.verdicts:
                team, verdict = question.verdicts[-1]
                answer = f"{contest.team(team).name} {ui(VERDICT_NAMES[verdict])}"
                if verdict == "correct" or not (contest.round(question.round).reopen_after_wrong):
                    answer += ui("  正确答案:{answer}", answer=item.answer_text())
        self.question.setText(text)
        self.answer.setText(answer)
        holder, tied = state.floor()
        plan_type = contest.round(question.round).type if question else None
        if plan_type == "buzzer" and holder:
            team = contest.team(holder)
            self.floor.setText(ui("{team} 抢答成功", team=team.name))
            self.floor.setStyleSheet(f"color: {theme.BACKGROUND}; background-color: {team.color}; border-radius: 12px;")
        elif plan_type == "buzzer" and tied:
            self.floor.setText(ui("同时抢答,请主持人裁定"))
            self.floor.setStyleSheet(f"color: {theme.ACCENT};")
        elif plan_type == "buzzer" and question.status == "open":
            self.floor.setText(ui("请抢答!"))
            self.floor.setStyleSheet(f"color: {theme.GOOD};")
        else:
            self.floor.setText("")
            self.floor.setStyleSheet("")
        if self.floor.text() != getattr(self, "_drawn_floor", None):
            self._drawn_floor = self.floor.text()
            self.floor.repaint()  # the buzzer winner is drawn now, not at the next frame
        order = [row["team"] for row in state.ranking()]
        self.scoreboard.update_scores(dict(state.scores), order, holder if plan_type == "buzzer" else None)

    def _on_press(self, team: str, outcome: str) -> None:
        if self.sounds is None:
            return
        holder, _ = self.bridge.state.floor()
        if outcome == "accepted" and holder == team:
            self.sounds.play("winner")
        elif outcome == "foul":
            self.sounds.play("foul")

    # ---- the prize ceremony: third, then second, then first ----

    def _show_ceremony(self) -> None:
        if self.stack.currentWidget() is not self.ceremony_page:
            self.stack.setCurrentWidget(self.ceremony_page)
            self.ceremony_step = 0
            for label in self.ceremony_rows.values():
                label.setText("")
            self._reveal_next_prize()
            self.ceremony_timer.start()

    def _reveal_next_prize(self) -> None:
        state = self.bridge.state
        order = list(reversed(PRIZE_LEVELS))  # third, second, first
        if not state.prizes or self.ceremony_step >= len(order):
            self.ceremony_timer.stop()
            return
        level = order[self.ceremony_step]
        names = ui("、").join(state.contest.team(t).name for t in state.prizes.get(level, []))
        colour = theme.ACCENT if level == "first" else theme.TEXT
        self.ceremony_rows[level].setText(ui("{prize}:{teams}", prize=ui(PRIZE_NAMES[level]), teams=names) if names else "")
        self.ceremony_rows[level].setStyleSheet(f"color: {colour};")
        self.ceremony_step += 1
