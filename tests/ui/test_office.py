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


def finished(qtbot, task):
    """What a tab's worker task gave, once it is done (None when nothing was started)."""
    if task is None:
        return None
    qtbot.waitUntil(task.done, timeout=60_000)
    return task.result()


def table_rows(qtbot, model) -> list[tuple]:
    """Every row of a paged table, its pages read as scrolling asks for them."""
    rows = []
    for row in range(model.rowCount()):
        qtbot.waitUntil(lambda: model.row(row) is not None, timeout=30_000)
        rows.append(model.row(row))
    return rows


def filtered(qtbot, tab, text: str) -> None:
    """Type `text` in a paged tab's filter and wait for the store's answer."""
    tab.filter.setText(text)
    qtbot.waitUntil(lambda: tab.model.view is not None and tab.model.view.text == text and tab.task.done(),
                    timeout=30_000)


@pytest.fixture
def loop(qapp):
    event_loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    asyncio.set_event_loop(None)
    asyncio.events._set_running_loop(None)


@pytest.fixture
def office(qtbot, tmp_path, sample_export, small_rules, loop, monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")  # the office as its users see it
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    window = OfficeWindow(engine, small_rules)
    qtbot.addWidget(window)
    window.show()
    yield window
    engine.dispose()


def test_every_listing_fills_its_table(office, sample_export, small_rules, qtbot):
    sync(office.engine, str(sample_export), small_rules)
    office.confirm = lambda parent, text: True
    office.listing_tabs["lottery"].seed.setText(SEED)
    office.draw_lottery()  # the day's lottery is drawn (confirmed) before its list can fill
    finished(qtbot, office.listing_tabs["lottery"].task)
    for name, tab in office.listing_tabs.items():
        tab.seed.setText(SEED)
        assert finished(qtbot, tab.start_refresh()), (name, tab.status.text())
        if name not in ("invalid",):
            assert tab.model.rowCount() > 0, name
    standings = office.listing_tabs["standings"]
    assert standings.model.headerData(0, Qt.Orientation.Horizontal) == "名次"
    assert "*" in standings.model.data(standings.model.index(0, 2))  # masked names on a ranking
    filtered(qtbot, standings, "no such name anywhere")  # filtered in the store
    assert standings.model.rowCount() == 0


def test_sorting_is_by_value(office, sample_export, small_rules, qtbot):
    sync(office.engine, str(sample_export), small_rules)
    tab = office.listing_tabs["standings"]
    finished(qtbot, tab.start_refresh())
    ranks = [row[0] for row in table_rows(qtbot, tab.model)]
    assert ranks == list(range(1, len(ranks) + 1))  # the ranking's own order until a header is clicked
    score_column = tab.model.listing.columns.index("score")
    tab.view.sortByColumn(score_column, Qt.SortOrder.AscendingOrder)  # sorted in the store
    qtbot.waitUntil(lambda: tab.model.view.sort == "score" and tab.task.done(), timeout=30_000)
    values = [row[score_column] for row in table_rows(qtbot, tab.model)]
    assert values == sorted(values) and len(values) == len(ranks)


def test_export_writes_the_table(office, sample_export, small_rules, tmp_path, qtbot):
    sync(office.engine, str(sample_export), small_rules)
    tab = office.listing_tabs["branches"]
    tab.seed.setText(SEED)
    finished(qtbot, tab.start_refresh())
    target = tmp_path / "branches.xlsx"
    tab.export(str(target))
    sheet = load_workbook(target).active
    assert sheet.max_row == tab.model.rowCount() + 1


def test_charts_draw_from_the_store(office, sample_export, small_rules, qtbot):
    sync(office.engine, str(sample_export), small_rules)
    data = office.charts.chart_data("P1")
    assert sum(count for _, count in data["score_bins"]) == len(office.results().standings("P1"))
    assert len(data["daily"]) == 7 and all(0 <= rate <= 100 for _, rate in data["perfect"])
    import sqlite3
    from datetime import date, timedelta
    with sqlite3.connect(office.engine.url.database) as db:  # counted from the attempts themselves
        counted = dict(db.execute("select day, count(distinct participant_id) from attempt_status "
                                  "where phase = 'P1' and reason is null group by day").fetchall())
    first = small_rules.phase("P1").first_day
    assert [n for _, n in data["daily"]] == [counted.get((first + timedelta(days=i) - date(1970, 1, 1)).days, 0)
                                            for i in range(7)] and sum(counted.values()) > 0
    assert finished(qtbot, office.refresh_charts())  # counted on the worker, then drawn
    import pyqtgraph as pg
    bars = [item for item in office.charts.plots["daily"].getPlotItem().items if isinstance(item, pg.BarGraphItem)]
    assert len(bars) == 1 and list(bars[0].opts["height"]) == [count for _, count in data["daily"]]


def test_listings_never_run_a_draw_and_the_ceremony_confirms_the_seed(office, sample_export, small_rules, qtbot):
    from finals_app.core.online.draws import current_draw
    sync(office.engine, str(sample_export), small_rules)
    tab = office.listing_tabs["awards"]
    tab.seed.setText(SEED)
    assert finished(qtbot, tab.start_refresh())  # 查询: the recorded draw only; none yet
    assert "尚未进行" in tab.status.text() and {row[0] for row in tab.model.listing.rows} == {"top"}
    with office.engine.connect() as connection:
        assert current_draw(connection, "pioneer-random:P1") is None
    asked = []
    office.confirm = lambda parent, text: asked.append(text) or False  # the operator says no
    office.open_ceremony()
    assert SEED in asked[-1] and "第1期" in asked[-1] and office.ceremony is None
    with office.engine.connect() as connection:
        assert current_draw(connection, "pioneer-random:P1") is None
    office.confirm = lambda parent, text: True
    office.open_ceremony()
    ceremony = office.ceremony
    qtbot.addWidget(ceremony)
    qtbot.waitUntil(lambda: "第 1 /" in ceremony.page_label.text(), timeout=10_000)
    assert SEED in ceremony.title.text() and "****" in ceremony.winners.text()
    screen = ceremony.title.text() + ceremony.rolling.text() + ceremony.winners.text() + ceremony.page_label.text()
    assert "draw-verify" not in screen and "pioneer-random" not in screen and "finals-app" not in screen
    results = office.results()
    people = results.people([w.participant_id for w in ceremony.draw.winners])
    seen = []
    for page in range(ceremony.pages):  # the host turns every page; each winner on one line
        lines = ceremony.winners.text().splitlines()
        assert len(lines) <= ceremony.PER_PAGE
        seen += lines
        qtbot.keyClick(ceremony, Qt.Key.Key_Right)
    assert len(seen) == len(ceremony.draw.winners) == 40
    for line, winner in zip(seen, ceremony.draw.winners):
        person = people[winner.participant_id]
        assert str(winner.participant_id) not in line and person["phone"] not in line
        assert person["phone"][-4:] in line and person["name"][0] in line
    qtbot.waitUntil(lambda: tab.task is not None and tab.task.done(), timeout=30_000)
    assert {row[0] for row in tab.model.listing.rows} == {"top", "random"}

    # another seed: only an explicit redraw with a reason, recorded
    tab.seed.setText("other-seed")
    office.ask_reason = lambda parent, text: None  # no reason given: nothing happens
    office.open_ceremony()
    with office.engine.connect() as connection:
        assert current_draw(connection, "pioneer-random:P1").seed == SEED
    office.ask_reason = lambda parent, text: asked.append(text) or "公证处要求重抽"
    office.open_ceremony()
    assert SEED in asked[-1] and "other-seed" in asked[-1]
    with office.engine.connect() as connection:
        redrawn = current_draw(connection, "pioneer-random:P1")
    assert (redrawn.seed, redrawn.reason) == ("other-seed", "公证处要求重抽") and redrawn.redraw_of is not None
    qtbot.waitUntil(lambda: tab.task.done(), timeout=30_000)


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
    assert task.result() is None and "同步已取消" in office.message.text()
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
    assert view.write(str(tmp_path / "no-such-folder" / "final.toml")) is None
    assert "no-such-folder" in view.message.text() and not list(tmp_path.rglob("final.toml*"))
    target = view.write(str(tmp_path / "final.toml"))
    import tomllib
    teams = {team["id"]: team for team in tomllib.loads(target.read_text(encoding="utf-8"))["teams"]}
    names = {full.child(i).data(0, QtNamespace.ItemDataRole.UserRole): full.child(i).text(0)
             for i in range(full.childCount())}
    assert teams[f"unit{unit_id}"]["members"] == [names[person] for person in chosen]


def test_paperwork_tabs_give_the_cli_rows(office, sample_export, small_rules, tmp_path, qtbot):
    """Archives, ledger and payouts in the office are the CLI's rows; organisations are picked by
    name from a completer; payouts carry full phones and say which lottery days are missing."""
    from finals_app.core.online import paperwork
    sync(office.engine, str(sample_export), small_rules)
    results = office.results()
    tabs = office.paperwork.tabs
    top = results.standings("P1", limit=1)[0]
    tabs["archive-member"].member.setText(str(top["participant_id"]))
    assert finished(qtbot, tabs["archive-member"].start_refresh())
    assert tabs["archive-member"].model.listing.rows == [
        tuple(row[c] for c in tabs["archive-member"].model.listing.columns)
        for row in paperwork.member_archive(results, top["participant_id"])]
    ledger_tab = tabs["ledger"]
    choices = paperwork.organisation_choices(results, ("branch",))
    assert ledger_tab.org.load_choices() == len(choices) > 10
    names = [name for _, name, _ in choices]
    branch_id, branch_name, _ = next(c for c in choices if names.count(c[1]) == 1)
    ledger_tab.org.setText(branch_name)  # the exact name is enough when it is unique
    assert finished(qtbot, ledger_tab.start_refresh()), ledger_tab.status.text()
    expected = paperwork.ledger(results, branch_id, "P1")
    assert [row[0] for row in ledger_tab.model.listing.rows] == [r["participant_id"] for r in expected]
    assert all("****" in row[2] for row in ledger_tab.model.listing.rows if row[2])  # masked phones
    ledger_tab.org.setText("没有这个支部")
    assert not finished(qtbot, ledger_tab.start_refresh()) and "没有这个支部" in ledger_tab.status.text()
    payouts = tabs["payouts"]
    payouts.seed.setText(SEED)
    assert finished(qtbot, payouts.start_refresh())
    assert "尚未抽取每日参与奖" in payouts.status.text()
    phone = payouts.model.listing.columns.index("phone")
    assert all(row[phone].isdigit() for row in payouts.model.listing.rows)  # full numbers for the operator
    payouts.final.setChecked(True)
    assert finished(qtbot, payouts.start_refresh()) and not payouts.period.isEnabled()
    assert {row[0] for row in payouts.model.listing.rows} == {"exemplar-tier-1", "exemplar-tier-2", "exemplar-tier-3"}


def test_period_report_from_the_office(office, sample_export, small_rules, tmp_path, qtbot):
    from finals_app.core.online import paperwork
    sync(office.engine, str(sample_export), small_rules)
    results = office.results()
    committee = paperwork.excellent_organisations(results, "P1")[0]
    report = office.paperwork.report
    report.org.load_choices()
    offered = report.org.completer().model().stringList()
    pick = next(text for text in offered if text.startswith(f"{committee['name']} ({committee['committee_id']})"))
    report.org.setText(pick)
    assert finished(qtbot, report.start_preview()), report.status.text()
    shown = {report.figures.itemAt(row, report.figures.ItemRole.LabelRole).widget().text():
             report.figures.itemAt(row, report.figures.ItemRole.FieldRole).widget().text()
             for row in range(report.figures.rowCount())}
    data = paperwork.period_report_data(results, committee["committee_id"], "P1")
    assert shown["登记党员"] == f"{data['party_members']:,}" and shown["优秀组织奖"] == "第 1 名"
    import pyqtgraph as pg
    bars = [item for item in report.daily.getPlotItem().items if isinstance(item, pg.BarGraphItem)]
    assert len(bars) == 1 and list(bars[0].opts["height"]) == [d["participants"] for d in data["daily"]]
    pdf = finished(qtbot, report.start_write(".pdf", str(tmp_path / "r.pdf")))
    xlsx = finished(qtbot, report.start_write(".xlsx", str(tmp_path / "r.xlsx")))
    assert pdf.read_bytes().startswith(b"%PDF") and load_workbook(xlsx).sheetnames[0] == "概况"
    report.org.setText("999999")
    assert finished(qtbot, report.start_write(".pdf", str(tmp_path / "wrong.pdf"))) is None
    assert "999999" in report.status.text() and not (tmp_path / "wrong.pdf").exists()
    assert report.figures.rowCount() == 0 and report.daily.isHidden()  # nothing of the earlier one left


def test_listings_and_reports_are_built_off_the_gui_thread(office, sample_export, small_rules, qtbot, tmp_path):
    """The 查询 button and the report's PDF button run on the worker thread: the event loop keeps
    ticking, the buttons wait, and the results are the same as built in place."""
    from finals_app.core.online import paperwork
    sync(office.engine, str(sample_export), small_rules)
    ticks = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    tab = office.listing_tabs["branches"]
    tab.seed.setText(SEED)
    qtbot.mouseClick(tab.refresh_button, Qt.MouseButton.LeftButton)
    assert not tab.refresh_button.isEnabled() and tab.task is not None
    qtbot.waitUntil(tab.task.done, timeout=30_000)
    assert tab.task.result() and tab.refresh_button.isEnabled()
    in_worker = list(tab.model.listing.rows)
    from finals_app.ui.online.listing_tab import staff_listing
    built_here, _ = staff_listing(office.results(), tab.build, tab.params())  # the same, built on this thread
    assert built_here.rows == in_worker and len(in_worker) > 5
    report = office.paperwork.report
    committee = paperwork.excellent_organisations(office.results(), "P1")[0]["committee_id"]
    report.org.setText(str(committee))
    task = report.start_write(".pdf", str(tmp_path / "r.pdf"))
    assert not report.pdf_button.isEnabled()
    qtbot.waitUntil(task.done, timeout=60_000)
    timer.stop()
    assert task.result() == tmp_path / "r.pdf" and (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert report.figures.rowCount() > 5 and report.pdf_button.isEnabled() and "已生成" in report.status.text()
    assert len(ticks) >= 3
    report.org.setText("没有这个党委")
    assert report.start_write(".pdf", str(tmp_path / "x.pdf")) is None and "没有这个党委" in report.status.text()


def test_the_office_speaks_as_the_staff_read(office, sample_export, small_rules, qtbot):
    """Durations as the platform showed them, organisations by name, periods with their dates,
    invalid attempts with the person's name and time; a tab loads when it is opened."""
    sync(office.engine, str(sample_export), small_rules)
    results = office.results()
    standings = office.listing_tabs["standings"]
    office.tabs.setCurrentWidget(office.listing_tabs["awards"])
    office.tabs.setCurrentWidget(standings)  # opening the tab loads it: no empty table until 查询
    qtbot.waitUntil(lambda: standings.model.listing is not None, timeout=30_000)
    listing = standings.model.listing
    shown_period = standings.period.currentData()
    assert shown_period == results.synced_phases()[-1].id  # the latest period the store has data of
    first = results.standings(shown_period)[0]
    assert "average_duration_ms" in listing.columns and "branch_id" not in listing.columns
    shown = {listing.columns[c]: standings.model.data(standings.model.index(0, c)) for c in range(len(listing.columns))}
    assert shown["average_duration_ms"] == f"{first['duration_ms'] / first['valid_attempts'] / 1000:.2f}秒"
    assert shown["branch"] == results.organisation_names()[first["branch_id"]]
    assert standings.model.headerData(listing.columns.index("average_duration_ms"), Qt.Orientation.Horizontal) == "平均用时"
    assert standings.period.itemText(0).startswith("第1期（") and standings.period.itemData(0) == "P1"
    invalid = office.listing_tabs["invalid"]
    office.tabs.setCurrentWidget(invalid)
    qtbot.waitUntil(lambda: invalid.model.listing is not None, timeout=30_000)
    rows = table_rows(qtbot, invalid.model)
    columns = invalid.model.listing.columns
    assert rows and columns[:4] == ("attempt_id", "participant_id", "name", "started_at")
    person = results.people([rows[0][1]])[rows[0][1]]
    import re
    assert rows[0][2] == person["name"] and re.fullmatch(r"20\d\d-\d\d-\d\d \d\d:\d\d:\d\d", rows[0][3])
    branches = office.listing_tabs["branches"]
    office.tabs.setCurrentWidget(branches)
    qtbot.waitUntil(lambda: branches.model.listing is not None, timeout=30_000)
    assert "branch_id" not in branches.model.listing.columns and "name" in branches.model.listing.columns


def test_the_tab_in_view_loads_when_the_window_is_shown_before_its_loop_runs(qapp, qtbot, export_copy, small_rules,
                                                                               tmp_path, monkeypatch):
    """As `finals-app office` starts: the window is shown, then its qasync loop runs. The tab in
    view loads (it stayed on 正在查询… for ever: its query was put on a loop that never ran), and
    every period choice opens on the latest period the store has data of (here P2 alone)."""
    import sqlite3
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")
    with sqlite3.connect(export_copy) as db:  # the platform's export of P2 only
        db.execute("delete from attempts where started_at >= '2018-02-01' or started_at < '2018-01-01'")
        db.execute("delete from shares where shared_at >= '2018-02-01' or shared_at < '2018-01-01'")
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    sync(engine, str(export_copy), small_rules)
    window = OfficeWindow(engine, small_rules)
    qtbot.addWidget(window)
    window.show()  # no event loop runs yet
    standings = window.listing_tabs["standings"]
    event_loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(event_loop)

    async def loaded() -> None:
        while standings.model.listing is None:
            await asyncio.sleep(0.05)

    try:
        with event_loop:
            event_loop.run_until_complete(asyncio.wait_for(loaded(), 30))
    except asyncio.TimeoutError:
        pytest.fail(f"the tab in view never loaded: {standings.status.text()!r}")
    finally:
        asyncio.set_event_loop(None)
        engine.dispose()
    assert standings.model.rowCount() > 0 and standings.refresh_button.isEnabled()
    assert standings.status.text().endswith("行")
    combos = [tab.period for tab in (*window.listing_tabs.values(), *window.paperwork.tabs.values())]
    assert {combo.currentData() for combo in [*combos, window.paperwork.report.period, window.chart_period]} == {"P2"}
    assert window.listing_tabs["lottery"].day.text() == "2018-01-11"  # P2's first day
