"""Writing a listing as an aligned table (Chinese headers), CSV, JSON lines or XLSX."""
from __future__ import annotations

import csv
import io
import os
import stat
import json
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from finals_app.core.errors import FinalsError, Location
from finals_app.core.i18n import current_language, translate
from finals_app.core.tables.listings import (Listing, column_title, display_width, percent, shown_as,
                                             two_places)

FORMATS = ("table", "csv", "json", "xlsx")
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header row


def column_headers(listing: Listing, language: str | None = None) -> dict[str, str]:
    """Each column's title in `language` (the contract's names in English)."""
    language = language or current_language()
    if language != "zh_CN":
        return {column: column for column in listing.columns}
    titles = listing.titles or {}
    return {column: translate(titles[column], language) if column in titles else column_title(column, language)
            for column in listing.columns}


def _cell(value) -> str:
    return "" if value is None else str(value)


def write_table(listing: Listing, stream: TextIO, language: str | None = None) -> None:
    headers = column_headers(listing, language)
    names = [headers.get(c, c) for c in listing.columns]
    shows = [shown_as(listing, c, language) or _cell for c in listing.columns]
    shown = [[show(value) if value is not None else "" for show, value in zip(shows, row)] for row in listing.rows]
    widths = [max([display_width(name)] + [display_width(r[i]) for r in shown]) for i, name in enumerate(names)]
    numeric = [bool(listing.rows) and all(isinstance(row[i], (int, float)) or row[i] is None for row in listing.rows)
               for i in range(len(listing.columns))]

    def line(cells: list[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - display_width(cell))
            parts.append(pad + cell if numeric[i] else cell + pad)
        return "  ".join(parts).rstrip()

    stream.write(line(names) + "\n")
    stream.write("  ".join("-" * w for w in widths) + "\n")
    for cells in shown:
        stream.write(line(cells) + "\n")


def write_csv(listing: Listing, stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(listing.columns)
    writer.writerows(listing.rows)  # the csv module writes None as nothing


def write_json(listing: Listing, stream: TextIO) -> None:
    """JSON lines: one object per row, keys exactly the listing's columns."""
    columns = listing.columns
    for row in listing.rows:
        stream.write(json.dumps(dict(zip(columns, row)), ensure_ascii=False) + "\n")


DATE_COLUMNS = frozenset({"due_date", "day"})
DATETIME_COLUMNS = frozenset({"created_at"})


def _xlsx_columns(listing: Listing, language: str | None) -> list[tuple[str | None, object]]:
    """Per column: the number format, and how a value becomes a cell value. Numbers stay numbers
    (rates as percentages, scores of organisations with two decimals), dates and times become
    real dates and times, coded values (award, reason, yes/no) the words the table shows."""
    out = []
    for column in listing.columns:
        show = shown_as(listing, column, language)
        if show is percent:
            out.append(("0.00%", None))
        elif show is two_places:
            out.append(("0.00", None))
        elif show is not None:
            out.append((None, lambda value, show=show: None if value is None else show(value)))
        elif column in DATE_COLUMNS:
            out.append(("yyyy-mm-dd", lambda value: _parse_time(value, date.fromisoformat)))
        elif column in DATETIME_COLUMNS:
            out.append(("yyyy-mm-dd hh:mm:ss", lambda value: _parse_time(value, _naive_datetime)))
        else:
            out.append((None, None))
    return out


def _naive_datetime(text: str) -> datetime:
    # Excel has no time zones: the recorded instant in this machine's local time.
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (moment.astimezone() if moment.tzinfo else moment).replace(tzinfo=None)


def _parse_time(value, parse):
    if not isinstance(value, str) or not value:
        return value or None
    try:
        return parse(value)
    except ValueError:
        return value


class ExportCancelled(FinalsError):
    """An export stopped by its user: nothing was written (the temporary file is removed)."""


def write_xlsx(listing: Listing, path: Path, language: str | None = None, batches=None, total: int | None = None,
               progress=None) -> None:
    """`listing` as a workbook (a sheet per million rows). `batches`: its rows given a list at a
    time instead of `listing.rows` (a big listing read page by page: never held whole);
    `progress(done, total)` after each batch may raise ExportCancelled to stop (the caller's
    write_atomically then leaves no file)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    headers = column_headers(listing, language)
    workbook = Workbook(write_only=True)
    title = listing.name[:28]
    columns = _xlsx_columns(listing, language)
    batches = iter(batches if batches is not None else [listing.rows])
    first = next(batches, [])
    widths = [max(10, display_width(headers.get(c, c)) + 2) for c in listing.columns]
    for row in first[:2000]:
        for i, value in enumerate(row):
            convert = columns[i][1]
            widths[i] = min(60, max(widths[i], display_width(_cell(convert(value) if convert else value)) + 2))
    bold = Font(bold=True)
    formatted = [i for i, (number_format, _) in enumerate(columns) if number_format]
    converted = [(i, convert) for i, (_, convert) in enumerate(columns) if convert]
    sheets = []

    def new_sheet():
        sheet = workbook.create_sheet(title if not sheets else f"{title} ({len(sheets) + 1})")
        sheets.append(sheet)
        sheet.freeze_panes = "A2"
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        header_cells = []
        for c in listing.columns:
            cell = WriteOnlyCell(sheet, headers.get(c, c))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        return sheet

    sheet, room, done = new_sheet(), XLSX_MAX_ROWS, 0
    try:
        for batch in _chained(first, batches):
            start = 0
            while start < len(batch):
                if room == 0:
                    sheet, room = new_sheet(), XLSX_MAX_ROWS
                chunk = batch[start:start + room]
                room -= len(chunk)
                start += len(chunk)
                _append_rows(sheet, chunk, columns, formatted, converted)
            done += len(batch)
            if progress is not None:
                progress(done, total if total is not None else done)
        workbook.save(path)
    except BaseException:
        for sheet in sheets:  # openpyxl's own temporary files go too (not left until exit)
            try:
                if not sheet.closed:
                    sheet.close()  # its rows' writer ends its XML first
                writer = getattr(sheet, "_writer", None)
                if writer is not None:
                    writer.cleanup()
            except Exception:  # noqa: BLE001 - already gone; the export's own failure is raised
                pass
        raise


def _chained(first, batches):
    if first:
        yield first
    yield from batches


def _append_rows(sheet, rows, columns, formatted, converted) -> None:
    from openpyxl.cell import WriteOnlyCell
    if not formatted and not converted:
        for row in rows:  # the fast path (a million standings rows): plain values
            sheet.append(row)
        return
    for row in rows:
        values = list(row)
        for i, convert in converted:
            values[i] = convert(values[i])
        for i in formatted:
            cell = WriteOnlyCell(sheet, values[i])
            cell.number_format = columns[i][0]
            values[i] = cell
        sheet.append(values)


def write_csv_batches(listing: Listing, batches, path: Path, total: int | None = None, progress=None) -> None:
    """`listing`'s columns then rows given a list at a time, as write_xlsx's `batches`."""
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(listing.columns)
        done = 0
        for batch in batches:
            writer.writerows(batch)
            done += len(batch)
            if progress is not None:
                progress(done, total if total is not None else done)


def write_atomically(target: Path, write, suffix: str = "") -> Path:
    """Run `write(temporary_path)` then put the file in place: a failure (a missing folder, no
    permission, a full disk) never leaves an empty or half file that looks like a result. The
    temporary file is opened first, so the reason is the system's own and nothing is computed
    into a file that cannot be written.

    Only a regular file is replaced (keeping its permissions), and a symbolic link is followed
    to the file it names. Anything else that exists (/dev/null, a FIFO, /dev/stdout) is written
    in place, never replaced; a folder is refused."""
    target = Path(target)
    resolved = Path(os.path.realpath(target))
    try:
        existing = os.stat(resolved)
    except OSError:
        existing = None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise FinalsError("cannot write {path}: {reason}", Location(str(target)), path=str(target),
                          reason=translate("is a folder"))
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        return _write_in_place(target, resolved, write, suffix)
    temporary = resolved.with_name(resolved.name + ".partial" + suffix)
    try:
        temporary.open("wb").close()
        write(temporary)
        if existing is not None:
            os.chmod(temporary, stat.S_IMODE(existing.st_mode))
        temporary.replace(resolved)
    except OSError as error:
        raise FinalsError("cannot write {path}: {reason}", Location(str(target)), path=str(target),
                          reason=error.strerror or str(error)) from None
    finally:
        temporary.unlink(missing_ok=True)  # gone once replaced; removed when anything failed
    return target


def _write_in_place(target: Path, resolved: Path, write, suffix: str) -> Path:
    """A device, a FIFO or a terminal: the whole content is made in a temporary file first
    (nothing half-made is sent), then copied into it as it is."""
    import shutil
    import tempfile
    folder = tempfile.mkdtemp(prefix="finals-app-")
    temporary = Path(folder) / ("out" + (suffix or resolved.suffix))
    try:
        temporary.open("wb").close()
        write(temporary)
        with open(temporary, "rb") as source, open(resolved, "wb") as sink:
            shutil.copyfileobj(source, sink)
    except OSError as error:
        raise FinalsError("cannot write {path}: {reason}", Location(str(target)), path=str(target),
                          reason=error.strerror or str(error)) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return target


def emit(listing: Listing, fmt: str, out: str | None, stdout: TextIO) -> None:
    """Write `listing` in `fmt` to the file `out`, or to stdout."""
    if fmt == "xlsx":
        if not out:
            raise FinalsError("the xlsx format writes a file: give --out FILE.xlsx")
        write_atomically(Path(out), lambda temporary: write_xlsx(listing, temporary))
        return
    buffer = io.StringIO()
    {"table": write_table, "csv": write_csv, "json": write_json}[fmt](listing, buffer)
    if out:
        write_atomically(Path(out), lambda temporary: temporary.write_text(buffer.getvalue(), encoding="utf-8"))
    else:
        stdout.write(buffer.getvalue())
