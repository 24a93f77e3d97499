"""Buzzer boxes read as input devices (Linux evdev), apart from the host's keyboard.

A USB buzzer box is a keyboard to the operating system. Read through the window system, its key
is indistinguishable from the host typing the same key into a dialog. Read as an input device,
each event carries the device's identity and the kernel's timestamp (microseconds), so:

- a pairing binds (device, key) to a team; only paired keys are presses, the host's keyboard
  never is; the pairing is remembered per machine (`PairingStore`);
- the press carries the kernel's time of the key-down, not the time the program got to it.

`DeviceReader` turns raw events into press commands; it is the same code whether the events
come from the kernel (`EvdevSource`) or from a recording (`RecordedSource`, for tests and for
machines without /dev/input). Nothing here imports Qt.
"""
from __future__ import annotations

import json
import os
import select
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable

from finals_app.core.i18n import translate

EV_KEY = 1
KEY_DOWN, KEY_UP, KEY_REPEAT = 1, 0, 2
CLOCK_MONOTONIC = 1
# _IOW('E', 0xa0, int): ask the kernel to stamp this device's events with CLOCK_MONOTONIC
EVIOCSCLOCKID = 0x400445A0


@dataclass(frozen=True)
class DeviceEvent:
    device: str  # a stable identity: vendor:product:physical path (or unique id)
    name: str  # what the device calls itself ("USB Buzzer Box 1")
    type: int
    code: int
    value: int
    sec: int
    usec: int

    @property
    def t_us(self) -> int:
        return self.sec * 1_000_000 + self.usec


@dataclass(frozen=True)
class Binding:
    device: str
    code: int
    name: str = ""  # the device's name, shown to the host

    @property
    def key(self) -> str:
        return key_name(self.code)


def key_name(code: int) -> str:
    try:
        from evdev import ecodes
        name = ecodes.KEY.get(code)
        if isinstance(name, list):
            name = name[0]
        if name:
            return str(name).removeprefix("KEY_").removeprefix("BTN_")
    except ImportError:
        pass
    return f"#{code}"


class PairingStore:
    """Which (device, key) is which team's buzzer, per contest, in one JSON file of this machine."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def load(self, contest_name: str) -> dict[str, Binding]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            entries = data.get(contest_name, {})
            return {team: Binding(str(b["device"]), int(b["code"]), str(b.get("name", "")))
                    for team, b in entries.items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def save(self, contest_name: str, bindings: dict[str, Binding]) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                data = {}
        except (OSError, ValueError):
            data = {}
        data[contest_name] = {team: asdict(binding) for team, binding in bindings.items()}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temporary, self.path)


class DeviceReader:
    """Raw key events in, press commands out. Only a key-down of a paired (device, key) is a
    press; key repeats and releases, and every other device (the host's keyboard), are not."""

    def __init__(self, bindings: dict[str, Binding], monotonic: bool = True):
        self.monotonic = monotonic  # the kernel stamps with CLOCK_MONOTONIC (else CLOCK_REALTIME)
        self.bind(bindings)
        self.pairing: Callable[[DeviceEvent], None] | None = None  # while pairing: every key-down

    def bind(self, bindings: dict[str, Binding]) -> None:
        self.bindings = dict(bindings)
        self._teams = {(b.device, b.code): team for team, b in bindings.items()}

    def now_us(self) -> int:
        return (time.monotonic_ns() if self.monotonic else time.time_ns()) // 1000

    def command(self, event: DeviceEvent) -> dict | None:
        if event.type != EV_KEY or event.value != KEY_DOWN:
            return None
        if self.pairing is not None:
            self.pairing(event)
            return None
        team = self._teams.get((event.device, event.code))
        if team is None:
            return None
        t_us = event.t_us
        return {"cmd": "press", "team": team, "t_ms": t_us // 1000, "t_us": t_us, "key": key_name(event.code),
                "device": event.name or event.device, "received_us": self.now_us()}


class RecordedSource:
    """Events from a recording (a list, or a JSON-lines file of DeviceEvent fields), delivered
    through the same reader as the kernel's."""

    available = True
    reason = ""
    monotonic = True

    def __init__(self, events: Iterable[DeviceEvent]):
        self.events = list(events)

    @classmethod
    def from_file(cls, path: Path) -> "RecordedSource":
        rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
        return cls(DeviceEvent(**row) for row in rows)

    def start(self, deliver: Callable[[DeviceEvent], None]) -> None:
        for event in self.events:
            deliver(event)

    def stop(self) -> None:
        pass

    def devices(self) -> list[tuple[str, str]]:
        seen: dict[str, str] = {}
        for event in self.events:
            seen.setdefault(event.device, event.name)
        return list(seen.items())


class EvdevSource:
    """The kernel's input devices that have keys, read on a background thread."""

    def __init__(self, folder: str = "/dev/input"):
        self.folder = folder
        self.available = False
        self.reason = ""
        self.monotonic = True
        self._devices: list = []
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._open()

    def _open(self) -> None:
        try:
            import evdev
        except ImportError:
            self.reason = translate("the evdev package is not installed")
            return
        if not os.path.isdir(self.folder):
            self.reason = translate("{folder} does not exist on this machine", folder=self.folder)
            return
        paths = sorted(str(p) for p in Path(self.folder).glob("event*"))
        if not paths:
            self.reason = translate("no input devices in {folder}", folder=self.folder)
            return
        denied = 0
        for path in paths:
            try:
                device = evdev.InputDevice(path)
            except PermissionError:
                denied += 1
                continue
            except OSError:
                continue
            if EV_KEY not in device.capabilities():
                device.close()
                continue
            self.monotonic = self.monotonic and _set_monotonic(device.fd)
            self._devices.append(device)
        if not self._devices:
            self.reason = translate("no permission to read {folder}/event* ({count} devices): add the user to the "
                                    "group 'input' or install the udev rule from the README",
                                    folder=self.folder, count=denied) if denied else \
                translate("no keyboard-like input devices in {folder}", folder=self.folder)
            return
        self.available = True

    def devices(self) -> list[tuple[str, str]]:
        return [(_identity(d), d.name) for d in self._devices]

    def start(self, deliver: Callable[[DeviceEvent], None]) -> None:
        if not self.available or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, args=(deliver,), name="buzzer-devices", daemon=True)
        self._thread.start()

    def _run(self, deliver: Callable[[DeviceEvent], None]) -> None:
        by_fd = {device.fd: device for device in self._devices}
        while not self._stop.is_set() and by_fd:
            ready, _, _ = select.select(list(by_fd), [], [], 0.2)
            for fd in ready:
                device = by_fd[fd]
                try:
                    for raw in device.read():
                        if raw.type == EV_KEY:
                            deliver(DeviceEvent(_identity(device), device.name, raw.type, raw.code, raw.value,
                                                raw.sec, raw.usec))
                except OSError:  # unplugged
                    del by_fd[fd]

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(1)
        for device in self._devices:
            try:
                device.close()
            except OSError:
                pass


def _identity(device) -> str:
    info = device.info
    where = device.uniq or device.phys or device.path
    return f"{info.vendor:04x}:{info.product:04x}:{where}"


def _set_monotonic(fd: int) -> bool:
    import ctypes
    import fcntl
    try:
        fcntl.ioctl(fd, EVIOCSCLOCKID, ctypes.c_int(CLOCK_MONOTONIC))
        return True
    except OSError:
        return False
