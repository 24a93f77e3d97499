"""The listings of the online phases: invalid attempts, rankings, awards, lotteries, the online
final and the proposed stage teams (table, CSV or XLSX; --out FILE or the terminal)."""
from __future__ import annotations

from pathlib import Path

from finals_app.cli.command import EXIT_OK, Command, results_of, rules_of, say_new_draws
from finals_app.core.i18n import translate
from finals_app.core.tables import listings
from finals_app.reports.writers import emit, write_atomically


class Validate(Command):
    listing = True

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period", help=translate("P1..P6 or FINAL (default: all)"))

    def run(self, args, stdout, stderr) -> int:
        results = _lean_first(args, stdout, lambda sqlite_csv, emit: sqlite_csv.invalid_attempts(
            args.store, rules_of(args), args.period, listings.INVALID, emit))
        if results is not None:
            emit(listings.invalid_attempts(results.invalid_attempts(args.period)), args.format, args.out, stdout)
        return EXIT_OK


class Standings(Command):
    listing = True

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period", required=True)
        parser.add_argument("--payout", action="store_true", help=translate("full names and phones (organisers only)"))

    def run(self, args, stdout, stderr) -> int:
        results = _lean_first(args, stdout, lambda sqlite_csv, emit: sqlite_csv.ranking(
            args.store, rules_of(args), args.period, listings.STANDINGS, emit))
        if results is not None:
            rows = results.standings_rows(args.period, columns=listings.STANDINGS)  # a million rows: no dicts
            emit(listings.standings(rows, payout=args.payout, layout=listings.STANDINGS), args.format, args.out,
                 stdout)
        return EXIT_OK


class FinalStandings(Command):
    listing = True

    def add_arguments(self, parser) -> None:
        parser.add_argument("--payout", action="store_true", help=translate("full names and phones (organisers only)"))

    def run(self, args, stdout, stderr) -> int:
        results = _lean_first(args, stdout, lambda sqlite_csv, emit: sqlite_csv.ranking(
            args.store, rules_of(args), rules_of(args).final.id, listings.FINAL_STANDINGS, emit))
        if results is not None:
            rows = results.final_standings_rows(listings.FINAL_STANDINGS)
            emit(listings.final_standings(rows, payout=args.payout, layout=listings.FINAL_STANDINGS), args.format,
                 args.out, stdout)
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
    results = results_of(args)  # says what is wrong, or derives what is out of date
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


class _Drawn(Command):
    """A listing of a period or a day that rests on a random draw: given --seed, a draw not
    recorded yet is run, recorded and said."""

    listing = True
    kind = ""  # the Results query and the listing of that name
    of = "period"  # the listing is of a --period or of a --day
    payout = False  # --payout: full phone numbers

    def add_arguments(self, parser) -> None:
        if self.of == "day":
            parser.add_argument("--day", required=True, metavar="YYYY-MM-DD")
        else:
            parser.add_argument("--period", required=True)
        parser.add_argument("--seed")
        if self.payout:
            parser.add_argument("--payout", action="store_true", help=translate("full phone numbers (payout list)"))

    def run(self, args, stdout, stderr) -> int:
        results = results_of(args)
        rows = getattr(results, self.kind)(getattr(args, self.of), args.seed)
        say_new_draws(results, stderr)
        listing = getattr(listings, self.kind)
        emit(listing(rows, payout=args.payout) if self.payout else listing(rows), args.format, args.out, stdout)
        return EXIT_OK


class Awards(_Drawn):
    kind, payout = "awards", True


class Lottery(_Drawn):
    kind, of, payout = "lottery", "day", True


class Branches(_Drawn):
    kind = "branches"


class Committees(_Drawn):
    kind = "committees"


class Teams(Command):
    listing = True

    def add_arguments(self, parser) -> None:
        parser.add_argument("--write-contest", metavar="FILE",
                            help=translate("also write a contest file with the proposed teams"))

    def run(self, args, stdout, stderr) -> int:
        from finals_app.core.online.teams import contest_skeleton, propose_teams
        results = results_of(args)
        proposal = propose_teams(results)
        for period in proposal.missing_draws:
            stderr.write(translate("warning") + ": " + translate(
                "the awards of {period} have not been run (finals-app awards --period {period} --seed S): "
                "titles from its random draw are missing", period=period) + "\n")
        if args.write_contest:
            skeleton = contest_skeleton(proposal, results.rules.competition_name, results.rules.team_size)
            write_atomically(Path(args.write_contest),
                             lambda temporary: temporary.write_text(skeleton, encoding="utf-8"))
        emit(listings.teams(proposal.rows), args.format, args.out, stdout)
        return EXIT_OK
