"""The package as shipped: every subpackage listed for the wheel, assets found, and the core
free of Qt (the import-linter contract)."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_for_the_wheel():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "finals_app").rglob("__init__.py")}
    assert found <= listed, f"add to pyproject.toml [tool.setuptools] packages: {sorted(found - listed)}"


def test_assets_ship_as_package_data():
    assert (resources.files("finals_app.assets") / "rules" / "default-2017-2018.toml").is_file()


def test_core_never_imports_qt():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint), str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # the core and the served show never import Qt; the floors (cli > app > ui > net > reports > logs > core)
    assert "3 kept, 0 broken" in result.stdout


def test_core_imports_without_qt_installed():
    code = ("import sys; sys.modules['PySide6'] = None; sys.modules['pyqtgraph'] = None; "
            "import finals_app.core.online.results, finals_app.core.online.sync, finals_app.cli")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_no_unused_or_undefined_names():
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), "check", "finals_app", "tests", "benchmarks"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
