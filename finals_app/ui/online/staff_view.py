"""The listings as the organisers' staff read them in the office: durations as the platform
showed them (平均用时 23.26秒), organisations by name, periods with their dates, an invalid
attempt with the person's name and its time. The CLI keeps its contract columns; these views
are built on the office's worker from the same rows."""
from __future__ import annotations

from finals_app.core.i18n import _
from finals_app.core.online.times import format_instant
from finals_app.core.tables.listings import Listing


def period_title(rules, period_id: str) -> str:
    """A period as the staff name it: 第3期（2月11日—20日）; the online final: 线上决赛（…）."""
    phase = next((p for p in rules.phases if p.id == period_id), None)
    if phase is None:
        return period_id
    first, last = phase.first_day, phase.last_day
    start = _("{month}/{day}", month=first.month, day=first.day)
    end = _("{day}", day=last.day) if last.month == first.month else _("{month}/{day}", month=last.month,
                                                                          day=last.day)
    span = f"{start}—{end}"
    if period_id.upper().startswith("P") and period_id[1:].isdigit():
        return _("Period {number} ({span})", number=int(period_id[1:]), span=span)
    return _("Online final ({span})", span=span)


def seconds(value) -> str:
    return _("{seconds:.2f} s", seconds=value / 1000)


def for_staff(results, listing: Listing) -> Listing:
    columns = list(listing.columns)
    rows = listing.rows
    display = dict(listing.display)
    headers = dict(listing.titles or {})
    if "duration_ms" in columns:
        count = columns.index("valid_attempts") if "valid_attempts" in columns else columns.index("attempts")
        at = columns.index("duration_ms")
        rows = [row[:at] + ((row[at] / row[count]) if row[count] else None,) + row[at + 1:] for row in rows]
        columns[at] = "average_duration_ms"
        display["average_duration_ms"] = seconds
        headers["average_duration_ms"] = _("Average time")
    id_columns = [c for c in ("branch_id", "committee_id") if c in columns]
    if id_columns and "name" in columns and listing.name in ("branches", "committees", "excellent-orgs"):
        drop = columns.index(id_columns[0])  # the organisation's own id: its name is there already
        rows = [row[:drop] + row[drop + 1:] for row in rows]
        del columns[drop]
    elif "branch_id" in columns:
        names = results.organisation_names()
        at = columns.index("branch_id")
        rows = [row[:at] + (names.get(row[at], row[at]),) + row[at + 1:] for row in rows]
        columns[at] = "branch"
        headers["branch"] = _("Branch")
    if "period" in columns:
        display["period"] = lambda value: period_title(results.rules, str(value))
    if listing.name == "validate":
        details = results.invalid_attempt_details([row[0] for row in rows])
        person = columns.index("participant_id") + 1
        rows = [row[:person] + (details.get(row[0], ("", None))[0],
                                format_instant(details.get(row[0], ("", None))[1])[:19]) + row[person:]
                for row in rows]
        columns[person:person] = ["name", "started_at"]
        headers["started_at"] = _("Started at")
    return Listing(listing.name, tuple(columns), list(rows), display, headers)
