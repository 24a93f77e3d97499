"""`finals-app rules show`: the rules in force, as the file they were read from."""
from __future__ import annotations

from finals_app.cli.command import EXIT_OK, Command, rules_of
from finals_app.core.i18n import translate


class Rules(Command):
    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=("show",))

    def run(self, args, stdout, stderr) -> int:
        rules = rules_of(args)
        title = translate("rules in force")
        stdout.write(f"# {title}: {rules.source} (sha256 {rules.digest[:16]})\n")
        stdout.write(rules.text if rules.text.endswith("\n") else rules.text + "\n")
        return EXIT_OK
