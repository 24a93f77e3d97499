"""The `finals-app` command: the online phases for the organisers' staff, and the stage.

No Qt is imported here at module level: the online commands run on a server with no display.
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path
from typing import Sequence, TextIO

from finals_app.core.errors import FinalsError, Location
from finals_app.core.i18n import LANGUAGES, stage_title, translate
from finals_app.core.tables import listings
from finals_app.reports.writers import FORMATS, emit, write_atomically

EXIT_OK, EXIT_MISMATCH, EXIT_ERROR = 0, 1, 2
EXIT_INTERNAL = 3  # a fault of ours, never of the input: the trace is in the log
EXIT_PIPE = 141  # the output's reader went away (128 + SIGPIPE, as a shell says it)


class Progress:
    """The stages of a long job as a user follows them: on a terminal a live display (rich) with
    each stage's bar, count, elapsed time, rate and estimate; elsewhere (a log, a cron job) plain
    timestamped lines, one when a stage starts and ends and at most one every 5 s between."""

    EVERY_S = 5.0

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.tty = stream.isatty()
        self.stage: str | None = None
        self.started = self.last = time.monotonic()
        self.live = None
        self.task = None

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if stage != self.stage:
            if self.live is not None:
                self.live.refresh()  # the stage that ends is drawn complete before the next one
            self._end_stage(now)
            self.stage, self.started, self.last = stage, now, now
            if self.tty:
                self._live().update(self.task, description=stage_title(stage), completed=0, total=total or None)
            else:
                self._line(translate("{stage}: started", stage=stage_title(stage)))
        self.done, self.total = done, total
        if self.tty:
            self._live().update(self.task, completed=done, total=total or None)
        elif now - self.last >= self.EVERY_S and total:
            self.last = now
            self._line(self._figures(now))

    def _figures(self, now: float) -> str:
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate and self.total else None
        return translate("{stage}: {done:,}/{total:,} ({share:.0%}), {elapsed:.1f} s, {rate:,.0f} rows/s, about {left} s left",
                         stage=stage_title(self.stage), done=self.done, total=self.total,
                         share=self.done / self.total if self.total else 0, elapsed=elapsed, rate=rate,
                         left=f"{left:.0f}" if left is not None else "?")

    def _end_stage(self, now: float, completed: bool = True) -> None:
        if self.stage is not None and not self.tty:
            template = "{stage}: done in {seconds:.1f} s" if completed else "{stage}: stopped after {seconds:.1f} s"
            self._line(translate(template, stage=stage_title(self.stage), seconds=now - self.started))

    def _line(self, text: str) -> None:
        from datetime import datetime
        self.stream.write(f"{datetime.now().strftime('%Y-%m-%d %H:%M:%S')} {text}\n")
        self.stream.flush()

    def _live(self):
        if self.live is None:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as Live, ProgressColumn,
                                       SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn)
            from rich.text import Text

            class Rate(ProgressColumn):
                def render(self, task) -> Text:
                    return Text(translate("{rate:,.0f} rows/s", rate=task.speed) if task.speed else "")

            self.live = Live(SpinnerColumn(), TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(),
                             Rate(), TimeElapsedColumn(), TimeRemainingColumn(), console=Console(file=self.stream),
                             transient=True)
            self.live.start()
            self.task = self.live.add_task("", total=None)
        return self.live

    def close(self, completed: bool = True) -> None:
        self._end_stage(time.monotonic(), completed)
        if self.live is not None:
            self.live.refresh()
            self.live.stop()
            self.live = None


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--store", default=default, metavar="URL",
                        help=translate("the app's database (SQLAlchemy URL or SQLite path); env FINALS_APP_STORE"))
    parser.add_argument("--rules", default=default, metavar="FILE", help=translate("rules file (TOML); default: 2017-2018"))
    parser.add_argument("--lang", default=default, choices=LANGUAGES, help=translate("zh_CN (default) or en"))


def _listing_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", default="table", choices=FORMATS)
    parser.add_argument("--out", metavar="FILE", help=translate("write to FILE instead of the terminal"))


# argparse's own words (usage, error, options) in Chinese, as the rest of the CLI speaks.
ARGPARSE_ZH = {
    "usage: ": "用法：", "options": "选项", "positional arguments": "位置参数",
    "show this help message and exit": "显示帮助并退出", "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s", "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个参数", "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "not allowed with argument %s": "不能与参数 %s 同时使用", "one of the arguments %s is required": "必须给出参数 %s 之一",
    "ambiguous option: %(option)s could match %(matches)s": "有歧义的选项：%(option)s 可匹配 %(matches)s",
}


def _argparse_speaks(language: str) -> None:
    argparse._ = (lambda text: ARGPARSE_ZH.get(text, text)) if language == "zh_CN" else (lambda text: text)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("finals-app")
    except PackageNotFoundError:
        return "unknown"


class _VersionAction(argparse.Action):
    """--version: the installed version, looked up only when asked (the package metadata costs
    a twentieth of a second at every command otherwise)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(f"finals-app {_version()}\n")  # where argparse's own version action writes it
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="finals-app", description="灯塔-党建在线 学习竞赛：线上各阶段与线下总决赛")
    _global_options(parser, suppress=False)
    parser.add_argument("--version", action=_VersionAction, help=translate("the version, and exit"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)

    def command(name: str, text: str, listing: bool = False) -> argparse.ArgumentParser:
        shown = translate(text)  # command descriptions in the user's language (zh_CN by default)
        sub = commands.add_parser(name, help=shown, description=shown, parents=[common])
        if listing:
            _listing_options(sub)
        return sub

    sync = command("sync", "sync the platform's export into the store")
    sync.add_argument("export", help=translate("SQLite export file or SQLAlchemy URL"))
    sync.add_argument("--allow-removal", action="store_true",
                      help=translate("confirm a sync that removes more than the limit of a table's rows"))
    sync.add_argument("--removal-limit", type=float, default=5.0, metavar="PERCENT",
                      help=translate("refuse a sync that would remove more than this share of a table's rows (default 5)"))

    validate = command("validate", "list invalid attempts with their reason", listing=True)
    validate.add_argument("--period", help=translate("P1..P6 or FINAL (default: all)"))

    standings = command("standings", "personal ranking of a period", listing=True)
    standings.add_argument("--period", required=True)
    standings.add_argument("--payout", action="store_true", help=translate("full names and phones (organisers only)"))

    awards = command("awards", "top 500 and the random 1,500 of a period (runs and records the draw)", listing=True)
    awards.add_argument("--period", required=True)
    awards.add_argument("--seed")
    awards.add_argument("--payout", action="store_true", help=translate("full phone numbers (payout list)"))

    lottery = command("lottery", "the daily participation lottery of one day", listing=True)
    lottery.add_argument("--day", required=True, metavar="YYYY-MM-DD")
    lottery.add_argument("--seed")
    lottery.add_argument("--payout", action="store_true", help=translate("full phone numbers (payout list)"))

    for name, text in (("branches", "branch ranking of a period"), ("committees", "committee ranking of a period")):
        sub = command(name, text, listing=True)
        sub.add_argument("--period", required=True)
        sub.add_argument("--seed")

    final = command("final-standings", "ranking of the online final with the exemplar tiers", listing=True)
    final.add_argument("--payout", action="store_true", help=translate("full names and phones (organisers only)"))

    draw = command("draw", "run a period's pioneer draw or a day's lottery: an official act, recorded once")
    which = draw.add_mutually_exclusive_group(required=True)
    which.add_argument("--period", help=translate("the period's 灯塔学习先锋 random draw, e.g. P3"))
    which.add_argument("--day", metavar="YYYY-MM-DD", help=translate("the day's participation lottery"))
    draw.add_argument("--seed", required=True, help=translate("the published seed"))
    draw.add_argument("--redraw", action="store_true", help=translate("draw again although a draw is recorded (needs --reason)"))
    draw.add_argument("--reason", help=translate("why the draw is run again (recorded, shown by draw-verify and in the report)"))

    verify = command("draw-verify", "recompute recorded draws (or a published one) and compare", listing=True)
    verify.add_argument("--draw", metavar="NAME", help=translate("only draws of this name, e.g. pioneer-random:P3"))
    verify.add_argument("--seed", help=translate("with --draw: only the draw with this seed; with --tickets: the seed"))
    verify.add_argument("--tickets", metavar="CSV", help=translate("published eligible list (ticket_id[,participant_id])"))
    verify.add_argument("--count", type=int, help=translate("with --tickets: number of winners"))
    verify.add_argument("--winners", metavar="CSV", help=translate("with --tickets: published winners (ticket_id column) to compare"))
    verify.add_argument("--any-per-person", action="store_true", help=translate("with --tickets: a person may win more than once"))
    verify.add_argument("--export-tickets", metavar="CSV", help=translate("with --draw and --seed: write the recorded eligible list"))

    rules = command("rules", "the rules in force")
    rules.add_argument("action", choices=("show",))

    excellent = command("excellent-orgs", "the excellent organisation award (committees) of a period", listing=True)
    excellent.add_argument("--period", required=True)
    excellent.add_argument("--seed", help=translate("accepted for symmetry with the other award commands; not needed"))

    archive = command("archive", "learning archive of a party member or a branch across every period synced",
                      listing=True)
    archive.add_argument("kind", choices=("member", "branch"))
    archive.add_argument("id", type=int)

    ledger = command("ledger", "participation ledger of a branch in a period", listing=True)
    ledger.add_argument("--branch", type=int, required=True)
    ledger.add_argument("--period", required=True)

    payouts = command("payouts", "payout list of a period (or --final): full phone numbers, for the organisers",
                      listing=True)
    payouts.add_argument("--period")
    payouts.add_argument("--seed")
    payouts.add_argument("--final", action="store_true")

    report = command("report", "the period report (汇报材料) of a committee or a branch, as PDF or XLSX")
    report.add_argument("--org", type=int, required=True)
    report.add_argument("--period", required=True)
    report.add_argument("--out", required=True, metavar="FILE.pdf|FILE.xlsx")

    teams = command("teams", "each unit's proposed stage team (party members with a pioneer or exemplar title)",
                    listing=True)
    teams.add_argument("--write-contest", metavar="FILE", help=translate("also write a contest file with the proposed teams"))

    contest = command("contest", "check a contest file (teams, rounds, questions, banks)")
    contest.add_argument("action", choices=("check", "pin"))
    contest.add_argument("file", nargs="?", help=translate("the contest file (check); for pin: the judge's name"))

    rehearse = command("rehearse", "run stage commands headless on a contest and its journal")
    rehearse.add_argument("contest", help=translate("the contest file (TOML)"))
    rehearse.add_argument("--journal", required=True, metavar="FILE", help=translate("created, or resumed when it exists"))
    rehearse.add_argument("--script", metavar="COMMANDS.jsonl", help='one {"cmd": ...} object a line; - for stdin')
    rehearse.add_argument("--json", action="store_true", help=translate("print the resulting state as JSON"))
    rehearse.add_argument("--strict", action="store_true", help=translate("exit 1 when any command was refused"))

    command("office", "the organisers' office window: sync, tables, charts, the draw ceremony")

    for name, text in (("certificates", "after the judges' sign-off: one certificate page per prize-winning member (PDF)"),
                       ("results", "after the judges' sign-off: the results report (PDF or XLSX)")):
        document = command(name, text)
        document.add_argument("contest")
        document.add_argument("--journal", required=True, metavar="FILE")
        document.add_argument("--out", required=True, metavar="FILE")

    stage = command("stage", "open the stage kiosk on a contest (resuming its journal if it exists)")
    stage.add_argument("contest")
    stage.add_argument("--journal", metavar="FILE", help=translate("default: the contest file's name with .journal"))
    stage.add_argument("--serve", metavar="HOST:PORT", help=translate(
        "serve the show on the local network (followers, stream overlay, phone buzzers, judges' tablets); off by default"))

    follow = command("follow", "show one of a served show's screens on this machine (read only)")
    follow.add_argument("url", help=translate("the show's address as the host's console shows it (http://HOST:PORT/?t=...)"))
    follow.add_argument("--screen", choices=("audience", "timer", "buzzer", "judges"), default="audience")
    follow.add_argument("--window", action="store_true", help=translate("in a window instead of full screen"))
    follow.add_argument("--display", type=int, metavar="N", help=translate("full screen on display N (0 is the first)"))

    demo = command("demo", "the stage kiosk on the bundled demo contest, with a fresh journal")
    demo.add_argument("--serve", metavar="HOST:PORT", help=translate(
        "serve the show on the local network (followers, stream overlay, phone buzzers, judges' tablets); off by default"))
    demo.add_argument("--online", action="store_true", help=translate("instead: the online phases on sample data (no display needed)"))
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    previous_language = os.environ.get("FINALS_APP_LANG")
    # --lang is read before the parser is built, so that --help speaks it too.
    arguments = list(sys.argv[1:] if argv is None else argv)
    for index, argument in enumerate(arguments):
        chosen = argument.partition("=")[2] if argument.startswith("--lang=") else (
            arguments[index + 1] if argument == "--lang" and index + 1 < len(arguments) else None)
        if chosen in LANGUAGES:
            os.environ["FINALS_APP_LANG"] = chosen  # the one translation layer reads it
    import logging

    from finals_app.logs import start_logging, without_secrets
    log = logging.getLogger("finals_app.cli")
    if argv is None:  # a real process (not a test calling main): log it
        start_logging("cli")
    from finals_app.core.i18n import current_language
    _argparse_speaks(current_language())
    try:
        parser = build_parser()
        args = parser.parse_args(arguments)
        if not args.command:
            parser.print_help(stdout)
            return EXIT_OK
        log.info("finals-app %s", without_secrets(" ".join(arguments)))
        code = COMMANDS[args.command](args, stdout, stderr)
        log.info("%s: exit %s", args.command, code)
        return code
    except FinalsError as error:
        message = error.render()
        log.warning("refused: %s", message)
        stderr.write(translate("error") + ": " + message.replace("\n", "\n  ") + "\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        log.info("interrupted")
        stderr.write(translate("interrupted; nothing was changed") + "\n")
        return 130
    except BrokenPipeError:
        # Whoever read the output stopped reading (`| head`): nothing more to say, as other
        # command-line tools; the exit status is a shell's for SIGPIPE.
        log.info("the output's reader went away")
        if stdout is sys.stdout:  # so that the interpreter's last flush does not fail again
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        return EXIT_PIPE
    except Exception as error:  # noqa: BLE001 - the last word: a clear message and the trace in the log
        from finals_app.logs import log_file
        log.exception("internal error")
        stderr.write(translate("internal error ({error}); the details are in {path}",
                               error=without_secrets(f"{type(error).__name__}: {error}"), path=log_file()) + "\n")
        return EXIT_INTERNAL
    finally:
        if previous_language is None:
            os.environ.pop("FINALS_APP_LANG", None)
        else:
            os.environ["FINALS_APP_LANG"] = previous_language


def _rules(args):
    """The rules in force, read once a command."""
    if getattr(args, "loaded_rules", None) is None:
        from finals_app.core.rules import load_rules
        args.loaded_rules = load_rules(args.rules)
    return args.loaded_rules


def _engine(args):
    from finals_app.core.store.engine import open_store
    return open_store(args.store)


def _results(args):
    from finals_app.core.online.results import Results
    return Results(_engine(args), _rules(args))


def interruptible(engine):
    """Ctrl+C stops a sync at once, even in the middle of one long SQL statement: the signal's
    wake-up byte reaches a watcher thread while the main thread waits in the database, and the
    watcher interrupts every connection the store has checked out (SQLite `interrupt()`,
    PostgreSQL `cancel()`). The statement fails, the transaction rolls back, the store is as it
    was, and the KeyboardInterrupt that follows is said as such."""
    import contextlib
    import signal
    import threading

    from sqlalchemy import event

    @contextlib.contextmanager
    def watching():
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        active: set = set()

        def checkout(dbapi, record, proxy):
            active.add(dbapi)

        def checkin(dbapi, record):
            active.discard(dbapi)

        event.listen(engine, "checkout", checkout)
        event.listen(engine, "checkin", checkin)
        read_end, write_end = os.pipe()
        os.set_blocking(write_end, False)
        previous = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                try:
                    data = os.read(read_end, 64)
                except OSError:
                    return
                if done.is_set() or not data:
                    return
                if signal.SIGINT in data or signal.SIGTERM in data:
                    for connection in list(active):
                        stop = getattr(connection, "interrupt", None) or getattr(connection, "cancel", None)
                        try:
                            stop()
                        except Exception:  # noqa: BLE001 - a connection already gone
                            pass

        watcher = threading.Thread(target=watch, name="sync-interrupt", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            done.set()
            signal.set_wakeup_fd(previous)
            os.write(write_end, b"\0")
            watcher.join(1)
            os.close(write_end)
            os.close(read_end)
            event.remove(engine, "checkout", checkout)
            event.remove(engine, "checkin", checkin)

    return watching()


def cmd_sync(args, stdout, stderr) -> int:
    from finals_app.core.online.sync import sync
    rules = _rules(args)
    engine = _engine(args)
    progress = Progress(stderr)
    completed = False
    try:
        if not 0 <= args.removal_limit <= 100:
            raise FinalsError("--removal-limit is a percentage between 0 and 100")
        with interruptible(engine):
            summary = sync(engine, args.export, rules, progress, allow_removal=args.allow_removal,
                           removal_limit=args.removal_limit / 100)
        completed = True
    finally:
        progress.close(completed)
    stdout.write(format_summary(summary))
    return EXIT_OK


def format_summary(summary) -> str:
    t = translate
    lines = [t("Synced {source} in {seconds:.1f} s", source=summary.source, seconds=summary.seconds)]
    if summary.unchanged:
        lines.append(t("The export is unchanged since the last sync: nothing was written."))
    lines.append(t("table            rows       added    changed    missing"))
    for name, change in summary.tables.items():
        lines.append(f"{name:<14}{change.rows:>9,}{change.added:>11,}{change.changed:>11,}{change.missing:>11,}")
        if change.missing:
            shown = ", ".join(map(str, change.missing_ids))
            more = "" if change.missing <= len(change.missing_ids) else " …"
            lines.append("  " + t("gone from the export (removed here, listed in missing_rows): {ids}",
                                  ids=shown + more))
    if summary.invalid:
        lines.append(t("Invalid attempts per period and reason:"))
        for phase, reasons in summary.invalid.items():
            for reason, count in reasons.items():
                label = listings.REASONS_ZH.get(reason, reason) if t("error") == "错误" else reason
                lines.append(f"  {phase:<6} {listings.pad(label, 36)} {count:>9,}")
    else:
        lines.append(t("No invalid attempts."))
    for warning in summary.warnings:
        lines.append(t("warning") + ": " + warning)
    return "\n".join(lines) + "\n"


def cmd_validate(args, stdout, stderr) -> int:
    results = _lean_first(args, stdout, lambda sqlite_csv, emit: sqlite_csv.invalid_attempts(
        args.store, _rules(args), args.period, listings.INVALID, emit))
    if results is not None:
        emit(listings.invalid_attempts(results.invalid_attempts(args.period)), args.format, args.out, stdout)
    return EXIT_OK


def cmd_standings(args, stdout, stderr) -> int:
    results = _lean_first(args, stdout, lambda sqlite_csv, emit: sqlite_csv.ranking(
        args.store, _rules(args), args.period, listings.STANDINGS, emit))
    if results is not None:
        rows = results.standings_rows(args.period, columns=listings.STANDINGS)  # a million rows: no dicts
        emit(listings.standings(rows, payout=args.payout, layout=listings.STANDINGS), args.format, args.out, stdout)
    return EXIT_OK


def _lean_first(args, stdout, lean):
    """The lean CSV path (_sqlite_csv), tried again once the store is brought up to date; None
    when it wrote the listing, else the Results the caller lists it from. `lean(sqlite_csv,
    emit)` is one of tables/sqlite_csv's listings."""
    def attempt() -> bool:
        from finals_app.core.tables import sqlite_csv
        return _sqlite_csv(args, lambda emit: lean(sqlite_csv, emit), stdout)
    if attempt():
        return None
    results = _results(args)  # says what is wrong, or derives what is out of date
    return None if attempt() else results


def _sqlite_csv(args, lean, stdout) -> bool:
    """A listing of up to a million rows as CSV, written by SQLite itself where it can give
    exactly the listing path's bytes (tables/sqlite_csv: a SQLite store derived for these rules,
    with this version's masks), without loading the database toolkit. `lean(emit)` gives the
    text to `emit`, or says False having given nothing; then the caller lists it."""
    if args.format != "csv" or getattr(args, "payout", False):
        return False

    def write(temporary: Path) -> None:
        with open(temporary, "w", encoding="utf-8", newline="") as out:
            if not lean(out.write):
                raise _NotFast()

    if not args.out:
        return lean(stdout.write)
    try:
        write_atomically(Path(args.out), write)
        return True
    except _NotFast:
        return False


class _NotFast(Exception):
    """SQLite cannot write this listing by itself: the listing path does."""


def _say_new_draws(results, stderr) -> None:
    """A listing given --seed for a draw not recorded yet ran and recorded it: say so."""
    for draw in results.ran:
        stderr.write(translate("drew {draw} with seed {seed} and recorded it ({winners} of {eligible}); "
                               "finals-app draw-verify re-computes it", draw=draw.name, seed=draw.seed,
                               winners=len(draw.winners), eligible=draw.eligible_count) + "\n")


def cmd_awards(args, stdout, stderr) -> int:
    results = _results(args)
    rows = results.awards(args.period, args.seed)
    _say_new_draws(results, stderr)
    emit(listings.awards(rows, payout=args.payout), args.format, args.out, stdout)
    return EXIT_OK


def cmd_lottery(args, stdout, stderr) -> int:
    results = _results(args)
    rows = results.lottery(args.day, args.seed)
    _say_new_draws(results, stderr)
    emit(listings.lottery(rows, payout=args.payout), args.format, args.out, stdout)
    return EXIT_OK


def cmd_draw(args, stdout, stderr) -> int:
    results = _results(args)
    if args.reason and not args.redraw:
        raise FinalsError("--reason goes with --redraw")
    reason = (args.reason or "") if args.redraw else None
    if args.period:
        draw = results.pioneer_draw(args.period, args.seed, redraw_reason=reason)
    else:
        draw = results.lottery_draw(args.day, args.seed, redraw_reason=reason)
    stdout.write(translate("{draw}: seed {seed}, {winners} winners of {eligible} eligible (digest {digest}), "
                           "recorded {created}", draw=draw.name, seed=draw.seed, winners=len(draw.winners),
                           eligible=draw.eligible_count, digest=draw.eligible_digest[:16], created=draw.created_at) + "\n")
    if draw.redraw_of is not None:
        stdout.write(translate("a redraw; reason recorded: {reason}", reason=draw.reason) + "\n")
    stdout.write(translate("anyone can re-compute it: finals-app draw-verify --draw {draw}", draw=draw.name) + "\n")
    return EXIT_OK


def cmd_branches(args, stdout, stderr) -> int:
    results = _results(args)
    rows = results.branches(args.period, args.seed)
    _say_new_draws(results, stderr)
    emit(listings.branches(rows), args.format, args.out, stdout)
    return EXIT_OK


def cmd_committees(args, stdout, stderr) -> int:
    results = _results(args)
    rows = results.committees(args.period, args.seed)
    _say_new_draws(results, stderr)
    emit(listings.committees(rows), args.format, args.out, stdout)
    return EXIT_OK


def cmd_final_standings(args, stdout, stderr) -> int:
    results = _lean_first(args, stdout, lambda sqlite_csv, emit: sqlite_csv.ranking(
        args.store, _rules(args), _rules(args).final.id, listings.FINAL_STANDINGS, emit))
    if results is not None:
        rows = results.final_standings_rows(listings.FINAL_STANDINGS)
        emit(listings.final_standings(rows, payout=args.payout, layout=listings.FINAL_STANDINGS), args.format,
             args.out, stdout)
    return EXIT_OK


def _read_csv_column(path: str, wanted: tuple[str, ...]) -> list[list[int]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as stream:
            reader = csv.DictReader(stream)
            rows = []
            for line_number, row in enumerate(reader, start=2):
                values = []
                for name in wanted:
                    raw = row.get(name) if name in (reader.fieldnames or []) else None
                    if raw is None:
                        values.append(None)
                        continue
                    try:
                        values.append(int(raw))
                    except ValueError:
                        raise FinalsError("must be an integer, found {value!r}", Location(path, line_number, field=name),
                                          value=raw) from None
                rows.append(values)
            if not reader.fieldnames or wanted[0] not in reader.fieldnames:
                raise FinalsError("missing field", Location(path, 1, field=wanted[0]))
            return rows
    except OSError as error:
        raise FinalsError("cannot read {path}: {reason}", Location(path), path=path, reason=error.strerror) from None


def cmd_draw_verify(args, stdout, stderr) -> int:
    from finals_app.core.online import draws as draw_module
    from finals_app.core.online.draws import DrawResult, Ticket
    if args.tickets:
        missing = [f"--{option}" for option in ("draw", "seed", "count") if getattr(args, option) in (None, "")]
        if missing:
            raise FinalsError("with --tickets, give --draw NAME, --seed S and --count K (missing: {missing})",
                              missing=", ".join(missing))
        tickets = [Ticket(t, p if p is not None else t) for t, p in _read_csv_column(args.tickets, ("ticket_id", "participant_id"))]
        winners = draw_module.draw_winners_of(args.seed, args.draw, tickets, args.count, not args.any_per_person)
        if args.winners:
            published = [row[0] for row in _read_csv_column(args.winners, ("ticket_id",))]
            draw = DrawResult(None, args.draw, args.seed, args.count, not args.any_per_person, len(tickets),
                              draw_module.eligible_digest(tickets), tuple(Ticket(t, 0) for t in published))
            ok = published == [w.ticket_id for w in winners]
            rows = [_verification_row(draw, True, ok)]
        else:
            rows = [(i, w.ticket_id, w.participant_id) for i, w in enumerate(winners, start=1)]
            emit(listings.Listing("draw", ("order", "ticket_id", "participant_id"), rows, {}), args.format, args.out, stdout)
            return EXIT_OK
    else:
        from sqlalchemy import select
        from finals_app.core.store.schema import draws
        engine = _engine(args)
        query = select(draws.c.id).order_by(draws.c.id)
        if args.draw:
            query = query.where(draws.c.name == args.draw)
        if args.seed:
            query = query.where(draws.c.seed == args.seed)
        rows = []
        with engine.connect() as connection:
            ids = list(connection.execute(query).scalars())
            if not ids:
                raise FinalsError("no recorded draw named {name}", name=args.draw or "*")
            seeds = {}
            for draw_id in ids:
                draw = draw_module.load_draw(connection, draw_id)
                tickets = draw_module.recorded_tickets(connection, draw_id)
                if args.export_tickets:
                    _write_tickets(args.export_tickets, tickets)
                check = draw_module.verify(draw, tickets)
                row = _verification_row(draw, check.tickets_match_digest, check.winners_match)
                if draw.redraw_of is not None and draw.redraw_of not in seeds:
                    seeds[draw.redraw_of] = draw_module.load_draw(connection, draw.redraw_of).seed
                row["replaces_seed"] = seeds.get(draw.redraw_of, "") if draw.redraw_of is not None else ""
                row["reason"] = draw.reason
                seeds[draw.draw_id] = draw.seed
                rows.append(row)
    columns = ("draw", "seed", "eligible_count", "winners", "eligible_digest", "created_at", "result", "replaces_seed",
               "reason")
    emit(listings.Listing("draw-verify", columns, [tuple(row[c] for c in columns) for row in rows], {}),
         args.format, args.out, stdout)
    return EXIT_OK if all(row["result"] == "match" for row in rows) else EXIT_MISMATCH


def _verification_row(draw, tickets_ok: bool, winners_ok: bool) -> dict:
    return {"draw": draw.name, "seed": draw.seed, "eligible_count": draw.eligible_count,
            "winners": len(draw.winners), "eligible_digest": draw.eligible_digest,
            "created_at": draw.created_at or "",
            "result": "match" if tickets_ok and winners_ok else ("eligible list differs" if not tickets_ok else "winners differ"),
            "replaces_seed": "", "reason": draw.reason}


def _write_tickets(path: str, tickets) -> None:
    def write(temporary: Path) -> None:
        with open(temporary, "w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(("ticket_id", "participant_id"))
            writer.writerows((t.ticket_id, t.participant_id) for t in tickets)
    write_atomically(Path(path), write)


def cmd_excellent_orgs(args, stdout, stderr) -> int:
    from finals_app.core.online import paperwork
    emit(listings.excellent_orgs(paperwork.excellent_organisations(_results(args), args.period)), args.format,
         args.out, stdout)
    return EXIT_OK


def cmd_archive(args, stdout, stderr) -> int:
    from finals_app.core.online import paperwork
    results = _results(args)
    if args.kind == "member":
        listing = listings.member_archive(paperwork.member_archive(results, args.id))
    else:
        rows, undrawn = paperwork.branch_archive(results, args.id)
        listing = listings.branch_archive(rows)
        if undrawn:
            stderr.write(translate("warning") + ": " + translate(
                "the random draw of {periods} has not been run: title holders there count the top of the ranking "
                "only (finals-app awards --period P --seed S)", periods=", ".join(undrawn)) + "\n")
    emit(listing, args.format, args.out, stdout)
    return EXIT_OK


def cmd_ledger(args, stdout, stderr) -> int:
    from finals_app.core.online import paperwork
    emit(listings.ledger(paperwork.ledger(_results(args), args.branch, args.period)), args.format, args.out, stdout)
    return EXIT_OK


def cmd_payouts(args, stdout, stderr) -> int:
    from finals_app.core.online import paperwork
    if not args.final and not args.period:
        raise FinalsError("give --period P (with --seed S) or --final")
    results = _results(args)
    rows, missing = paperwork.payouts(results, args.period, args.seed, args.final)
    _say_new_draws(results, stderr)
    if missing:
        stderr.write(translate("warning") + ": " + translate(
            "no daily lottery recorded for {days} (finals-app lottery --day D --seed S)", days=", ".join(missing)) + "\n")
    emit(listings.payouts(rows), args.format, args.out, stdout)
    return EXIT_OK


def cmd_report(args, stdout, stderr) -> int:
    from datetime import date

    from finals_app.core.online import paperwork
    from finals_app.reports import period_report
    target = Path(args.out)
    if target.suffix.lower() not in (".pdf", ".xlsx"):  # said before any work is done
        raise FinalsError("the report is written as a PDF or an XLSX file: give --out FILE.pdf or FILE.xlsx")
    # The report's queries run beside Qt's start (the PDF's fonts need an application): the
    # store's reads release the interpreter, and each took about a third of a second here.
    data = _beside(lambda: paperwork.period_report_data(_results(args), args.org, args.period),
                   _start_qt if target.suffix.lower() == ".pdf" else None)
    stdout.write(f"{period_report.write_report(data, target, date.today())}\n")
    return EXIT_OK


def _start_qt() -> None:
    from finals_app.reports.qt import qt_application
    qt_application()


def _beside(work, meanwhile):
    """`work()` in a thread of its own while `meanwhile()` runs on this one (Qt must start on
    the main thread); returns what `work` returned or raises what it raised. The thread is a
    daemon: Ctrl+C is not held up by a query under way."""
    import threading
    if meanwhile is None:
        return work()
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # noqa: BLE001 - handed to the caller as it is
            outcome["error"] = error
    thread = threading.Thread(target=run, name="report-queries", daemon=True)
    thread.start()
    try:
        meanwhile()
    finally:
        while thread.is_alive():
            thread.join(0.1)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def cmd_teams(args, stdout, stderr) -> int:
    from finals_app.core.online.teams import contest_skeleton, propose_teams
    results = _results(args)
    proposal = propose_teams(results)
    for period in proposal.missing_draws:
        stderr.write(translate("warning") + ": " + translate(
            "the awards of {period} have not been run (finals-app awards --period {period} --seed S): "
            "titles from its random draw are missing", period=period) + "\n")
    if args.write_contest:
        skeleton = contest_skeleton(proposal, results.rules.competition_name, results.rules.team_size)
        write_atomically(Path(args.write_contest), lambda temporary: temporary.write_text(skeleton, encoding="utf-8"))
    emit(listings.teams(proposal.rows), args.format, args.out, stdout)
    return EXIT_OK


def cmd_rules(args, stdout, stderr) -> int:
    rules = _rules(args)
    stdout.write(f"# {translate('rules in force')}: {rules.source} (sha256 {rules.digest[:16]})\n")
    stdout.write(rules.text if rules.text.endswith("\n") else rules.text + "\n")
    return EXIT_OK


def cmd_contest(args, stdout, stderr) -> int:
    from finals_app.core.stage.contest import load_contest
    if args.action == "pin":
        return _judge_pin(args.file or "", stdout)
    if not args.file:
        raise FinalsError("which contest file? finals-app contest check CONTEST.toml")
    contest = load_contest(args.file, _rules(args))
    stdout.write(translate("{file}: valid contest \"{name}\": {teams} teams, {judges} judges, {questions} questions",
                           file=args.file, name=contest.name, teams=len(contest.teams), judges=len(contest.judges),
                           questions=len(contest.questions)) + "\n")
    for plan in (*contest.rounds, contest.tiebreak):
        stdout.write(f"  {plan.id:<12} {plan.type:<10} {len(contest.questions_of(plan.id)):>4}  {plan.title}\n")
    return EXIT_OK


def _judge_pin(judge: str, stdout) -> int:
    """A judge types a PIN twice (never echoed); the contest file's line with its salted hash
    is printed. The PIN itself is never printed, logged or stored."""
    import getpass

    from finals_app.core.stage.pins import hash_pin, valid_pin
    if not judge:
        raise FinalsError("whose PIN? finals-app contest pin JUDGE")
    first = getpass.getpass(translate("PIN for {judge} (4 to 12 digits): ", judge=judge))
    if not valid_pin(first):
        raise FinalsError("a PIN is 4 to 12 digits")
    if getpass.getpass(translate("the same PIN again: ")) != first:
        raise FinalsError("the two PINs differ")
    stdout.write(translate("put this under [contest.judge_pins] in the contest file:") + "\n")
    stdout.write(f'"{judge}" = "{hash_pin(first)}"\n')
    return EXIT_OK


def cmd_rehearse(args, stdout, stderr) -> int:
    import json

    from finals_app.core.stage.contest import load_contest
    from finals_app.core.stage.engine import Refusal, StageEngine
    from finals_app.core.stage.guide import guide
    from finals_app.core.stage.summary import summarise

    contest = load_contest(args.contest, _rules(args))
    if args.script == "-":
        lines = iter(sys.stdin.readline, "")  # each command is applied as its line arrives
    elif args.script:
        try:
            lines = Path(args.script).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise FinalsError("cannot read {path}: {reason}", Location(args.script), path=args.script,
                              reason=str(error)) from None
    else:
        lines = []
    engine = StageEngine(contest, args.journal)
    refusals = []
    try:
        for number, line in enumerate(lines, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                command = json.loads(line)
                if not isinstance(command, dict):
                    raise ValueError
            except ValueError:
                refusals.append({"line": number, "cmd": None, "reason": translate("not a JSON object")})
                continue
            engine.expire()  # as the kiosk does: a press window that ran out ends its question
            try:
                engine.execute(command)
            except Refusal as refusal:
                refusals.append({"line": number, "cmd": command.get("cmd"), "reason": refusal.render()})
        engine.expire()
        summary = summarise(engine.state, engine.now_ms())
        summary.update(guide(engine))
        summary["torn_tail"] = engine.journal.torn_tail
    finally:
        engine.close()
    summary["refusals"] = refusals
    if args.json:
        stdout.write(json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    else:
        stdout.write(_rehearsal_text(summary))
    return EXIT_MISMATCH if args.strict and refusals else EXIT_OK


def _rehearsal_text(summary: dict) -> str:
    t = translate
    names = {team["id"]: team["name"] for team in summary["teams"]}
    lines = [f"{summary['contest']}  ({t('{count} events', count=summary['events'])})"]
    torn = summary.get("torn_tail")
    if torn:
        from finals_app.core.stage.journal import torn_tail_message
        lines.append(torn_tail_message(torn))
    for row in summary["ranking"]:
        prize = t(row["prize"]) if row["prize"] else ""
        lines.append(f"  {row['rank']:>2}. {listings.pad(names[row['team']], 28)} {row['score']:>5}"
                     f"{'  +' + str(row['tiebreak']) if row['tiebreak'] else ''}  {prize}")
    for group in summary["open_ties"]:
        lines.append(t("open tie across a prize boundary: {teams}", teams=", ".join(names[x] for x in group)))
    if summary["prizes"]:
        for level, teams in summary["prizes"].items():
            lines.append(f"  {t(level)}: {', '.join(names[x] for x in teams)}")
    lines.append(t("result is final") if summary["final"] else t("result is not final"))
    for refusal in summary["refusals"]:
        lines.append(t("line {line}: {cmd} refused: {reason}", line=refusal["line"], cmd=refusal["cmd"],
                       reason=refusal["reason"]))
    return "\n".join(lines) + "\n"


def _kiosk(contest_path: str, journal: Path, args, stdout) -> int:
    from finals_app.core.stage.contest import load_contest
    from finals_app.core.stage.journal import Journal
    contest = load_contest(contest_path, _rules(args))  # a wrong contest is reported here, before any window
    Journal(journal).close()  # so is a journal that another kiosk holds, or a damaged one
    stdout.write(translate("Opening the stage kiosk on {contest}; journal {journal}", contest=contest.name,
                           journal=journal) + "\n")
    stdout.flush()
    serve = getattr(args, "serve", None)
    if serve:
        from finals_app.net.server import check_address, parse_address
        check_address(*parse_address(serve))  # a wrong or taken address is said before any window
    from finals_app.app import run_kiosk
    return run_kiosk(contest, journal, serve=serve)


def _stage_document(args, stdout, write) -> int:
    from finals_app.core.stage.contest import load_contest
    from finals_app.core.stage.journal import read_events
    from finals_app.core.stage.state import fold
    contest = load_contest(args.contest, _rules(args))
    if not Path(args.journal).exists():
        raise FinalsError("cannot read {path}: {reason}", Location(args.journal), path=args.journal,
                          reason="no such file")
    events, _, _ = read_events(Path(args.journal))  # read only: the kiosk may still be running
    state = fold(contest, events)
    target = write_atomically(Path(args.out), lambda temporary: write(state, temporary), Path(args.out).suffix)
    stdout.write(f"{target}\n")
    return EXIT_OK


def cmd_office(args, stdout, stderr) -> int:
    from finals_app.ui.online.office import run_office
    return run_office(_engine(args), _rules(args))


def cmd_certificates(args, stdout, stderr) -> int:
    from finals_app.reports.stage_documents import write_certificates
    return _stage_document(args, stdout, write_certificates)


def cmd_results(args, stdout, stderr) -> int:
    from finals_app.reports.stage_documents import write_results
    return _stage_document(args, stdout, write_results)


def cmd_stage(args, stdout, stderr) -> int:
    journal = Path(args.journal) if args.journal else Path(args.contest).with_suffix(".journal")
    return _kiosk(args.contest, journal, args, stdout)


def cmd_follow(args, stdout, stderr) -> int:
    from finals_app.net.client import socket_url
    socket_url(args.url, 0, "")  # a wrong address is said before any window
    from finals_app.ui.follower import run_follower
    return run_follower(args.url, args.screen, windowed=args.window, display=args.display)


def cmd_demo(args, stdout, stderr) -> int:
    if args.online:
        from finals_app.demo import run_demo
        return run_demo(args, stdout, stderr)
    from datetime import datetime
    from importlib import resources

    from platformdirs import user_data_dir
    contest = resources.files("finals_app.assets") / "contests" / "demo.toml"
    folder = Path(user_data_dir("finals-app", appauthor=False)) / "demo-journals"
    journal = folder / f"demo-{datetime.now():%Y%m%d-%H%M%S}.journal"
    return _kiosk(str(contest), journal, args, stdout)


COMMANDS = {
    "sync": cmd_sync, "validate": cmd_validate, "standings": cmd_standings, "awards": cmd_awards,
    "lottery": cmd_lottery, "branches": cmd_branches, "committees": cmd_committees,
    "final-standings": cmd_final_standings, "draw-verify": cmd_draw_verify, "draw": cmd_draw, "rules": cmd_rules,
    "excellent-orgs": cmd_excellent_orgs, "archive": cmd_archive, "ledger": cmd_ledger, "payouts": cmd_payouts,
    "report": cmd_report, "office": cmd_office, "certificates": cmd_certificates, "results": cmd_results, "teams": cmd_teams, "contest": cmd_contest, "rehearse": cmd_rehearse, "stage": cmd_stage, "follow": cmd_follow, "demo": cmd_demo,
}
