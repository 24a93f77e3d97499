"""A listing (the CLI's rows) as a Qt table model: one model over the tuples, no widget per row;
sorting and filtering through a proxy model. A big listing (a province's ranking) is a paged
model instead: a few pages held, sorted and filtered in the store."""
from __future__ import annotations

import asyncio
from collections import OrderedDict, deque

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt

from finals_app.core.tables.listings import Listing, shown_as
from finals_app.reports.writers import column_headers


class ListingModel(QAbstractTableModel):
    def __init__(self, listing: Listing | None = None, parent=None):
        super().__init__(parent)
        self.listing = listing

    def set_listing(self, listing: Listing) -> None:
        self.beginResetModel()
        self.listing = listing
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() or self.listing is None else len(self.listing.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() or self.listing is None else len(self.listing.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.listing is None:
            return None
        value = self.listing.rows[index.row()][index.column()]
        # UserRole: what sorting compares (numbers as numbers).
        return _shown(self.listing, self.listing.columns[index.column()], value, role)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt's name
        return _header(self.listing, section, orientation, role)


class ListingProxy(QSortFilterProxyModel):
    """Sorts by the raw values; the filter text matches any column."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(Qt.ItemDataRole.UserRole)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)


class PagedListingModel(QAbstractTableModel):
    """A big listing (core/online/paged.py's view) as a table that holds a few pages only: the
    row count is the view's, a row's page is asked for when the table first shows it (on the
    office's reader thread: the window never waits), and the pages shown least recently are
    dropped beyond MAX_PAGES. Sorting (a header click) and filtering are the tab's: they make a
    new view in the store, never sort rows here.

    `fetch(view, page)`: awaited for a page's rows; `resort(column, descending)`: a header click."""

    MAX_PAGES = 8
    WANTED = 4  # pages asked for lately: a page scrolled past before its turn is not read at all

    def __init__(self, fetch, resort, parent=None):
        super().__init__(parent)
        self.fetch = fetch
        self.resort = resort
        self.listing: Listing | None = None  # the columns, titles and how values show (no rows)
        self.view = None
        self.pages: OrderedDict[int, list[tuple]] = OrderedDict()
        self.pending: set[int] = set()
        self.wanted: deque[int] = deque(maxlen=self.WANTED)
        self.loads: set[asyncio.Task] = set()

    def set_view(self, listing: Listing, view, first_rows: list[tuple]) -> None:
        self.beginResetModel()
        self.listing, self.view = listing, view
        self.pages = OrderedDict({0: first_rows} if view.count else {})
        self.pending.clear()
        self.wanted.clear()
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self.view = None
        self.pages = OrderedDict()
        self.pending.clear()
        self.endResetModel()

    def held_rows(self) -> int:
        """How many rows the model holds now (at most MAX_PAGES pages)."""
        return sum(len(rows) for rows in self.pages.values())

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() or self.view is None else self.view.count

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() or self.listing is None else len(self.listing.columns)

    def row(self, row: int) -> tuple | None:
        """Row `row` if its page is held (it is then the most recently used); None otherwise,
        and its page is asked for."""
        page, at = divmod(row, self.view.page_rows)
        rows = self.pages.get(page)
        if rows is None:
            self.request(page)
            return None
        self.pages.move_to_end(page)
        return rows[at] if at < len(rows) else None

    def request(self, page: int) -> None:
        if page not in self.wanted:
            self.wanted.append(page)
        if page in self.pending:
            return
        self.pending.add(page)
        from finals_app.ui.qt_loop import start_task
        task = start_task(self._load(self.view, page))
        self.loads.add(task)
        task.add_done_callback(self.loads.discard)

    async def _load(self, view, page: int) -> None:
        try:
            await asyncio.sleep(0.01)  # let the scroll go on: only pages still wanted are read
            if view is not self.view or page not in self.wanted:
                return
            rows = await self.fetch(view, page)
        except Exception:  # noqa: BLE001 - the window closed, or the store went away: the rows stay empty
            return
        finally:
            if view is self.view:
                self.pending.discard(page)
        if not shiboken6.isValid(self) or view is not self.view:
            return
        self.pages[page] = rows
        while len(self.pages) > self.MAX_PAGES:
            self.pages.popitem(last=False)
        first = page * view.page_rows
        if rows:
            self.dataChanged.emit(self.index(first, 0), self.index(first + len(rows) - 1, self.columnCount() - 1))

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.listing is None or role not in _ROLES:
            return None
        row = self.row(index.row())
        if row is None:
            return "" if role == Qt.ItemDataRole.DisplayRole else None
        value = row[index.column()]
        return _shown(self.listing, self.listing.columns[index.column()], value, role)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt's name
        return _header(self.listing, section, orientation, role)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """A header click: the tab makes the view again, sorted in the store (-1: own order)."""
        if self.listing is None:
            return
        name = self.listing.columns[column] if 0 <= column < len(self.listing.columns) else None
        self.resort(name, order == Qt.SortOrder.DescendingOrder)


_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.UserRole, Qt.ItemDataRole.TextAlignmentRole)


def _header(listing: Listing | None, section: int, orientation, role):
    """A column's title (the row's number down the side), as the listings title them."""
    if role != Qt.ItemDataRole.DisplayRole or listing is None:
        return None
    if orientation == Qt.Orientation.Horizontal:
        column = listing.columns[section]
        return column_headers(listing).get(column, column)
    return str(section + 1)


def _shown(listing: Listing, column: str, value, role):
    """What a cell gives for `role`: as ListingModel shows a value."""
    if role == Qt.ItemDataRole.DisplayRole:
        if value is None:
            return ""
        show = shown_as(listing, column)
        return show(value) if show else str(value)
    if role == Qt.ItemDataRole.UserRole:
        return value if value is not None else ""
    if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, (int, float)):
        return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return None
