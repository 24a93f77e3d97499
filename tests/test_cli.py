"""The CLI contract: command names, exact columns in CSV and JSON, formats, exit codes,
masking, and clear errors that change nothing."""
from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from finals_app.cli import main
from finals_app.core.tables import listings
from tests.conftest import small_rules_text

SEED = "2017-12-25-close"


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("args, columns", [
    (["standings", "--period", "P1"], listings.STANDINGS),
    (["awards", "--period", "P2", "--seed", SEED], listings.AWARDS),
    (["lottery", "--day", "2018-01-12", "--seed", SEED], listings.LOTTERY),
    (["branches", "--period", "P1", "--seed", SEED], listings.BRANCHES),
    (["committees", "--period", "P1", "--seed", SEED], listings.COMMITTEES),
    (["final-standings"], listings.FINAL_STANDINGS),
    (["validate", "--period", "P1"], listings.INVALID),
])
def test_csv_and_json_have_exactly_the_contract_columns(cli, args, columns):
    code, out, _ = cli(*args, "--format", "csv")
    assert code == 0
    rows = _csv(out)
    assert rows and tuple(rows[0].keys()) == columns
    code, out, _ = cli(*args, "--format", "json")
    parsed = [json.loads(line) for line in out.splitlines()]
    assert len(parsed) == len(rows) and tuple(parsed[0].keys()) == columns
    if "rank" in columns:
        assert [r["rank"] for r in parsed] == list(range(1, len(parsed) + 1))


def test_standings_mask_names_and_phones_unless_payout(cli):
    _, out, _ = cli("standings", "--period", "P1", "--format", "json")
    first = json.loads(out.splitlines()[0])
    assert "****" in first["phone"] and len(first["phone"]) == 11 and "*" in first["name"]
    _, out, _ = cli("standings", "--period", "P1", "--format", "json", "--payout")
    full = json.loads(out.splitlines()[0])
    assert full["phone"].isdigit() and "*" not in full["name"]
    assert full["participant_id"] == first["participant_id"]


def test_awards_list_full_names_titles_for_members_and_amounts(cli):
    _, out, _ = cli("awards", "--period", "P1", "--seed", SEED, "--format", "json")
    rows = [json.loads(line) for line in out.splitlines()]
    top = [r for r in rows if r["award"] == "top"]
    drawn = [r for r in rows if r["award"] == "random"]
    assert len(top) == 25 and {r["amount_yuan"] for r in top} == {50} and {r["amount_yuan"] for r in drawn} == {30}
    assert all((r["title"] == "灯塔学习先锋") == (r["is_party_member"] == 1) for r in rows)
    assert all("*" not in r["name"] and "****" in r["phone"] for r in rows)
    assert not {r["participant_id"] for r in top} & {r["participant_id"] for r in drawn}


def test_the_same_seed_gives_the_same_draw_and_it_verifies(cli, tmp_path):
    first = cli("awards", "--period", "P1", "--seed", SEED, "--format", "csv")[1]
    assert cli("awards", "--period", "P1", "--seed", SEED, "--format", "csv")[1] == first
    assert cli("awards", "--period", "P1", "--format", "csv")[1] == first  # the recorded draw, no seed needed
    cli("lottery", "--day", "2018-01-12", "--seed", SEED)
    code, out, _ = cli("draw-verify", "--format", "json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and {r["draw"] for r in rows} == {"pioneer-random:P1", "daily-lottery:2018-01-12"}
    assert all(r["result"] == "match" for r in rows) and len(rows) == 2


def test_a_draw_is_an_official_act_and_a_redraw_says_why(cli):
    code, _, err = cli("branches", "--period", "P2", "--seed", SEED, "--format", "csv")
    assert code == 0 and "pioneer-random:P2" in err  # any listing that runs a draw says so
    assert cli("branches", "--period", "P2", "--format", "csv")[2] == ""  # recorded: said no more
    code, first, err = cli("awards", "--period", "P1", "--seed", SEED, "--format", "csv")
    assert code == 0 and "pioneer-random:P1" in err and SEED in err  # said: this listing ran the draw
    code, out, err = cli("awards", "--period", "P1", "--seed", "another", "--format", "csv")
    assert code == 2 and out == "" and f"with seed {SEED}" in err and "--redraw" in err
    code, _, err = cli("draw", "--period", "P1", "--seed", "another", "--redraw")
    assert code == 2 and "needs a reason" in err
    code, _, err = cli("draw", "--period", "P1", "--seed", SEED, "--redraw", "--reason", "x")
    assert code == 2 and "needs a new seed" in err
    code, out, _ = cli("draw", "--period", "P1", "--seed", "another", "--redraw", "--reason", "公证员未到场")
    assert code == 0 and "a redraw" in out and "公证员未到场" in out
    again = cli("awards", "--period", "P1", "--format", "csv")[1]  # the listings show the redraw now
    assert again == cli("awards", "--period", "P1", "--seed", "another", "--format", "csv")[1] and again != first
    code, out, _ = cli("draw-verify", "--draw", "pioneer-random:P1", "--format", "json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [(r["seed"], r["replaces_seed"], r["reason"]) for r in rows] == [
        (SEED, "", ""), ("another", SEED, "公证员未到场")]
    code, _, err = cli("draw", "--period", "P1", "--seed", "third")
    assert code == 2 and "with seed another" in err
    code, _, err = cli("draw", "--day", "2018-01-13", "--seed", SEED, "--redraw", "--reason", "r")
    assert code == 2 and "nothing to redraw" in err


def test_anyone_can_verify_a_published_draw_from_files(cli, tmp_path):
    _, awards_csv, _ = cli("awards", "--period", "P1", "--seed", SEED, "--format", "csv")
    tickets = tmp_path / "tickets.csv"
    assert cli("draw-verify", "--draw", "pioneer-random:P1", "--seed", SEED, "--export-tickets", str(tickets))[0] == 0
    winners = tmp_path / "winners.csv"
    drawn = [r["participant_id"] for r in _csv(awards_csv) if r["award"] == "random"]
    winners.write_text("ticket_id\n" + "\n".join(drawn) + "\n")
    args = ["draw-verify", "--tickets", str(tickets), "--draw", "pioneer-random:P1", "--seed", SEED,
            "--count", "40", "--winners", str(winners), "--format", "json"]
    code, out, _ = cli(*args)
    assert code == 0 and json.loads(out)["result"] == "match"
    winners.write_text("ticket_id\n" + "\n".join(reversed(drawn)) + "\n")
    code, out, _ = cli(*args)
    assert code == 1 and json.loads(out)["result"] == "winners differ"


def test_xlsx_output_is_typed_with_chinese_headers(cli, tmp_path):
    target = tmp_path / "standings.xlsx"
    code, _, _ = cli("standings", "--period", "P1", "--format", "xlsx", "--out", str(target), "--lang", "zh_CN")
    assert code == 0
    sheet = load_workbook(target).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["名次", "参赛者ID", "姓名"]
    assert isinstance(sheet["A2"].value, int) and sheet["A2"].value == 1
    assert sheet.freeze_panes == "A2"
    assert not (tmp_path / "standings.xlsx.partial").exists()


def test_table_format_has_chinese_headers(cli):
    code, out, _ = cli("branches", "--period", "P1", "--seed", SEED, "--lang", "zh_CN")
    assert code == 0 and out.splitlines()[0].split()[:3] == ["名次", "党支部ID", "党支部名称"]


@pytest.mark.parametrize("args, needle", [
    (["standings", "--period", "P9"], "no period P9"),
    (["awards", "--period", "P1"], "a seed is required"),
    (["lottery", "--day", "2018-02-30", "--seed", "s"], "not a date"),
    (["lottery", "--day", "2018-02-05", "--seed", "s"], "not a day of any preliminary period"),
    (["awards", "--period", "FINAL", "--seed", "s"], "no period FINAL"),
    (["standings", "--period", "P1", "--format", "xlsx"], "give --out"),
    (["draw-verify", "--draw", "nothing"], "no recorded draw"),
])
def test_bad_requests_are_named_and_exit_non_zero(cli, args, needle):
    code, out, err = cli(*args)
    assert code == 2 and needle in err and out == ""


def test_nothing_synced_yet(tmp_path):
    err = io.StringIO()
    code = main(["--store", str(tmp_path / "empty.sqlite"), "standings", "--period", "P1"], io.StringIO(), err)
    assert code == 2 and "no synced export" in err.getvalue()


def test_wrong_rules_file_names_file_and_field(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(small_rules_text().replace("points_per_correct = 5", "points_per_correct = 'five'"), encoding="utf-8")
    err = io.StringIO()
    assert main(["--rules", str(bad), "rules", "show"], io.StringIO(), err) == 2
    assert "bad.toml:" in err.getvalue() and "preliminary.points_per_correct" in err.getvalue()


def test_sync_prints_a_summary_with_invalid_reasons(tmp_path, sample_export):
    out = io.StringIO()
    assert main(["--store", str(tmp_path / "s.sqlite"), "sync", str(sample_export)], out, io.StringIO()) == 0
    text = out.getvalue()
    assert "attempts" in text and "over_daily_allowance" in text and "score_mismatch" in text
    out = io.StringIO()
    main(["--store", str(tmp_path / "s.sqlite"), "sync", str(sample_export)], out, io.StringIO())
    assert "unchanged" in out.getvalue()


def test_rules_show_prints_the_rules_in_force():
    out = io.StringIO()
    assert main(["rules", "show"], out, io.StringIO()) == 0
    assert "top_count = 500" in out.getvalue() and "default-2017-2018.toml" in out.getvalue()


def test_out_file_is_written_whole(cli, tmp_path):
    target = tmp_path / "s.csv"
    code, out, _ = cli("standings", "--period", "P1", "--format", "csv", "--out", str(target))
    assert code == 0 and out == "" and target.read_text().startswith("rank,participant_id")
    code, _, err = cli("standings", "--period", "P1", "--format", "csv", "--out", str(tmp_path / "no" / "s.csv"))
    assert code == 2 and "cannot write" in err


def test_xlsx_cells_are_typed_for_staff(cli, tmp_path):
    """Bold frozen header; rates as percentages and organisation scores with two decimals (still
    numbers); due dates as dates; coded values as the words of the Chinese table."""
    import datetime
    branches = tmp_path / "branches.xlsx"
    assert cli("branches", "--period", "P1", "--seed", SEED, "--format", "xlsx", "--out", str(branches),
               "--lang", "zh_CN")[0] == 0
    sheet = load_workbook(branches).active
    header = [c.value for c in sheet[1]]
    rate, score = sheet.cell(2, header.index("参与率") + 1), sheet.cell(2, header.index("得分") + 1)
    assert isinstance(rate.value, (int, float)) and rate.number_format == "0.00%"  # 1.0 reads back as 1
    assert isinstance(score.value, float) and score.number_format == "0.00"
    assert all(cell.font.bold for cell in sheet[1]) and sheet.freeze_panes == "A2"
    payouts = tmp_path / "payouts.xlsx"
    assert cli("payouts", "--period", "P1", "--seed", SEED, "--format", "xlsx", "--out", str(payouts),
               "--lang", "zh_CN")[0] == 0
    sheet = load_workbook(payouts).active
    header = [c.value for c in sheet[1]]
    due = sheet.cell(2, header.index("发放截止日期") + 1)
    assert due.value == datetime.datetime(2018, 1, 10) and due.number_format == "yyyy-mm-dd"
    assert sheet.cell(2, header.index("奖项") + 1).value == "排名前列"
    assert isinstance(sheet.cell(2, header.index("手机号") + 1).value, str)  # a phone is text, never a number


def test_help_speaks_the_language_given_on_the_command_line(capsys, monkeypatch):
    monkeypatch.delenv("FINALS_APP_LANG", raising=False)
    for argv, needle in ((["sync", "--help"], "SQLite 导出库文件"), (["--lang", "en", "sync", "--help"], "SQLite export file"),
                         (["sync", "--lang=en", "--help"], "SQLite export file")):
        with pytest.raises(SystemExit):
            main(argv)
        assert needle in capsys.readouterr().out, argv


def test_coded_values_read_as_words_in_chinese_and_as_codes_in_english(cli):
    _, chinese, _ = cli("awards", "--period", "P1", "--seed", SEED, "--lang", "zh_CN")
    _, english, _ = cli("awards", "--period", "P1", "--seed", SEED, "--lang", "en")
    import re
    assert "排名前列" in chinese and "满分随机抽取" in chinese and not re.search(r"(?m)^top\s", chinese)
    assert re.search(r"(?m)^top\s", english) and re.search(r"(?m)^random\s", english) and "排名前列" not in english


def test_argparse_speaks_chinese_too(monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as done:
        import contextlib
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            main(["standings"], out, err)
    assert done.value.code == 2 and "用法：" in err.getvalue() and "错误：缺少必需的参数：--period" in err.getvalue()


def test_a_sync_says_its_stages_with_times_when_stderr_is_a_log(cli, sample_export):
    code, _, err = cli("sync", str(sample_export), sync_first=False)
    assert code == 0
    lines = err.splitlines()
    import re
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d "
    assert lines and all(re.match(stamp, line) for line in lines), lines[:3]
    for stage in ("attempts", "validate", "compare", "rules"):
        assert any(f" {stage}: started" in line for line in lines), stage
        assert any(re.search(rf" {stage}: done in \d+\.\d s", line) for line in lines), stage


def test_a_sync_on_a_terminal_draws_live_progress(cli, sample_export):
    class Terminal(io.StringIO):
        def isatty(self):
            return True
    from finals_app.cli.progress import Progress
    screen = Terminal()
    progress = Progress(screen)
    for done in range(0, 101, 20):
        progress("attempts", done, 100)
    progress("rules", 0, None)
    progress.close()
    assert "attempts" in screen.getvalue() and "100/100" in screen.getvalue()


@pytest.mark.parametrize("args", [["standings", "--period", "P1", "--format", "csv"],
                                  ["branches", "--period", "P1", "--seed", SEED, "--format", "table"]])
def test_a_reader_that_stops_reading_ends_the_command_quietly(cli, tmp_path, args):
    """`finals-app standings … | head`: the command is told its output's reader went away; it
    stops with a shell's SIGPIPE status and no internal error, leaving nothing behind."""
    import os
    import subprocess
    import sys
    cli("rules", "show")  # synced
    rules_file = tmp_path / "rules.toml"
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before the command writes a byte
    done = subprocess.run([sys.executable, "-m", "finals_app", "--store", str(tmp_path / "store.sqlite"),
                           "--rules", str(rules_file), *args], stdout=writer, stderr=subprocess.PIPE, text=True,
                          timeout=120)
    os.close(writer)
    assert done.returncode == 141, done.stderr
    assert "error" not in done.stderr.lower() and "错误" not in done.stderr  # (a draw it ran is said)
