"""The `finals-app` argument parser. Every command is listed from the registry; a command's
arguments are added (its module imported) only when the command line names it."""
from __future__ import annotations

import argparse
import sys

from finals_app.cli import registry
from finals_app.core.i18n import LANGUAGES, translate


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--store", default=default, metavar="URL",
                        help=translate("the app's database (SQLAlchemy URL or SQLite path); env FINALS_APP_STORE"))
    parser.add_argument("--rules", default=default, metavar="FILE", help=translate("rules file (TOML); default: 2017-2018"))
    parser.add_argument("--lang", default=default, choices=LANGUAGES, help=translate("zh_CN (default) or en"))


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


class CommandParser(argparse.ArgumentParser):
    """A command's parser that gets the command's own arguments (from its module, imported then)
    the first time it parses or shows its help: `finals-app --help` and `finals-app rules show`
    import no other command's module."""

    def __init__(self, *, command: str, **kwargs):
        super().__init__(**kwargs)
        self.command = command
        self.loaded = False

    def load(self) -> None:
        if not self.loaded:
            self.loaded = True
            from finals_app.cli.command import listing_options
            command = registry.load(self.command)
            if command.listing:
                listing_options(self)
            command.add_arguments(self)

    def parse_known_args(self, args=None, namespace=None):
        self.load()  # before argparse sets the arguments' defaults
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        self.load()
        return super().format_usage()

    def format_help(self) -> str:
        self.load()
        return super().format_help()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="finals-app", description="灯塔-党建在线 学习竞赛：线上各阶段与线下总决赛")
    _global_options(parser, suppress=False)
    parser.add_argument("--version", action=_VersionAction, help=translate("the version, and exit"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CommandParser)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    for name, info in registry.COMMANDS.items():
        shown = translate(info.summary)  # command descriptions in the user's language (zh_CN by default)
        commands.add_parser(name, help=shown, description=shown, parents=[common], command=name)
    return parser
