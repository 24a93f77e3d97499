"""The contestants' timer screen: a huge countdown (red in the last 5 s, a tick each of the last
3 s, the buzzer at zero) and which team may answer."""
from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QLabel

from finals_app.core.i18n import _
from finals_app.ui import theme
from finals_app.ui.widgets.countdown import Countdown
from finals_app.ui.widgets.kiosk_screen import KioskScreen


class TimerScreen(KioskScreen):
    def __init__(self, bridge, sounds=None, parent=None):
        super().__init__(_("Timer screen"), parent)
        self.bridge = bridge
        self.sounds = sounds
        self.who = QLabel(self)
        self.who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown = Countdown(self)
        self._last_second = None
        bridge.tick.connect(self.on_tick)
        bridge.changed.connect(self.refresh)
        self.apply_sizes()
        self.refresh(bridge.state)

    def apply_sizes(self) -> None:
        """Who answers in the top fifth (0.075 H, smaller if a long name needs it); the seconds
        fill the rest: as tall as 0.45 H, narrower screens permitting ("120" on a 2:1 wall)."""
        if "countdown" not in self.__dict__:
            return
        w, h = self.width(), max(1, self.height())
        margin = int(0.03 * min(w, h))
        band = int(0.2 * h)
        self.who.setGeometry(QRect(margin, 0, w - 2 * margin, band))
        self.countdown.setGeometry(QRect(margin, band, w - 2 * margin, h - band - margin))
        self.fit(self.who, 0.075)
        px = int(0.45 * h)
        while px > 20 and theme.text_width("000", px, True) > self.countdown.width():
            px -= max(1, px // 40)
        self.countdown.setFont(theme.font(px, bold=True))

    def on_tick(self, remaining_ms: int) -> None:
        self.countdown.show_ms(remaining_ms)
        second = None if remaining_ms < 0 else (remaining_ms + 999) // 1000
        timer = self.bridge.state.timer
        if self.sounds is not None and timer is not None and timer.running and second != self._last_second:
            if second is not None and 1 <= second <= 3:
                self.sounds.play("tick")
            elif second == 0 and self._last_second is not None and self._last_second > 0:
                self.sounds.play("buzzer")
        self._last_second = second

    def refresh(self, state) -> None:
        holder, _ignored = state.floor()
        team = state.contest.team(holder) if holder else None
        self.who.setText(_("{team} answering", team=team.name) if team else "")
        self.who.setStyleSheet(f"color: {team.color};" if team else "")
        self.fit(self.who, 0.075)
