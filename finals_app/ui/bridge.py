"""The one place where stage-engine changes become Qt signals, and where keys become presses.

Screens listen to `changed` and read `bridge.state`; they never keep a score of their own.
Buzzer keys are captured application-wide by an event filter, whatever window has focus, and
carry the key event's own timestamp (the X server's, in ms) into the engine.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QComboBox, QDialog, QLineEdit, QPlainTextEdit,
                               QTextEdit, QWidget)

from finals_app.core.i18n import _
from finals_app.core.clock import Clock
from finals_app.core.stage.devices import DeviceEvent, DeviceReader, PairingStore
from finals_app.core.stage.engine import Refusal, StageEngine
from finals_app.core.stage.journal import JournalError

TEXT_FIELDS = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)


def _is_text_field(widget) -> bool:
    return isinstance(widget, TEXT_FIELDS) or (isinstance(widget, QComboBox) and widget.isEditable())


def host_is_typing(receiver=None) -> bool:
    """The host is typing into something: the key goes to a text field or into a dialog, or a
    text field has the focus, or a dialog is up. Keys then belong to that field or dialog and
    are never buzzer presses."""
    if isinstance(receiver, QWidget) and (_is_text_field(receiver) or isinstance(receiver.window(), QDialog)):
        return True
    if _is_text_field(QApplication.focusWidget()):
        return True
    if QApplication.activeModalWidget() is not None:
        return True
    window = QApplication.activeWindow()
    return isinstance(window, QDialog)


class ShowBridge(QObject):
    """What every screen listens to, whether the show runs here (StageBridge) or is followed
    over the network (ui.follower.FollowerBridge)."""

    changed = Signal(object)  # the StageState after every recorded command
    refused = Signal(str)  # why a command was refused (shown to the host)
    pressed = Signal(str, str)  # team, outcome: for highlights and sounds
    floor_given = Signal(str)  # a buzzer question's new floor holder (its race settled, or a tie decided)
    tick = Signal(int)  # remaining ms of the answer timer, ~30 times a second while it runs
    read_only = False  # a follower shows the show and can change nothing

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._holder = None  # who held the floor at the last change (floor_given says a new one)
        self._ticker = QTimer(self)
        self._ticker.setTimerType(Qt.TimerType.PreciseTimer)
        self._ticker.setInterval(33)
        self._ticker.timeout.connect(self._on_tick)
        self._ticker.start()
        self._last_tick = None

    def now_ms(self) -> int:
        raise NotImplementedError

    def _on_events(self, state, events) -> None:
        """Every recorded change is shown at once: a buzzer race is settled by the core (nobody
        holds the floor while it settles), so no surface waits or guesses on its own."""
        for event in events:
            if event.type == "press_received":
                self.pressed.emit(event.data["team"], event.data["outcome"])
        holder = None
        if state is not None and state.question is not None:
            plan = state.contest.round(state.question.round)
            holder = state.floor()[0] if plan is not None and plan.type == "buzzer" else None
        if holder is not None and holder != self._holder:
            self.floor_given.emit(holder)
        self._holder = holder
        self.changed.emit(state)
        self._emit_tick()

    def remaining_ms(self) -> int | None:
        """The answer timer's time left; None when there is nothing to count (no timer, or the
        question has been judged)."""
        state = self.state
        if state is None:  # a follower before the kiosk's first answer
            return None
        timer = state.timer
        question = state.question
        if timer is None or question is None or question.status == "judged":
            return None
        return timer.remaining_ms(self.now_ms())

    def _on_tick(self) -> None:
        self._emit_tick()

    def _emit_tick(self) -> None:
        remaining = self.remaining_ms()
        value = -1 if remaining is None else remaining
        if value != self._last_tick or (self.state is not None and self.state.timer and self.state.timer.running):
            self._last_tick = value
            self.tick.emit(value)


class StageBridge(ShowBridge):
    def __init__(self, engine: StageEngine, clock: Clock, parent: QObject | None = None):
        super().__init__(parent)
        self.engine = engine
        self.clock = clock
        # A settling buzzer race is settled at its deadline to the millisecond, not at the next tick.
        self._race = QTimer(self)
        self._race.setSingleShot(True)
        self._race.setTimerType(Qt.TimerType.PreciseTimer)
        self._race.timeout.connect(self._expire)
        engine.listeners.append(self._on_events)

    def _on_events(self, state, events) -> None:
        super()._on_events(state, events)
        settles_at = self.engine.settles_at_ms()
        if settles_at is not None:
            self._race.start(max(0, settles_at - self.now_ms()))

    @property
    def state(self):
        return self.engine.state

    @property
    def contest(self):
        return self.engine.contest

    def now_ms(self) -> int:
        return self.clock.monotonic_ms()

    def execute(self, command: dict) -> bool:
        """Run a command; a refusal is reported on `refused`, never raised into Qt."""
        try:
            self.engine.execute(command)
        except (Refusal, JournalError) as problem:
            self.refused.emit(problem.render())
            return False
        return True

    def _expire(self) -> None:
        """What the clock decides (a settled race, a press window run out): recorded by the engine."""
        try:
            self.engine.expire()
        except JournalError as problem:
            self.refused.emit(problem.render())

    def _on_tick(self) -> None:
        # On the clock's tick, never inside another change's listeners (events keep their order).
        if (self.state.timer is not None and self.state.timer.kind == "press") or self.engine.settles_at_ms() is not None:
            self._expire()
        self._emit_tick()


class BuzzerInput(QObject):
    """Key capture: the teams' buzzer keys read through the window system (the fallback when
    the input devices cannot be read). USB buzzer boxes act as keyboards.

    A held key or key repeat is one press. The press carries the key event's timestamp; the
    offset between that device clock and ours is tracked so the opening of the buzzers can be
    stamped in device time too (arbitration and fouls then compare like with like). Keys typed
    into a text field or a dialog go there and are never presses.
    """

    mode = "keys"

    def __init__(self, bridge: StageBridge, parent: QObject | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.keys = {team.buzzer_key.upper(): team.id for team in bridge.contest.teams}
        self.offset_ms: int | None = None  # our monotonic ms minus device ms (smallest seen)
        self.enabled = True
        self.latencies_ms: list[int] = []
        self.self_test = None  # while the pre-show self-test runs: (team, latency ms) -> None
        self.reason = ""  # why device input is not in use (shown on the console)

    def describe(self, team_id: str) -> tuple[str, str]:
        """(device, key) of a team's buzzer, for the self-test."""
        team = self.bridge.contest.team(team_id)
        return _("keyboard"), team.buzzer_key

    def device_now_ms(self) -> int | None:
        return None if self.offset_ms is None else self.bridge.now_ms() - self.offset_ms

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride, QEvent.Type.KeyRelease) or not self.enabled:
            return False
        if kind == QEvent.Type.KeyPress and event.timestamp():
            # Every key (the host's too) tells us how the device clock relates to ours.
            sample = self.bridge.now_ms() - int(event.timestamp())
            self.offset_ms = sample if self.offset_ms is None else min(self.offset_ms, sample)
        team = self.keys.get(event.text().upper()) if event.text() else None
        if team is None:
            return False
        if self.self_test is None and host_is_typing(watched):
            return False  # the host's typing: the field or dialog gets the key
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # deliver it as a key press, never as a shortcut
            return False
        if kind == QEvent.Type.KeyPress and not event.isAutoRepeat():
            device_ms = int(event.timestamp())
            now = self.bridge.now_ms()
            latency = now - device_ms - (self.offset_ms or 0)
            self.latencies_ms.append(latency)
            if self.self_test is not None:
                self.self_test(team, latency)
                return True
            self.bridge.execute({"cmd": "press", "team": team, "t_ms": device_ms, "key": event.text().upper(),
                                 "received_ms": now, "device": "keyboard"})
        return True  # a buzzer key is never also a shortcut or typed text


class DeviceBuzzers(QObject):
    """Device mode: the buzzer boxes read as input devices, apart from the host's keyboard.

    Events arrive on the source's thread and are handed to the Qt thread by a queued signal;
    the press carries the kernel's microsecond timestamp. Only paired (device, key)s are
    presses; while `pair_next` waits, the next key-down of any device is offered instead.
    """

    mode = "devices"
    arrived = Signal(object)  # a DeviceEvent, from the reading thread

    def __init__(self, bridge: StageBridge, source, store: PairingStore, parent: QObject | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.source = source
        self.store = store
        self.reader = DeviceReader(store.load(bridge.contest.name), monotonic=source.monotonic)
        self.self_test = None
        self.latencies_ms: list[int] = []
        self.reason = ""
        self._started = None  # the source being read
        self.arrived.connect(self._on_event, Qt.ConnectionType.QueuedConnection)

    def start(self) -> None:
        """Read the source (once: pairing and the show share it; a new source is read anew)."""
        if self._started is not self.source:
            self._started = self.source
            self.source.start(self.arrived.emit)

    def stop(self) -> None:
        self.source.stop()

    @property
    def bindings(self):
        return self.reader.bindings

    def paired(self) -> list[str]:
        return [team.id for team in self.bridge.contest.teams if team.id in self.reader.bindings]

    def describe(self, team_id: str) -> tuple[str, str]:
        binding = self.reader.bindings.get(team_id)
        return (binding.name or binding.device, binding.key) if binding else (_("not paired"), "")

    def pair(self, team_id: str, event: DeviceEvent) -> None:
        from finals_app.core.stage.devices import Binding
        bindings = {t: b for t, b in self.reader.bindings.items()
                    if t != team_id and (b.device, b.code) != (event.device, event.code)}
        bindings[team_id] = Binding(event.device, event.code, event.name)
        self.reader.bind(bindings)
        self.store.save(self.bridge.contest.name, bindings)

    def listen_for_pairing(self, callback) -> None:
        """callback(event) gets every key-down until `listen_for_pairing(None)`."""
        self.reader.pairing = callback

    def device_now_ms(self) -> int:
        return self.reader.now_us() // 1000

    def _on_event(self, event: DeviceEvent) -> None:
        command = self.reader.command(event)
        if command is None:
            return
        received_us = command.pop("received_us")
        latency = max(0, received_us - command["t_us"]) / 1000
        self.latencies_ms.append(round(latency))
        if self.self_test is not None:
            self.self_test(command["team"], latency)
            return
        command["received_ms"] = self.bridge.now_ms()
        self.bridge.execute(command)
