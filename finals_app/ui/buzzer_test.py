"""The pre-show buzzer self-test: each seat presses in turn; the console shows that every
buzzer is mapped and how long its key takes to reach the app. Presses during the test never
reach the show."""
from __future__ import annotations

import statistics

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout

from finals_app.ui.texts import ui


class BuzzerSelfTest(QDialog):
    def __init__(self, bridge, buzzers, parent=None):
        super().__init__(parent)
        self.bridge = bridge
        self.buzzers = buzzers
        self.setWindowTitle(ui("抢答器自检"))
        self.samples: dict[str, list[int]] = {team.id: [] for team in bridge.contest.teams}
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(ui("请各代表队依次按下抢答器。每个抢答器按下后显示“正常”及其延迟。")))
        self.table = QTableWidget(len(bridge.contest.teams), 4)
        self.table.setHorizontalHeaderLabels([ui("代表队"), ui("抢答键"), ui("状态"), ui("延迟(毫秒)")])
        self.table.verticalHeader().setVisible(False)
        layout.addWidget(self.table)
        self.summary = QLabel()
        layout.addWidget(self.summary)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 420)
        self._refresh()

    def record(self, team: str, latency_ms: int) -> None:
        self.samples[team].append(latency_ms)
        self._refresh()

    def all_mapped(self) -> bool:
        return all(self.samples.values())

    def _refresh(self) -> None:
        for row, team in enumerate(self.bridge.contest.teams):
            got = self.samples[team.id]
            latency = ui("{median:.0f}(最大 {max})", median=statistics.median(got), max=max(got)) if got else ""
            for column, text in enumerate((team.name, team.buzzer_key, ui("正常") if got else ui("未测试"), latency)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        missing = [t.name for t in self.bridge.contest.teams if not self.samples[t.id]]
        self.summary.setText(ui("全部抢答器正常") if not missing else ui("尚未测试:") + ui("、").join(missing))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.buzzers.self_test = self.record

    def done(self, result) -> None:
        self.buzzers.self_test = None
        super().done(result)
