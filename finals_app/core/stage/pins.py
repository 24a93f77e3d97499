"""Judges' PINs: stored only as salted scrypt hashes (never the PIN), checked in constant time."""
from __future__ import annotations

import hashlib
import hmac
import os
import re

SCHEME = "scrypt"
_N, _R, _P = 2 ** 14, 8, 1
PIN_PATTERN = re.compile(r"\d{4,12}")


def valid_pin(pin: object) -> bool:
    """A PIN is 4 to 12 digits (typed on a tablet's number pad or the console)."""
    return isinstance(pin, str) and PIN_PATTERN.fullmatch(pin) is not None


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"{SCHEME}${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def well_formed(stored: str) -> bool:
    parts = str(stored).split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return False
    try:
        int(parts[1]), int(parts[2]), int(parts[3]), bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
    except ValueError:
        return False
    return True


def verify_pin(pin: object, stored: str) -> bool:
    if not isinstance(pin, str) or not well_formed(stored):
        return False
    _, n, r, p, salt, expected = stored.split("$")
    digest = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                            dklen=len(bytes.fromhex(expected)))
    return hmac.compare_digest(digest.hex(), expected)
