"""The end-to-end tests' virtual display: an Xvfb with two screens (1920x1080 and 1280x720)."""
from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def display():
    missing = [tool for tool in ("Xvfb", "xdotool") if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"missing {missing}: scripts/setup.sh installs them")
        pytest.skip(f"missing {missing}")
    server, name = _start_xvfb()
    yield name
    server.terminate()
    server.wait(10)


def _start_xvfb() -> tuple[subprocess.Popen, str]:
    """An Xvfb with two screens on a free display number (a few tries: numbers can race)."""
    rng = random.Random()
    for _ in range(5):
        number = rng.randrange(200, 900)
        if Path(f"/tmp/.X{number}-lock").exists():
            continue
        name = f":{number}"
        server = subprocess.Popen(["Xvfb", name, "-nolisten", "tcp", "-screen", "0", "1920x1080x24",
                                   "-screen", "1", "1280x720x24"], stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while server.poll() is None and time.monotonic() < deadline:
            probe = subprocess.run(["xdotool", "getmouselocation"], env={**os.environ, "DISPLAY": name},
                                   capture_output=True)
            if probe.returncode == 0:
                return server, name
            time.sleep(0.1)
        server.kill()
        server.wait()
    raise AssertionError("could not start Xvfb")


