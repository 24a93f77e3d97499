"""Helpers of the issue 24 tests: `finals-app sync` in a process of its own, a file's digest."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli_sync(store: Path, rules: Path, export: Path) -> subprocess.CompletedProcess:
    """`finals-app sync` in a process of its own (its store closed when it ends)."""
    return subprocess.run([sys.executable, "-m", "finals_app", "--lang", "en", "--store", str(store),
                           "--rules", str(rules), "sync", str(export)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
