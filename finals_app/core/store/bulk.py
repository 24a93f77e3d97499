"""Bulk loads into a server store: a table's keys and indexes built after the rows."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Table, inspect, select
from sqlalchemy.schema import CreateIndex, DropIndex


def deferred_indexes(connection, table: Table, announce: Callable[[], None] | None = None):
    """PostgreSQL, a table with no rows about to receive millions (a first sync's attempts, a
    whole derive's attempt statuses): its primary key and indexes are dropped and built after
    the rows are in (one sorted build each, instead of inserting every row into every index:
    copying a province's 30 M attempts took 279 s with them in place here). Inside the
    caller's transaction like everything else: a failed or cancelled sync gets them back as
    they were. Returns the rebuild to call once the rows are in, or None (another engine, or
    the table has rows)."""
    if connection.dialect.name != "postgresql" or connection.execute(
            select(*table.primary_key.columns).limit(1)).first() is not None:
        return None
    inspector = inspect(connection)
    primary = inspector.get_pk_constraint(table.name)
    present = {index["name"] for index in inspector.get_indexes(table.name)}
    indexes = [index for index in table.indexes if index.name in present]
    for index in indexes:
        connection.execute(DropIndex(index))
    if primary.get("name"):
        connection.exec_driver_sql(f'ALTER TABLE {table.name} DROP CONSTRAINT "{primary["name"]}"')

    def rebuild() -> None:
        if announce is not None:
            announce()
        if primary.get("name"):
            columns = ", ".join(f'"{column}"' for column in primary["constrained_columns"])
            connection.exec_driver_sql(
                f'ALTER TABLE {table.name} ADD CONSTRAINT "{primary["name"]}" PRIMARY KEY ({columns})')
        for index in indexes:
            connection.execute(CreateIndex(index))
        connection.exec_driver_sql(f"ANALYZE {table.name}")  # the next queries' plans need its figures
    return rebuild
