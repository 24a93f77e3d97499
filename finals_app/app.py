"""Composition root of the stage kiosk: builds the engine, the bridge, the screens, and puts
each screen on the display chosen for it (remembered per machine)."""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QComboBox, QGroupBox, QHBoxLayout, QLabel, QMessageBox

from finals_app.core.i18n import _, N_
from finals_app.core.clock import SystemClock
from finals_app.core.errors import FinalsError
from finals_app.core.stage.contest import Contest
from finals_app.core.stage.engine import StageEngine
from finals_app.ui import theme
from finals_app.ui.audience_screen import AudienceScreen
from finals_app.ui.bridge import BuzzerInput, DeviceBuzzers, StageBridge
from finals_app.ui.buzzer_screen import BuzzerScreen
from finals_app.ui.host_console import HostConsole
from finals_app.ui.judges_view import JudgesView
from finals_app.ui.sounds import Sounds
from finals_app.ui.timer_screen import TimerScreen

ROLES = {"audience": N_("Audience screen"), "timer": N_("Timer screen"), "buzzer": N_("Buzzer screen"), "judges": N_("Judges")}
WINDOW, OFF = "window", "off"


class ScreenManager:
    """Which display shows which screen: a full-screen display, a window, or nothing."""

    def __init__(self, windows: dict, settings: QSettings):
        self.windows = windows
        self.settings = settings

    @staticmethod
    def displays() -> list:
        return QGuiApplication.screens()

    def default(self, role: str) -> str:
        count = len(self.displays())
        if role == "audience":
            return "1" if count >= 2 else WINDOW
        if role == "timer":
            return "2" if count >= 3 else OFF
        if role == "judges":
            return WINDOW  # the judges' table: a window on the console's display unless placed
        return "3" if count >= 4 else OFF

    def choice(self, role: str) -> str:
        chosen = str(self.settings.value(f"screens/{role}", self.default(role)))
        if chosen not in (WINDOW, OFF) and (not chosen.isdigit() or int(chosen) >= len(self.displays())):
            return self.default(role)  # that display is gone: fall back
        return chosen

    def assign(self, role: str, choice: str) -> None:
        self.settings.setValue(f"screens/{role}", choice)
        self.settings.sync()
        self.place(role)

    def place(self, role: str) -> None:
        window = self.windows[role]
        choice = self.choice(role)
        if choice == OFF:
            window.hide()
            return
        if choice == WINDOW:
            if hasattr(window, "kiosk"):
                window.kiosk = False
            window.showNormal()
            window.resize(960, 540)
            return
        screen = self.displays()[int(choice)]
        if hasattr(window, "kiosk"):
            window.kiosk = True
        window.setScreen(screen)  # no window manager on a kiosk: place it ourselves
        window.setGeometry(screen.geometry())
        window.showFullScreen()

    def place_all(self) -> None:
        for role in ROLES:
            self.place(role)

    def panel(self, parent) -> QGroupBox:
        box = QGroupBox(_("Screens (applied at once and remembered on this machine)"), parent)
        layout = QHBoxLayout(box)
        for role, title in ROLES.items():
            title = _(title)
            combo = QComboBox(box)
            combo.addItem(_("Window"), WINDOW)
            combo.addItem(_("Off"), OFF)
            for index, screen in enumerate(self.displays()):
                size = screen.geometry()
                combo.addItem(_("Display {number} ({width}×{height})", number=index + 1, width=size.width(), height=size.height()), str(index))
            combo.setCurrentIndex(max(0, combo.findData(self.choice(role))))
            combo.currentIndexChanged.connect(lambda _ignored, r=role, c=combo: self.assign(r, c.currentData()))
            layout.addWidget(QLabel(title))
            layout.addWidget(combo)
        return box

    def close_all(self) -> None:
        for window in self.windows.values():
            if hasattr(window, "kiosk"):
                window.kiosk = False
            window.close()


def pairing_file() -> Path:
    """Where this machine remembers which buzzer box is which team's (README: per machine)."""
    import platformdirs
    return Path(platformdirs.user_config_dir("finals-app")) / "buzzer-pairing.json"


def device_source():
    """The buzzer boxes as input devices: the kernel's (evdev), or a recording named by
    FINALS_APP_INPUT_RECORDING (JSON lines of DeviceEvent fields: tests, demos)."""
    from finals_app.core.stage.devices import EvdevSource, RecordedSource
    recording = os.environ.get("FINALS_APP_INPUT_RECORDING")
    if recording:
        return RecordedSource.from_file(Path(recording))
    return EvdevSource()


class Kiosk:
    """Everything of one running show, owned in one place."""

    def __init__(self, contest: Contest, journal: Path, sounds: bool = True, clock=None, source=None,
                 pairings: Path | None = None):
        from finals_app.core.stage.devices import PairingStore
        self.clock = clock or SystemClock()
        self.engine = StageEngine(contest, journal, clock=self.clock)
        self.bridge = StageBridge(self.engine, self.clock)
        self.sounds = Sounds(enabled=sounds)
        self.keys = BuzzerInput(self.bridge)
        self.buzzers = self.keys
        self.devices = None
        self.app = None
        source = source if source is not None else device_source()
        if source.available:
            self.devices = DeviceBuzzers(self.bridge, source, PairingStore(pairings or pairing_file()))
            if len(self.devices.paired()) == len(contest.teams):
                self.buzzers = self.devices  # every team's box is known: the keyboard is no buzzer
            else:
                self.keys.reason = _("Input devices can be read: pair them (F8) to use device mode")
        else:
            self.keys.reason = _("Input devices cannot be read ({reason}): key capture", reason=source.reason)
        self.windows = {
            "audience": AudienceScreen(self.bridge, self.sounds),
            "timer": TimerScreen(self.bridge, self.sounds),
            "buzzer": BuzzerScreen(self.bridge),
            "judges": JudgesView(self.bridge),
        }
        self.screens = ScreenManager(self.windows, QSettings("finals-app", "kiosk"))
        self.host = HostConsole(self.bridge, self.buzzers, self.screens)
        if self.devices is not None:
            self.host.pairing = self.pair_buzzers

    def pair_buzzers(self) -> None:
        from finals_app.ui.buzzer_test import BuzzerPairing
        self.pairing_dialog = BuzzerPairing(self.bridge, self.devices, self.host, finished=self.use_devices)
        self.pairing_dialog.open()

    def use_devices(self) -> None:
        """Every team paired: presses come from the devices only, never from the keyboard."""
        if self.app is not None:
            self.app.removeEventFilter(self.keys)
        self.keys.enabled = False
        self.buzzers = self.host.buzzers = self.devices
        self.devices.start()
        self.host.refresh(self.bridge.state)

    def log_latency(self, path: Path) -> None:
        """For the buzzer benchmark: the audience screen's winner paints (ui.latency)."""
        from finals_app.ui.diagnostics import watch_winner_paints
        watch_winner_paints(self.bridge, self.windows["audience"], path,
                            offset=lambda: getattr(self.buzzers, "offset_ms", 0))

    def start(self, app: QApplication) -> None:
        self.app = app
        if self.buzzers is self.keys:
            app.installEventFilter(self.keys)
        else:
            self.devices.start()
        self.screens.place_all()
        host_screen = self.screens.displays()[0]
        self.host.setScreen(host_screen)
        self.host.setGeometry(host_screen.availableGeometry())
        self.host.show()
        self.host.activateWindow()

    async def serve(self, address: str):
        """Serve the show on the network (`--serve HOST:PORT`): followers, pages, phones."""
        import logging

        from finals_app.net.security import Tokens
        from finals_app.net.server import ShowServer, parse_address
        from finals_app.ui.network_panel import NetworkPanel
        host, port = parse_address(address)
        journal = self.engine.journal.path
        tokens = Tokens(journal.with_name(journal.name + ".tokens.json"), [team.id for team in self.engine.contest.teams])
        self.server = ShowServer(self.engine, tokens, host, port, to_device=self.device_time)
        await self.server.start()
        self.network = NetworkPanel(self.server, self.engine.contest, self.host)
        self.host.add_network_panel(self.network)
        logging.getLogger("finals_app.kiosk").info("show served on %s", self.server.base_url())
        sys.stdout.write(_("Show served at {url}", url=self.server.base_url()) + "\n")
        sys.stdout.flush()
        return self.server

    def device_time(self, mono_ms: float) -> float:
        """A moment of our monotonic clock on the buzzers' device clock (the one presses and the
        buzzers' opening are compared on), so a phone's press mixes with keyboard or box presses."""
        device_now = self.buzzers.device_now_ms() if self.buzzers is not None else None
        if device_now is None:
            return mono_ms
        return mono_ms - (self.bridge.now_ms() - device_now)

    def close(self) -> None:
        if self.devices is not None:
            self.devices.stop()
        self.engine.close()


def keep_the_show_running(message_label, log_path: Path | None):
    """An error inside the interface must not end the show: every event is already in the
    journal, so the error is written to the log with its traceback (and to stderr), the host is
    told on the console where the log is, and the kiosk carries on. Ctrl+C is not an error: it
    ends the kiosk (see run_kiosk). Returns the hook installed as sys.excepthook."""
    import logging
    import traceback

    from finals_app.core.errors import without_secrets
    log = logging.getLogger("finals_app.kiosk")

    def hook(kind, value, trace) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.exit(0)
            return
        text = without_secrets("".join(traceback.format_exception(kind, value, trace)))  # no show token shown
        sys.stderr.write(text)
        log.error("interface error (the show carries on):\n%s", text)
        message_label.setText(_("Interface error ({error}), logged in {path}; the scores and the journal are intact, carry on",
                                 error=without_secrets(f"{kind.__name__}: {value}"), path=log_path or _("(the log cannot be written)")))

    sys.excepthook = hook
    return hook


def format_instant_now() -> str:
    from datetime import datetime
    return datetime.now().astimezone().isoformat(timespec="seconds")


def run_kiosk(contest: Contest, journal: Path, argv: list[str] | None = None, serve: str | None = None) -> int:
    os.environ.setdefault("QT_API", "pyside6")
    # The multimedia backend lists every codec library it could not load: noise for the host.
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false;qt.multimedia*=false")
    import logging

    from finals_app.logs import qt_messages_to_log, start_logging
    log_path = start_logging("kiosk")
    qt_messages_to_log()
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("finals-app")
    app.setFont(theme.font(16))
    from finals_app.ui.qt_language import install_qt_translations
    install_qt_translations(app)
    try:
        kiosk = Kiosk(contest, journal)
    except FinalsError as error:
        sys.stderr.write(error.render() + "\n")
        QMessageBox.critical(None, _("Cannot start"), error.render())
        return 2

    def end_cleanly(*_ignored) -> None:
        """Ctrl+C in the terminal (or a stop from the system): close every screen and the
        journal; nothing is lost, a restart resumes."""
        logging.getLogger("finals_app.kiosk").info("stopped by a signal: closing")
        kiosk.host.allow_close = True
        # exit(), not quit(): quit() asks every window first, and the audience's screens refuse
        # to close from their side (a kiosk), which would cancel it.
        QTimer.singleShot(0, lambda: (kiosk.screens.close_all(), app.exit(0)))

    signal.signal(signal.SIGINT, end_cleanly)
    signal.signal(signal.SIGTERM, end_cleanly)
    kiosk.start(app)
    keep_the_show_running(kiosk.host.message, log_path)
    logging.getLogger("finals_app.kiosk").info("kiosk on %s, journal %s, buzzers: %s", contest.name, journal,
                                               kiosk.buzzers.mode)
    if os.environ.get("FINALS_APP_LATENCY_LOG"):
        kiosk.log_latency(Path(os.environ["FINALS_APP_LATENCY_LOG"]))
    shots = os.environ.get("FINALS_APP_SCREENSHOTS")  # for end-to-end tests: SIGUSR1 saves every screen
    if shots:
        from finals_app.ui.diagnostics import screenshots_on_signal
        screenshots_on_signal(lambda: {"host": kiosk.host, **kiosk.windows}, Path(shots))
    wake = QTimer()  # lets Python run its signal handlers while Qt waits
    wake.start(100)
    wake.timeout.connect(lambda: None)
    # One event loop for Qt and asyncio: the served show runs in it, on the GUI thread, so a
    # phone's press and a key press go through the engine the same way.
    from finals_app.ui.qt_loop import run_in_qt_loop

    async def main(finished) -> int:
        server = None
        if serve:
            try:
                server = await kiosk.serve(serve)
            except FinalsError as error:  # the address was free a moment ago (checked before any window)
                sys.stderr.write(error.render() + "\n")
                kiosk.host.message.setText(_("Cannot serve the show: {reason}", reason=error.render()))
                return 2
        await finished.wait()
        if server is not None:
            await server.stop()
        return 0

    try:
        return run_in_qt_loop(app, main)
    finally:
        kiosk.close()
