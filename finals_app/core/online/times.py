"""Export timestamps: ISO 8601 text with optional milliseconds and UTC offset, to UTC epoch ms."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MS = timedelta(milliseconds=1)
# Naive local times are offset from a naive epoch shifted by the offset: no tz object per row.
_LOCAL_EPOCHS = {hours: datetime(1970, 1, 1) + timedelta(hours=hours) for hours in range(-12, 15)}
_END_OF_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})[ T]24:00(?::00(?:\.0+)?)?(Z|[+-]\d{2}:?\d{2})?")
_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?")


def parse_instant(text: object, default_offset_hours: int = 8) -> int | None:
    """UTC epoch milliseconds of an export time, or None when it does not parse.

    Without an offset the time is competition-local (UTC+8 by default). `24:00:00` is the end
    of that day (ISO 8601). Fractions finer than a millisecond are truncated.
    """
    if not isinstance(text, str):
        return None
    fast = _fast_local(text, default_offset_hours)
    return fast if fast is not None else _parse_full(text, default_offset_hours)


def _parse_full(text: str, default_offset_hours: int) -> int | None:
    value = text.strip()
    # Cheap shape check first: fromisoformat alone would also take a bare date or an hour.
    if len(value) < 19 or value[10] not in " T" or value[13] != ":" or value[16] != ":":
        return None
    if value[11:13] == "24":
        match = _END_OF_DAY.fullmatch(value)
        if not match:
            return None
        start = parse_instant(f"{match.group(1)} 00:00:00{match.group(2) or ''}", default_offset_hours)
        return None if start is None else start + 86_400_000
    if len(value) > 19 and not _SHAPE.fullmatch(value):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return (moment - _LOCAL_EPOCHS[default_offset_hours]) // _MS if default_offset_hours in _LOCAL_EPOCHS \
            else (moment.replace(tzinfo=timezone(timedelta(hours=default_offset_hours))) - _EPOCH) // _MS
    return (moment - _EPOCH) // _MS


_MINUTES: dict[tuple[str, int], int | None] = {}
_DIGITS = frozenset("0123456789")


def _fast_local(text: str, offset_hours: int) -> int | None:
    """The export's usual shape, `YYYY-MM-DD HH:MM:SS[.fff]` without offset, by cached minute.

    Returns None whenever the text is anything else; the full parser then decides.
    """
    size = len(text)
    if size not in (19, 23) or text[16] != ":" or (size == 23 and text[19] != "."):
        return None
    tail = text[17:19] + text[20:23]
    if not _DIGITS.issuperset(tail) or text[11:13] == "24":
        return None
    key = (text[:16], offset_hours)
    base = _MINUTES.get(key, -1)
    if base == -1:
        if len(_MINUTES) > 200_000:
            _MINUTES.clear()
        base = _parse_full(text[:16] + ":00", offset_hours) if text[10] in " T" else None
        _MINUTES[key] = base
    seconds = int(text[17:19])
    if base is None or seconds > 59:
        return None
    return base + seconds * 1000 + (int(text[20:23]) if size == 23 else 0)


def format_instant(instant_ms: int | None, offset_hours: int = 8) -> str:
    """Competition-local `YYYY-MM-DD HH:MM:SS.fff` of an instant, for people to read."""
    if instant_ms is None:
        return ""
    moment = _EPOCH + instant_ms * _MS
    local = moment.astimezone(timezone(timedelta(hours=offset_hours)))
    return local.strftime("%Y-%m-%d %H:%M:%S.") + f"{instant_ms % 1000:03d}"
