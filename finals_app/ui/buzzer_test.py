"""The pre-show buzzer self-test: each seat presses in turn; the console shows that every
buzzer is mapped and how long its key takes to reach the app. Presses during the test never
reach the show."""
from __future__ import annotations

import statistics

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout

from finals_app.ui.texts import ui


def _team_table(layout: QVBoxLayout, rows: int, headers: list[str]) -> QTableWidget:
    """The dialogs' table of teams."""
    table = QTableWidget(rows, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    layout.addWidget(table)
    return table


def _close_button(dialog: QDialog, layout: QVBoxLayout, width: int) -> None:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    dialog.resize(width, 420)


class BuzzerSelfTest(QDialog):
    def __init__(self, bridge, buzzers, parent=None):
        super().__init__(parent)
        self.bridge = bridge
        self.buzzers = buzzers
        self.setWindowTitle(ui("抢答器自检"))
        self.samples: dict[str, list[int]] = {team.id: [] for team in bridge.contest.teams}
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(ui("请各代表队依次按下抢答器。每个抢答器按下后显示“正常”及其延迟。")))
        self.table = _team_table(layout, len(bridge.contest.teams),
                                 [ui("代表队"), ui("设备"), ui("抢答键"), ui("状态"), ui("延迟（毫秒）")])
        self.summary = QLabel()
        layout.addWidget(self.summary)
        _close_button(self, layout, 560)
        self._refresh()

    def record(self, team: str, latency_ms: float) -> None:
        self.samples[team].append(latency_ms)
        self._refresh()

    def all_mapped(self) -> bool:
        return all(self.samples.values())

    def _refresh(self) -> None:
        for row, team in enumerate(self.bridge.contest.teams):
            got = self.samples[team.id]
            latency = ui("{median:.1f}（最大 {max:.1f}）", median=statistics.median(got), max=max(got)) if got else ""
            device, key = self.buzzers.describe(team.id)
            for column, text in enumerate((team.name, device, key, ui("正常") if got else ui("未测试"), latency)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        missing = [t.name for t in self.bridge.contest.teams if not self.samples[t.id]]
        self.summary.setText(ui("全部抢答器正常") if not missing else ui("尚未测试：") + ui("、").join(missing))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.buzzers.self_test = self.record

    def done(self, result) -> None:
        self.buzzers.self_test = None
        super().done(result)


class BuzzerPairing(QDialog):
    """Device mode's pairing: each team in turn presses its buzzer; the device and key that
    arrive are bound to that team and remembered on this machine. The host's keyboard is
    then never a buzzer."""

    def __init__(self, bridge, devices, parent=None, finished=None):
        super().__init__(parent)
        self.bridge = bridge
        self.devices = devices
        self.when_done = finished
        self.setWindowTitle(ui("抢答器配对"))
        self.teams = [team.id for team in bridge.contest.teams]
        self.index = 0
        layout = QVBoxLayout(self)
        self.prompt = QLabel()
        self.prompt.setFont(self.prompt.font())
        layout.addWidget(self.prompt)
        self.table = _team_table(layout, len(self.teams), [ui("代表队"), ui("设备"), ui("抢答键")])
        _close_button(self, layout, 640)
        self._refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.devices.start()
        self.devices.listen_for_pairing(self.offer)

    def offer(self, event) -> None:
        """A key-down of some device while pairing: it is the current team's buzzer."""
        if self.index >= len(self.teams):
            return
        self.devices.pair(self.teams[self.index], event)
        self.index += 1
        self._refresh()
        if self.index >= len(self.teams):
            self.devices.listen_for_pairing(None)
            if self.when_done is not None:
                self.when_done()

    def _refresh(self) -> None:
        contest = self.bridge.contest
        if self.index < len(self.teams):
            self.prompt.setText(ui("请{team}按下抢答器（{done}/{total}）", team=contest.team(self.teams[self.index]).name,
                                   done=self.index, total=len(self.teams)))
        else:
            self.prompt.setText(ui("全部抢答器已配对，已记住本机设置；主持人键盘不再作为抢答器"))
        for row, team_id in enumerate(self.teams):
            device, key = self.devices.describe(team_id)
            for column, text in enumerate((contest.team(team_id).name, device, key)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def done(self, result) -> None:
        self.devices.listen_for_pairing(None)
        super().done(result)
