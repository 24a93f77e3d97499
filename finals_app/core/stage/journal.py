"""The stage journal: an append-only file of events, each durable (fsync) before it counts.

One JSON object per line, behind the CRC-32 of its bytes. A command's events land together or
not at all: the records of a command that writes several carry `"part": [i, n]` (the i-th of n),
and a command whose records are not all intact at the end of the file (a power cut at a record
boundary inside its write, or inside one of its records) is a torn tail as a whole. On open, a
torn tail is detected, kept aside and cut off; damage anywhere else is refused with its line
number. Journals written before parts existed (every record its own command) open as they are.
A lock file keeps a second process from ever writing the same journal.
"""
from __future__ import annotations

import json
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from finals_app.core.errors import FinalsError, Location

try:  # POSIX: an advisory whole-file lock, released by the kernel if the process dies
    import fcntl

    def _try_lock(handle) -> bool:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _release(handle) -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)
except ImportError:  # Windows: a lock on the lock file's first byte, released likewise
    import msvcrt

    def _try_lock(handle) -> bool:
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _release(handle) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)


class JournalError(FinalsError):
    """The journal cannot be used as it is (locked, damaged, unwritable)."""


@dataclass(frozen=True)
class Event:
    seq: int
    type: str
    wall_ms: int
    mono_ms: int
    operator: str
    data: dict

    def to_record(self) -> dict:
        return {"seq": self.seq, "type": self.type, "wall_ms": self.wall_ms, "mono_ms": self.mono_ms,
                "operator": self.operator, "data": self.data}


def _encode(record: dict, part: tuple[int, int] | None = None) -> bytes:
    """One line: the CRC-32 of the JSON body in hex, a space, the body. `part` (i, n) marks the
    i-th of a command's n records; a command of one record carries none (as before parts)."""
    if part is not None:
        record = {**record, "part": list(part)}
    body = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return b"%08x " % zlib.crc32(body) + body + b"\n"


def _decode(line: bytes) -> dict | None:
    """The record of a complete, intact line, or None."""
    if len(line) < 11 or not line.endswith(b"\n") or line[8:9] != b" ":
        return None
    body = line[9:-1]
    try:
        if int(line[:8], 16) != zlib.crc32(body):
            return None
        record = json.loads(body)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def torn_tail_message(torn: dict) -> str:
    """What a resume says about a record torn by a crash (console banner, rehearse)."""
    from finals_app.core.i18n import translate
    return translate("the journal's last record was torn by a crash and dropped: {what} ({bytes} bytes, after event "
                     "{seq}); its bytes are kept in {kept}", what=torn["type"] or torn.get("excerpt") or translate("unreadable"),
                     bytes=torn["bytes"], seq=torn["after_seq"], kept=torn["kept_in"])


def _part(record: dict) -> tuple[int, int] | None:
    """(i, n) of a record that is the i-th of its command's n records; (1, 1) for a command of
    one record; None for a part that cannot be (damage)."""
    part = record.get("part", [1, 1])
    if (isinstance(part, list) and len(part) == 2 and all(type(x) is int for x in part)
            and 1 <= part[0] <= part[1]):
        return part[0], part[1]
    return None


def read_events(path: Path) -> tuple[list[Event], int, bool]:
    """The intact events of a journal (without locking it: for reports while a kiosk runs), the
    size in bytes they take, and whether a torn tail follows them: a last record torn mid-write,
    or the first records of a command whose last records never landed. Events are only ever
    given whole commands at a time (a reader during a write sees the command before it)."""
    if not path.exists():
        return [], 0, False
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise JournalError("cannot open the journal {path}: {reason}", Location(str(path)),
                           path=str(path), reason=error.strerror) from None
    events: list[Event] = []
    offset = 0  # the bytes of whole commands
    command: list[Event] = []  # the records read so far of a command not yet whole
    command_bytes = command_size = 0
    lines = raw.splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        record = _decode(line)
        if record is None and number == len(lines):
            return events, offset, True
        part = _part(record) if record is not None else None
        expected = len(events) + len(command) + 1
        if (record is None or record.get("seq") != expected or part is None
                or part[0] != len(command) + 1 or (command and part[1] != command_size)):
            raise JournalError("the journal is damaged at line {line} (not a torn last record); "
                               "keep the file and call for help", Location(str(path), number), line=number)
        command_size = part[1]
        command.append(Event(record["seq"], record["type"], record["wall_ms"], record["mono_ms"],
                             record["operator"], record["data"]))
        command_bytes += len(line)
        if part[0] == part[1]:  # the command is whole: it counts
            events.extend(command)
            offset += command_bytes
            command, command_bytes = [], 0
    return events, offset, bool(command)


class Journal:
    """Open (creating or resuming) the journal at `path`, holding its lock until close()."""

    def __init__(self, path: str | Path, durable: bool = True):
        self.path = Path(path)
        self.durable = durable
        self.recovered_torn_tail = False
        self.torn_tail: dict | None = None  # what a torn last record held: bytes, type, where it is kept
        self._lock_file = self._lock()
        try:
            self.events = self._read_and_repair()
            # Unbuffered: no bytes of a failed append can linger in a buffer and land later.
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            self._size = os.lseek(self._fd, 0, os.SEEK_END)
        except BaseException:
            self._unlock()
            raise
        if self.durable:
            self._sync_folder()

    # ---- locking ----

    def _lock(self):
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(lock_path, "a+")
        except OSError as error:
            raise JournalError("cannot open the journal {path}: {reason}", Location(str(self.path)),
                               path=str(self.path), reason=error.strerror) from None
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise JournalError("the journal {path} is already open in another finals-app (process {pid}); "
                               "close that one first", Location(str(self.path)), path=str(self.path), pid=holder) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        return handle

    def _unlock(self) -> None:
        if self._lock_file is not None:
            _release(self._lock_file)
            self._lock_file.close()
            self._lock_file = None

    # ---- reading ----

    def _read_and_repair(self) -> list[Event]:
        events, intact_size, torn = read_events(self.path)
        if torn:  # a record torn by a crash mid-write: the show resumes before it
            with open(self.path, "rb") as handle:
                handle.seek(intact_size)
                fragment = handle.read()
            kept = self.path.with_name(self.path.name + ".torn")
            with open(kept, "ab") as side:  # the fragment is kept for the record, never silently gone
                side.write(fragment + (b"" if fragment.endswith(b"\n") else b"\n"))
                side.flush()
                os.fsync(side.fileno())
            self._truncate(intact_size)
            self.recovered_torn_tail = True
            found = re.search(rb'"type":"([a-z_]+)"', fragment)
            self.torn_tail = {"bytes": len(fragment), "type": found.group(1).decode() if found else None,
                              "excerpt": fragment[9:89].decode("utf-8", "replace"), "after_seq": len(events),
                              "kept_in": str(kept)}
        return events

    def _truncate(self, size: int) -> None:
        with open(self.path, "r+b") as handle:
            handle.truncate(size)
            handle.flush()
            os.fsync(handle.fileno())

    def _sync_folder(self) -> None:
        if os.name == "nt":
            return  # Windows has no folder fsync; NTFS journals its metadata itself
        folder = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)

    # ---- writing ----

    def append(self, records: list[dict]) -> list[Event]:
        """Append records (type, wall_ms, mono_ms, operator, data) durably; return their events."""
        if self._lock_file is None:
            raise JournalError("the journal {path} is closed", Location(str(self.path)), path=str(self.path))
        new = [Event(len(self.events) + i, r["type"], r["wall_ms"], r["mono_ms"], r["operator"], r["data"])
               for i, r in enumerate(records, start=1)]
        # One write of all the command's records, each marked as a part of it when there are
        # several: a power cut anywhere inside leaves a command that reopening drops whole.
        parts = len(new)
        payload = b"".join(_encode(event.to_record(), (i, parts) if parts > 1 else None)
                           for i, event in enumerate(new, start=1))
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(self._fd, view):]
            if self.durable:
                os.fsync(self._fd)
        except OSError as error:
            # Nothing partial may count: cut back to the last complete event.
            try:
                os.ftruncate(self._fd, self._size)
            except OSError:
                pass  # a torn tail is dropped on the next open in any case
            raise JournalError("cannot write the journal {path}: {reason}; the last action was not recorded",
                               Location(str(self.path)), path=str(self.path), reason=error.strerror) from None
        self._size += len(payload)
        self.events.extend(new)
        return new

    def event(self, seq) -> Event | None:
        """The event with this sequence number (1-based: its line in the journal), or None."""
        if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= len(self.events):
            return None
        return self.events[seq - 1]

    def close(self) -> None:
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)
            self._fd = None
        self._unlock()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
