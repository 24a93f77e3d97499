"""The monthly paperwork against the reference: excellent organisations, ledgers, archives and
payout lists (amounts, due dates, full phones only there)."""
from __future__ import annotations

import io
import json

import pytest

from finals_app.cli import main
from finals_app.core.errors import UsageError
from finals_app.core.online import paperwork
from finals_app.core.online.results import Results
from finals_app.core.online.sync import sync
from finals_app.core.store.engine import open_store
from tests.conftest import small_rules_text
from tests.core.online.reference import Reference

SEED = "paper-seed"


@pytest.fixture
def results(tmp_path, sample_export, small_rules):
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    sync(engine, str(sample_export), small_rules)
    yield Results(engine, small_rules)
    engine.dispose()


@pytest.fixture
def reference(sample_export, small_rules):
    return Reference.from_export(sample_export, small_rules)


def test_excellent_organisations_match_the_reference(results, reference):
    for period in ("P1", "P2"):
        got = [(r["committee_id"], r["participation_rate"], r["score"], r["branches"])
               for r in paperwork.excellent_organisations(results, period)]
        assert got == reference.excellent_organisations(period) and got


def test_ledger_lists_every_registered_party_member(results, reference):
    branch = next(org for org, (_, _, level) in reference.orgs.items() if level == "branch"
                  and sum(1 for *_, member, b in reference.people.values() if b == org and member == 1) >= 3)
    rows = paperwork.ledger(results, branch, "P1")
    members = sorted(p for p, (_, _, member, b) in reference.people.items() if b == branch and member == 1)
    assert [r["participant_id"] for r in rows] == members
    totals = {r["participant_id"]: r for r in reference.totals("P1")}
    credits = {a.person for a in reference.valid("P1") if a.share_credit}
    for row in rows:
        total = totals.get(row["participant_id"])
        assert row["took_part"] == (1 if total else 0)
        assert row["score"] == (total["score"] if total else 0)
        assert (row["share_bonus_attempts"] > 0) == (row["participant_id"] in credits)


def test_archives_follow_the_periods(results):
    top = results.standings("P1", limit=1)[0]
    rows = paperwork.member_archive(results, top["participant_id"])
    assert rows[0] == {"period": "P1", "valid_attempts": top["valid_attempts"], "score": top["score"], "rank": 1,
                       "title": "灯塔学习先锋" if top["is_party_member"] else ""}
    assert [r["period"] for r in rows] == ["P1", "P2", "P3", "P4", "P5", "P6", "FINAL"]
    branch = results.branches("P1", SEED)[0]
    archive = paperwork.branch_archive(results, branch["branch_id"])
    assert archive[0]["rank"] == 1 and archive[0]["score"] == branch["score"]
    with pytest.raises(UsageError, match="no branch with id 999999"):
        paperwork.branch_archive(results, 999999)
    with pytest.raises(UsageError, match="no participant with id 999999"):
        paperwork.member_archive(results, 999999)


def test_payout_lists(tmp_path, sample_export):
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(small_rules_text(), encoding="utf-8")
    base = ["--store", str(tmp_path / "s.sqlite"), "--rules", str(rules_file)]
    assert main([*base, "sync", str(sample_export)], io.StringIO(), io.StringIO()) == 0
    assert main([*base, "lottery", "--day", "2017-12-19", "--seed", SEED], io.StringIO(), io.StringIO()) == 0
    out, err = io.StringIO(), io.StringIO()
    assert main([*base, "payouts", "--period", "P1", "--seed", SEED, "--format", "json"], out, err) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert "2017-12-18" in err.getvalue() and "2017-12-19" not in err.getvalue()
    assert {r["due_date"] for r in rows} == {"2018-01-10"}
    assert [r["amount_yuan"] for r in rows if r["award"] == "top"] == [50] * 25
    assert {r["amount_yuan"] for r in rows if r["award"] == "random"} == {30}
    assert len([r for r in rows if r["award"] == "daily-lottery:2017-12-19"]) == 7
    assert all(r["phone"].isdigit() for r in rows)  # the operator needs the full number
    out = io.StringIO()
    assert main([*base, "payouts", "--final", "--format", "json"], out, io.StringIO()) == 0
    final = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["amount_yuan"] for r in final] == [500] * 10 + [200] * 20 + [100] * 20
    assert {r["due_date"] for r in final} == {"2018-07-10"}
    err = io.StringIO()
    assert main([*base, "ledger", "--branch", "1", "--period", "P1"], io.StringIO(), err) == 2
    assert "no branch with id 1" in err.getvalue()


def test_a_period_not_synced_yet_is_refused_everywhere(tmp_path, export_copy):
    """An export of the first period only: every result of a later period (or of the online
    final) says it has no attempts yet, exits 2 and writes nothing."""
    import sqlite3
    with sqlite3.connect(export_copy) as db:
        db.execute("delete from attempts where started_at >= '2017-12-25'")
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(small_rules_text(), encoding="utf-8")
    base = ["--store", str(tmp_path / "s.sqlite"), "--rules", str(rules_file), "--lang", "en"]
    assert main([*base, "sync", str(export_copy)], io.StringIO(), io.StringIO()) == 0
    out = tmp_path / "out.xlsx"
    for command in (["standings", "--period", "P2"], ["awards", "--period", "P2", "--seed", SEED],
                    ["lottery", "--day", "2018-01-12", "--seed", SEED], ["branches", "--period", "P3", "--seed", SEED],
                    ["committees", "--period", "P3", "--seed", SEED], ["excellent-orgs", "--period", "P2"],
                    ["ledger", "--branch", "3", "--period", "P2"], ["payouts", "--period", "P2", "--seed", SEED],
                    ["payouts", "--final"], ["final-standings"],
                    ["report", "--org", "2", "--period", "P2", "--out", str(tmp_path / "r.pdf")]):
        err = io.StringIO()
        assert main([*base, *command, "--out", str(out)] if command[0] != "report" else [*base, *command],
                    io.StringIO(), err) == 2, command
        assert "the store has no attempts of period" in err.getvalue(), (command, err.getvalue())
        assert not out.exists() and not (tmp_path / "r.pdf").exists(), command
    out_text = io.StringIO()
    assert main([*base, "standings", "--period", "P1", "--format", "csv"], out_text, io.StringIO()) == 0
    assert len(out_text.getvalue().splitlines()) > 10
