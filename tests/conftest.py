"""Shared fixtures: no display needed (offscreen Qt), small rules, generated exports, and a
real PostgreSQL server started for the session when the engine tests ask for it."""
from __future__ import annotations

import io

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["FINALS_APP_LANG"] = "en"  # tests read English messages; zh_CN is checked explicitly
# Processes the tests start log here, not in the user's log folder.
os.environ.setdefault("FINALS_APP_LOG_DIR", tempfile.mkdtemp(prefix="finals-app-test-logs-"))

from finals_app.core.online.sample_export import SampleSize, generate  # noqa: E402
from finals_app.core.rules import load_rules, parse_rules  # noqa: E402
from finals_app.cli import main  # noqa: E402


pytest_plugins = ["tests.stage_contest"]


def pytest_addoption(parser):
    parser.addoption("--long", action="store_true", help="also run the long tests (marked slow)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--long"):
        return
    skip = pytest.mark.skip(reason="long test: run with --long")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def small_rules_text() -> str:
    """The shipped rules with award sizes small enough for test data to cross every boundary."""
    text = load_rules().text
    for old, new in (("top_count = 500\ntop_amount_yuan", "top_count = 25\ntop_amount_yuan"),
                     ("random_count = 1500", "random_count = 40"),
                     ("winners_per_day = 2000", "winners_per_day = 7"),
                     ("last_rank = 100", "last_rank = 10"), ("first_rank = 101", "first_rank = 11"),
                     ("last_rank = 300", "last_rank = 30"), ("first_rank = 301", "first_rank = 31"),
                     ("last_rank = 500", "last_rank = 50")):
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture(scope="session")
def small_rules():
    return parse_rules(small_rules_text(), "small-rules.toml")


@pytest.fixture(scope="session")
def sample_export(tmp_path_factory, small_rules) -> Path:
    """A generated export full of edge cases (built once; never written to by the tests)."""
    path = tmp_path_factory.mktemp("export") / "export.sqlite"
    return generate(path, small_rules, SampleSize(participants=600, units=4), seed=7)


@pytest.fixture
def export_copy(sample_export, tmp_path) -> Path:
    """A private copy of the sample export that a test may modify."""
    target = tmp_path / "export.sqlite"
    shutil.copy(sample_export, target)
    return target


def _postgres_bindir() -> Path | None:
    found = shutil.which("pg_config")
    if found:
        bindir = Path(subprocess.run([found, "--bindir"], capture_output=True, text=True).stdout.strip())
        if (bindir / "initdb").exists():
            return bindir
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    return candidates[0].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL cluster on a Unix socket; yields a function making fresh databases."""
    bindir = _postgres_bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (scripts/setup.sh installs it)")
        pytest.skip("PostgreSQL is not installed")
    folder = Path(tempfile.mkdtemp(prefix="finals-pg-"))
    data = folder / "data"
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(folder, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run([*as_postgres, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                    "--no-sync", "-E", "UTF8"], check=True, capture_output=True)
    options = f"-p {port} -k {folder} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    subprocess.run([*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l",
                    str(folder / "log"), "start"], check=True, capture_output=True)
    counter = iter(range(1, 10_000))

    def new_database() -> str:
        import psycopg
        name = f"store_{next(counter)}"
        with psycopg.connect(f"host={folder} port={port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f"create database {name}")
        return f"postgresql+psycopg://postgres@/{name}?host={folder}&port={port}"

    try:
        yield new_database
    finally:
        subprocess.run([*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def cli(tmp_path, sample_export):
    """The CLI on a synced copy of the sample export: run(*args) -> (exit code, stdout, stderr)."""
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(small_rules_text(), encoding="utf-8")
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"

    def run(*args, sync_first=True):
        out, err = io.StringIO(), io.StringIO()
        if sync_first and not run.synced:
            assert main(["--store", store, "--rules", str(rules_file), "sync", str(sample_export)],
                        io.StringIO(), io.StringIO()) == 0
            run.synced = True
        code = main(["--store", store, "--rules", str(rules_file), *args], out, err)
        return code, out.getvalue(), err.getvalue()

    run.synced = False
    return run
