"""Every message the code can show has its zh_CN translation (the product speaks Chinese)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from finals_app.core.i18n import ZH_CN

ROOT = Path(__file__).resolve().parents[1] / "finals_app"
# Callables whose message template is the given positional argument.
MESSAGE_ARGUMENT = {"Refusal": 0, "FinalsError": 0, "RulesError": 0, "ExportError": 0, "UsageError": 0,
                    "ContestError": 0, "JournalError": 0, "Problem": 0, "translate": 0, "_require": 1, "problem": 1, "report": 0}


def _templates() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            position = MESSAGE_ARGUMENT.get(name)
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.add(argument.value)
    return found


def test_the_scan_finds_the_messages():
    templates = _templates()
    assert "there is nothing to undo" in templates and "no period {period} (periods: {known})" in templates
    assert len(templates) > 100


def test_every_message_has_a_chinese_translation():
    missing = sorted(t for t in _templates() if t not in ZH_CN)
    assert not missing, missing


def test_translations_keep_their_placeholders():
    for english, chinese in ZH_CN.items():
        assert set(re.findall(r"{(\w+)", english)) == set(re.findall(r"{(\w+)", chinese)), english


def test_every_command_is_described_in_chinese(monkeypatch):
    from finals_app.cli import build_parser
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")
    parser = build_parser()
    commands = next(action for action in parser._actions if action.dest == "command")
    for name, sub in commands.choices.items():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in sub.description), name
