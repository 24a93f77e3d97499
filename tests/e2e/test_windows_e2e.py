"""Every window a user starts comes up as a process on the suite's Python (Debian 12: 3.11):
`finals-app office` (its qasync loop) and `finals-app demo` (the kiosk), under Xvfb."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.e2e


def _window_appears(display: str, home, argv: list[str], title: str) -> None:
    env = {**os.environ, "DISPLAY": display, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"), "FINALS_APP_LANG": "zh_CN",
           "FINALS_APP_STORE": f"sqlite:///{home / 'store.sqlite'}"}
    env.pop("QT_QPA_PLATFORM", None)
    log = home / "window.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "finals_app", *argv], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            assert process.poll() is None, f"{argv} exited with {process.returncode}: {log.read_text()[-3000:]}"
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", title], env=env,
                                   capture_output=True, text=True).stdout.split()
            if found:
                time.sleep(1.0)  # and it stays up
                assert process.poll() is None, log.read_text()[-3000:]
                return
            time.sleep(0.2)
        raise AssertionError(f"no window {title!r} from {argv}: {log.read_text()[-3000:]}")
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def test_the_office_window_opens_on_this_python(display, tmp_path):
    assert sys.version_info >= (3, 11)
    _window_appears(display, tmp_path, ["office"], "线上竞赛办公")


def test_the_demo_kiosk_opens(display, tmp_path):
    _window_appears(display, tmp_path, ["demo"], "主持人控制台")
