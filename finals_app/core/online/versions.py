"""What the derived tables were built for, as the store records it: a small module of its own,
so that a lean reader (tables/ranking_csv) can tell whether a store is up to date without
importing the database toolkit."""
from __future__ import annotations

from finals_app.core.tables.masking import MASKING_VERSION

# Bumped whenever a derived table changes shape: an older store rebuilds them on first use.
DERIVED_SCHEMA = "4"


def built_for(rules) -> str:
    """What the derived tables depend on besides the data: their shape, the masks they copy,
    the rules."""
    return f"{DERIVED_SCHEMA}.{MASKING_VERSION}:{rules.digest}"


def derived_key(rules, data_version: str) -> str:
    return f"{built_for(rules)}:{data_version}"
