"""A question's pictures, sound and video: each file checked before the show as the kiosk will
play it (Qt Multimedia with its FFmpeg backend here) and kept inside the contest's folder.

Formats: PNG and JPEG pictures; WAV, MP3 and M4A (AAC) sound; MP4 video (H.264, with AAC
sound or none). The kind of a file is read from its bytes, never from its name. A path is
relative to the file that names it (the contest file, or the question bank), absolute paths
are refused, and the path — symbolic links followed — must stay inside the contest's folder:
the kiosk serves these files to the hall's phones and followers, never anything else.
"""
from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass
from pathlib import Path, PurePath

from finals_app.core.i18n import N_

KINDS = ("image", "audio", "video")
FORMATS = {"image": ("png", "jpeg"), "audio": ("wav", "mp3", "m4a"), "video": ("mp4",)}
# Each kind as a person names it, and the formats the kiosk plays, for the refusals.
KIND_WORDS = {"image": N_("picture"), "audio": N_("sound"), "video": N_("video")}
FORMAT_WORDS = {"image": "PNG, JPEG", "audio": "WAV, MP3, M4A (AAC)", "video": "MP4 (H.264)"}


class MediaProblem(Exception):
    """A medium that cannot be played on stage: an English template and its values."""

    def __init__(self, template: str, **values):
        super().__init__(template)
        self.template = template
        self.values = values


@dataclass(frozen=True)
class Medium:
    kind: str  # image | audio | video
    name: str  # as the contest names it (relative to the file that names it)
    path: Path  # the file itself, resolved
    format: str  # png, jpeg, wav, mp3, m4a, mp4
    size_bytes: int
    digest: str  # sha256 of the bytes: what followers fetch and cache by
    width: int | None = None  # pixels (pictures, video when known)
    height: int | None = None
    duration_ms: int | None = None  # sound and video

    def describe(self) -> str:
        """Size and length as `contest check` prints them."""
        parts = [self.format.upper(), f"{self.size_bytes / 1024:.0f} KiB" if self.size_bytes >= 1024
                 else f"{self.size_bytes} B"]
        if self.width and self.height:
            parts.append(f"{self.width}×{self.height}")
        if self.duration_ms is not None:
            parts.append(f"{self.duration_ms / 1000:.1f} s")
        return ", ".join(parts)


def locate(name: str, named_in: Path, contest_folder: Path) -> Path:
    """The file `name` (written in the file `named_in`) inside the contest's folder, or a
    MediaProblem saying why not."""
    text = name.strip()
    if not text:
        raise MediaProblem("must not be empty")
    pure = PurePath(text.replace("\\", "/"))
    if pure.is_absolute() or text.startswith(("/", "\\")) or (len(text) > 1 and text[1] == ":"):
        raise MediaProblem("an absolute path ({file}) is not allowed: give it relative to the contest's folder",
                           file=text)
    folder = contest_folder.resolve()
    candidate = (named_in.parent / pure)
    resolved = candidate.resolve()  # symbolic links followed
    if resolved != folder and folder not in resolved.parents:
        raise MediaProblem("{file} leads out of the contest's folder {folder}: the kiosk serves only the "
                           "contest's own files", file=text, folder=str(folder))
    if not resolved.exists():
        raise MediaProblem("no such file: {file}", file=str(candidate))
    if not resolved.is_file():
        raise MediaProblem("{file} is not a file", file=str(candidate))
    return resolved


def check(kind: str, name: str, named_in: Path, contest_folder: Path) -> Medium:
    """The medium `name` of this kind, read and checked, or a MediaProblem."""
    path = locate(name, named_in, contest_folder)
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            found = sniff(_what_tells(handle), size)
            handle.seek(0)
            digest = hashlib.file_digest(handle, "sha256").hexdigest()  # in chunks: a clip is never held whole
    except OSError as error:
        raise MediaProblem("cannot read {file}: {reason}", file=str(path), reason=error.strerror) from None
    if found is None or found[0] not in FORMATS[kind]:
        raise MediaProblem("{file} is not a {kind} the kiosk can play ({formats})", file=name,
                           kind=KIND_WORDS[kind], formats=FORMAT_WORDS[kind])
    fmt, width, height, duration_ms = found
    return Medium(kind, name, path, fmt, size, digest, width, height, duration_ms)


HEAD = 64 * 1024  # what a picture's, a sound's or an MP3's header needs


def _what_tells(handle) -> bytes:
    """The bytes that tell a file's kind and length: its head; for an MP4, its `ftyp` and `moov`
    boxes wherever they lie (an encoder may write `moov` after a gigabyte of frames)."""
    head = handle.read(HEAD)
    if head[4:8] != b"ftyp":
        return head
    kept, at = [], 0
    while True:
        handle.seek(at)
        header = handle.read(16)
        if len(header) < 8:
            return b"".join(kept)
        size, kind = struct.unpack(">I4s", header[:8])
        if size == 1 and len(header) >= 16:
            size = struct.unpack(">Q", header[8:16])[0]
        elif size == 0:
            size = os.fstat(handle.fileno()).st_size - at
        if size < 8:
            return b"".join(kept)
        if kind in (b"ftyp", b"moov"):
            handle.seek(at)
            kept.append(handle.read(min(size, 64 * 1024 * 1024)))
            if kind == b"moov":
                return b"".join(kept)
        at += size


# ---------------------------------------------------------------- what the bytes are

def sniff(data: bytes, size: int | None = None) -> tuple[str, int | None, int | None, int | None] | None:
    """(format, width, height, duration ms) read from the bytes that tell (`_what_tells`) a file
    of `size` bytes (default: all of it is `data`), or None when it is none of the formats the
    kiosk plays (or is cut short)."""
    size = len(data) if size is None else size
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return "png", width, height, None
        if data.startswith(b"\xff\xd8\xff"):
            return ("jpeg", *_jpeg_size(data), None)
        if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
            return "wav", None, None, _wav_duration(data, size)
        if data[4:8] == b"ftyp":
            return _mp4(data)
        if data.startswith(b"ID3") or (len(data) > 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
            duration = _mp3_duration(data, size)
            return ("mp3", None, None, duration) if duration is not None else None
    except (struct.error, IndexError, ValueError, ZeroDivisionError):
        return None
    return None


def _jpeg_size(data: bytes) -> tuple[int, int]:
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            raise ValueError("not a marker")
        marker = data[at + 1]
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        at += 2 + length
    raise ValueError("no frame header")


def _wav_duration(data: bytes, file_size: int) -> int:
    at, byte_rate, size = 12, None, None
    while at + 8 <= len(data):
        chunk, length = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        if chunk == b"fmt ":
            byte_rate = struct.unpack("<I", data[at + 16:at + 20])[0]
        elif chunk == b"data":
            size = min(length, file_size - at - 8)
            break
        at += 8 + length + (length & 1)
    if not byte_rate or size is None:
        raise ValueError("no format or data chunk")
    return round(size * 1000 / byte_rate)


def _boxes(data: bytes, start: int, end: int):
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[at + 8:at + 16])[0], 16
        elif size == 0:
            size = end - at
        if size < header:
            raise ValueError("bad box")
        yield kind, at + header, min(at + size, end)
        at += size


def _mp4(data: bytes) -> tuple[str, int | None, int | None, int | None]:
    moov = next(((s, e) for kind, s, e in _boxes(data, 0, len(data)) if kind == b"moov"), None)
    if moov is None:
        raise ValueError("no moov box")
    duration = width = height = None
    for kind, start, end in _boxes(data, *moov):
        if kind == b"mvhd":
            version = data[start]
            if version == 1:
                timescale, length = struct.unpack(">IQ", data[start + 20:start + 32])
            else:
                timescale, length = struct.unpack(">II", data[start + 12:start + 20])
            duration = round(length * 1000 / timescale)
        elif kind == b"trak":
            for inner, s, e in _boxes(data, start, end):
                if inner == b"tkhd":
                    w, h = struct.unpack(">II", data[e - 8:e])
                    if w and h:
                        width, height = w >> 16, h >> 16
    box = data[moov[0]:moov[1]]
    if b"avc1" in box:  # H.264: what the kiosk's FFmpeg plays everywhere
        return "mp4", width, height, duration
    if b"hvc1" in box or b"hev1" in box or b"av01" in box or b"vp09" in box:
        return "mp4 (H.265/AV1/VP9)", width, height, duration  # video, but not one promised to play
    if b"mp4a" in box:
        return "m4a", None, None, duration
    raise ValueError("neither video nor sound")


_MP3_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MP3_RATES = (44100, 48000, 32000)


def _mp3_duration(data: bytes, size: int) -> int | None:
    at = 0
    if data.startswith(b"ID3"):
        size = data[6] << 21 | data[7] << 14 | data[8] << 7 | data[9]
        at = 10 + size
    while at + 4 <= len(data) and not (data[at] == 0xFF and data[at + 1] & 0xE0 == 0xE0):
        at += 1
        if at > 64 * 1024:
            return None
    header = struct.unpack(">I", data[at:at + 4])[0]
    version, layer = (header >> 19) & 3, (header >> 17) & 3
    bitrate_index, rate_index = (header >> 12) & 15, (header >> 10) & 3
    if version != 3 or layer != 1 or not 0 < bitrate_index < 15 or rate_index == 3:
        return None  # MPEG-1 Layer III only
    bitrate = _MP3_BITRATES[bitrate_index] * 1000
    rate = _MP3_RATES[rate_index]
    side = 32 if (header >> 6) & 3 != 3 else 17
    tag = data[at + 4 + side:at + 4 + side + 12]
    if tag[:4] in (b"Xing", b"Info") and struct.unpack(">I", tag[4:8])[0] & 1:
        frames = struct.unpack(">I", tag[8:12])[0]
        return round(frames * 1152 * 1000 / rate)
    return round((size - at) * 8 * 1000 / bitrate)
