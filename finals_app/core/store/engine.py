"""Opening the store: any SQLAlchemy URL, by default a SQLite file in the user's data folder."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.exc import SQLAlchemyError

from finals_app.core.errors import FinalsError, without_passwords
from finals_app.core.store.location import resolve_store_url, store_wait_seconds
from finals_app.core.store.schema import metadata, store_meta


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


def open_store(url: str | None = None) -> Engine:
    """Connect to the store and create its tables when they are missing."""
    resolved = resolve_store_url(url)
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

