"""Personal data on public surfaces (rules.md section 6)."""
from __future__ import annotations

# The store keeps every person's masks, made by these functions at sync (the published
# rankings read them): change this whenever a mask changes, and stores make them again.
MASKING_VERSION = "1"


def mask_phone(phone: str | None) -> str:
    """`13812341234` -> `138****1234`; other lengths keep at most 3 + 4 digits, never more."""
    if not phone:
        return ""
    text = str(phone).strip()
    if len(text) >= 8:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    return "*" * len(text)


# Two-character surnames: rules.md's example keeps 欧阳 whole (欧阳*华).
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 夏侯 轩辕 令狐 钟离 端木 独孤 "
    "南宫 西门 百里 呼延 澹台 公冶 太史 申屠 闻人 万俟 赫连 拓跋 第五 东郭 左丘 公羊 濮阳 淳于 单于 "
    "谷梁 宰父 颛孙 巫马 公西 漆雕 乐正 壤驷 公良 梁丘 段干 闾丘 亓官 羊舌 微生 东门 仲孙 叔孙".split())


def mask_name(name: str | None) -> str:
    """The surname and the last character with one `*` between: 孙*勇, 欧阳*华; 王五 -> 王*.
    A masked name always hides at least one character: when the surname and the last character
    would be the whole name (司马光, 诸葛亮), the given name is hidden as in a two-character name:
    司马*, 诸葛*."""
    if not name:
        return ""
    text = str(name).strip()
    if not text:
        return ""
    if len(text) <= 2:
        return text[0] + "*"
    surname = text[:2] if text[:2] in COMPOUND_SURNAMES else text[0]
    if len(surname) + 1 >= len(text):
        return surname + "*"
    return surname + "*" + text[-1]

