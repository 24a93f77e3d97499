"""The office window on a store synced from a generated export: every listing as a model/view
table, export, charts, the draw ceremony with masked names, and a sync that keeps the event loop
ticking and can be cancelled without changing the store."""
from __future__ import annotations

import asyncio
import os

import pytest
from openpyxl import load_workbook

os.environ.setdefault("QT_API", "pyside6")
import qasync  # noqa: E402
from PySide6.QtCore import Qt, QTimer  # noqa: E402

from finals_app.core.online.sync import sync  # noqa: E402
from finals_app.core.store.engine import open_store  # noqa: E402
from finals_app.ui.online.office import OfficeWindow  # noqa: E402

SEED = "office-seed"


@pytest.fixture
def loop(qapp):
    event_loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    asyncio.set_event_loop(None)
    asyncio.events._set_running_loop(None)


@pytest.fixture
def office(qtbot, tmp_path, sample_export, small_rules, loop):
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    window = OfficeWindow(engine, small_rules)
    qtbot.addWidget(window)
    window.show()
    yield window
    engine.dispose()


def test_every_listing_fills_its_table(office, sample_export, small_rules):
    sync(office.engine, str(sample_export), small_rules)
    for name, tab in office.listing_tabs.items():
        tab.seed.setText(SEED)
        assert tab.refresh(), (name, tab.status.text())
        if name not in ("invalid",):
            assert tab.model.rowCount() > 0, name
    standings = office.listing_tabs["standings"]
    assert standings.model.headerData(0, Qt.Orientation.Horizontal) == "名次"
    assert "*" in standings.model.data(standings.model.index(0, 2))  # masked names on a ranking
    standings.filter.setText("no such name anywhere")
    assert standings.proxy.rowCount() == 0


def test_sorting_is_by_value(office, sample_export, small_rules):
    sync(office.engine, str(sample_export), small_rules)
    tab = office.listing_tabs["standings"]
    tab.refresh()
    score_column = tab.model.listing.columns.index("score")
    tab.view.sortByColumn(score_column, Qt.SortOrder.AscendingOrder)
    values = [tab.proxy.index(row, score_column).data(Qt.ItemDataRole.UserRole) for row in range(tab.proxy.rowCount())]
    assert values == sorted(values)


def test_export_writes_the_table(office, sample_export, small_rules, tmp_path):
    sync(office.engine, str(sample_export), small_rules)
    tab = office.listing_tabs["branches"]
    tab.seed.setText(SEED)
    tab.refresh()
    target = tmp_path / "branches.xlsx"
    tab.export(str(target))
    sheet = load_workbook(target).active
    assert sheet.max_row == tab.model.rowCount() + 1


def test_charts_draw_from_the_store(office, sample_export, small_rules):
    sync(office.engine, str(sample_export), small_rules)
    data = office.chart_data("P1")
    assert sum(count for _, count in data["score_bins"]) == len(office.results().standings("P1"))
    assert len(data["daily"]) == 7 and all(0 <= rate <= 100 for _, rate in data["perfect"])
    office.refresh_charts()
    import pyqtgraph as pg
    bars = [item for item in office.plots["daily"].getPlotItem().items if isinstance(item, pg.BarGraphItem)]
    assert len(bars) == 1 and list(bars[0].opts["height"]) == [count for _, count in data["daily"]]


def test_draw_ceremony_shows_masked_winners_and_records_the_draw(office, sample_export, small_rules, qtbot):
    sync(office.engine, str(sample_export), small_rules)
    tab = office.listing_tabs["awards"]
    tab.seed.setText(SEED)
    office.open_ceremony()
    ceremony = office.ceremony
    qtbot.addWidget(ceremony)
    qtbot.waitUntil(lambda: "核验" in ceremony.winners.text(), timeout=10_000)
    assert SEED in ceremony.title.text() and "****" in ceremony.winners.text()
    assert f"draw-verify --draw pioneer-random:P1 --seed {SEED}" in ceremony.winners.text()
    results = office.results()
    people = results.people([w.participant_id for w in ceremony.draw.winners])
    for winner in ceremony.draw.winners[:5]:
        assert people[winner.participant_id]["phone"] not in ceremony.winners.text()


def test_sync_runs_off_the_gui_thread_and_the_loop_keeps_ticking(office, sample_export, qtbot):
    ticks = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    task = office.start_sync(str(sample_export))
    qtbot.waitUntil(task.done, timeout=60_000)
    timer.stop()
    assert task.result() is not None and "同步完成" in office.message.text()
    assert len(ticks) >= 5  # the interface stayed live while the sync ran


def test_cancelled_sync_leaves_the_store_as_it_was(office, sample_export, qtbot):
    office.cancel_requested.set()  # cancelled before the first step is taken
    task = office.start_sync(str(sample_export))
    office.cancel_requested.set()
    qtbot.waitUntil(task.done, timeout=60_000)
    assert task.result() is None and "the sync was cancelled" in office.message.text()
    with pytest.raises(Exception, match="no synced export"):
        office.results()


def test_team_selection_confirms_or_swaps_and_writes_the_contest(office, sample_export, small_rules, tmp_path):
    from PySide6.QtCore import Qt as QtNamespace
    sync(office.engine, str(sample_export), small_rules)
    view = office.team_selection
    assert view.load()
    full = next(view.tree.topLevelItem(i) for i in range(view.tree.topLevelItemCount())
                if view.tree.topLevelItem(i).childCount() >= 4)
    proposed = view.chosen()[full.data(0, QtNamespace.ItemDataRole.UserRole)]
    assert len(proposed) == 3 and "不足" not in full.text(0)
    alternate = full.child(3)
    alternate.setCheckState(0, QtNamespace.CheckState.Checked)  # a fourth: refused
    assert alternate.checkState(0) == QtNamespace.CheckState.Unchecked and "每队 3 人" in view.message.text()
    full.child(0).setCheckState(0, QtNamespace.CheckState.Unchecked)
    assert "不足 3 人" in full.text(0)
    alternate.setCheckState(0, QtNamespace.CheckState.Checked)  # the swap
    unit_id = full.data(0, QtNamespace.ItemDataRole.UserRole)
    chosen = view.chosen()[unit_id]
    assert chosen == proposed[1:] + [alternate.data(0, QtNamespace.ItemDataRole.UserRole)]
    target = view.write(str(tmp_path / "final.toml"))
    import tomllib
    teams = {team["id"]: team for team in tomllib.loads(target.read_text(encoding="utf-8"))["teams"]}
    names = {full.child(i).data(0, QtNamespace.ItemDataRole.UserRole): full.child(i).text(0)
             for i in range(full.childCount())}
    assert teams[f"unit{unit_id}"]["members"] == [names[person] for person in chosen]
