"""The draws: `draw` runs and records a period's pioneer draw or a day's lottery (an official
act, once), `draw-verify` recomputes recorded or published draws and compares."""
from __future__ import annotations

import csv
from pathlib import Path

from finals_app.cli.command import EXIT_MISMATCH, EXIT_OK, Command, results_of, store_of
from finals_app.core.errors import FinalsError, Location
from finals_app.core.i18n import translate
from finals_app.core.tables.listings import Listing
from finals_app.reports.writers import emit, write_atomically


class Draw(Command):
    def add_arguments(self, parser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--period", help=translate("the period's 灯塔学习先锋 random draw, e.g. P3"))
        which.add_argument("--day", metavar="YYYY-MM-DD", help=translate("the day's participation lottery"))
        parser.add_argument("--seed", required=True, help=translate("the published seed"))
        parser.add_argument("--redraw", action="store_true",
                            help=translate("draw again although a draw is recorded (needs --reason)"))
        parser.add_argument("--reason", help=translate(
            "why the draw is run again (recorded, shown by draw-verify and in the report)"))

    def run(self, args, stdout, stderr) -> int:
        results = results_of(args)
        if args.reason and not args.redraw:
            raise FinalsError("--reason goes with --redraw")
        reason = (args.reason or "") if args.redraw else None
        if args.period:
            draw = results.pioneer_draw(args.period, args.seed, redraw_reason=reason)
        else:
            draw = results.lottery_draw(args.day, args.seed, redraw_reason=reason)
        stdout.write(translate("{draw}: seed {seed}, {winners} winners of {eligible} eligible (digest {digest}), "
                               "recorded {created}", draw=draw.name, seed=draw.seed, winners=len(draw.winners),
                               eligible=draw.eligible_count, digest=draw.eligible_digest[:16],
                               created=draw.created_at) + "\n")
        if draw.redraw_of is not None:
            stdout.write(translate("a redraw; reason recorded: {reason}", reason=draw.reason) + "\n")
        stdout.write(translate("anyone can re-compute it: finals-app draw-verify --draw {draw}", draw=draw.name) + "\n")
        return EXIT_OK


class DrawVerify(Command):
    listing = True

    def add_arguments(self, parser) -> None:
        parser.add_argument("--draw", metavar="NAME", help=translate("only draws of this name, e.g. pioneer-random:P3"))
        parser.add_argument("--seed", help=translate(
            "with --draw: only the draw with this seed; with --tickets: the seed"))
        parser.add_argument("--tickets", metavar="CSV",
                            help=translate("published eligible list (ticket_id[,participant_id])"))
        parser.add_argument("--count", type=int, help=translate("with --tickets: number of winners"))
        parser.add_argument("--winners", metavar="CSV",
                            help=translate("with --tickets: published winners (ticket_id column) to compare"))
        parser.add_argument("--any-per-person", action="store_true",
                            help=translate("with --tickets: a person may win more than once"))
        parser.add_argument("--export-tickets", metavar="CSV",
                            help=translate("with --draw and --seed: write the recorded eligible list"))

    def run(self, args, stdout, stderr) -> int:
        if args.tickets:
            tickets, winners = _draw_published(args)
            if not args.winners:
                rows = [(i, w.ticket_id, w.participant_id) for i, w in enumerate(winners, start=1)]
                emit(Listing("draw", ("order", "ticket_id", "participant_id"), rows, {}), args.format, args.out,
                     stdout)
                return EXIT_OK
            rows = [_compare_published(args, tickets, winners)]
        else:
            rows = _verify_recorded(args)
        columns = ("draw", "seed", "eligible_count", "winners", "eligible_digest", "created_at", "result",
                   "replaces_seed", "reason")
        emit(Listing("draw-verify", columns, [tuple(row[c] for c in columns) for row in rows], {}),
             args.format, args.out, stdout)
        return EXIT_OK if all(row["result"] == "match" for row in rows) else EXIT_MISMATCH


def _draw_published(args):
    """The published eligible list (--tickets) and the winners drawn from it with --seed."""
    from finals_app.core.online import draws as draw_module
    from finals_app.core.online.draws import Ticket
    missing = [f"--{option}" for option in ("draw", "seed", "count") if getattr(args, option) in (None, "")]
    if missing:
        raise FinalsError("with --tickets, give --draw NAME, --seed S and --count K (missing: {missing})",
                          missing=", ".join(missing))
    tickets = [Ticket(t, p if p is not None else t)
               for t, p in _read_csv_column(args.tickets, ("ticket_id", "participant_id"))]
    return tickets, draw_module.draw_winners_of(args.seed, args.draw, tickets, args.count, not args.any_per_person)


def _compare_published(args, tickets, winners) -> dict:
    """The published winners (--winners) against those drawn."""
    from finals_app.core.online import draws as draw_module
    from finals_app.core.online.draws import DrawResult, Ticket
    published = [row[0] for row in _read_csv_column(args.winners, ("ticket_id",))]
    draw = DrawResult(None, args.draw, args.seed, args.count, not args.any_per_person, len(tickets),
                      draw_module.eligible_digest(tickets), tuple(Ticket(t, 0) for t in published))
    return _verification_row(draw, True, published == [w.ticket_id for w in winners])


def _verify_recorded(args) -> list[dict]:
    """Every recorded draw (of --draw, with --seed), recomputed from its recorded eligible list."""
    from sqlalchemy import select

    from finals_app.core.online import draws as draw_module
    from finals_app.core.store.schema import draws
    engine = store_of(args)
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
    return rows


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
