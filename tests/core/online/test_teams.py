"""Team selection (rules.md section 4) against the reference, the CLI columns and flags, and the
contest file it writes."""
from __future__ import annotations

import io
import json

from finals_app.cli import main
from finals_app.core.online.results import Results
from finals_app.core.online.sync import sync
from finals_app.core.online.teams import propose_teams
from finals_app.core.stage.contest import ContestError, load_contest
from finals_app.core.store.engine import open_store
from finals_app.core.tables import listings
from tests.conftest import small_rules_text
from tests.core.online.reference import Reference

SEED = "team-seed"


def test_proposals_follow_the_rules(tmp_path, sample_export, small_rules):
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        sync(engine, str(sample_export), small_rules)
        results = Results(engine, small_rules)
        for period in ("P1", "P2"):
            results.awards(period, SEED)
        proposal = propose_teams(results)
        assert proposal.missing_draws == ["P3", "P4", "P5", "P6"]
        got: dict[int, list[int]] = {}
        for row in proposal.rows:
            if row["participant_id"] is not None:
                got.setdefault(row["unit_id"], []).append(row["participant_id"])
        want = Reference.from_export(sample_export, small_rules).teams(SEED, ["P1", "P2"])
        assert got == {unit: people for unit, people in want.items() if people}
        # Each candidate's best period total and final rank, against one plain query of the store.
        with engine.connect() as connection:
            periods = ", ".join(f"'{p.id}'" for p in small_rules.periods)
            best = dict(connection.exec_driver_sql(
                f"select participant_id, max(score) from phase_totals where phase in ({periods}) "
                f"group by participant_id").all())
            final = dict(connection.exec_driver_sql(
                "select participant_id, rank from phase_totals where phase = ?", (small_rules.final.id,)).all())
        candidates = [row for row in proposal.rows if row["participant_id"] is not None]
        assert candidates and any(row["best_prelim_total"] for row in candidates)
        for row in candidates:
            assert row["best_prelim_total"] == best.get(row["participant_id"]), row
            assert row["final_rank"] == final.get(row["participant_id"]), row
        for row in proposal.rows:
            if row["slot"] is not None:
                assert row["proposed"] == (row["slot"] <= 3)
                assert row["flag"] == ("alternate" if row["slot"] > 3 else ("short" if len(got[row["unit_id"]]) < 3 else ""))
    finally:
        engine.dispose()


def test_teams_command_columns_warning_and_contest_file(tmp_path, sample_export):
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(small_rules_text(), encoding="utf-8")
    store = str(tmp_path / "store.sqlite")
    base = ["--store", store, "--rules", str(rules_file)]
    assert main([*base, "sync", str(sample_export)], io.StringIO(), io.StringIO()) == 0
    out, err = io.StringIO(), io.StringIO()
    contest_file = tmp_path / "teams.toml"
    assert main([*base, "teams", "--format", "json", "--write-contest", str(contest_file)], out, err) == 0
    assert "the awards of P1 have not been run" in err.getvalue()
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert tuple(rows[0]) == listings.TEAMS
    assert all("****" in row["phone"] for row in rows if row["phone"])
    proposed = [row for row in rows if row["slot"] is not None and row["slot"] <= 3]
    text = contest_file.read_text(encoding="utf-8")
    for row in proposed:
        assert f'"{row["name"]}"' in text
    try:  # the skeleton has no questions yet: contest check says exactly that
        load_contest(contest_file)
    except ContestError as error:
        assert "round compulsory needs" in error.render("en")
    else:
        raise AssertionError("a contest without questions must not pass the check")
