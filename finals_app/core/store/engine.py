"""Opening the store: any SQLAlchemy URL, by default a SQLite file in the user's data folder."""
from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.exc import SQLAlchemyError

from finals_app.core.errors import FinalsError, without_passwords
from finals_app.core.store.location import resolve_store_url, sqlite_file, store_wait_seconds
from finals_app.core.store.schema import STORE_VERSION, metadata, store_meta

SQLITE_MAGIC = b"SQLite format 3\0"
DAMAGE_WORDS = ("malformed", "not a database", "encrypted", "corrupt")


def _tune_sqlite(dbapi_connection, _record) -> None:
    # Let SQLAlchemy's begin() emit BEGIN itself, so DDL and DML share one real transaction
    # (the sqlite3 module would otherwise start transactions only before DML).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # threads: SQLite's sorter may sort in parallel (a sync's derive sorts every attempt once).
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-262144",
                   "foreign_keys=OFF", f"threads={min(4, os.cpu_count() or 1)}"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _refuse_unusable_store(file: Path, shown: str) -> bool:
    """An existing store file is looked at strictly read-only before anything writes to it (the
    tables and columns added, the journal mode set, a -wal checkpointed into it): a store that
    is damaged, empty, another application's database or a newer finals-app's is refused as it
    lies, byte for byte, with no file created beside it (someone may be recovering it).
    Returns whether the file is a new store (absent, or an SQLite database with no table)."""
    if not file.exists():
        return True
    if not file.is_file():
        return False  # a folder: SQLite says so below
    wal = file.with_name(file.name + "-wal")
    journal = file.with_name(file.name + "-journal")
    beside = wal.exists() or journal.exists()  # another finals-app at work, or one stopped
    try:
        size = file.stat().st_size
        if size == 0:
            if wal.exists() and wal.stat().st_size > 0:
                return False  # a new store whose pages are all in its -wal (still open elsewhere)
            raise FinalsError("the store {store} is an empty file (0 bytes), not a finals-app store; nothing was "
                              "changed: delete it to start a new store, or restore it from a backup", store=shown)
        with file.open("rb") as stream:
            header = stream.read(100)
    except OSError:
        return False  # unreadable: the open below says why
    if not beside and len(header) == 100 and header.startswith(SQLITE_MAGIC):
        page = int.from_bytes(header[16:18], "big")
        page = 65536 if page == 1 else page
        pages = int.from_bytes(header[28:32], "big")
        if header[24:28] != header[92:96] or pages == 0:  # no valid page count (an old writer's)
            pages = -(-size // page) if page else 0
        if page and size < pages * page:
            raise FinalsError("the store {store} is cut short: {size} bytes, where its pages need {expected}; "
                              "restore it from a backup; nothing was changed",
                              store=shown, size=f"{size:,}", expected=f"{pages * page:,}")
    # immutable: nothing is written or created beside the file (no -wal, no -shm); with a -wal
    # or -journal beside it, SQLite must read them too (read-only: the file is not written).
    uri = f"file:{quote(str(file))}?mode=ro" + ("" if beside else "&immutable=1")
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=store_wait_seconds())
        try:
            version = connection.execute("pragma user_version").fetchone()[0]
            tables = sorted(name for (name,) in connection.execute(
                "select name from sqlite_master where type = 'table' and name not like 'sqlite%'"))
            if "store_meta" in tables:
                connection.execute("select count(*) from store_meta").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        reason = str(error)
        if any(word in reason for word in DAMAGE_WORDS):
            raise FinalsError("the store {store} is damaged ({reason}): restore it from a backup, or move it away "
                              "and sync the export again; nothing was changed", store=shown, reason=reason) from None
        return False  # busy, or cannot be opened read-only: the open below says it as before
    if version > STORE_VERSION:
        raise FinalsError("the store {store} was written by a newer finals-app (store version {found}; this one "
                          "reads up to {known}): use that version or a newer one; nothing was changed",
                          store=shown, found=version, known=STORE_VERSION)
    if tables and "store_meta" not in tables:
        raise FinalsError("the store {store} is not a finals-app store (its tables: {tables}): check the --store "
                          "option; nothing was changed", store=shown,
                          tables=", ".join(tables[:10]) + (" …" if len(tables) > 10 else ""))
    return not tables


def open_store(url: str | None = None) -> Engine:
    """Connect to the store and create its tables when they are missing."""
    resolved = resolve_store_url(url)
    file = sqlite_file(resolved)
    new = file is not None and _refuse_unusable_store(file, _safe(resolved))
    try:
        if resolved.startswith("sqlite:///") and resolved != "sqlite:///:memory:":
            Path(resolved.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        is_sqlite = resolved.startswith("sqlite")
        engine = create_engine(resolved, connect_args={"timeout": store_wait_seconds()} if is_sqlite else {})
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _tune_sqlite)
            event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
        metadata.create_all(engine)
        with engine.begin() as connection:  # columns and indexes added since a store was created
            from sqlalchemy import inspect
            from sqlalchemy.schema import CreateColumn
            inspector = inspect(connection)
            for table in metadata.sorted_tables:
                columns = {column["name"] for column in inspector.get_columns(table.name)}
                for column in table.columns:
                    if column.name not in columns and column.nullable:  # (a derived table is rebuilt)
                        spec = CreateColumn(column).compile(dialect=engine.dialect)
                        connection.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {spec}")
                present = {index["name"] for index in inspector.get_indexes(table.name)}
                for index in table.indexes:
                    if index.name not in present:
                        # Once per store and index; on a province's store this takes a while.
                        logging.getLogger("finals_app.store").info("adding index %s to the store", index.name)
                        index.create(connection)
            if new:
                connection.exec_driver_sql(f"PRAGMA user_version = {STORE_VERSION}")
    except (SQLAlchemyError, OSError, ValueError) as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        if "malformed" in reason or "not a database" in reason:
            reason += " — the store is damaged: restore it from a backup, or move it away and sync the export again"
        raise FinalsError("cannot open the store {url}: {reason}", url=_safe(resolved),
                          reason=without_passwords(reason)) from None
    return engine


def _safe(url: str) -> str:
    """The URL without a password, for messages."""
    from sqlalchemy.engine import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for display
        return url


def read_meta(connection, key: str) -> str | None:
    return connection.execute(select(store_meta.c.value).where(store_meta.c.key == key)).scalar()


def write_meta(connection, key: str, value: str) -> None:
    existing = read_meta(connection, key)
    if existing is None:
        connection.execute(store_meta.insert().values(key=key, value=value))
    elif existing != value:
        connection.execute(store_meta.update().where(store_meta.c.key == key).values(value=value))

