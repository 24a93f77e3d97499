"""The command line as a package: every command registered once, and a command's module (with
what it imports) loaded only when that command is asked for."""
from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from finals_app.cli import registry
from finals_app.cli.command import Command

ROOT = Path(__file__).resolve().parents[2]
GROUPS = sorted({info.module for info in registry.COMMANDS.values()})
# Imported by no command's parsing, and by `rules show` not at all.
HEAVY = ("PySide6", "pyqtgraph", "qasync", "sqlalchemy", "openpyxl", "rich", "numpy")


def _loaded_after(argv: list[str]) -> dict:
    """The group modules and the heavy packages a fresh interpreter holds after main(argv)."""
    code = f"""
import io, json, sys
from finals_app.cli import main
try:
    main({argv!r}, io.StringIO(), io.StringIO())
except SystemExit:
    pass
print(json.dumps({{"groups": sorted(m.rpartition(".")[2] for m in sys.modules
                                    if m.rpartition(".")[0] == "finals_app.cli" and m.rpartition(".")[2] in {GROUPS!r}),
                   "heavy": sorted({{m.partition(".")[0] for m in sys.modules}} & set({HEAVY!r}))}}))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_every_registered_command_is_a_command_of_its_group():
    for name, info in registry.COMMANDS.items():
        command = registry.load(name)
        assert isinstance(command, Command) and type(command).__module__ == f"finals_app.cli.{info.module}", name


def test_every_command_of_a_group_is_registered():
    registered = {(info.module, info.class_name) for info in registry.COMMANDS.values()}
    for group in GROUPS:
        module = importlib.import_module(f"finals_app.cli.{group}")
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, Command) and value.__module__ == module.__name__ \
                    and not name.startswith("_"):
                assert (group, name) in registered, f"{group}.{name} is not in registry.COMMANDS"


def test_the_command_list_imports_no_command():
    assert _loaded_after(["--help"]) == {"groups": [], "heavy": []}
    assert _loaded_after(["--version"]) == {"groups": [], "heavy": []}


def test_rules_show_loads_its_own_module_only():
    assert _loaded_after(["rules", "show"]) == {"groups": ["rules"], "heavy": []}


@pytest.mark.parametrize("name", list(registry.COMMANDS))
def test_a_command_s_help_loads_its_own_module_and_nothing_heavy(name):
    assert _loaded_after([name, "--help"]) == {"groups": [registry.COMMANDS[name].module], "heavy": []}
