"""Every process logs to the rotating file in its log folder; the kiosk ends cleanly on Ctrl+C
(SIGINT), with the journal closed and nothing logged as an interface error."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.e2e.test_kiosk_e2e import DEMO

pytestmark = pytest.mark.e2e


def _env(display, home):
    env = {**os.environ, "DISPLAY": display, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "FINALS_APP_LOG_DIR": str(home / "logs"), "FINALS_APP_LANG": "zh_CN"}
    env.pop("QT_QPA_PLATFORM", None)
    return env


def _started(process, log, words: str) -> None:
    """Wait (60 s at most) until the process has logged `words`, then a moment more."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (log.exists() and words in log.read_text(encoding="utf-8")):
        assert process.poll() is None, process.stdout.read()
        time.sleep(0.2)
    assert log.exists() and words in log.read_text(encoding="utf-8"), f"no {words!r} in the log within 60 s"
    time.sleep(1.0)


def test_the_cli_logs_its_commands_without_passwords(tmp_path):
    env = {**os.environ, "FINALS_APP_LOG_DIR": str(tmp_path / "logs")}
    done = subprocess.run([sys.executable, "-m", "finals_app", "--store", str(tmp_path / "s.sqlite"), "sync",
                           "postgresql+psycopg://staff:TopSecret9@127.0.0.1:1/none"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "TopSecret9" not in done.stderr and "Traceback" not in done.stderr
    log = (tmp_path / "logs" / "finals-app.log").read_text(encoding="utf-8")
    assert "cli started" in log and "sync" in log and "refused" in log and "TopSecret9" not in log
    assert (tmp_path / "logs" / "crash.log").exists()


def test_ctrl_c_ends_the_kiosk_cleanly(display, tmp_path):
    journal = tmp_path / "show.journal"
    process = subprocess.Popen([sys.executable, "-m", "finals_app", "stage", str(DEMO), "--journal", str(journal)],
                               env=_env(display, tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log = tmp_path / "logs" / "finals-app.log"
    try:
        _started(process, log, "kiosk on")
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    text = log.read_text(encoding="utf-8")
    assert process.returncode == 0, output
    assert "stopped by a signal" in text and "interface error" not in text and "KeyboardInterrupt" not in output
    from finals_app.core.stage.journal import Journal
    with Journal(journal) as opened:  # the lock was released: the journal opens again at once
        assert opened.events[0].type == "session_started"


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "term"])
def test_the_office_ends_on_a_signal(display, tmp_path, how):
    env = {**_env(display, tmp_path), "FINALS_APP_STORE": f"sqlite:///{tmp_path / 'store.sqlite'}"}
    process = subprocess.Popen([sys.executable, "-m", "finals_app", "office"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    log = tmp_path / "logs" / "finals-app.log"
    try:
        _started(process, log, "office window open")
        process.send_signal(how)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output


@pytest.mark.slow
def test_ctrl_c_stops_a_sync_within_two_seconds_and_changes_nothing(tmp_path):
    """Even inside one long SQL statement (the derivation of the results)."""
    import sqlite3

    from finals_app.core.online.sample_export import SampleSize, generate
    from finals_app.core.rules import parse_rules
    from tests.conftest import small_rules_text
    export = generate(tmp_path / "export.sqlite", parse_rules(small_rules_text(), "small.toml"),
                      SampleSize(participants=20_000, units=6), seed=3)
    store = tmp_path / "store.sqlite"
    env = {**os.environ, "FINALS_APP_LOG_DIR": str(tmp_path / "logs"), "FINALS_APP_LANG": "en"}
    for stage in ("attempts: started", "rules: started"):
        # As from a terminal: Ctrl+C not ignored, even when these tests were started with it ignored.
        process = subprocess.Popen([sys.executable, "-m", "finals_app", "--store", str(store), "sync", str(export)],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        try:
            said = ""
            while stage not in said:
                line = process.stderr.readline()
                assert line, f"the sync ended before {stage}: {said}"
                said += line
            time.sleep(0.5)
            sent = time.monotonic()
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=30)
            took = time.monotonic() - sent
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        assert process.returncode == 130 and took <= 2.0, (stage, process.returncode, took, err[-500:])
        assert "interrupted; nothing was changed" in err and "stopped after" in err
        with sqlite3.connect(store) as db:  # the store is as it was: empty
            assert db.execute("select count(*) from sync_runs").fetchone() == (0,)
            assert db.execute("select count(*) from participants").fetchone() == (0,)
