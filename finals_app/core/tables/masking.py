"""Personal data on public surfaces (rules.md section 6)."""
from __future__ import annotations


def mask_phone(phone: str | None) -> str:
    """`13812341234` -> `138****1234`; other lengths keep at most 3 + 4 digits, never more."""
    if not phone:
        return ""
    text = str(phone).strip()
    if len(text) >= 8:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    return "*" * len(text)


def mask_name(name: str | None) -> str:
    """First and last character with one `*` between: 孙*勇, 欧阳*华, 王* (two characters)."""
    if not name:
        return ""
    text = str(name).strip()
    if len(text) <= 2:
        return text[0] + "*"
    return text[0] + "*" + text[-1]
