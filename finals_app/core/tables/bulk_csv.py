"""A million-row listing as CSV written by an analytical engine, the rows never becoming Python
objects: DuckDB reads the SQLite store (its `sqlite` extension, installed as a Python package,
nothing downloaded) and writes the CSV. Names and phones are the masks the store keeps (made by
masking.py at sync).

Only an accelerator: the listing's query is the one the Python path runs (the same SQLAlchemy
select, compiled for SQLite), and the bytes are those of the Python path (tests compare them on
tricky names and phones). Where it cannot promise that (not a SQLite file store, DuckDB or its
extension missing, a value holding a carriage return, which the two CSV writers quote
differently), `write` says False and the caller takes the Python path.
"""
from __future__ import annotations

import importlib.util
import logging
import mmap
from pathlib import Path

log = logging.getLogger("finals_app.listings")

DUCKDB_VERSION = "1.4.4"


def _extension_folder() -> Path | None:
    spec = importlib.util.find_spec("duckdb_ext")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "extensions"
    return folder if any(folder.glob("v*/*/sqlite_scanner.duckdb_extension")) else None


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write(engine, query, columns: tuple[str, ...], target: Path) -> bool:
    """Write `query`'s rows as CSV (header `columns`) to `target`. False when the Python path
    must do it.

    SQLite runs the query itself (`sqlite_query`: its WHERE on the store's own index, its ORDER
    BY), DuckDB keeps that order (preserve_insertion_order, its default) while it writes. SQLite
    hands every value over as text: integers as the csv module writes them; a query with any
    other kind of number (a float's text differs) is left to the Python path. Names and phones
    come masked from the store (masks made by masking.py at sync), never masked here."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return False
    folder = _extension_folder()
    try:
        import duckdb
    except (ImportError, OSError):
        return False
    if folder is None or duckdb.__version__ != DUCKDB_VERSION:
        return False
    from sqlalchemy import Integer, String
    from sqlalchemy.dialects import sqlite
    kinds = [column.type for column in query.selected_columns]
    if len(kinds) != len(columns) or not all(isinstance(kind, (Integer, String)) for kind in kinds):
        return False
    text_columns = {c for c, kind in zip(columns, kinds) if isinstance(kind, String)}
    inner = str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    names = ", ".join(f"c{i}" for i in range(len(columns)))
    aliased = f"SELECT * FROM sqlite_query('store', {_quoted(inner)}) AS q({names})"
    selected = []
    for index, column in enumerate(columns):
        value = f"c{index}"
        if column in text_columns:
            value = f"NULLIF({value}, '')"  # the csv module writes '' and None alike: nothing
        selected.append(f'{value} AS "{column}"')
    import tempfile
    spill = Path(tempfile.gettempdir()) / "finals-app-duckdb"  # never a .tmp folder in the user's folder
    connection = duckdb.connect(config={"extension_directory": str(folder), "autoinstall_known_extensions": False,
                                        "autoload_known_extensions": False, "temp_directory": str(spill)})
    try:
        connection.execute("LOAD sqlite")
        connection.execute(f"ATTACH {_quoted(str(Path(url.database).resolve()))} AS store (TYPE sqlite, READ_ONLY)")
        connection.execute("SET preserve_insertion_order = true")  # the default, relied on: SQLite's order
        connection.execute(f"COPY (SELECT {', '.join(selected)} FROM ({aliased})) "
                           f"TO {_quoted(str(target))} "
                           f"(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"', NEW_LINE '\\n')")
        # Lines end with \n, so a \r in the file is a value's own: DuckDB quotes such a value and
        # the csv module does not. Rare enough to leave to the Python path.
        if target.stat().st_size:
            with open(target, "rb") as written, mmap.mmap(written.fileno(), 0, access=mmap.ACCESS_READ) as data:
                if data.find(b"\r") >= 0:
                    return False
        return True
    except duckdb.Error as error:
        log.warning("the fast CSV path could not write this listing (%s); the Python path does", error)
        return False
    finally:
        connection.close()
