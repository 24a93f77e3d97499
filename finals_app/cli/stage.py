"""The on-stage contest: check a contest file (and make a judge's PIN line), rehearse commands
headless, open the kiosk (`stage`, `demo`), and the documents after the judges' sign-off."""
from __future__ import annotations

import sys
from pathlib import Path

from finals_app.cli.command import EXIT_MISMATCH, EXIT_OK, Command, rules_of
from finals_app.core.errors import FinalsError, Location
from finals_app.core.i18n import _, translate
from finals_app.core.stage.words import prize_name
from finals_app.core.tables import listings
from finals_app.reports.writers import write_atomically


class Contest(Command):
    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=("check", "pin"))
        parser.add_argument("file", nargs="?", help=translate("the contest file (check); for pin: the judge's name"))

    def run(self, args, stdout, stderr) -> int:
        from finals_app.core.stage import media
        from finals_app.core.stage.contest import load_contest
        if args.action == "pin":
            return _judge_pin(args.file or "", stdout)
        if not args.file:
            raise FinalsError("which contest file? finals-app contest check CONTEST.toml")
        contest = load_contest(args.file, rules_of(args))
        stdout.write(translate("{file}: valid contest \"{name}\": {teams} teams, {judges} judges, {questions} questions",
                               file=args.file, name=contest.name, teams=len(contest.teams),
                               judges=len(contest.judges), questions=len(contest.questions)) + "\n")
        for plan in (*contest.rounds, contest.tiebreak):
            stdout.write(f"  {plan.id:<12} {plan.type:<10} {len(contest.questions_of(plan.id)):>4}  {plan.title}\n")
        with_media = [question for question in contest.questions if question.media]
        if with_media:
            stdout.write(translate("media (played by Qt Multimedia: PNG, JPEG; WAV, MP3, M4A; MP4 H.264):") + "\n")
        for question in with_media:
            for medium in question.media:
                stdout.write(f"  {question.id:<12} {translate(media.KIND_WORDS[medium.kind]):<6} {medium.name}  "
                             f"({medium.describe()})\n")
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


class Rehearse(Command):
    def add_arguments(self, parser) -> None:
        parser.add_argument("contest", help=translate("the contest file (TOML)"))
        parser.add_argument("--journal", required=True, metavar="FILE", help=translate("created, or resumed when it exists"))
        parser.add_argument("--script", metavar="COMMANDS.jsonl", help='one {"cmd": ...} object a line; - for stdin')
        parser.add_argument("--json", action="store_true", help=translate("print the resulting state as JSON"))
        parser.add_argument("--strict", action="store_true", help=translate("exit 1 when any command was refused"))

    def run(self, args, stdout, stderr) -> int:
        import json

        from finals_app.core.stage.contest import load_contest
        from finals_app.core.stage.engine import Refusal, StageEngine
        from finals_app.core.stage.guide import guide
        from finals_app.core.stage.summary import summarise

        contest = load_contest(args.contest, rules_of(args))
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
    names = {team["id"]: team["name"] for team in summary["teams"]}
    events = _("{count} events", count=summary["events"])
    lines = [f"{summary['contest']}  ({events})"]
    torn = summary.get("torn_tail")
    if torn:
        from finals_app.core.stage.journal import torn_tail_message
        lines.append(torn_tail_message(torn))
    for row in summary["ranking"]:
        prize = prize_name(row["prize"])
        lines.append(f"  {row['rank']:>2}. {listings.pad(names[row['team']], 28)} {row['score']:>5}"
                     f"{'  +' + str(row['tiebreak']) if row['tiebreak'] else ''}  {prize}")
    for group in summary["open_ties"]:
        lines.append(_("open tie across a prize boundary: {teams}", teams=", ".join(names[x] for x in group)))
    if summary["prizes"]:
        for level, teams in summary["prizes"].items():
            lines.append(f"  {prize_name(level)}: {', '.join(names[x] for x in teams)}")
    lines.append(_("result is final") if summary["final"] else _("result is not final"))
    for refusal in summary["refusals"]:
        lines.append(_("line {line}: {cmd} refused: {reason}", line=refusal["line"], cmd=refusal["cmd"],
                       reason=refusal["reason"]))
    return "\n".join(lines) + "\n"


def _serve_option(parser) -> None:
    parser.add_argument("--serve", metavar="HOST:PORT", help=translate(
        "serve the show on the local network (followers, stream overlay, phone buzzers, judges' tablets); off by default"))


class Stage(Command):
    def add_arguments(self, parser) -> None:
        parser.add_argument("contest")
        parser.add_argument("--journal", metavar="FILE", help=translate("default: the contest file's name with .journal"))
        _serve_option(parser)

    def run(self, args, stdout, stderr) -> int:
        journal = Path(args.journal) if args.journal else Path(args.contest).with_suffix(".journal")
        return _kiosk(args.contest, journal, args, stdout)


class Demo(Command):
    def add_arguments(self, parser) -> None:
        _serve_option(parser)
        parser.add_argument("--online", action="store_true",
                            help=translate("instead: the online phases on sample data (no display needed)"))

    def run(self, args, stdout, stderr) -> int:
        if args.online:
            from finals_app.cli.online_demo import run_demo
            return run_demo(args, stdout, stderr)
        from datetime import datetime
        from importlib import resources

        from platformdirs import user_data_dir
        contest = resources.files("finals_app.assets") / "contests" / "demo.toml"
        folder = Path(user_data_dir("finals-app", appauthor=False)) / "demo-journals"
        journal = folder / f"demo-{datetime.now():%Y%m%d-%H%M%S}.journal"
        return _kiosk(str(contest), journal, args, stdout)


def _kiosk(contest_path: str, journal: Path, args, stdout) -> int:
    from finals_app.core.stage.contest import load_contest
    from finals_app.core.stage.journal import Journal
    contest = load_contest(contest_path, rules_of(args))  # a wrong contest is reported here, before any window
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


class _StageDocument(Command):
    """A document of the contest as its journal has it (read only: the kiosk may still be running)."""

    def add_arguments(self, parser) -> None:
        parser.add_argument("contest")
        parser.add_argument("--journal", required=True, metavar="FILE")
        parser.add_argument("--out", required=True, metavar="FILE")

    def writer(self):
        """write(state, path): the reports' function that writes this document."""
        raise NotImplementedError

    def run(self, args, stdout, stderr) -> int:
        write = self.writer()
        from finals_app.core.stage.contest import load_contest
        from finals_app.core.stage.journal import read_events
        from finals_app.core.stage.state import fold
        contest = load_contest(args.contest, rules_of(args))
        if not Path(args.journal).exists():
            raise FinalsError("cannot read {path}: {reason}", Location(args.journal), path=args.journal,
                              reason="no such file")
        events = read_events(Path(args.journal))[0]  # read only: the kiosk may still be running
        state = fold(contest, events)
        target = write_atomically(Path(args.out), lambda temporary: write(state, temporary), Path(args.out).suffix)
        stdout.write(f"{target}\n")
        return EXIT_OK


class Certificates(_StageDocument):
    def writer(self):
        from finals_app.reports.stage_documents import write_certificates
        return write_certificates


class Results(_StageDocument):
    def writer(self):
        from finals_app.reports.stage_documents import write_results
        return write_results
