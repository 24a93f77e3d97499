"""The show's word lists, defined once: prize levels and question kinds as every surface names
them (the big screen, the console, the judges, the served pages, the printed record)."""
from __future__ import annotations

from finals_app.core.i18n import NP_, N_, translate

# A prize level named in a message about the contest file ("field first" of [prizes]).
PRIZE_LEVEL_WORDS = (N_("first"), N_("second"), N_("third"))
PRIZE_NAMES = {"first": N_("First prize"), "second": N_("Second prize"), "third": N_("Third prize")}
QUESTION_KINDS = {"single": NP_("question kind", "single choice"), "multiple": NP_("question kind", "multiple choice"),
                  "judge": NP_("question kind", "true/false"), "fill": NP_("question kind", "fill in"),
                  "open": NP_("question kind", "open answer")}


def prize_name(level: str | None, language: str | None = None) -> str:
    """A prize level's name ('' for none) in the user's language, or in `language` (the printed
    record is Chinese)."""
    return translate(PRIZE_NAMES[level], language) if level in PRIZE_NAMES else ""


def question_kind(kind: str, language: str | None = None) -> str:
    """A question's kind as the audience reads it (单选题, 多选题, 判断题…); an unknown kind as it is."""
    return translate(QUESTION_KINDS[kind], language) if kind in QUESTION_KINDS else kind
