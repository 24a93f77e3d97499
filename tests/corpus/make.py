"""The bad-input corpus: broken exports, stores, contest files, question banks, rules files and
journals, each with what the user must be told. Generated (never committed as binaries):

    python -m tests.corpus.make OUT_FOLDER    # writes every case's files and a cases.json

Each case names the command to run, the exit code it must end with, and the words its message
must contain (the file, the table, the row id, the field). tests/test_bad_input_corpus.py runs
them all and checks, besides, that no traceback reaches the user and that the export and the
store are byte-identical afterwards.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable

# ---- what a case is -------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    group: str  # export | export-kept | store | contest | bank | rules | journal
    argv: list[str]  # {export} {store} {contest} {rules} {journal} {folder} are filled in
    code: int  # the exit code it must end with
    says: list[str]  # words the message must contain (file, table, row id, field, reason)
    stream: str = "stderr"  # where they are said
    env: dict = field(default_factory=dict)
    validate_lists: list[str] = field(default_factory=list)  # export-kept: `validate` must list these


# ---- the base material ------------------------------------------------------------------------


def base_export(path: Path, rules) -> Path:
    """A small, valid export (a copy of the product's sample generator's, with every edge case)."""
    from finals_app.core.online.sample_export import SampleSize, generate
    return generate(path, rules, SampleSize(participants=90, units=2, committees_per_unit=2,
                                            branches_per_committee=3), seed=11)


def _first(db: sqlite3.Connection, sql: str):
    return db.execute(sql).fetchone()[0]


def _unconstrained(db: sqlite3.Connection, table: str) -> None:
    """The table without its constraints, so that wrong types and duplicates can be stored."""
    db.execute(f"create table {table}_loose as select * from {table}")
    db.execute(f"drop table {table}")
    db.execute(f"alter table {table}_loose rename to {table}")


def _export_case(folder: Path, base: Path, name: str, change: Callable[[sqlite3.Connection], None]) -> Path:
    path = folder / f"{name}.sqlite"
    shutil.copyfile(base, path)
    db = sqlite3.connect(path)
    try:
        change(db)
        db.commit()
    finally:
        db.close()
    return path


# ---- the cases ----------------------------------------------------------------------------------


def build(folder: Path) -> list[Case]:
    """Write every case's files into `folder`; return the cases."""
    from finals_app.core.rules import parse_rules
    from tests.conftest import small_rules_text
    folder.mkdir(parents=True, exist_ok=True)
    rules_file = folder / "rules.toml"
    rules_file.write_text(small_rules_text(), encoding="utf-8")
    rules = parse_rules(small_rules_text(), str(rules_file))
    base = base_export(folder / "base.sqlite", rules)
    db = sqlite3.connect(base)
    org = _first(db, "select min(id) from organizations where level = 'branch'")
    committee = _first(db, "select min(id) from organizations where level = 'committee'")
    unit = _first(db, "select min(id) from organizations where level = 'unit'")
    person = _first(db, "select min(id) from participants")
    attempt = _first(db, "select min(id) from attempts")
    share = _first(db, "select min(id) from shares")
    db.close()
    cases: list[Case] = []

    def export(name: str, says: list[str], change, code: int = 2, group: str = "export", **extra) -> None:
        path = _export_case(folder, base, name, change)
        cases.append(Case(name, group, ["sync", str(path)], code, [path.name, *says], **extra))

    # -- the export's shape
    export("no-participants-table", ["participants", "no table"], lambda d: d.execute("drop table participants"))
    export("attempts-without-score", ["attempts", "score"], lambda d: (
        _unconstrained(d, "attempts"), d.execute("alter table attempts drop column score")))
    export("no-schema-version", ["meta", "schema_version"], lambda d: d.execute(
        "delete from meta where key = 'schema_version'"))
    export("schema-version-2", ["meta", "schema_version", "2"], lambda d: d.execute(
        "update meta set value = '2' where key = 'schema_version'"))

    def twice(d):
        _unconstrained(d, "meta")
        d.execute("update meta set value = '2' where key = 'schema_version'")
        d.execute("insert into meta values ('schema_version', '1')")
    export("schema-version-twice", ["meta", "schema_version", "'2'", "'1'"], twice)
    # -- organisations
    export("org-id-text", ["organizations", "row id abc", "field id"], lambda d: (
        _unconstrained(d, "organizations"), d.execute(f"update organizations set id = 'abc' where id = {org}")))
    export("org-id-negative", ["organizations", "row id -5", "field id"], lambda d: (
        _unconstrained(d, "organizations"), d.execute(f"update organizations set id = -5 where id = {org}")))
    export("org-id-zero", ["organizations", "field id"], lambda d: (
        _unconstrained(d, "organizations"), d.execute(f"update organizations set id = 0 where id = {org}")))
    export("org-duplicate-id", ["organizations", f"row id {org}", "duplicate id"], lambda d: (
        _unconstrained(d, "organizations"),
        d.execute(f"insert into organizations select * from organizations where id = {org}")))
    export("org-unknown-level", ["organizations", f"row id {org}", "field level", "district"], lambda d: d.execute(
        f"update organizations set level = 'district' where id = {org}"))
    export("org-empty-name", ["organizations", f"row id {org}", "field name"], lambda d: d.execute(
        f"update organizations set name = '  ' where id = {org}"))
    export("org-dangling-parent", ["organizations", f"row id {org}", "field parent_id", "999999"], lambda d: d.execute(
        f"update organizations set parent_id = 999999 where id = {org}"))
    export("org-cycle", ["organizations", "field parent_id", "cycle"], lambda d: (
        d.execute(f"update organizations set parent_id = {committee} where id = {unit}"),
        d.execute(f"update organizations set level = 'committee' where id = {unit}"),
        d.execute(f"update organizations set parent_id = {unit} where id = {committee}")))
    export("unit-with-parent", ["organizations", f"row id {unit}", "field parent_id", "unit"], lambda d: d.execute(
        f"update organizations set parent_id = {committee} where id = {unit}"))
    export("branch-with-children", ["organizations", f"row id {org}", "field level", "branch"], lambda d: d.execute(
        f"insert into organizations values (999001, {org}, '挂在支部下的组织', 'branch')"))
    export("org-name-bad-utf8", ["organizations", f"row id {org}", "field name", "UTF-8"], lambda d: d.execute(
        f"update organizations set name = cast(x'e58f91ff20e694afe983a8' as text) where id = {org}"))
    # -- participants
    export("participant-in-a-committee", ["participants", f"row id {person}", "field branch_id", "committee"],
           lambda d: d.execute(f"update participants set branch_id = {committee} where id = {person}"))
    export("participant-dangling-branch", ["participants", f"row id {person}", "field branch_id", "424242"],
           lambda d: d.execute(f"update participants set branch_id = 424242 where id = {person}"))
    export("participant-member-2", ["participants", f"row id {person}", "field is_party_member", "2"],
           lambda d: d.execute(f"update participants set is_party_member = 2 where id = {person}"))
    export("participant-member-yes", ["participants", f"row id {person}", "field is_party_member", "yes"],
           lambda d: (_unconstrained(d, "participants"),
                      d.execute(f"update participants set is_party_member = 'yes' where id = {person}")))
    export("participant-name-null", ["participants", f"row id {person}", "field name"], lambda d: (
        _unconstrained(d, "participants"), d.execute(f"update participants set name = null where id = {person}")))
    export("participant-name-bad-utf8", ["participants", f"row id {person}", "field name", "UTF-8"],
           lambda d: d.execute(f"update participants set name = cast(x'e5ad99ff' as text) where id = {person}"))
    export("participant-id-huge-real", ["participants", "field id", "out of range"], lambda d: (
        _unconstrained(d, "participants"), d.execute(f"update participants set id = 1e30 where id = {person}")))
    export("participant-id-fraction", ["participants", "field id", "1.5"], lambda d: (
        _unconstrained(d, "participants"), d.execute(f"update participants set id = 1.5 where id = {person}")))
    export("participant-branch-huge", ["participants", f"row id {person}", "field branch_id", "out of range"],
           lambda d: (_unconstrained(d, "participants"),
                      d.execute(f"update participants set branch_id = 9.3e18 where id = {person}")))
    export("participant-duplicate-id", ["participants", f"row id {person}", "duplicate id"], lambda d: (
        _unconstrained(d, "participants"),
        d.execute(f"insert into participants select * from participants where id = {person}")))
    # -- shares
    export("share-dangling-person", ["shares", f"row id {share}", "field participant_id", "777777"],
           lambda d: d.execute(f"update shares set participant_id = 777777 where id = {share}"))
    export("share-time-garbage", ["shares", f"row id {share}", "field shared_at", "yesterday"],
           lambda d: d.execute(f"update shares set shared_at = 'yesterday' where id = {share}"))
    export("share-time-month-13", ["shares", f"row id {share}", "field shared_at"],
           lambda d: d.execute(f"update shares set shared_at = '2018-13-01 10:00:00' where id = {share}"))
    # -- attempts
    export("attempt-start-garbage", ["attempts", f"row id {attempt}", "field started_at", "noon"],
           lambda d: d.execute(f"update attempts set started_at = 'noon' where id = {attempt}"))
    export("attempt-finish-bad-day", ["attempts", f"row id {attempt}", "field finished_at"],
           lambda d: d.execute(f"update attempts set finished_at = '2018-02-30 10:00:00' where id = {attempt}"))
    export("attempt-count-text", ["attempts", f"row id {attempt}", "field question_count", "twenty"], lambda d: (
        _unconstrained(d, "attempts"),
        d.execute(f"update attempts set question_count = 'twenty' where id = {attempt}")))
    export("attempt-score-fraction", ["attempts", f"row id {attempt}", "field score", "9.5"], lambda d: (
        _unconstrained(d, "attempts"), d.execute(f"update attempts set score = 9.5 where id = {attempt}")))
    export("attempt-dangling-person", ["attempts", f"row id {attempt}", "field participant_id", "888888"],
           lambda d: d.execute(f"update attempts set participant_id = 888888 where id = {attempt}"))
    export("attempt-id-huge-real", ["attempts", "field id", "out of range"], lambda d: (
        _unconstrained(d, "attempts"), d.execute(f"update attempts set id = 1e25 where id = {attempt}")))
    export("attempt-person-null", ["attempts", f"row id {attempt}", "field participant_id"], lambda d: (
        _unconstrained(d, "attempts"), d.execute(f"update attempts set participant_id = null where id = {attempt}")))
    # -- the optional question table
    export("question-kind-unknown", ["questions", "field kind"], lambda d: d.execute(
        "update questions set kind = 'essay' where id = (select min(id) from questions)"))
    export("question-options-not-json", ["questions", "field options", "JSON"], lambda d: d.execute(
        "update questions set options = 'A, B, C' where id = (select min(id) from questions)"))
    # -- what would empty the store
    export("zero-rows", ["participants", "--allow-removal", "would remove"], lambda d: [
        d.execute(f"delete from {t}") for t in ("attempts", "shares", "participants", "organizations")])
    export("a-tenth-of-the-people-gone", ["participants", "would remove", "--allow-removal"], lambda d: (
        d.execute("delete from attempts where participant_id in (select id from participants where id % 10 = 0)"),
        d.execute("delete from shares where participant_id in (select id from participants where id % 10 = 0)"),
        d.execute("delete from participants where id % 10 = 0")))
    # -- damaged files
    garbage = folder / "export-not-sqlite.sqlite"
    garbage.write_bytes(b"this is a CSV file, not a database\n" * 100)
    cases.append(Case("export-not-sqlite", "export", ["sync", str(garbage)], 2, [garbage.name, "damaged"]))
    torn = folder / "export-half.sqlite"
    torn.write_bytes(base.read_bytes()[: base.stat().st_size // 2])
    cases.append(Case("export-truncated", "export", ["sync", str(torn)], 2, [torn.name]))
    page = folder / "export-garbage-page.sqlite"
    data = bytearray(base.read_bytes())
    page_size = int.from_bytes(data[16:18], "big") or 65536
    _garbage_pages(data, page_size)
    page.write_bytes(bytes(data))
    cases.append(Case("export-garbage-page", "export", ["sync", str(page)], 2, [page.name, "malformed"]))
    cases.append(Case("export-missing", "export", ["sync", str(folder / "no-such-export.sqlite")], 2,
                      ["no-such-export.sqlite", "no such file"]))
    cases.append(Case("export-is-a-folder", "export", ["sync", str(folder)], 2, [folder.name, "folder"]))
    cases.append(Case("export-url-with-password", "export",
                      ["sync", "postgresql+psycopg://staff:Secret-9@127.0.0.1:1/platform"], 2,
                      ["staff:***@127.0.0.1", "cannot open the export"]))

    # -- kept but marked invalid (rules.md): the sync succeeds and validate lists the row
    def kept(name: str, change, reason: str) -> None:
        path = _export_case(folder, base, name, change)
        cases.append(Case(name, "export-kept", ["sync", str(path)], 0, [], stream="stdout",
                          validate_lists=[str(attempt), reason]))
    kept("kept-finish-before-start", lambda d: d.execute(
        f"update attempts set finished_at = datetime(started_at, '-5 minutes') where id = {attempt}"),
        "finish_before_start")
    kept("kept-wrong-question-count", lambda d: d.execute(
        f"update attempts set question_count = 19 where id = {attempt}"), "wrong_question_count")
    kept("kept-correct-out-of-range", lambda d: d.execute(
        f"update attempts set correct_count = 21, score = 105 where id = {attempt}"), "correct_count_out_of_range")
    kept("kept-negative-correct", lambda d: d.execute(
        f"update attempts set correct_count = -1, score = -5 where id = {attempt}"), "correct_count_out_of_range")
    kept("kept-score-mismatch", lambda d: d.execute(
        f"update attempts set score = score + 3 where id = {attempt}"), "score_mismatch")

    # -- stores
    store_garbage = folder / "store-not-sqlite.sqlite"
    store_garbage.write_bytes(b"\x00garbage" * 2000)
    cases.append(Case("store-not-sqlite", "store", ["--store", str(store_garbage), "sync", str(base)], 2,
                      [store_garbage.name, "damaged"]))
    cases.append(Case("store-garbage-page", "store", ["--store", "{damaged_store}", "sync", str(base)], 2,
                      ["damaged-store.sqlite", "malformed"]))
    cases.append(Case("store-busy", "store", ["sync", str(_export_case(folder, base, "busy-export", lambda d: d.execute(
        f"update participants set name = '改名' where id = {person}")))], 2, ["busy", "FINALS_APP_STORE_WAIT"],
        env={"FINALS_APP_STORE_WAIT": "0.5"}))
    cases.append(Case("store-disk-full", "store", ["sync", str(_export_case(folder, base, "full-export", lambda d: d.execute(
        "update participants set name = name || hex(randomblob(300))")))], 2, ["disk is full", "needs about"]))

    # -- contest files and question banks
    demo = Path(str(resources.files("finals_app.assets") / "contests"))
    good = (demo / "demo.toml").read_text(encoding="utf-8")
    shutil.copyfile(demo / "demo-bank.csv", folder / "demo-bank.csv")

    def contest(name: str, text: str, says: list[str], group: str = "contest") -> None:
        path = folder / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        cases.append(Case(name, group, ["contest", "check", str(path)], 2, [path.name, *says]))

    def line_of(needle: str) -> str:
        return str(good[:good.index(needle)].count("\n") + 1)

    contest("contest-toml-syntax", good.replace('venue = "山东会堂"', 'venue = "山东会堂'), ["TOML"])
    contest("contest-unknown-field", good.replace("[contest]\n", "[contest]\nhost = \"某某\"\n"), ["contest.host"])
    contest("contest-two-members", good.replace('members = ["王海涛", "李秀英", "张志强"]', 'members = ["王海涛", "李秀英"]'),
            ["teams[0].members", ":" + line_of('members = ["王海涛"')])
    contest("contest-duplicate-key", good.replace('buzzer_key = "2"', 'buzzer_key = "1"'), ["teams[1].buzzer_key"])
    contest("contest-bad-colour", good.replace('color = "#e63946"', 'color = "red"'), ["teams[0].color", "red"])
    contest("contest-chief-not-judge", good.replace('chief_judge = "刘建华"', 'chief_judge = "王五"'),
            ["contest.chief_judge"])
    contest("contest-round-type", good.replace('type = "buzzer"', 'type = "lightning"', 1), ["rounds[1].type", "lightning"])
    contest("contest-too-many-prizes", good.replace("third = 3", "third = 30"), ["prizes"])
    pinned = good + '\n[contest.judge_pins]\n"刘建华" = "1234"\n'
    contest("contest-pin-not-a-hash", pinned, ["contest.judge_pins.刘建华", "scrypt",
                                              ":" + str(pinned[:pinned.index('"刘建华" = "1234"')].count("\n") + 1)])
    contest("contest-press-window-zero", good.replace('type = "buzzer"', 'type = "buzzer"\npress_seconds = 0', 1),
            ["press_seconds"])
    contest("contest-missing-bank", good.replace('file = "demo-bank.csv"', 'file = "no-such-bank.csv"'),
            ["banks[0].file", "no-such-bank.csv", ":" + line_of('file = "demo-bank.csv"')], group="bank")
    bank_text = (demo / "demo-bank.csv").read_text(encoding="utf-8-sig")
    import csv
    import io
    table = list(csv.reader(io.StringIO(bank_text)))
    header = table[0]
    for name, column, value, says in (("bank-bad-answer", "答案", "Z", ["答案", "Z"]),
                                      ("bank-unknown-kind", "题型", "论述", ["题型", "论述"]),
                                      ("bank-empty-stem", "题干", "", ["题干"])):
        bank = folder / f"{name}.csv"
        broken = [list(row) for row in table]
        broken[1][header.index(column)] = value
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(broken)
        bank.write_text(buffer.getvalue(), encoding="utf-8")
        contest(name, good.replace('file = "demo-bank.csv"', f'file = "{bank.name}"'), [f"{bank.name}:2", *says],
                group="bank")

    # -- rules files
    from finals_app.core.rules import load_rules
    shipped = load_rules().text

    def rules_case(name: str, text: str, says: list[str]) -> None:
        path = folder / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        cases.append(Case(name, "rules", ["--rules", str(path), "rules", "show"], 2, [path.name, *says]))
    rules_case("rules-toml-syntax", shipped.replace("points_per_correct = 5", "points_per_correct = ", 1), ["TOML"])
    rules_case("rules-points-text", shipped.replace("points_per_correct = 5", "points_per_correct = 'five'", 1),
               ["preliminary.points_per_correct", ":12"])
    rules_case("rules-unknown-section", shipped + "\n[fireworks]\nsize = 3\n", ["fireworks"])
    rules_case("rules-period-over-62-days", shipped.replace('end = "2018-01-20 24:00"', 'end = "2018-04-20 24:00"', 1),
               ["periods", "62"])
    rules_case("rules-period-time", shipped.replace('start = "2018-02-11 06:00"', 'start = "2018-02-31 06:00"', 1),
               ["start", "2018-02-31"])

    # -- journals
    for name, damage, code, says in (
            ("journal-torn-tail", "torn", 0, ["torn", "dropped"]),
            ("journal-damaged-middle", "middle", 2, ["line 2"]),
            ("journal-not-text", "binary", 2, ["line 1"])):
        journal = folder / f"{name}.journal"
        _journal(journal, damage)
        cases.append(Case(name, "journal", ["rehearse", str(demo / "demo.toml"), "--journal", str(journal)], code,
                          [*says] if code == 0 else [journal.name, *says], stream="stdout" if code == 0 else "stderr"))
    return cases


def _garbage_pages(data: bytearray, page_size: int) -> None:
    """Overwrite a few pages after the first with random bytes (a disk that returned garbage)."""
    import random
    rng = random.Random(5)
    pages = len(data) // page_size
    for index in range(2, min(pages, 12), 3):
        start = index * page_size
        data[start:start + page_size] = bytes(rng.randrange(256) for _ in range(page_size))


def _journal(path: Path, damage: str) -> None:
    from finals_app.core.stage.contest import load_contest
    from finals_app.core.stage.engine import StageEngine
    contest = load_contest(Path(str(resources.files("finals_app.assets") / "contests" / "demo.toml")))
    engine = StageEngine(contest, path, durable=False)
    for command in ({"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "correct"}, {"cmd": "show_question"}):
        engine.execute(command)
    engine.close()
    data = path.read_bytes()
    lines = data.splitlines(keepends=True)
    if damage == "torn":
        path.write_bytes(data[:-17])
    elif damage == "middle":
        lines[1] = lines[1][:20] + b"X" + lines[1][21:]
        path.write_bytes(b"".join(lines))
    else:
        path.write_bytes(os.urandom(300) + b"\n" + b"".join(lines[1:]))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python -m tests.corpus.make OUT_FOLDER\n")
        return 2
    folder = Path(argv[0])
    cases = build(folder)
    (folder / "cases.json").write_text(json.dumps([asdict(c) for c in cases], ensure_ascii=False, indent=1),
                                       encoding="utf-8")
    sys.stdout.write(f"{len(cases)} cases in {folder}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
