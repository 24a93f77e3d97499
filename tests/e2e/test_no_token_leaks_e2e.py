"""The show's tokens never leave the kiosk as text: `finals-app follow URL` run as a process
against a served show (with its token, with a wrong one, against an address nobody serves, with an
address that is no show address) writes none of them to the log folder, its terminal or the
journal; neither does the serving kiosk, with a phone and a stranger knocking."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from benchmarks.bench_buzzer import contest_text
from tests.e2e.test_networked_e2e import free_port, wait

pytestmark = pytest.mark.e2e


class Runs:
    def __init__(self, display: str, folder: Path):
        self.folder = folder
        self.logs = folder / "logs"
        self.env = {**os.environ, "FINALS_APP_LANG": "zh_CN", "DISPLAY": display, "FINALS_APP_LOG_DIR": str(self.logs),
                    "XDG_CONFIG_HOME": str(folder / "config"), "XDG_DATA_HOME": str(folder / "data"),
                    "XDG_CACHE_HOME": str(folder / "cache")}
        self.env.pop("QT_QPA_PLATFORM", None)
        self.running: list[subprocess.Popen] = []
        self.outputs: list[Path] = []

    def start(self, name: str, *arguments: str) -> tuple[subprocess.Popen, Path]:
        output = self.folder / f"{name}.out"
        with open(output, "w") as stream:
            process = subprocess.Popen([sys.executable, "-m", "finals_app", *arguments], env=self.env,
                                       stdout=stream, stderr=subprocess.STDOUT)
        self.running.append(process)
        self.outputs.append(output)
        return process, output

    def log(self) -> str:
        path = self.logs / "finals-app.log"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def end(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.kill()
                process.wait(10)


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_no_token_reaches_a_log_a_message_or_the_journal(display, tmp_path):
    (tmp_path / "contest.toml").write_text(contest_text(6), encoding="utf-8")
    journal = tmp_path / "show.journal"
    port = free_port()
    runs = Runs(display, tmp_path)
    try:
        kiosk, kiosk_out = runs.start("kiosk", "stage", str(tmp_path / "contest.toml"), "--journal", str(journal),
                                      "--serve", f"127.0.0.1:{port}")
        token_file = journal.with_name(journal.name + ".tokens.json")
        wait(lambda: token_file.exists() and "网络服务已开启" in kiosk_out.read_text(), "the kiosk to serve", 60,
             log=kiosk_out)
        tokens = json.loads(token_file.read_text())
        secret = tokens["secret"]
        wrong = secret[::-1] if secret[::-1] != secret else secret + "x"
        secrets = [secret, tokens["judges"], *tokens["teams"].values(), wrong]
        base = f"http://127.0.0.1:{port}"
        # A phone opens its page, a stranger knocks with a wrong token: the kiosk logs both.
        team, team_token = next(iter(tokens["teams"].items()))
        assert status(f"{base}/phone?t={team_token}") == 200
        assert status(f"{base}/phone?t={wrong}") == 403

        # 1. The show's own address: the follower connects, then is ended.
        right, _ = runs.start("follow-right", "follow", f"{base}/?t={secret}", "--window")
        wait(lambda: "link to the kiosk up" in runs.log(), "the follower to connect", 60, log=runs.logs / "finals-app.log")
        runs.end(right)
        # 2. A wrong token: refused by the kiosk, said so.
        refused, _ = runs.start("follow-wrong", "follow", f"{base}/?t={wrong}", "--window")
        wait(lambda: "refused this follower's token" in runs.log(), "the refusal", 60, log=runs.logs / "finals-app.log")
        runs.end(refused)
        # 3. An address nobody serves: it cannot reach the kiosk, and keeps trying until ended.
        nobody = free_port()
        unreachable, _ = runs.start("follow-unreachable", "follow", f"http://127.0.0.1:{nobody}/?t={secret}",
                                    "--window")
        wait(lambda: runs.log().count("as the audience screen") >= 3, "the third follower to start", 60,
             log=runs.logs / "finals-app.log")
        time.sleep(3)  # a few attempts to connect
        runs.end(unreachable)
        # 4. No show address at all: refused on the terminal, with the address said.
        done = subprocess.run([sys.executable, "-m", "finals_app", "follow", f"ftp://127.0.0.1:{port}/?t={secret}",
                               "--window"], env=runs.env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, done.stderr  # refused (FollowError), before any window
        runs.end(kiosk)

        said = {path.name: path.read_text(encoding="utf-8", errors="replace") for path in runs.outputs}
        said["follow-ftp stdout"], said["follow-ftp stderr"] = done.stdout, done.stderr
        for path in sorted(runs.logs.iterdir()):
            said[f"log folder: {path.name}"] = path.read_text(encoding="utf-8", errors="replace")
        said["journal"] = journal.read_text(encoding="utf-8", errors="replace")
        leaks = [(where, token[:4] + "…") for where, text in said.items() for token in secrets if token in text]
        assert not leaks, leaks
        log = said["log folder: finals-app.log"]
        # What happened is in the log and on the terminal, each address said without its token.
        assert f"ftp://127.0.0.1:{port}/?t=***" in done.stderr, done.stderr
        assert f"finals-app follow {base}/?t=*** --window" in log, log[-3000:]
        assert f"finals-app follow http://127.0.0.1:{nobody}/?t=*** --window" in log
        assert "without a valid token" in log and "link to the kiosk up" in log
    finally:
        runs.stop_all()
