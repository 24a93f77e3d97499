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
    for period in ("P1", "P3", "FINAL"):
        rows = paperwork.ledger(results, branch, period)
        members = sorted(p for p, (_, _, member, b) in reference.people.items() if b == branch and member == 1)
        assert [r["participant_id"] for r in rows] == members
        totals = {r["participant_id"]: r for r in reference.totals(period)}
        valid = reference.valid(period)
        for row in rows:
            person = row["participant_id"]
            total = totals.get(person)
            assert row["took_part"] == (1 if total else 0)
            assert row["score"] == (total["score"] if total else 0)
            assert row["valid_attempts"] == sum(1 for a in valid if a.person == person)
            assert row["share_bonus_attempts"] == sum(1 for a in valid if a.person == person and a.share_credit)
            assert row["name"] == reference.people[person][0] and row["phone"] == reference.people[person][1]
    assert any(r["share_bonus_attempts"] for period in ("P1", "P2", "P3") for b in _branches(reference)
               for r in paperwork.ledger(results, b, period))  # the share-bonus column is exercised


def _branches(reference) -> list[int]:
    return [org for org, (_, _, level) in reference.orgs.items() if level == "branch"
            and any(b == org and member == 1 for *_, member, b in reference.people.values())]


def test_member_archive_matches_the_reference(results, reference, small_rules):
    results.awards("P1", SEED)  # P1's random draw recorded; the other periods have none yet
    top_p1, drawn_p1 = reference.awards("P1", SEED)
    people = [top_p1[0], drawn_p1[0], *[p for p, row in reference.people.items() if row[2] == 1][:40]]
    for person in people:
        rows = {r["period"]: r for r in paperwork.member_archive(results, person)}
        assert list(rows) == [phase.id for phase in small_rules.phases]
        member = reference.people[person][2] == 1
        for phase in small_rules.phases:
            total = next((t for t in reference.totals(phase.id) if t["participant_id"] == person), None)
            row = rows[phase.id]
            assert (row["valid_attempts"], row["score"], row["rank"]) == (
                (total["valid_attempts"], total["score"], total["rank"]) if total else (0, 0, None)), (person, phase.id)
            if phase.kind == "final":
                titled = total is not None and total["rank"] <= small_rules.exemplar_tiers[-1].last_rank
                assert row["title"] == ("灯塔学习标兵" if titled and member else "")
            else:
                titled = total is not None and (total["rank"] <= small_rules.pioneer_top_count
                                                or (phase.id == "P1" and person in drawn_p1))
                assert row["title"] == ("灯塔学习先锋" if titled and member else ""), (person, phase.id)


def test_branch_archive_matches_the_reference(results, reference):
    results.awards("P1", SEED)
    expected = {period: {r["org_id"]: r for r in (reference.branches(period, SEED if period == "P1" else None))}
                for period in ("P1", "P2", "P3", "P4", "P5", "P6")}
    for branch in list(expected["P1"])[:12]:
        rows, undrawn = paperwork.branch_archive(results, branch)
        assert undrawn == ["P2", "P3", "P4", "P5", "P6"]
        assert [r["period"] for r in rows] == ["P1", "P2", "P3", "P4", "P5", "P6"]
        for row in rows:
            want = expected[row["period"]][branch]
            assert (row["rank"], row["score"], row["participation_rate"], row["title_holders"],
                    row["party_members"]) == (want["rank"], want["score"], want["participation_rate"],
                                              want["title_holders"], want["party_members"]), (branch, row["period"])
    small = next(b for b in _branches(reference) if b not in expected["P1"])  # too few members to be ranked
    members = [p for p, (_, _, member, branch) in reference.people.items() if branch == small and member == 1]
    totals = {t["participant_id"]: t for t in reference.totals("P1")}
    row = paperwork.branch_archive(results, small)[0][0]
    assert (row["rank"], row["party_members"], row["participants"]) == (
        None, len(members), sum(1 for m in members if m in totals))
    assert row["score"] == sum(totals[m]["score"] for m in members if m in totals) / len(members)
    with pytest.raises(UsageError, match="no branch with id 999999"):
        paperwork.branch_archive(results, 999999)
    with pytest.raises(UsageError, match="no participant with id 999999"):
        paperwork.member_archive(results, 999999)


def test_payout_lists(tmp_path, sample_export, reference):
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
    top, drawn = reference.awards("P1", SEED)
    from datetime import date
    lottery = reference.lottery(date(2017, 12, 19), SEED)
    assert [r["participant_id"] for r in rows if r["award"] == "top"] == top
    assert [r["participant_id"] for r in rows if r["award"] == "random"] == drawn
    assert [r["participant_id"] for r in rows if r["award"] == "daily-lottery:2017-12-19"] == [p for _, p in lottery]
    assert all(r["phone"] == reference.people[r["participant_id"]][1] and
               r["name"] == reference.people[r["participant_id"]][0] for r in rows)
    out = io.StringIO()
    assert main([*base, "payouts", "--final", "--format", "json"], out, io.StringIO()) == 0
    final = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["amount_yuan"] for r in final] == [500] * 10 + [200] * 20 + [100] * 20
    assert {r["due_date"] for r in final} == {"2018-07-10"}
    assert [r["participant_id"] for r in final] == [t["participant_id"] for t in reference.totals("FINAL")][:50]
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


def test_a_branch_without_party_members_and_an_unwritable_file_are_refused(tmp_path, export_copy):
    import sqlite3
    with sqlite3.connect(export_copy) as db:
        branch = db.execute("select branch_id from participants group by branch_id order by branch_id limit 1").fetchone()[0]
        db.execute("update participants set is_party_member = 0 where branch_id = ?", (branch,))
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(small_rules_text(), encoding="utf-8")
    base = ["--store", str(tmp_path / "s.sqlite"), "--rules", str(rules_file), "--lang", "en"]
    assert main([*base, "sync", str(export_copy)], io.StringIO(), io.StringIO()) == 0
    for command in (["ledger", "--branch", str(branch), "--period", "P1"], ["archive", "branch", str(branch)],
                    ["report", "--org", str(branch), "--period", "P1", "--out", str(tmp_path / "r.pdf")]):
        err = io.StringIO()
        assert main([*base, *command], io.StringIO(), err) == 2, command
        assert "no registered party members" in err.getvalue(), (command, err.getvalue())
    missing = tmp_path / "no-such-folder" / "r.pdf"
    err = io.StringIO()
    assert main([*base, "report", "--org", "2", "--period", "P1", "--out", str(missing)], io.StringIO(), err) == 2
    assert f"cannot write {missing}: No such file or directory" in err.getvalue()
    assert not list(tmp_path.rglob("*.pdf*"))  # no report, no partial file anywhere
