"""`finals-app sync`: the platform's export into the store, with its progress and its summary."""
from __future__ import annotations

from finals_app.cli.command import EXIT_OK, Command, rules_of, store_of
from finals_app.core.errors import FinalsError
from finals_app.core.i18n import _, translate
from finals_app.core.tables import listings


class Sync(Command):
    def add_arguments(self, parser) -> None:
        parser.add_argument("export", help=translate("SQLite export file or SQLAlchemy URL"))
        parser.add_argument("--allow-removal", action="store_true",
                            help=translate("confirm a sync that removes more than the limit of a table's rows"))
        parser.add_argument("--removal-limit", type=float, default=5.0, metavar="PERCENT", help=translate(
            "refuse a sync that would remove more than this share of a table's rows (default 5)"))

    def run(self, args, stdout, stderr) -> int:
        from finals_app.cli.progress import Progress
        from finals_app.core.online.sync import sync
        from finals_app.core.store.interrupt import interruptible
        rules = rules_of(args)
        engine = store_of(args)
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
    lines = [_("Synced {source} in {seconds:.1f} s", source=summary.source, seconds=summary.seconds)]
    if summary.unchanged:
        lines.append(_("The export is unchanged since the last sync: nothing was written."))
    if summary.derived_by:
        lines.append(_("Results derived by {engine}", engine=summary.derived_by))
    lines.append(_("table            rows       added    changed    missing"))
    for name, change in summary.tables.items():
        lines.append(f"{name:<14}{change.rows:>9,}{change.added:>11,}{change.changed:>11,}{change.missing:>11,}")
        if change.missing:
            shown = ", ".join(map(str, change.missing_ids))
            more = "" if change.missing <= len(change.missing_ids) else " …"
            lines.append("  " + _("gone from the export (removed here, listed in missing_rows): {ids}",
                                  ids=shown + more))
    if summary.invalid:
        lines.append(_("Invalid attempts per period and reason:"))
        for phase, reasons in summary.invalid.items():
            for reason, count in reasons.items():
                label = listings.coded_word("invalid reason", reason)
                lines.append(f"  {phase:<6} {listings.pad(label, 36)} {count:>9,}")
    else:
        lines.append(_("No invalid attempts."))
    for warning in summary.warnings:
        lines.append(_("warning") + ": " + warning)
    return "\n".join(lines) + "\n"
