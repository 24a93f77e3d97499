"""Errors the user sees: each names what went wrong and where (file, table, row, field)."""
from __future__ import annotations

from dataclasses import dataclass, field

from finals_app.core.i18n import translate


@dataclass(frozen=True)
class Location:
    """Where a problem is: any of a file (with line), a table (with row id) and a field."""

    file: str | None = None
    line: int | None = None
    table: str | None = None
    row: int | str | None = None
    field: str | None = None

    def render(self, language: str | None = None) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        if self.table:
            parts.append(translate("table {table}", language, table=self.table))
        if self.row is not None:
            parts.append(translate("row id {row}", language, row=self.row))
        if self.field:
            parts.append(translate("field {field}", language, field=self.field))
        return ", ".join(parts)


@dataclass
class Problem:
    """One problem found in an input: an English message template, its values, and where."""

    template: str
    where: Location = field(default_factory=Location)
    values: dict = field(default_factory=dict)

    def render(self, language: str | None = None) -> str:
        values = {key: translate(value, language) if isinstance(value, str) else value
                  for key, value in self.values.items()}
        text = translate(self.template, language, **values)
        place = self.where.render(language)
        return f"{place}: {text}" if place else text


class FinalsError(Exception):
    """A refusal with one or more located problems; nothing was changed when it is raised."""

    def __init__(self, template: str, where: Location | None = None, /, **values):
        self.problems = [Problem(template, where or Location(), values)]
        super().__init__(self.render("en"))

    @classmethod
    def of(cls, problems: list[Problem]) -> "FinalsError":
        error = cls.__new__(cls)
        error.problems = list(problems)
        Exception.__init__(error, error.render("en"))
        return error

    def render(self, language: str | None = None) -> str:
        return "\n".join(problem.render(language) for problem in self.problems)


class RulesError(FinalsError):
    """The rules file is wrong."""


class ExportError(FinalsError):
    """The export cannot be synced as it is."""


class UsageError(FinalsError):
    """A command was asked for something that does not exist (a period, a day, a draw...)."""


def without_passwords(text: str) -> str:
    """scheme://user:secret@host -> scheme://user:***@host wherever it appears: a password is
    never printed, logged or stored."""
    import re
    return re.sub(r"(\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*):[^@\s]*@", r"\1:***@", str(text))


_SECRETS: set[str] = set()  # the show tokens this process holds (the kiosk's, a follower's own)


def remember_secret(token: object) -> None:
    """A token that without_secrets masks wherever it appears, bare too (from now on)."""
    if isinstance(token, str) and len(token) >= 8:  # shorter is no token of ours, and would mask words
        _SECRETS.add(token)


def without_secrets(text: object) -> str:
    """Text as it may be logged, shown or stored: database passwords masked (without_passwords),
    the token of any show address (...?t=TOKEN or &t=TOKEN -> t=***) and, bare, every token this
    process knows (remember_secret) -> ***. A token is never printed, logged, shown or journalled."""
    import re
    text = re.sub(r"([?&;]t=)[^&#\s'\"<>]+", r"\1***", without_passwords(text))
    text = re.sub(r"((?:%3[Ff]|%26)t%3[Dd])[^&#\s'\"<>%]+", r"\1***", text)  # inside an encoded address
    for token in sorted(tuple(_SECRETS), key=len, reverse=True):
        text = text.replace(token, "***")
    return text
