"""The `finals-app` command: the online phases for the organisers' staff, and the stage.

One module per group of commands (sync, listings, draws, paperwork, rules, stage, windows),
each command's arguments and run side by side; registry.py names them, and a command's module
is imported only when it runs. No Qt is imported here at module level: the online commands run
on a server with no display.
"""
from __future__ import annotations

import os
import sys
from typing import Sequence, TextIO

from finals_app.cli import registry
from finals_app.cli.command import EXIT_ERROR, EXIT_INTERNAL, EXIT_MISMATCH, EXIT_OK, EXIT_PIPE
from finals_app.cli.parser import build_parser
from finals_app.core.errors import FinalsError
from finals_app.core.i18n import LANGUAGES, translate

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_MISMATCH", "EXIT_ERROR", "EXIT_INTERNAL", "EXIT_PIPE"]


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

    from finals_app.cli.argparse_words import argparse_speaks
    from finals_app.core.i18n import current_language
    from finals_app.logs import start_logging, without_secrets
    log = logging.getLogger("finals_app.cli")
    if argv is None:  # a real process (not a test calling main): log it
        start_logging("cli")
    argparse_speaks(current_language())
    try:
        parser = build_parser()
        args = parser.parse_args(arguments)
        if not args.command:
            parser.print_help(stdout)
            return EXIT_OK
        log.info("finals-app %s", without_secrets(" ".join(arguments)))
        code = registry.load(args.command).run(args, stdout, stderr)
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

