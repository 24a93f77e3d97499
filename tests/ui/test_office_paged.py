"""The office's big tables (a province's ranking): the model holds a bounded number of rows
however far it is scrolled; a header click and the filter give exactly the rows and order of the
full listing, with its masks; the export reports its progress, and a cancelled one leaves no
file (nor openpyxl's temporary sheets)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

os.environ.setdefault("QT_API", "pyside6")
from PySide6.QtCore import Qt  # noqa: E402

from finals_app.core.online.sync import sync  # noqa: E402
from finals_app.core.store.engine import open_store  # noqa: E402
from finals_app.core.tables.masking import mask_name, mask_phone  # noqa: E402
from finals_app.ui.online import paged_tab  # noqa: E402
from finals_app.ui.online.listing_tab import staff_listing  # noqa: E402
from finals_app.ui.online.office import OfficeWindow  # noqa: E402
from finals_app.ui.online.table_model import PagedListingModel  # noqa: E402
from tests.ui.test_office import loop  # noqa: E402,F401 - the fixture: the window's asyncio loop
from tests.ui.test_office import table_rows as every_row  # noqa: E402

PAGE = 20


@pytest.fixture
def office(qtbot, tmp_path, sample_export, small_rules, loop, monkeypatch):  # noqa: F811 - the imported fixture
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")
    monkeypatch.setattr(paged_tab, "PAGE_ROWS", PAGE)  # many pages of a small ranking
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    sync(engine, str(sample_export), small_rules)
    window = OfficeWindow(engine, small_rules)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    yield window
    window.close()
    engine.dispose()


def loaded(qtbot, tab):
    assert tab.task is None or qtbot.waitUntil(tab.task.done, timeout=30_000) is None
    qtbot.waitUntil(lambda: tab.task is not None and tab.task.done() and tab.model.view is not None, timeout=30_000)
    assert tab.task.result(), tab.status.text()


def standings_tab(office, qtbot):
    """The ranking's tab, in view, its first view made."""
    tab = office.listing_tabs["standings"]
    office.tabs.setCurrentWidget(tab)
    loaded(qtbot, tab)
    return tab


def full_listing(office, tab):
    """The tab's listing as the office showed it before: every row built at once."""
    listing, _note = staff_listing(office.results(), tab.build, tab.params())
    return listing


def visible_rows(qtbot, tab) -> list[tuple]:
    """The rows the table shows now, once their pages have come."""
    view = tab.view
    first = view.rowAt(0)
    last = view.rowAt(view.viewport().height() - 1)
    last = tab.model.rowCount() - 1 if last < 0 else last
    view.viewport().repaint()
    qtbot.waitUntil(lambda: all(tab.model.row(row) is not None for row in range(first, last + 1)), timeout=30_000)
    return [tab.model.row(row) for row in range(first, last + 1)]


def test_the_model_holds_a_bounded_number_of_rows_however_far_it_scrolls(office, qtbot):
    tab = standings_tab(office, qtbot)
    full = full_listing(office, tab)
    model = tab.model
    assert model.rowCount() == len(full.rows) > PAGE * (PagedListingModel.MAX_PAGES + 2)
    bound = PAGE * PagedListingModel.MAX_PAGES
    seen = set()
    for fraction in (0.0, 0.3, 0.6, 1.0, 0.5, 0.1, 0.9):  # the scroll bar dragged about, then to the end
        bar = tab.view.verticalScrollBar()
        bar.setValue(round(bar.maximum() * fraction))
        rows = visible_rows(qtbot, tab)
        first = tab.view.rowAt(0)
        assert rows == full.rows[first:first + len(rows)], fraction
        assert model.held_rows() <= bound
        seen.update(model.pages)
    tab.view.scrollToBottom()
    assert visible_rows(qtbot, tab)[-1] == full.rows[-1]
    for row in range(0, model.rowCount(), PAGE // 2):  # every row read once: still a few pages held
        qtbot.waitUntil(lambda: model.row(row) is not None, timeout=30_000)
        assert model.held_rows() <= bound
    assert len(seen) > PagedListingModel.MAX_PAGES


def test_header_clicks_and_the_filter_give_the_full_listings_rows(office, qtbot):
    tab = standings_tab(office, qtbot)
    full = full_listing(office, tab)
    columns = full.columns
    assert tab.model.listing.columns == columns
    assert [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(columns))] == [
        tab_header for tab_header in (full_header(full, c) for c in columns)]
    for column, order in (("score", Qt.SortOrder.AscendingOrder), ("average_duration_ms", Qt.SortOrder.DescendingOrder),
                          ("branch", Qt.SortOrder.AscendingOrder), ("name", Qt.SortOrder.DescendingOrder)):
        at = columns.index(column)
        tab.view.sortByColumn(at, order)
        descending = order == Qt.SortOrder.DescendingOrder
        qtbot.waitUntil(lambda: tab.model.view.sort == column and tab.model.view.descending == descending
                        and tab.task.done(), timeout=30_000)
        want = sorted(full.rows, key=lambda row: "" if row[at] is None else row[at], reverse=descending)
        assert every_row(qtbot, tab.model) == want, column  # a stable sort of the whole listing
    tab.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # back to the ranking's order
    qtbot.waitUntil(lambda: tab.model.view.sort is None and tab.task.done(), timeout=30_000)
    branch = full.rows[len(full.rows) // 2][columns.index("branch")]
    for text in (branch, full.rows[3][columns.index("phone")][-4:], "9"):
        tab.filter.setText(text)
        qtbot.waitUntil(lambda: tab.model.view.text == text and tab.task.done(), timeout=30_000)
        shown = [row for row in full.rows
                 if any(text.lower() in str(value).lower() for column, value in zip(columns, row)
                        if column != "average_duration_ms" and value is not None)]
        assert tab.model.rowCount() == len(shown) > 0 and every_row(qtbot, tab.model) == shown, text
        assert tab.status.text() == f"{len(shown):,} 行"


def full_header(listing, column):
    from finals_app.reports.writers import column_headers
    return column_headers(listing)[column]


def test_the_masks_are_applied(office, qtbot):
    tab = standings_tab(office, qtbot)
    people = {row["participant_id"]: row for row in office.results().standings(tab.period.currentData())}
    columns = tab.model.listing.columns
    name, phone = columns.index("name"), columns.index("phone")
    rows = every_row(qtbot, tab.model)
    assert len(rows) == len(people)
    for row in rows:
        person = people[row[1]]
        assert row[name] == mask_name(person["name"]) and row[phone] == mask_phone(person["phone"])
        assert person["phone"] not in row
    qtbot.waitUntil(lambda: tab.model.row(0) is not None, timeout=30_000)  # read again: page 0 was let go
    shown = [tab.model.index(0, c).data() for c in range(len(columns))]
    assert "*" in shown[name] and "****" in shown[phone] and people[rows[0][1]]["phone"] not in shown


def test_the_export_reports_progress_and_a_cancelled_one_leaves_no_file(office, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(paged_tab, "EXPORT_BATCH", 50)
    tab = standings_tab(office, qtbot)
    tab.view.sortByColumn(tab.model.listing.columns.index("score"), Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: tab.model.view.sort == "score" and tab.task.done(), timeout=30_000)
    want = every_row(qtbot, tab.model)
    reports = []
    put = tab.export_progress.put
    monkeypatch.setattr(tab.export_progress, "put", lambda *report: reports.append(report) or put(*report))
    target = tmp_path / "standings.xlsx"
    task = tab.export(str(target))
    assert not tab.export_button.isEnabled() and not tab.progress.isHidden()
    qtbot.waitUntil(task.done, timeout=60_000)
    assert task.result() == target and tab.status.text() == f"已导出：{target}" or "已导出" in tab.status.text()
    assert [done for _stage, done, _total in reports] == list(range(50, len(want), 50)) + [len(want)]
    assert {total for _stage, _done, total in reports} == {len(want)}
    sheet = load_workbook(target, read_only=True).active
    cells = list(sheet.iter_rows(values_only=True))
    assert list(cells[0]) == [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(want[0]))]
    assert [row[:2] for row in cells[1:]] == [row[:2] for row in want]  # the view's order, every row
    assert tab.export_button.isEnabled() and tab.progress.isHidden()

    # cancelled after its first batch: no file, no half file, no temporary sheet left
    before = set(Path(tempfile.gettempdir()).glob("openpyxl.*"))
    reports.clear()
    monkeypatch.setattr(tab.export_progress, "put", lambda *report: reports.append(report) or tab.cancel_export())
    cancelled = tmp_path / "cancelled.xlsx"
    task = tab.export(str(cancelled))
    qtbot.waitUntil(task.done, timeout=60_000)
    assert task.result() is None and len(reports) == 1 and "取消" in tab.status.text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["standings.xlsx", "store.sqlite", "store.sqlite-shm",
                                                          "store.sqlite-wal"] or not cancelled.exists()
    assert not cancelled.exists() and not list(tmp_path.glob("cancelled*"))
    assert set(Path(tempfile.gettempdir()).glob("openpyxl.*")) <= before
    csv_target = tmp_path / "standings.csv"  # and as CSV, the same rows
    task = tab.export(str(csv_target))
    monkeypatch.setattr(tab.export_progress, "put", put)
    qtbot.waitUntil(task.done, timeout=60_000)
    assert len(csv_target.read_text(encoding="utf-8").splitlines()) == len(want) + 1


def test_the_final_tab_says_why_it_is_empty_and_the_invalid_tab_pages(office, qtbot, small_rules):
    invalid = office.listing_tabs["invalid"]
    office.tabs.setCurrentWidget(invalid)
    loaded(qtbot, invalid)
    full = full_listing(office, invalid)
    assert every_row(qtbot, invalid.model) == full.rows and invalid.model.listing.columns == full.columns
    final = office.listing_tabs["final"]
    office.tabs.setCurrentWidget(final)
    qtbot.waitUntil(lambda: final.task is not None and final.task.done(), timeout=30_000)
    if final.task.result():
        assert every_row(qtbot, final.model)[:5] == full_listing(office, final).rows[:5]
    else:
        assert final.model.rowCount() == 0 and "FINAL" in final.status.text()
