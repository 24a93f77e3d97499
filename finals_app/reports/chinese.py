"""How Chinese documents write dates: 2018年6月28日; a certificate: 二〇一八年六月二十八日."""
from __future__ import annotations

from datetime import date

DIGITS = "〇一二三四五六七八九"


def _day(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def chinese_date(value) -> str:
    """2018-06-28 (or a date) -> 2018年6月28日; text that is not a date stays as it is."""
    day = _day(value)
    return f"{day.year}年{day.month}月{day.day}日" if day else str(value or "")


def chinese_numeral_date(value) -> str:
    """2018-06-28 -> 二〇一八年六月二十八日, as a certificate writes its date."""
    day = _day(value)
    if day is None:
        return str(value or "")

    def number(n: int) -> str:  # 1..31
        tens, ones = divmod(n, 10)
        return (("" if tens == 1 else DIGITS[tens]) + "十" if tens else "") + (DIGITS[ones] if ones else "")
    return "".join(DIGITS[int(c)] for c in str(day.year)) + f"年{number(day.month)}月{number(day.day)}日"
