"""`finals-app follow URL --screen audience|timer|buzzer|judges`: one of the kiosk's screens on
another machine, fed by the journal's events over the network.

The screens are the kiosk's own widgets on a FollowerBridge: the same fold (net.client.Follower
uses state.advance), read only (every command is refused here; nothing is sent). While the link
is cut a curtain says 连接中断 over the screen, so nothing stale ever looks live; after a
reconnection the follower has caught up exactly and the curtain lifts.
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from finals_app.core.i18n import _
from finals_app.core.errors import without_secrets
from finals_app.net.client import Follower
from finals_app.ui import theme
from finals_app.ui.bridge import ShowBridge

log = logging.getLogger("finals_app.follow")
SCREENS = ("audience", "timer", "buzzer", "judges")


class FollowerBridge(ShowBridge):
    """The screens' bridge for a followed show: state from the network, no commands."""

    read_only = True
    link = Signal(bool, str)  # up, why it is down
    media_audible = False  # a question's sound or clip heard here (run_follower: when there is an audio device)

    def __init__(self, follower: Follower, parent: QObject | None = None):
        super().__init__(parent)
        self.follower = follower

    def media_source(self, medium) -> QUrl:
        """A question's picture, sound or clip, fetched from the kiosk with this follower's token
        (the screens' MediaView plays it at the journalled position)."""
        return QUrl(self.follower.media_url(medium.digest))

    @property
    def state(self):
        return self.follower.state

    @property
    def contest(self):
        return self.follower.contest

    def now_ms(self) -> int:
        return int(self.follower.kiosk_ms())  # the kiosk's clock, on which its timers run

    def execute(self, command: dict) -> bool:
        self.refused.emit(_("This is a follower: it shows the show and cannot change it"))
        return False

    def take(self, state, events) -> None:
        self._on_events(state, events)


class Curtain(QLabel):
    """连接中断 over the whole screen while the link is down."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setStyleSheet("background-color: rgba(30, 30, 30, 235); color: #ffd166;")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        window.installEventFilter(self)
        self._fit()
        self.hide()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            self._fit()
        return False

    def _fit(self) -> None:
        window = self.parentWidget()
        self.setGeometry(window.rect())
        self.setFont(theme.font(max(24, window.height() * 0.09), bold=True))
        self.raise_()

    def show_cut(self, why: str, final: bool = False) -> None:
        self.setText(_("Connection lost") + "\n" + (_("The kiosk refused this address's token (revoked?): use the new address on the console")
                                              if final else _("Reconnecting…")))
        self.setToolTip(without_secrets(why))
        self._fit()
        self.show()
        self.raise_()


def build_screen(role: str, bridge: ShowBridge) -> QWidget:
    from finals_app.ui.audience_screen import AudienceScreen
    from finals_app.ui.buzzer_screen import BuzzerScreen
    from finals_app.ui.judges_view import JudgesView
    from finals_app.ui.timer_screen import TimerScreen
    if role == "audience":
        return AudienceScreen(bridge, None)
    if role == "timer":
        return TimerScreen(bridge, None)
    if role == "buzzer":
        return BuzzerScreen(bridge)
    return JudgesView(bridge)


class FollowerWindow:
    """Waits for the kiosk's first answer (the contest comes with it), then builds the screen."""

    def __init__(self, follower: Follower, role: str, windowed: bool, display: int | None):
        self.follower = follower
        self.role = role
        self.windowed = windowed
        self.display = display
        self.bridge = FollowerBridge(follower)
        self.screen: QWidget | None = None
        self.curtain: Curtain | None = None
        self.waiting = QLabel(_("Connecting to the kiosk {url} …", url=without_secrets(follower.url)))
        self.waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.waiting.setStyleSheet(theme.SCREEN_STYLE)
        self.waiting.setFont(theme.font(32, bold=True))
        self.waiting.setWindowTitle(_("Follower"))
        follower.on_change = self._changed
        follower.on_link = self._link
        self.painted = None  # for the latency benchmark (FINALS_APP_LATENCY_LOG)

    def show(self, widget: QWidget) -> None:
        screens = QApplication.screens()
        if self.windowed or not screens:
            widget.resize(1280, 720)
            widget.show()
            return
        screen = screens[min(self.display or 0, len(screens) - 1)]
        widget.setScreen(screen)
        widget.setGeometry(screen.geometry())
        widget.showFullScreen()

    def _changed(self, state, events) -> None:
        if self.screen is None and state is not None:
            self.screen = build_screen(self.role, self.bridge)
            self.screen.setWindowTitle(_("Follower — {title}", title=self.screen.windowTitle()))
            if hasattr(self.screen, "kiosk"):
                self.screen.kiosk = False
            self.curtain = Curtain(self.screen)
            self.waiting.hide()
            self.show(self.screen)
            if self.painted is not None:
                self.painted(self.screen)
        self.bridge.take(state, events)

    def _link(self, up: bool, why: str) -> None:
        self.bridge.link.emit(up, why)
        if up:
            log.info("link to the kiosk up (holding %d events)", len(self.follower.events))
        if self.curtain is None:
            self.waiting.setText((_("Connecting to the kiosk {url} …", url=without_secrets(self.follower.url)) if up
                                  else _("Connection lost") + "\n" + without_secrets(why)))
            return
        if up:
            self.curtain.hide()
        else:
            log.warning("link to the kiosk cut: %s", why)
            self.curtain.show_cut(why, final=self.follower.refused)


def run_follower(url: str, role: str, windowed: bool = False, display: int | None = None) -> int:
    os.environ.setdefault("QT_API", "pyside6")
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false;qt.multimedia*=false")  # as the kiosk
    from finals_app.logs import qt_messages_to_log, start_logging
    start_logging("follow")
    qt_messages_to_log()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("finals-app")
    app.setFont(theme.font(16))
    from finals_app.ui.qt_language import install_qt_translations
    install_qt_translations(app)
    follower = Follower(url)
    window = FollowerWindow(follower, role, windowed, display)
    if role == "audience":  # the question's sound heard here too, when this machine can play it
        from PySide6.QtMultimedia import QMediaDevices
        window.bridge.media_audible = bool(QMediaDevices.audioOutputs())
    window.show(window.waiting)
    latency = os.environ.get("FINALS_APP_LATENCY_LOG")
    if latency and role == "audience":
        from finals_app.ui.diagnostics import watch_winner_paints
        window.painted = lambda screen: watch_winner_paints(window.bridge, screen, Path(latency))
    shots = os.environ.get("FINALS_APP_SCREENSHOTS")
    if shots:
        from finals_app.ui.diagnostics import screenshots_on_signal
        screenshots_on_signal(lambda: {f"follow-{role}": window.screen or window.waiting}, Path(shots))
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: app.quit())
    wake = QTimer()  # lets Python run its signal handlers while Qt waits
    wake.start(200)
    wake.timeout.connect(lambda: None)

    async def main(finished: asyncio.Event) -> None:
        task = asyncio.ensure_future(follower.run())
        await finished.wait()
        await follower.stop()
        await asyncio.wait_for(task, 5)

    log.info("following %s as the %s screen", without_secrets(url), role)
    from finals_app.ui.qt_loop import run_in_qt_loop
    run_in_qt_loop(app, main)
    return 0
