"""Every message the code can show has its zh_CN translation (the product speaks Chinese)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from finals_app.core.i18n import STAGES_ZH, ZH_CN

ROOT = Path(__file__).resolve().parents[1] / "finals_app"
# Callables whose message template is the given positional argument.
MESSAGE_ARGUMENT = {"Refusal": 0, "FinalsError": 0, "RulesError": 0, "ExportError": 0, "UsageError": 0,
                    "ContestError": 0, "JournalError": 0, "WireError": 0, "ServeError": 0,
                    "FollowError": 0, "TokenFileError": 0, "Problem": 0, "translate": 0, "_require": 1, "problem": 1, "report": 0}


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
    # A sync's stages (report("attempts", ...)) are said by stage_title, from STAGES_ZH.
    missing = sorted(t for t in _templates() if t not in ZH_CN and t not in STAGES_ZH)
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


# The interface: every module's words go through finals_app.ui.texts.ui (English with --lang en).
TRANSLATED_UI = tuple(str(path.relative_to(ROOT)) for path in sorted([*(ROOT / "ui").rglob("*.py"),
                                                                      *(ROOT / "net").rglob("*.py")])
                      if path.name != "texts.py") + ("app.py",)
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _ui_texts() -> tuple[set[str], list[str]]:
    """The ui() texts of the translated modules, and the Chinese literals that bypass ui()."""
    texts, bypassing = set(), []
    for relative in TRANSLATED_UI:
        tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"))
        inside = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ui" and node.args:
                inside.add(id(node.args[0]))
                if isinstance(node.args[0], ast.Constant):
                    texts.add(node.args[0].value)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                inside.add(id(node.value))  # a docstring
        for top in tree.body:  # module tables of names (VERDICT_NAMES...): translated where shown
            if isinstance(top, ast.Assign):
                for node in ast.walk(top):
                    if isinstance(node, ast.Constant) and isinstance(node.value, str):
                        inside.add(id(node))
                        if CJK.search(node.value):
                            texts.add(node.value)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value) \
                    and id(node) not in inside:
                bypassing.append(f"{relative}:{node.lineno}: {node.value!r}")
    return texts, bypassing


def test_every_interface_text_has_its_english():
    from finals_app.ui.texts import EN
    texts, bypassing = _ui_texts()
    assert not bypassing, bypassing  # a Chinese word on screen that English would never replace
    assert len(texts) > 200 and not sorted(t for t in texts if t not in EN)
    for chinese, english in EN.items():
        assert set(re.findall(r"{(\w+)", chinese)) == set(re.findall(r"{(\w+)", english)), chinese
        assert not CJK.search(english), chinese


def test_the_office_speaks_english_when_asked(qtbot, tmp_path, small_rules, monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "en")
    from finals_app.core.store.engine import open_store
    from finals_app.ui.online.office import OfficeWindow
    engine = open_store(f"sqlite:///{tmp_path / 's.sqlite'}")
    window = OfficeWindow(engine, small_rules)
    qtbot.addWidget(window)
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles[:3] == ["Standings", "Awards", "Daily lottery"] and "Monthly paperwork" in titles
    assert window.sync_button.text() == "Sync an export…"
    assert [window.paperwork.tabText(i) for i in range(window.paperwork.count())][-1] == "Period report"
    engine.dispose()


def test_chinese_text_uses_full_width_punctuation():
    """，：！？（） in Chinese text: no half-width comma, colon, bang, question mark or bracket next to
    a Chinese character in any message or interface text (times like 12:30 and 1,000 stay)."""
    import re

    from finals_app.core.i18n import ZH_CN
    from finals_app.ui.texts import EN
    han = "[\u3400-\u9fff]"
    wrong = re.compile(rf"{han}[,:!?;()]|[,:!?;(]{han}|\){han}")
    texts = [t for t in ZH_CN.values()] + list(EN)
    texts = [t for t in texts if "(*" not in t]  # a file dialog's filter is Qt syntax: "SQLite (*.db);;所有文件 (*)"
    offenders = [t for t in texts if wrong.search(re.sub(r"\{[^{}]*\}", "", t))]
    assert not offenders, offenders[:10]
