"""Every `finals-app` command: its name, the module and class that hold its arguments and its
run, and its one-line summary (shown by `finals-app --help` without importing any command).
To add a command: a Command class in its group's module, and one line here."""
from __future__ import annotations

import importlib
from typing import NamedTuple

from finals_app.cli.command import Command
from finals_app.core.i18n import N_


class CommandInfo(NamedTuple):
    module: str  # in finals_app.cli
    class_name: str
    summary: str  # an English message, said in the user's language


# In the order `finals-app --help` lists them.
COMMANDS: dict[str, CommandInfo] = {
    "sync": CommandInfo("sync", "Sync", N_("sync the platform's export into the store")),
    "validate": CommandInfo("listings", "Validate", N_("list invalid attempts with their reason")),
    "standings": CommandInfo("listings", "Standings", N_("personal ranking of a period")),
    "awards": CommandInfo("listings", "Awards", N_("top 500 and the random 1,500 of a period (runs and records the draw)")),
    "lottery": CommandInfo("listings", "Lottery", N_("the daily participation lottery of one day")),
    "branches": CommandInfo("listings", "Branches", N_("branch ranking of a period")),
    "committees": CommandInfo("listings", "Committees", N_("committee ranking of a period")),
    "final-standings": CommandInfo("listings", "FinalStandings",
                                   N_("ranking of the online final with the exemplar tiers")),
    "draw": CommandInfo("draws", "Draw",
                        N_("run a period's pioneer draw or a day's lottery: an official act, recorded once")),
    "draw-verify": CommandInfo("draws", "DrawVerify", N_("recompute recorded draws (or a published one) and compare")),
    "rules": CommandInfo("rules", "Rules", N_("the rules in force")),
    "excellent-orgs": CommandInfo("paperwork", "ExcellentOrgs",
                                  N_("the excellent organisation award (committees) of a period")),
    "archive": CommandInfo("paperwork", "Archive",
                           N_("learning archive of a party member or a branch across every period synced")),
    "ledger": CommandInfo("paperwork", "Ledger", N_("participation ledger of a branch in a period")),
    "payouts": CommandInfo("paperwork", "Payouts",
                           N_("payout list of a period (or --final): full phone numbers, for the organisers")),
    "report": CommandInfo("paperwork", "Report",
                          N_("the period report (汇报材料) of a committee or a branch, as PDF or XLSX")),
    "teams": CommandInfo("listings", "Teams",
                         N_("each unit's proposed stage team (party members with a pioneer or exemplar title)")),
    "contest": CommandInfo("stage", "Contest", N_("check a contest file (teams, rounds, questions, banks)")),
    "rehearse": CommandInfo("stage", "Rehearse", N_("run stage commands headless on a contest and its journal")),
    "office": CommandInfo("windows", "Office", N_("the organisers' office window: sync, tables, charts, the draw ceremony")),
    "certificates": CommandInfo("stage", "Certificates",
                                N_("after the judges' sign-off: one certificate page per prize-winning member (PDF)")),
    "results": CommandInfo("stage", "Results",
                           N_("after the judges' sign-off: the results report (PDF or XLSX)")),
    "stage": CommandInfo("stage", "Stage", N_("open the stage kiosk on a contest (resuming its journal if it exists)")),
    "follow": CommandInfo("windows", "Follow", N_("show one of a served show's screens on this machine (read only)")),
    "demo": CommandInfo("stage", "Demo", N_("the stage kiosk on the bundled demo contest, with a fresh journal")),
}


def load(name: str) -> Command:
    """The command `name`, its module imported now (once)."""
    info = COMMANDS[name]
    module = importlib.import_module(f"finals_app.cli.{info.module}")
    return getattr(module, info.class_name)()
