"""The organisers' paperwork of a period: the excellent organisations, a member's or a branch's
learning archive, a branch's ledger, the payout list, and the period report (PDF or XLSX)."""
from __future__ import annotations

from pathlib import Path

from finals_app.cli.command import EXIT_OK, Command, results_of, say_new_draws
from finals_app.core.errors import FinalsError
from finals_app.core.i18n import translate
from finals_app.core.tables import listings
from finals_app.reports.writers import emit


class ExcellentOrgs(Command):
    listing = True

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period", required=True)
        parser.add_argument("--seed", help=translate("accepted for symmetry with the other award commands; not needed"))

    def run(self, args, stdout, stderr) -> int:
        from finals_app.core.online import paperwork
        emit(listings.excellent_orgs(paperwork.excellent_organisations(results_of(args), args.period)), args.format,
             args.out, stdout)
        return EXIT_OK


class Archive(Command):
    listing = True

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=("member", "branch"))
        parser.add_argument("id", type=int)

    def run(self, args, stdout, stderr) -> int:
        from finals_app.core.online import paperwork
        results = results_of(args)
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


class Ledger(Command):
    listing = True

    def add_arguments(self, parser) -> None:
        parser.add_argument("--branch", type=int, required=True)
        parser.add_argument("--period", required=True)

    def run(self, args, stdout, stderr) -> int:
        from finals_app.core.online import paperwork
        emit(listings.ledger(paperwork.ledger(results_of(args), args.branch, args.period)), args.format, args.out,
             stdout)
        return EXIT_OK


class Payouts(Command):
    listing = True

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period")
        parser.add_argument("--seed")
        parser.add_argument("--final", action="store_true")

    def run(self, args, stdout, stderr) -> int:
        from finals_app.core.online import paperwork
        if not args.final and not args.period:
            raise FinalsError("give --period P (with --seed S) or --final")
        results = results_of(args)
        rows, missing = paperwork.payouts(results, args.period, args.seed, args.final)
        say_new_draws(results, stderr)
        if missing:
            stderr.write(translate("warning") + ": " + translate(
                "no daily lottery recorded for {days} (finals-app lottery --day D --seed S)",
                days=", ".join(missing)) + "\n")
        emit(listings.payouts(rows), args.format, args.out, stdout)
        return EXIT_OK


class Report(Command):
    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", type=int, required=True)
        parser.add_argument("--period", required=True)
        parser.add_argument("--out", required=True, metavar="FILE.pdf|FILE.xlsx")

    def run(self, args, stdout, stderr) -> int:
        from datetime import date

        from finals_app.core.online import paperwork
        from finals_app.reports import period_report
        target = Path(args.out)
        if target.suffix.lower() not in (".pdf", ".xlsx"):  # said before any work is done
            raise FinalsError("the report is written as a PDF or an XLSX file: give --out FILE.pdf or FILE.xlsx")
        # The report's queries run beside Qt's start (the PDF's fonts need an application): the
        # store's reads release the interpreter, and each took about a third of a second here.
        data = _beside(lambda: paperwork.period_report_data(results_of(args), args.org, args.period),
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
