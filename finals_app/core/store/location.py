"""Where the store is: the --store option, the environment, the default file. No database
toolkit here, so that a lean reader (tables/ranking_csv) can find the store cheaply."""
from __future__ import annotations

import os
from pathlib import Path

STORE_ENV = "FINALS_APP_STORE"
STORE_WAIT_ENV = "FINALS_APP_STORE_WAIT"


def store_wait_seconds() -> float:
    """How long a write waits for another finals-app's write to finish before it is refused."""
    try:
        return max(0.0, float(os.environ.get(STORE_WAIT_ENV, "30")))
    except ValueError:
        return 30.0


def default_store_url() -> str:
    from platformdirs import user_data_dir
    folder = Path(user_data_dir("finals-app", appauthor=False))
    return f"sqlite:///{folder / 'store.sqlite'}"


def resolve_store_url(url: str | None) -> str:
    """The --store option, else FINALS_APP_STORE, else the default; a bare path means SQLite."""
    chosen = url or os.environ.get(STORE_ENV) or default_store_url()
    if "://" not in chosen:
        chosen = f"sqlite:///{Path(chosen).expanduser().resolve()}"
    return chosen


def sqlite_file(url: str | None) -> Path | None:
    """The SQLite file a store URL names, when it is a plain file URL (no query, not memory)."""
    resolved = resolve_store_url(url)
    if not resolved.startswith("sqlite:///") or "?" in resolved:
        return None
    path = resolved.removeprefix("sqlite:///")
    return None if not path or path == ":memory:" else Path(path)
