"""A million-row listing as CSV written by an analytical engine, the rows never becoming Python
objects: DuckDB reads the SQLite store (its `sqlite` extension, installed as a Python package,
nothing downloaded), masks names and phones with SQL equal to masking.py's, and writes the CSV.

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

from finals_app.core.tables.masking import COMPOUND_SURNAMES

log = logging.getLogger("finals_app.listings")

# The characters str.strip() removes (str.isspace()), for the SQL twin of masking.py's strip().
# Written out: finding them among the 1.1 M code points costs 55 ms, at every listing (a test
# checks this is exactly str.isspace()'s set).
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
              "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
DUCKDB_VERSION = "1.4.4"


def _extension_folder() -> Path | None:
    spec = importlib.util.find_spec("duckdb_ext")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "extensions"
    return folder if any(folder.glob("v*/*/sqlite_scanner.duckdb_extension")) else None


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _stripped(value: str) -> str:
    """SQL for str.strip() of `value` (trim with a character set only when an end is whitespace:
    it is not cheap)."""
    whitespace = _quoted(WHITESPACE)
    return (f"CASE WHEN {value} IS NULL OR {value} = '' THEN {value} "
            f"WHEN contains({whitespace}, left({value}, 1)) OR contains({whitespace}, right({value}, 1)) "
            f"THEN trim({value}, {whitespace}) ELSE {value} END")


def _surname(value: str) -> str:
    surnames = ", ".join(_quoted(s) for s in sorted(COMPOUND_SURNAMES))
    return f"CASE WHEN left({value}, 2) IN ({surnames}) THEN left({value}, 2) ELSE left({value}, 1) END"


def _masked_name(n: str, s: str) -> str:
    """masking.mask_name of the stripped name `n` whose surname is `s`."""
    return (f"CASE WHEN {n} IS NULL OR {n} = '' THEN '' WHEN length({n}) <= 2 THEN left({n}, 1) || '*' "
            f"WHEN length({s}) + 1 >= length({n}) THEN {s} || '*' ELSE {s} || '*' || right({n}, 1) END")


def _masked_phone(p: str) -> str:
    """masking.mask_phone of the stripped phone `p`."""
    return (f"CASE WHEN {p} IS NULL OR {p} = '' THEN '' "
            f"WHEN length({p}) >= 8 THEN left({p}, 3) || repeat('*', length({p}) - 7) || right({p}, 4) "
            f"ELSE repeat('*', length({p})) END")


def write(engine, query, columns: tuple[str, ...], masks: dict[str, str], target: Path) -> bool:
    """Write `query`'s rows as CSV (header `columns`) to `target`; `masks`: column -> "name" or
    "phone". False when the Python path must do it.

    SQLite runs the query itself (`sqlite_query`: its WHERE on the store's own index, its ORDER
    BY), DuckDB keeps that order (preserve_insertion_order, its default) while it masks and
    writes. SQLite hands every value over as text: integers as the csv module writes them; a
    query with any other kind of number (a float's text differs) is left to the Python path."""
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
    # Each step once, in layers (a macro would be inlined, and evaluated, at every use).
    names = ", ".join(f"c{i}" for i in range(len(columns)))
    aliased = f"SELECT * FROM sqlite_query('store', {_quoted(inner)}) AS q({names})"
    stripped = ", ".join(f"{_stripped(f'c{i}')} AS s{i}" for i, c in enumerate(columns) if c in masks)
    surnames = ", ".join(f"{_surname(f's{i}')} AS f{i}" for i, c in enumerate(columns) if masks.get(c) == "name")
    layers = f"SELECT *{', ' + stripped if stripped else ''} FROM ({aliased})"
    layers = f"SELECT *{', ' + surnames if surnames else ''} FROM ({layers})"
    selected = []
    for index, column in enumerate(columns):
        value = f"c{index}"
        if masks.get(column) == "name":
            value = _masked_name(f"s{index}", f"f{index}")
        elif masks.get(column) == "phone":
            value = _masked_phone(f"s{index}")
        if column in text_columns or column in masks:
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
        connection.execute(f"COPY (SELECT {', '.join(selected)} FROM ({layers})) "
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
