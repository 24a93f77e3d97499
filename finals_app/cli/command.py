"""What a command is made of (its arguments and its run, side by side), its exit statuses, and
the rules and store a command reads, each opened when first asked."""
from __future__ import annotations

import argparse
from typing import TextIO

from finals_app.core.i18n import translate

EXIT_OK, EXIT_MISMATCH, EXIT_ERROR = 0, 1, 2
EXIT_INTERNAL = 3  # a fault of ours, never of the input: the trace is in the log
EXIT_PIPE = 141  # the output's reader went away (128 + SIGPIPE, as a shell says it)


class Command:
    """One `finals-app` command. Its module is imported only when the command is asked for
    (registry.py names it), so what it needs (the database toolkit, Qt, openpyxl) is imported
    in `run`, or at the top of its group's module when every command of the group needs it."""

    listing = False  # a listing: --format and --out come before its own arguments

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """The command's own arguments (the global ones, --store --rules --lang, are there already)."""

    def run(self, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
        raise NotImplementedError


def listing_options(parser: argparse.ArgumentParser) -> None:
    from finals_app.reports.writers import FORMATS
    parser.add_argument("--format", default="table", choices=FORMATS)
    parser.add_argument("--out", metavar="FILE", help=translate("write to FILE instead of the terminal"))


def rules_of(args):
    """The rules in force, read once a command."""
    if getattr(args, "loaded_rules", None) is None:
        from finals_app.core.rules import load_rules
        args.loaded_rules = load_rules(args.rules)
    return args.loaded_rules


def store_of(args):
    from finals_app.core.store.engine import open_store
    return open_store(args.store)


def results_of(args):
    from finals_app.core.online.results import Results
    return Results(store_of(args), rules_of(args))


def say_new_draws(results, stderr: TextIO) -> None:
    """A listing given --seed for a draw not recorded yet ran and recorded it: say so."""
    for draw in results.ran:
        stderr.write(translate("drew {draw} with seed {seed} and recorded it ({winners} of {eligible}); "
                               "finals-app draw-verify re-computes it", draw=draw.name, seed=draw.seed,
                               winners=len(draw.winners), eligible=draw.eligible_count) + "\n")
