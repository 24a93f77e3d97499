"""A listing (the CLI's rows) as a Qt table model: one model over the tuples, no widget per row;
sorting and filtering through a proxy model."""
from __future__ import annotations

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
        column = self.listing.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if value is None:
                return ""
            show = shown_as(self.listing, column)
            return show(value) if show else str(value)
        if role == Qt.ItemDataRole.UserRole:  # what sorting compares: numbers as numbers
            return value if value is not None else ""
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, (int, float)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt's name
        if role != Qt.ItemDataRole.DisplayRole or self.listing is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            column = self.listing.columns[section]
            return column_headers(self.listing).get(column, column)
        return str(section + 1)


class ListingProxy(QSortFilterProxyModel):
    """Sorts by the raw values; the filter text matches any column."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(Qt.ItemDataRole.UserRole)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
