"""Reading a TOML file people write by hand: typed fields, and problems located by file, line
and dotted field path (rules files, contest files)."""
from __future__ import annotations

import re
from typing import Any

from finals_app.core.errors import Location, Problem
from finals_app.core.i18n import N_


class TomlReader:
    """Walks the parsed TOML, collecting problems located by the dotted field path and line."""

    def __init__(self, source: str, text: str):
        self.source = source
        self.lines = key_lines(text)
        self.problems: list[Problem] = []

    def problem(self, path: str, template: str, **values) -> None:
        self.problems.append(Problem(template, Location(self.source, self._line(path), field=path), values))

    def _line(self, path: str) -> int | None:
        probe = path
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe.rpartition(".")[0] if "." in probe else ""
        return None

    def table(self, data: Any, path: str, known: tuple[str, ...]) -> dict:
        if not isinstance(data, dict):
            self.problem(path, "expected {expected}, found {found}", expected="table", found=kind_name(data))
            return {}
        for key in data:
            if key not in known:
                self.problem(f"{path}.{key}" if path else key, "unknown field (known: {known})",
                             known=", ".join(known))
        return data

    def get(self, data: dict, path: str, key: str, kind: type | tuple, minimum: int | None = None):
        full = f"{path}.{key}" if path else key
        if key not in data:
            self.problem(full, "missing field")
            return None
        value = data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            self.problem(full, "expected {expected}, found {found}",
                         expected="/".join(type_name(k) for k in kinds), found=kind_name(value))
            return None
        if minimum is not None and value < minimum:
            self.problem(full, "must be at least {minimum}", minimum=minimum)
            return None
        if isinstance(value, str) and not value.strip():
            self.problem(full, "must not be empty")
            return None
        return value


def type_name(kind: type) -> str:
    return {int: N_("integer"), str: N_("text"), bool: N_("true/false"), list: N_("array"), dict: N_("table"),
            float: N_("number")}.get(kind, kind.__name__)


def kind_name(value: Any) -> str:
    return type_name(type(value))


def key_lines(text: str) -> dict[str, int]:
    """Map each dotted field path (arrays of tables indexed) to the line that sets it."""
    lines: dict[str, int] = {}
    counters: dict[str, int] = {}
    prefix = ""
    header = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"]+)\s*\]\]?")
    assign = re.compile(r"^\s*(?:\"([^\"]+)\"|([A-Za-z0-9_\-]+))\s*=")  # bare or "quoted" keys (judges' names)
    for number, line in enumerate(text.splitlines(), start=1):
        match = header.match(line)
        if match:
            name = match.group(2).replace('"', "")
            if match.group(1) == "[[":
                index = counters.get(name, -1) + 1
                counters[name] = index
                prefix = f"{name}[{index}]"
            else:
                prefix = _with_indices(name, counters)
            lines.setdefault(prefix, number)
            continue
        match = assign.match(line)
        if match:
            key = match.group(1) or match.group(2)
            lines.setdefault(f"{prefix}.{key}" if prefix else key, number)
    return lines


def _with_indices(name: str, counters: dict[str, int]) -> str:
    """`awards.exemplar` stays; a sub-table of an array of tables gets the current index."""
    parts = name.split(".")
    out = []
    for depth in range(len(parts)):
        base = ".".join(parts[: depth + 1])
        out.append(parts[depth])
        if base in counters and depth < len(parts) - 1:
            out[-1] = f"{parts[depth]}[{counters[base]}]"
    return ".".join(out)
