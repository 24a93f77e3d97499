"""The app's own database (the store): synced export data, derived results, recorded draws."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Column, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint, text)

metadata = MetaData()

# The store's format, kept in SQLite's user_version (stamped on a new store; 0 in a store made
# before it was kept). Raised when a store this version writes cannot be used by the versions
# before it: those then refuse the store instead of writing to it (engine.open_store).
STORE_VERSION = 1

# A 64-bit id; on SQLite an INTEGER PRIMARY KEY, which is the rowid itself (no second index).
Id = BigInteger().with_variant(Integer(), "sqlite")


def _id(name: str = "id") -> Column:
    # Ids come from the export: never generated here.
    return Column(name, Id, primary_key=True, autoincrement=False)


store_meta = Table(
    "store_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

sync_runs = Table(
    "sync_runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("source", Text, nullable=False),
    Column("export_digest", String(64)),
    Column("exported_at", Text),
    Column("finished_at", Text, nullable=False),
    Column("summary", Text, nullable=False),  # JSON: rows per table, changes, invalid counts
)

organizations = Table(
    "organizations", metadata,
    _id(),
    Column("parent_id", BigInteger),
    Column("name", Text, nullable=False),
    Column("level", String(16), nullable=False),
    Column("unit_id", BigInteger),  # the unit above (or the unit itself); null when none
)

# Every committee or unit with each branch below it, at any depth.
org_branches = Table(
    "org_branches", metadata,
    Column("ancestor_id", BigInteger, primary_key=True, autoincrement=False),
    Column("branch_id", BigInteger, primary_key=True, autoincrement=False),
)

participants = Table(
    "participants", metadata,
    _id(),
    Column("name", Text, nullable=False),
    Column("phone", Text),
    Column("is_party_member", Integer, nullable=False),
    Column("branch_id", BigInteger, nullable=False),
    # The name and phone as published (masking.py), made at sync; null in a store synced
    # before they were kept, until made (store_meta "masks" says which masks they are).
    Column("masked_name", Text),
    Column("masked_phone", Text),
    # Covering the party-member count per branch (an index-only scan at derive time).
    Index("ix_participants_branch", "branch_id", "is_party_member"),
)

shares = Table(
    "shares", metadata,
    _id(),
    Column("participant_id", BigInteger, nullable=False),
    Column("shared_ms", BigInteger, nullable=False),
    Index("ix_shares_time", "shared_ms"),
)

attempts = Table(
    "attempts", metadata,
    _id(),
    Column("participant_id", BigInteger, nullable=False),
    Column("started_ms", BigInteger, nullable=False),
    Column("finished_ms", BigInteger, nullable=False),
    Column("question_count", Integer, nullable=False),
    Column("correct_count", Integer, nullable=False),
    Column("score", Integer, nullable=False),
    # Ids follow time, so this index grows at its end; a phase's attempts are one range of it.
    Index("ix_attempts_time", "started_ms"),
)

questions = Table(
    "questions", metadata,
    _id(),
    Column("kind", String(16), nullable=False),
    Column("stem", Text, nullable=False),
    Column("options", Text),
    Column("answer", Text, nullable=False),
    Column("source", Text),
)

missing_rows = Table(
    "missing_rows", metadata,
    Column("sync_id", Integer, primary_key=True, autoincrement=False),
    Column("table_name", String(32), primary_key=True),
    Column("row_id", BigInteger, primary_key=True, autoincrement=False),
)

# The fingerprint of each block of ids of the export's large tables at the last sync
# (core/online/blocks.py): a newer export's unchanged blocks are not read again.
export_blocks = Table(
    "export_blocks", metadata,
    Column("table_name", String(32), primary_key=True),
    Column("block", BigInteger, primary_key=True, autoincrement=False),
    Column("digest", String(96), nullable=False),
)

# ---- derived from the data and the rules in force (rebuilt when either changes) ----

# One row per attempt that started inside a scored window (a period or an online final day),
# clustered by person and time within each phase: the allowance walk and the totals read it in
# that order without sorting, and a phase is one contiguous range (re-derived on its own).
attempt_status = Table(
    "attempt_status", metadata,
    Column("phase", String(16), primary_key=True),
    Column("participant_id", BigInteger, primary_key=True, autoincrement=False),
    Column("day", Integer, primary_key=True, autoincrement=False),  # local day, days since 1970-01-01
    Column("started_ms", BigInteger, primary_key=True, autoincrement=False),
    Column("attempt_id", BigInteger, primary_key=True, autoincrement=False),
    Column("finished_ms", BigInteger, nullable=False),
    Column("duration_ms", BigInteger, nullable=False),
    Column("score", Integer, nullable=False),
    Column("perfect", Integer, nullable=False),  # every answer correct
    # null: valid. (A valid attempt beyond the day's allowance is valid thanks to a share
    # credit; phase_totals counts them per person. Not marked per row: marking half a million
    # rows a period was a tenth of a province's sync.)
    Column("reason", String(32)),
    Index("ix_attempt_status_invalid", "phase", "attempt_id", sqlite_where=text("reason is not null"),
          postgresql_where=text("reason is not null")),
    sqlite_with_rowid=False,
)

# The personal ranking of each phase, clustered by (phase, rank) and carrying the person's
# columns, so that a standings listing is one sequential read.
phase_totals = Table(
    "phase_totals", metadata,
    Column("phase", String(16), primary_key=True),
    Column("rank", Integer, primary_key=True, autoincrement=False),
    Column("participant_id", BigInteger, nullable=False),
    Column("name", Text, nullable=False),
    Column("phone", Text),
    Column("branch_id", BigInteger, nullable=False),
    Column("is_party_member", Integer, nullable=False),
    Column("masked_name", Text),
    Column("masked_phone", Text),
    Column("score", BigInteger, nullable=False),
    Column("duration_ms", BigInteger, nullable=False),
    Column("valid_attempts", Integer, nullable=False),
    Column("perfect_attempts", Integer, nullable=False),
    Column("share_credit_attempts", Integer, nullable=False),
    Column("last_finish_ms", BigInteger, nullable=False),
    # Bit d set: at least one valid attempt on the phase's day d (0 = its first day).
    Column("days_mask", BigInteger, nullable=False),
    Index("ix_phase_totals_person", "phase", "participant_id", unique=True),
    sqlite_with_rowid=False,
)

# Per phase and branch: what every organisation ranking adds up (registered party members,
# those of them with a valid attempt, their total, those ranked in the top of the period), so
# that a committee or the excellent-organisation ranking reads a few thousand rows.
branch_totals = Table(
    "branch_totals", metadata,
    Column("phase", String(16), primary_key=True),
    Column("branch_id", BigInteger, primary_key=True, autoincrement=False),
    Column("party_members", Integer, nullable=False),
    Column("participants", Integer, nullable=False),
    Column("total", BigInteger, nullable=False),
    Column("top_holders", Integer, nullable=False),
)

DERIVED_TABLES = (attempt_status, phase_totals, branch_totals)

# ---- recorded draws: enough to publish and re-verify each one ----

draws = Table(
    "draws", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("seed", Text, nullable=False),
    Column("winners_wanted", Integer, nullable=False),
    Column("one_per_person", Integer, nullable=False),
    Column("eligible_count", Integer, nullable=False),
    Column("eligible_digest", String(64), nullable=False),
    Column("created_at", Text, nullable=False),
    Column("data_version", Integer, nullable=False),
    UniqueConstraint("name", "seed", "eligible_digest", "winners_wanted", "one_per_person",
                     name="uq_draw_identity"),
)

draw_tickets = Table(
    "draw_tickets", metadata,
    Column("draw_id", Integer, primary_key=True, autoincrement=False),
    Column("ticket_id", BigInteger, primary_key=True, autoincrement=False),
    Column("participant_id", BigInteger, nullable=False),
)

draw_winners = Table(
    "draw_winners", metadata,
    Column("draw_id", Integer, primary_key=True, autoincrement=False),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("ticket_id", BigInteger, nullable=False),
    Column("participant_id", BigInteger, nullable=False),
    Index("ix_draw_winners_person", "draw_id", "participant_id"),
)

# A redraw is an official act of its own: which draw it replaces, and why (shown by draw-verify
# and in the period report). A draw without a row here is a first draw.
draw_notes = Table(
    "draw_notes", metadata,
    Column("draw_id", Integer, primary_key=True, autoincrement=False),
    Column("redraw_of", Integer, nullable=False),
    Column("reason", Text, nullable=False),
)

EXPORT_TABLES = {
    "organizations": organizations,
    "participants": participants,
    "shares": shares,
    "attempts": attempts,
    "questions": questions,
}
