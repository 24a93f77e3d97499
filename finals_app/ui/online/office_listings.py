"""The office's listings, as tabs: the same rows as the CLI's, each built from the store's results
with the choices it needs. The listings show the recorded draws; they never run one."""
from __future__ import annotations

from finals_app.core.i18n import _
from finals_app.core.online import paperwork
from finals_app.core.online.teams import propose_teams
from finals_app.core.tables import listings


# The tabs whose listing can be a province's size, by their name in core/online/paged.py: read a
# page at a time, sorted and filtered in the store (ui/online/paged_tab.py). `build` stays the
# whole listing (the CLI's rows), as the other tabs show theirs.
PAGED = {"standings": "standings", "final": "final-standings", "invalid": "validate"}


def office_listings() -> list:
    """(name, title, build(results, params), the choices it needs) of each listing tab."""
    return [
        ("standings", _("Standings"), lambda r, p: listings.standings(
            r.standings_rows(p.period), layout=r.STANDINGS_LAYOUT), ("phase",)),
        # The listings show the recorded draws; they never run one (抽取 is its own, confirmed act).
        ("awards", _("Awards"), lambda r, p: _with_draw_note(
            r, listings.awards(r.awards(p.period, None, run=False)), pioneer=p.period), ("period", "seed")),
        ("lottery", _("Daily lottery"), lambda r, p: _with_draw_note(
            r, listings.lottery(r.lottery(p.day, None, run=False)), day=p.day), ("day", "seed")),
        ("branches", _("Branches"), lambda r, p: _with_draw_note(
            r, listings.branches(r.branches(p.period, None, run=False)), pioneer=p.period), ("period",)),
        ("committees", _("Committees"), lambda r, p: _with_draw_note(
            r, listings.committees(r.committees(p.period, None, run=False)), pioneer=p.period), ("period",)),
        ("excellent", _("Excellent organisations"), lambda r, p: listings.excellent_orgs(
            paperwork.excellent_organisations(r, p.period)), ("period",)),
        ("final", _("Final standings"), lambda r, p: listings.final_standings(r.final_standings()), ()),
        ("teams", _("Proposed teams"), lambda r, p: listings.teams(propose_teams(r).rows), ()),
        ("invalid", _("Invalid attempts"), lambda r, p: listings.invalid_attempts(r.invalid_attempts(p.period)), ("phase",)),
    ]


def _with_draw_note(results, listing, pioneer: str | None = None, day: str | None = None):
    """A listing with the word the staff need when its draw has not been run yet."""
    if pioneer is not None:
        name = results.rules.pioneer_draw(results.phase(pioneer, preliminary_only=True).id)
    else:
        name = results.rules.lottery_draw(results.lottery_day(day)[0])
    if results.recorded_draw(name) is None:
        return listing, _("This draw has not been run: the list holds the top only (run it with the draw button, confirming the seed)")
    return listing
