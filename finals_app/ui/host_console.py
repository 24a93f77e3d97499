"""The host's console: the question with its answer (host only), where we are in the plan, the
teams and scores, who holds the floor, the timer, a button and a shortcut for every action, a
score correction that asks for a reason, the audit trail, the buzzer evidence, and which display
shows what. Dangerous actions confirm; quitting is never one keystroke."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout, QGroupBox,
                               QInputDialog, QLabel, QLineEdit, QListWidget, QMainWindow,
                               QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from finals_app.core.online.times import format_instant
from finals_app.core.stage.engine import ceremony_steps, next_turn
from finals_app.core.stage.guide import guide, redo_prompt, undo_prompt
from finals_app.core.stage.journal import torn_tail_message
from finals_app.ui import theme
from finals_app.ui.dialogs import ask_yes_no
from finals_app.ui.texts import ui
from finals_app.ui.widgets.countdown import Countdown

OUTCOME_NAMES = {"accepted": "有效", "foul": "犯规（提前抢答）", "ignored_locked_out": "已取消资格，忽略",
                 "ignored_already_answered": "已答过，忽略", "ignored_repeat": "重复按键，忽略",
                 "ignored_no_question": "无进行中的题目，忽略", "ignored_not_playing": "不参加本轮，忽略",
                 "ignored_not_buzzer_question": "非抢答题，忽略", "ignored_closed": "本题已结束，忽略",
                 "ignored_final": "结果已确认，忽略"}
# The keys of a risk round's stakes, in the order its plan lists them (F8 and F9 are taken).
STAKE_KEYS = ("F5", "F6", "F7", "F10", "F11", "F12", "Shift+F5", "Shift+F6", "Shift+F7", "Shift+F10", "Shift+F11",
              "Shift+F12")
VERDICT_NAMES = {"correct": "正确", "wrong": "错误", "timeout": "超时"}
KIND_NAMES = {"single": "单选题", "multiple": "多选题", "judge": "判断题", "fill": "填空题", "open": "问答题"}


class CorrectionDialog(QDialog):
    """A manual score correction: team, points, and the reason (required)."""

    def __init__(self, contest, parent=None):
        super().__init__(parent)
        self.setWindowTitle(ui("更正分数"))
        form = QFormLayout(self)
        self.team = QComboBox()
        for team in contest.teams:
            self.team.addItem(team.name, team.id)
        self.delta = QSpinBox()
        self.delta.setRange(-100, 100)
        self.delta.setSingleStep(5)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(ui("必填：更正理由"))
        form.addRow(ui("代表队"), self.team)
        form.addRow(ui("加减分"), self.delta)
        form.addRow(ui("理由"), self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def command(self) -> dict:
        return {"cmd": "correct_score", "team": self.team.currentData(), "delta": self.delta.value(),
                "reason": self.reason.text().strip()}


class HostConsole(QMainWindow):
    def __init__(self, bridge, buzzers=None, screens=None, confirm: Callable[[QWidget, str], bool] = ask_yes_no,
                 parent=None):
        super().__init__(parent)
        self.bridge = bridge
        self.buzzers = buzzers
        self.screens = screens
        self.confirm = confirm
        self.allow_close = False
        self.setWindowTitle(ui("主持人控制台 — {contest}", contest=bridge.contest.name))
        self.setFont(theme.font(16))
        central = QWidget()
        self.setCentralWidget(central)
        grid = QGridLayout(central)

        self.next_step = QLabel()  # the one line the host reads first: what to do now, and its key
        self.next_step.setFont(theme.font(26, bold=True))
        self.next_step.setStyleSheet("color: #13294b; background: #e8f0fe; padding: 6px 12px; border-radius: 6px;")
        self.next_step.setWordWrap(True)
        self.mode = QLabel()  # which buzzer input is in use
        self.mode.setFont(theme.font(14))
        self.mode.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.plan = QLabel()
        self.plan.setWordWrap(True)
        self.plan.setFont(theme.font(16, bold=True))
        top = QGridLayout()
        top.addWidget(self.next_step, 0, 0)
        top.addWidget(self.mode, 0, 1)
        top.addWidget(self.plan, 1, 0, 1, 2)
        top.setColumnStretch(0, 4)
        top.setColumnStretch(1, 1)
        grid.addLayout(top, 0, 0, 1, 3)

        question_box = QGroupBox(ui("当前题目（答案仅主持人可见）"))
        question_layout = QVBoxLayout(question_box)
        self.question = QLabel()
        self.question.setWordWrap(True)
        self.question.setFont(theme.font(20))
        self.question.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.answer = QLabel()
        self.answer.setWordWrap(True)
        self.answer.setFont(theme.font(18, bold=True))
        self.answer.setStyleSheet("color: #0a7d32;")
        self.question.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        question_layout.addWidget(self.question, 1)
        question_layout.addWidget(self.answer)
        grid.addWidget(question_box, 1, 0, 2, 1)

        middle = QVBoxLayout()
        self.floor = QLabel()
        self.floor.setFont(theme.font(22, bold=True))
        self.floor.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown = Countdown(normal_colour="#13294b")  # dark on the console's light background
        self.countdown.setFont(theme.font(64, bold=True))
        self.teams = QTableWidget(len(bridge.contest.teams), 4)
        self.teams.setHorizontalHeaderLabels([ui("代表队"), ui("抢答键"), ui("得分"), ui("加赛")])
        self.teams.verticalHeader().setVisible(False)
        self.teams.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        middle.addWidget(self.floor)
        middle.addWidget(self.countdown)
        middle.addWidget(self.teams, 1)
        grid.addLayout(middle, 1, 1, 2, 1)

        right = QVBoxLayout()
        self.right = right  # the network panel goes on top when the show is served
        right.addWidget(QLabel(ui("计分记录（含更正与撤销）")))
        self.audit = QListWidget()
        self.audit.setWordWrap(True)  # an undone mark is never off-screen
        right.addWidget(self.audit, 2)
        right.addWidget(QLabel(ui("本题抢答记录（按设备时间）")))
        self.evidence = QListWidget()
        right.addWidget(self.evidence, 1)
        grid.addLayout(right, 1, 2, 2, 1)

        self.buttons: dict[str, QPushButton] = {}
        # A key for each stake the contest's risk rounds offer (their labels follow the round).
        self.stake_slots = max([len(r.stakes) for r in bridge.contest.rounds if r.type == "risk"] or [0])
        actions = QGridLayout()
        specs = [
            ("show", ui("出题"), "N", lambda: self.run({"cmd": "show_question"})),
            ("reveal", ui("上大屏"), "R", lambda: self.run({"cmd": "reveal"})),
            ("open", ui("开放抢答"), "B", self.open_buzzers),
            ("timer", ui("开始计时"), "S", lambda: self.run({"cmd": "start_timer"})),
            ("pause", ui("暂停/继续"), "P", self.pause_or_resume),
            ("add", ui("加时10秒"), "A", lambda: self.run({"cmd": "add_time", "seconds": 10})),
            ("correct", ui("正确"), "C", lambda: self.run({"cmd": "correct"})),
            ("wrong", ui("错误"), "X", lambda: self.run({"cmd": "wrong"})),
            ("timeout", ui("超时"), "T", lambda: self.run({"cmd": "timeout"})),
            ("reopen", ui("重新开放抢答"), "O", self.reopen),
            ("tie", ui("裁定同时抢答"), "J", self.resolve_tie),
            ("close", ui("结束抢答（无人作答）"), "K", lambda: self.run({"cmd": "close_buzzers"})),
            ("undo", ui("撤销"), "U", self.undo),
            ("redo", ui("恢复"), "Shift+U", self.redo),
            *[(f"stake{slot}", self._stake_label(slot), STAKE_KEYS[slot], lambda _=False, slot=slot: self.choose_stake(slot))
              for slot in range(self.stake_slots)],
            ("fix", ui("更正分数"), "F2", self.correct_score),
            ("next_round", ui("下一轮"), "Ctrl+N", self.next_round),
            ("tiebreak", ui("开始加赛"), "Ctrl+T", lambda: self.run({"cmd": "start_tiebreak"})),
            ("end_tiebreak", ui("结束加赛"), "Ctrl+E", lambda: self.run({"cmd": "end_tiebreak"})),
            ("prizes", ui("确定奖项"), "Ctrl+P", self.assign_prizes),
            ("self_test", ui("抢答器自检"), "F9", self.buzzer_self_test),
            ("pair", ui("抢答器配对"), "F8", self.pair_buzzers),
            ("ceremony", ui("颁奖下一步"), "G", lambda: self.run({"cmd": "ceremony_next"})),
            ("replay", ui("重放颁奖"), "Shift+G", lambda: self.run({"cmd": "ceremony_replay"})),
            ("quit", ui("结束并退出"), "Ctrl+Q", self.close),
        ]
        self.keys: dict[str, str] = {}
        self.shortcuts: dict[str, QShortcut] = {}
        for index, (name, text, key, slot) in enumerate(specs):
            button = QPushButton(f"{text}\n[{key}]")
            button.setMinimumHeight(56)
            button.setFont(theme.font(16, bold=True))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(slot)
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(slot)
            actions.addWidget(button, index // 9, index % 9)
            self.buttons[name] = button
            self.keys[name] = key
            self.shortcuts[name] = shortcut
        # Disabled actions are greyed, never hidden: the layout does not jump.
        self.setStyleSheet("QPushButton:disabled { color: #9aa0a6; background: #eceff1; }")
        grid.addLayout(actions, 3, 0, 1, 3)

        if screens is not None:
            grid.addWidget(screens.panel(self), 4, 0, 1, 3)

        self.message = QLabel()
        self.message.setStyleSheet(f"color: {theme.DANGER};")
        self.statusBar().addWidget(self.message, 1)
        grid.setRowStretch(1, 3)
        grid.setRowStretch(2, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 2)

        # The console redraws a moment after each change, so that the audience's screens (the
        # buzzer winner above all) are drawn first; changes in between are coalesced.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(15)
        self._refresh_timer.timeout.connect(lambda: self.refresh(self.bridge.state))
        bridge.changed.connect(lambda state: self._refresh_timer.start())
        bridge.refused.connect(self.show_refusal)
        bridge.tick.connect(self.countdown.show_ms)
        self.refresh(bridge.state)
        torn = bridge.engine.journal.torn_tail
        if torn:  # a crash tore the last record: the host is told what was lost, at once
            self.message.setText(torn_tail_message(torn))

    # ---- actions ----

    def run(self, command: dict) -> bool:
        self.message.setText("")
        return self.bridge.execute(command)

    def show_refusal(self, text: str) -> None:
        self.message.setText(ui("未执行：{reason}", reason=text))

    def open_buzzers(self) -> None:
        device_now = self.buzzers.device_now_ms() if self.buzzers else None
        self.run({"cmd": "open_buzzers", "t_ms": device_now})

    def reopen(self) -> None:
        device_now = self.buzzers.device_now_ms() if self.buzzers else None
        self.run({"cmd": "reopen", "t_ms": device_now})

    def pause_or_resume(self) -> None:
        timer = self.bridge.state.timer
        self.run({"cmd": "pause_timer" if timer and timer.running else "resume_timer"})

    def resolve_tie(self) -> None:
        _, tied = self.bridge.state.floor()
        if not tied:
            self.show_refusal(ui("没有需要裁定的同时抢答"))
            return
        names = [self.bridge.contest.team(t).name for t in tied]
        choice, ok = QInputDialog.getItem(self, ui("裁定同时抢答"), ui("由哪支代表队作答？"), names, 0, False)
        if ok:
            self.run({"cmd": "resolve_tie", "team": tied[names.index(choice)]})

    def _risk_stakes(self) -> tuple[int, ...]:
        """The stakes of the risk round being played, or else of the next one (or the first)."""
        state = self.bridge.state
        plan = state.round
        if plan is not None and plan.type == "risk":
            return plan.stakes
        later = [r for r in self.bridge.contest.rounds[max(state.round_index, 0):] if r.type == "risk"]
        risk = later or [r for r in self.bridge.contest.rounds if r.type == "risk"]
        return risk[0].stakes if risk else ()

    def _stake_label(self, slot: int) -> str:
        stakes = self._risk_stakes()
        return ui("风险{stake}分", stake=stakes[slot]) if slot < len(stakes) else ui("风险分值")

    def choose_stake(self, slot: int) -> None:
        """The stake on key `slot` of the risk round being played (its plan says which)."""
        state = self.bridge.state
        plan = state.round
        if plan is None or plan.type != "risk":
            self.show_refusal(ui("只有风险题需要选择分值"))
            return
        if slot >= len(plan.stakes):
            self.show_refusal(ui("本轮的风险分值只有：{stakes}", stakes=ui("、").join(map(str, plan.stakes))))
            return
        self.run({"cmd": "choose_stake", "team": next_turn(state)[0], "stake": plan.stakes[slot]})

    def undo(self) -> None:
        prompt = undo_prompt(self.bridge.engine)
        if prompt is None:
            self.run({"cmd": "undo"})  # refused, with the reason
            return
        if self.confirm(self, prompt):
            self.run({"cmd": "undo", "reason": ui("主持人撤销")})

    def redo(self) -> None:
        prompt = redo_prompt(self.bridge.engine)
        if prompt is None or self.confirm(self, prompt):
            self.run({"cmd": "redo"})

    def pair_buzzers(self) -> None:
        pairing = getattr(self, "pairing", None)
        if pairing is None:
            self.show_refusal(self.buzzers.reason if self.buzzers is not None and self.buzzers.reason
                              else ui("没有可读取的抢答器输入设备"))
            return
        pairing()

    def buzzer_self_test(self) -> None:
        if self.buzzers is None:
            return
        from finals_app.ui.buzzer_test import BuzzerSelfTest
        self.self_test_dialog = BuzzerSelfTest(self.bridge, self.buzzers, self)
        self.self_test_dialog.open()

    def correct_score(self) -> None:
        dialog = CorrectionDialog(self.bridge.contest, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.run(dialog.command())

    def next_round(self) -> None:
        state = self.bridge.state
        plan = state.round
        if plan is not None and state.shown_per_round.get(plan.id, 0) < state.round_quota(plan):
            if not self.confirm(self, ui("{round}尚未答完，确定结束本轮、进入下一轮？", round=plan.title)):
                return
        self.run({"cmd": "next_round"})

    def assign_prizes(self) -> None:
        if self.confirm(self, ui("按当前排名确定奖项，提交评委签字？")):
            self.run({"cmd": "assign_prizes"})

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.allow_close or self.confirm(self, ui("确定结束比赛并关闭所有屏幕？（比赛记录已保存，重新启动即可继续）")):
            self.allow_close = True
            event.accept()
            if self.screens is not None:
                self.screens.close_all()
        else:
            event.ignore()

    # ---- what the host sees ----

    def _refresh_audit(self, state) -> None:
        """Newest first; only new entries are added (a show has hundreds), unless an undo changed
        an old one, which redraws the list."""
        contest = state.contest
        wanted = [(c.seq, c.undone) for c in state.changes]
        shown = getattr(self, "_audit_shown", [])
        if wanted[:len(shown)] != shown:
            self.audit.clear()
            shown = []
        for change in state.changes[len(shown):]:
            sign = f"{change.delta:+d}"
            undone = ""
            if change.undone:
                undone = ui("【已撤销：{who} {time}】", who=change.undone_by,
                            time=format_instant(change.undone_wall_ms)[11:19])
            kind = {"answer": ui("答题"), "foul": ui("犯规"), "correction": ui("更正")}.get(change.kind, change.kind)
            reason = ui(VERDICT_NAMES[change.reason]) if change.reason in VERDICT_NAMES else change.reason
            self.audit.insertItem(0, undone + ui("{time} {team} {delta} {kind}:{reason} 〔{operator}〕{undone}",
                                                 time=format_instant(change.wall_ms)[11:19],
                                                 team=contest.team(change.team).name, delta=sign, kind=kind,
                                                 reason=reason, operator=change.operator, undone=""))
            if change.undone:
                item = self.audit.item(0)
                font = item.font()
                font.setStrikeOut(True)
                item.setFont(font)
                item.setForeground(theme.colour("#8a8f98"))
        self._audit_shown = wanted

    # which console button gives which command (for enabling and for the next-step line)
    BUTTON_COMMANDS = {"show": ("show_question",), "reveal": ("reveal",), "open": ("open_buzzers",),
                       "timer": ("start_timer",), "pause": ("pause_timer", "resume_timer"), "add": ("add_time",),
                       "correct": ("correct",), "wrong": ("wrong",), "timeout": ("timeout",), "reopen": ("reopen",),
                       "tie": ("resolve_tie",), "close": ("close_buzzers",), "undo": ("undo",), "redo": ("redo",),
                       "fix": ("correct_score",), "next_round": ("next_round",), "tiebreak": ("start_tiebreak",),
                       "end_tiebreak": ("end_tiebreak",), "prizes": ("assign_prizes",),
                       "ceremony": ("ceremony_next",), "replay": ("ceremony_replay",)}
    @staticmethod
    def next_words() -> dict[str, str]:
        return {"next_round": ui("进入下一轮"), "show_question": ui("出题"), "reveal": ui("题目上大屏"),
                  "open_buzzers": ui("开放抢答"), "start_timer": ui("开始计时"), "resolve_tie": ui("裁定同时抢答"),
                  "close_buzzers": ui("结束本题（无人作答）"), "timeout": ui("判超时"), "start_tiebreak": ui("开始加赛"),
                  "end_tiebreak": ui("结束加赛"), "assign_prizes": ui("确定奖项")}

    def _refresh_actions(self, state) -> None:
        advice = guide(self.bridge.engine)
        legal = set(advice["legal"])
        plan = state.round
        for name, commands in self.BUTTON_COMMANDS.items():
            self.buttons[name].setEnabled(any(c in legal for c in commands))
        for slot in range(self.stake_slots):
            button = self.buttons[f"stake{slot}"]
            button.setText(f"{self._stake_label(slot)}\n[{STAKE_KEYS[slot]}]")
            button.setEnabled("choose_stake" in legal and plan is not None and slot < len(plan.stakes))
        self.buttons["self_test"].setEnabled(self.buzzers is not None)
        self.buttons["pair"].setEnabled(getattr(self, "pairing", None) is not None)
        # Shortcuts stay live: a key pressed at the wrong moment is refused with its reason,
        # and a quick host is never a step ahead of a console that has not redrawn yet.
        self.next_step.setText(self._next_text(state, advice["next"]))
        if self.buzzers is not None:
            self.mode.setText(self._mode_text())

    def _next_text(self, state, step: str | None) -> str:
        if state.final and step == "ceremony_next":
            steps = ceremony_steps(state)
            level, team = steps[state.ceremony_step]
            prize = {"first": ui("一等奖"), "second": ui("二等奖"), "third": ui("三等奖")}[level]
            return ui("下一步：按 G 揭晓{prize}：{team}（{done}/{total}）", prize=prize,
                      team=state.contest.team(team).name, done=state.ceremony_step + 1, total=len(steps))
        if state.final:
            return ui("颁奖完毕（Shift+G 重放）") if state.ceremony_step else ui("比赛结果已由评委签字确认")
        if step is None:
            if state.question is not None and state.question.status == "open":
                return ui("等待抢答……（无人抢答可按 K 结束本题）")
            return ui("下一步：等待")
        if step == "correct":
            return ui("下一步：判定 按 C 正确 / X 错误 / T 超时")
        if step == "choose_stake":
            team = self.bridge.contest.team(next_turn(state)[0])
            keys = ui(" / ").join(ui("{key} {stake}分", key=STAKE_KEYS[slot], stake=stake)
                                  for slot, stake in enumerate(self._risk_stakes()))
            return ui("下一步：{team}选择风险分值（{keys}）", team=team.name if team else "", keys=keys)
        if step == "sign_off":
            waiting = [j for j in state.contest.judges if j not in state.signoffs]
            return ui("下一步：评委签字（评委席）：{judges}", judges=ui("、").join(waiting))
        name = next(n for n, commands in self.BUTTON_COMMANDS.items() if step in commands)
        return ui("下一步：按 {key} {action}", key=self.keys[name], action=self.next_words()[step])

    def add_network_panel(self, panel: QWidget) -> None:
        self.right.insertWidget(0, panel)

    def _mode_text(self) -> str:
        if getattr(self.buzzers, "mode", "keys") == "devices":
            return ui("抢答器：设备模式（{count} 支代表队已配对）", count=len(self.buzzers.paired()))
        reason = f"\n{self.buzzers.reason}" if self.buzzers.reason else ""
        return ui("抢答器：按键模式（键盘）") + reason

    def refresh(self, state) -> None:
        self._refresh_actions(state)
        contest = state.contest
        plan = state.round
        steps = []
        for index, item in enumerate(contest.rounds):
            done = state.shown_per_round.get(item.id, 0)
            marker = "▶ " if (plan is item and not state.in_tiebreak) else ""
            steps.append(f"{marker}{item.title} {done}/{state.round_quota(item)}")
        if state.in_tiebreak:
            steps.append(ui("▶ 加赛：") + ui("、").join(contest.team(t).name for t in state.tiebreak_teams))
        if state.final:
            steps.append(ui("结果已签字确认"))
        elif plan is None and not state.in_tiebreak:
            steps.insert(0, ui("比赛尚未开始：按 Ctrl+N 进入第一轮"))
        self.plan.setText("   |   ".join(steps))
        question = state.question
        if question is None:
            self.question.setText(ui("（尚未出题）"))
            self.answer.setText("")
        else:
            item = contest.question(question.id)
            head = f"[{ui(KIND_NAMES[item.kind]) if item.kind in KIND_NAMES else item.kind}·{item.source or ui('题库')}] {item.id}"
            if question.team:
                team = contest.team(question.team)
                head += ui("  答题：{team}", team=team.name)
                if question.member:
                    head += f" {team.members[question.member - 1]}"
                if question.stake:
                    head += ui("  风险分值 {stake}", stake=question.stake)
            options = "\n".join(f"{chr(65 + i)}. {o}" for i, o in enumerate(item.options))
            shown = ui("已上大屏") if question.revealed else ui("未上大屏")
            self.question.setText(f"{head}  ({shown})\n\n{item.stem}\n{options}")
            self.answer.setText(ui("答案：{answer}", answer=item.answer_text())
                                + (ui("\n解析：{explanation}", explanation=item.explanation) if item.explanation else ""))
        holder, tied = state.floor()
        if tied:
            self.floor.setText(ui("同时抢答：") + ui("、").join(contest.team(t).name for t in tied) + ui("（按 J 裁定）"))
        elif holder and question is not None and question.status != "judged":
            self.floor.setText(ui("答题权：{team}", team=contest.team(holder).name))
        elif question is not None and question.status == "open":
            self.floor.setText(ui("抢答已开放"))
        else:
            self.floor.setText("")
        for row, team in enumerate(contest.teams):
            cells = [team.name, team.buzzer_key, str(state.scores[team.id]), str(state.tiebreak_scores[team.id] or "")]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if team.id == holder:
                    item.setBackground(theme.colour(team.color))
                self.teams.setItem(row, column, item)
        self.teams.resizeColumnsToContents()
        self._refresh_audit(state)
        self.evidence.clear()
        if question is not None:
            presses = sorted((p for p in state.presses if p.question == question.id), key=lambda p: (p.t_ms, p.seq))
            first = presses[0].t_ms if presses else 0
            for press in presses:
                outcome = ui(OUTCOME_NAMES[press.outcome]) if press.outcome in OUTCOME_NAMES else press.outcome
                if press.device == "phone":
                    self.evidence.addItem(ui("{team} 手机 映射时间 {t_ms} (+{gap} ms，±{u:.1f} ms) {outcome}",
                                             team=contest.team(press.team).name, t_ms=press.t_ms,
                                             gap=press.t_ms - first, u=press.uncertainty_us / 1000, outcome=outcome))
                    continue
                self.evidence.addItem(ui("{team} 键{key} 设备时间 {t_ms} (+{gap} ms) {outcome}",
                                         team=contest.team(press.team).name, key=press.key, t_ms=press.t_ms,
                                         gap=press.t_ms - first, outcome=outcome))
