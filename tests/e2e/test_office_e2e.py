"""`finals-app office` as a user starts it, under Xvfb, on a synced store: the tab in view loads by
itself (rows, not 正在查询… for ever), every period choice opens on the latest period the store has
data of, and every listing tab, clicked, shows its rows or says why it has none. The window is read
from outside: SIGUSR1 saves its picture and what it says (FINALS_APP_SCREENSHOTS)."""
from __future__ import annotations

import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from finals_app.cli import main
from finals_app.core.online.sample_export import SampleSize, generate
from finals_app.core.rules import load_rules

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).with_name("artifacts") / "office"
QUERYING = "正在查询…"
LISTINGS = ("个人排名", "获奖名单", "每日参与奖", "党支部排名", "党委排名", "优秀组织奖", "决赛排名", "代表队推荐", "无效答题")


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """Two stores synced from one generated export (3,000 people): P1 and P2, and P2 alone."""
    folder = tmp_path_factory.mktemp("office-stores")
    export = generate(folder / "export.sqlite", load_rules(), SampleSize(participants=3000), seed=8)
    made = {}
    for name, outside in (("p1-p2", "{t} >= '2018-02-01'"), ("p2", "{t} >= '2018-02-01' or {t} < '2018-01-01'")):
        copy = folder / f"export-{name}.sqlite"
        shutil.copy(export, copy)
        with sqlite3.connect(copy) as db:  # the platform's export before P3 (and, for p2, after P1)
            db.execute(f"delete from attempts where {outside.format(t='started_at')}")
            db.execute(f"delete from shares where {outside.format(t='shared_at')}")
        store = f"sqlite:///{folder / f'store-{name}.sqlite'}"
        assert main(["--store", store, "sync", str(copy)], io.StringIO(), io.StringIO()) == 0
        made[name] = store
    return made


class Office:
    """A running `finals-app office`, read through its SIGUSR1 pictures and descriptions."""

    def __init__(self, display: str, home: Path, store: str, shots: Path):
        self.shots = shots
        self.env = {**os.environ, "DISPLAY": display, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
                    "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"),
                    "FINALS_APP_LANG": "zh_CN", "FINALS_APP_LOG_DIR": str(home / "logs"),
                    "FINALS_APP_SCREENSHOTS": str(shots)}
        self.env.pop("QT_QPA_PLATFORM", None)
        self.env.pop("FINALS_APP_STORE", None)
        self.log = home / "office.log"
        with open(self.log, "w") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "finals_app", "--store", store, "office"],
                                            env=self.env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 40
        while not self._window():
            assert self.process.poll() is None, f"the office exited: {self.tail()}"
            assert time.monotonic() < deadline, f"no office window: {self.tail()}"
            time.sleep(0.2)

    def _window(self) -> list[str]:
        return subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "线上竞赛办公"], env=self.env,
                              capture_output=True, text=True).stdout.split()

    def tail(self) -> str:
        logs = "".join(path.read_text(errors="replace") for path in sorted((self.log.parent / "logs").glob("*.log")))
        return (self.log.read_text(errors="replace") + logs)[-4000:]

    def describe(self) -> tuple[dict, Path]:
        """What the window says now (and its picture)."""
        before = set(self.shots.glob("*.json")) if self.shots.exists() else set()
        self.process.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while True:
            assert self.process.poll() is None, f"the office exited: {self.tail()}"
            new = set(self.shots.glob("*.json")) - before if self.shots.exists() else set()
            if new:
                path = max(new)
                return json.loads(path.read_text(encoding="utf-8")), path.with_suffix(".png")
            assert time.monotonic() < deadline, f"no description on SIGUSR1: {self.tail()}"
            time.sleep(0.05)

    def wait_for_tab(self, title: str, seconds: float = 30) -> tuple[dict, Path]:
        """The listing tab `title` once it has shown its rows or said why not."""
        deadline = time.monotonic() + seconds
        while True:
            state, picture = self.describe()
            tab = listing(state, title)
            if tab["done"] or time.monotonic() > deadline:
                return tab, picture
            time.sleep(0.3)

    def click_tab(self, title: str) -> None:
        state, _ = self.describe()
        bar = next(w for w in state["widgets"] if w["class"] == "QTabBar" and w["visible"] and not w["tabs"])
        place = next(t for t in bar["tab_list"] if t["text"] == title)
        subprocess.run(["xdotool", "mousemove", str(place["x"] + place["width"] // 2),
                        str(place["y"] + place["height"] // 2), "click", "1"], env=self.env, check=True)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def listing(state: dict, title: str) -> dict:
    """One listing tab as described: its status line, 查询 enabled, table rows, period chosen."""
    mine = {w.get("name"): w for w in state["widgets"] if w["tabs"] == [title] and w.get("name")}
    status, query = mine["status"]["text"], mine["query"]
    return {"status": status, "query_enabled": query["enabled"], "rows": mine["table"]["rows"],
            "period": mine["period"]["data"] if "period" in mine else None,
            "day": mine["day"]["text"] if "day" in mine else None,
            "done": bool(status) and status != QUERYING and query["enabled"]}


@pytest.mark.parametrize("which, latest, latest_day", [("p1-p2", "P2", "2018-01-11"), ("p2", "P2", "2018-01-11")])
def test_the_office_loads_its_first_tab_on_the_latest_period(display, stores, tmp_path, which, latest, latest_day):
    shots = ARTIFACTS / which
    shutil.rmtree(shots, ignore_errors=True)
    office = Office(display, tmp_path, stores[which], shots)
    try:
        first, picture = office.wait_for_tab("个人排名")
        shutil.copy(picture, ARTIFACTS / f"{which}-first-tab.png")
        assert first["done"], f"the first tab never loaded: {first}; {office.tail()}"
        assert first["rows"] > 0 and "行" in first["status"], first
        state, _ = office.describe()
        periods = {title: listing(state, title) for title in LISTINGS}
        assert {t: p["period"] for t, p in periods.items() if p["period"] is not None} == {
            t: latest for t, p in periods.items() if p["period"] is not None}, periods
        assert periods["每日参与奖"]["day"] == latest_day
        assert first["period"] == latest
        seen = {}
        for title in LISTINGS[1:]:  # as a user clicks through them
            office.click_tab(title)
            tab, picture = office.wait_for_tab(title)
            assert tab["done"], f"{title} never loaded: {tab}; {office.tail()}"
            seen[title] = tab
        shutil.copy(picture, ARTIFACTS / f"{which}-last-tab.png")
        for title in ("获奖名单", "党支部排名", "党委排名", "优秀组织奖", "代表队推荐"):
            assert seen[title]["rows"] > 0, (title, seen[title])
        assert seen["决赛排名"]["rows"] == 0 and "FINAL" in seen["决赛排名"]["status"], seen["决赛排名"]
        assert office.process.poll() is None
    finally:
        office.close()
