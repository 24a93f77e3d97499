"""The product's words: one gettext catalogue a translator edits.

Code speaks English: every message is an English template with ``{name}`` placeholders, marked
for extraction (`_`, `pgettext` where a word has two meanings, `ngettext`, `N_`/`NP_` for word
lists defined once and translated where they are shown). The zh_CN words live in
``finals_app/locale/zh_CN/LC_MESSAGES/finals_app.po`` (compiled to the ``.mo`` beside it, shipped
in the wheel; ``scripts/translations`` extracts, updates and compiles). English is the source:
it needs no catalogue.

Language: the explicit argument, else FINALS_APP_LANG (``zh_CN`` or ``en``, what ``--lang``
sets), else zh_CN. Looked up when a message is made, never at import, so the language in force
when a window is built is the one it speaks. No Qt here: the core, the served pages and the
windows share these words.
"""
from __future__ import annotations

import gettext
import logging
import os
from functools import lru_cache
from pathlib import Path

DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = ("zh_CN", "en")
DOMAIN = "finals_app"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"


class Message(str):
    """A word of a list defined once (`NP_`): English text that carries the context telling its
    meaning apart ("correct" as a verdict, as an answer shown on the big screen)."""

    context: str | None = None


class Alternatives(str):
    """Words given as alternatives in a message ("committee/branch"), each one translated where
    the message is shown (a value of a refusal is translated when it is said)."""

    words: tuple[str, ...] = ()

    def __new__(cls, words) -> "Alternatives":
        joined = super().__new__(cls, "/".join(words))
        joined.words = tuple(words)
        return joined


def N_(message: str) -> str:
    """Marks a word of a list for extraction; it is translated where it is shown (`_(word)`)."""
    return message


def NP_(context: str, message: str) -> Message:
    """Like N_, for a word with a context (translated by `_` with that context)."""
    marked = Message(message)
    marked.context = context
    return marked


@lru_cache(maxsize=None)
def catalogue(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language; English is the source and has none."""
    if language == "en":
        return gettext.NullTranslations()
    try:
        return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])
    except OSError:
        logging.getLogger("finals_app").error("no %s catalogue in %s: the words stay English", language, LOCALE_DIR)
        return gettext.NullTranslations()


def current_language() -> str:
    language = os.environ.get("FINALS_APP_LANG", DEFAULT_LANGUAGE)
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def _fill(text: str, values: dict) -> str:
    return text.format(**values) if values else text


def translate(message: str, language: str | None = None, /, **values) -> str:
    """`message` in `language` (default: the user's), its placeholders filled."""
    if isinstance(message, Alternatives):
        return "/".join(translate(word, language) for word in message.words)
    words = catalogue(language or current_language())
    context = getattr(message, "context", None)
    text = words.pgettext(context, message) if context else words.gettext(message)
    return _fill(text, values)


def _(message: str, /, **values) -> str:
    """`message` in the user's language, its placeholders filled."""
    return translate(message, None, **values)


def pgettext(context: str, message: str, /, **values) -> str:
    """A message whose English has two meanings: the context tells which."""
    return _fill(catalogue(current_language()).pgettext(context, message), values)


def ngettext(singular: str, plural: str, count: int, /, **values) -> str:
    """A message with a count: its singular or plural form, as the language counts."""
    return _fill(catalogue(current_language()).ngettext(singular, plural, count), {"count": count, **values})


# The stages of a sync, as its progress says them (a stage's name is also a table's name in
# messages, where it stays as it is: hence their own context).
SYNC_STAGES = (
    NP_("sync stage", "validate"), NP_("sync stage", "compare"), NP_("sync stage", "organisation tree"),
    NP_("sync stage", "rules"), NP_("sync stage", "organizations"), NP_("sync stage", "participants"),
    NP_("sync stage", "shares"), NP_("sync stage", "attempts"), NP_("sync stage", "questions"),
    NP_("sync stage", "write organizations"), NP_("sync stage", "write participants"),
    NP_("sync stage", "write shares"), NP_("sync stage", "write attempts"), NP_("sync stage", "write questions"),
    NP_("sync stage", "fingerprint attempts"), NP_("sync stage", "fingerprint shares"),
    NP_("sync stage", "index attempts"), NP_("sync stage", "index shares"),
)


def stage_title(stage: str, language: str | None = None) -> str:
    """A sync stage in the user's language."""
    return catalogue(language or current_language()).pgettext("sync stage", stage)


# What a message looks like in code, for the extractor (Babel: a name and where its message is,
# 1-based; "c" marks a context): scripts/translations and tests/test_translations.py use this.
# The refusals and errors take an English template too, rendered through `translate`.
EXTRACTION_KEYWORDS = {
    "_": None, "N_": None, "translate": None, "NP_": ((1, "c"), 2), "pgettext": ((1, "c"), 2),
    "ngettext": (1, 2),
    **{name: (1,) for name in ("Refusal", "RecordedRefusal", "FinalsError", "RulesError", "ExportError",
                               "UsageError", "ContestError", "JournalError", "WireError", "ServeError",
                               "FollowError", "TokenFileError", "Problem", "DrawError", "SyncCancelled")},
    "_require": (2,), "problem": (2,), "row_problem": (1,), "MediaProblem": (1,),
}
