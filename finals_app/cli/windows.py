"""The commands that open a window of their own: the organisers' office and a follower of a
served show (the stage kiosk is opened by the stage's commands)."""
from __future__ import annotations

from finals_app.cli.command import Command, rules_of, store_of
from finals_app.core.i18n import translate


class Office(Command):
    def run(self, args, stdout, stderr) -> int:
        from finals_app.ui.online.office import run_office
        return run_office(store_of(args), rules_of(args))


class Follow(Command):
    def add_arguments(self, parser) -> None:
        parser.add_argument("url", help=translate(
            "the show's address as the host's console shows it (http://HOST:PORT/?t=...)"))
        parser.add_argument("--screen", choices=("audience", "timer", "buzzer", "judges"), default="audience")
        parser.add_argument("--window", action="store_true", help=translate("in a window instead of full screen"))
        parser.add_argument("--display", type=int, metavar="N", help=translate("full screen on display N (0 is the first)"))

    def run(self, args, stdout, stderr) -> int:
        from finals_app.net.client import socket_url
        socket_url(args.url, 0, "")  # a wrong address is said before any window
        from finals_app.ui.follower import run_follower
        return run_follower(args.url, args.screen, windowed=args.window, display=args.display)
