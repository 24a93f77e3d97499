"""The pre-show buzzer self-test: each seat presses in turn; the console shows that every
buzzer is mapped and how long its key takes to reach the app. Presses during the test never
reach the show."""
from __future__ import annotations

import statistics

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout
from finals_app.core.i18n import _, pgettext



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
        self.setWindowTitle(_("Buzzer self-test"))
        self.samples: dict[str, list[int]] = {team.id: [] for team in bridge.contest.teams}
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Each team presses its buzzer in turn; each shows OK and its delay once pressed.")))
        self.table = _team_table(layout, len(bridge.contest.teams),
                                 [_("Team"), _("Device"), _("Key"), _("Status"), _("Delay (ms)")])
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
            latency = _("{median:.1f} (max {max:.1f})", median=statistics.median(got), max=max(got)) if got else ""
            device, key = self.buzzers.describe(team.id)
            for column, text in enumerate((team.name, device, key, _("OK") if got else _("not tested"), latency)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        missing = [t.name for t in self.bridge.contest.teams if not self.samples[t.id]]
        self.summary.setText(_("Every buzzer works") if not missing else _("Not tested yet: ") + pgettext("punctuation", ", ").join(missing))

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
        self.setWindowTitle(_("Pair buzzers"))
        self.teams = [team.id for team in bridge.contest.teams]
        self.index = 0
        layout = QVBoxLayout(self)
        self.prompt = QLabel()
        self.prompt.setFont(self.prompt.font())
        layout.addWidget(self.prompt)
        self.table = _team_table(layout, len(self.teams), [_("Team"), _("Device"), _("Key")])
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
            self.prompt.setText(_("{team}, press your buzzer ({done}/{total})", team=contest.team(self.teams[self.index]).name,
                                   done=self.index, total=len(self.teams)))
        else:
            self.prompt.setText(_("Every buzzer is paired and remembered on this machine; the host's keyboard is no buzzer"))
        for row, team_id in enumerate(self.teams):
            device, key = self.devices.describe(team_id)
            for column, text in enumerate((contest.team(team_id).name, device, key)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def done(self, result) -> None:
        self.devices.listen_for_pairing(None)
        super().done(result)
