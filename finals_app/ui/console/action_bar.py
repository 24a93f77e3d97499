"""The console's action bar: a button and a shortcut for every action, enabled when the engine's
guide says the command is legal now (greyed, never hidden: the layout does not jump), the stake
keys labelled by the risk round being played."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

from finals_app.core.i18n import _
from finals_app.ui import theme

# The keys of a risk round's stakes, in the order its plan lists them (F8 and F9 are taken).
STAKE_KEYS = ("F5", "F6", "F7", "F10", "F11", "F12", "Shift+F5", "Shift+F6", "Shift+F7", "Shift+F10", "Shift+F11",
              "Shift+F12")
# which console button gives which command (for enabling and for the next-step line)
BUTTON_COMMANDS = {"show": ("show_question",), "reveal": ("reveal",), "open": ("open_buzzers",),
                   "timer": ("start_timer",), "pause": ("pause_timer", "resume_timer"), "add": ("add_time",),
                   "correct": ("correct",), "wrong": ("wrong",), "timeout": ("timeout",), "reopen": ("reopen",),
                   "tie": ("resolve_tie",), "close": ("close_buzzers",), "undo": ("undo",), "redo": ("redo",),
                   "fix": ("correct_score",), "next_round": ("next_round",), "tiebreak": ("start_tiebreak",),
                   "end_tiebreak": ("end_tiebreak",), "prizes": ("assign_prizes",),
                   "ceremony": ("ceremony_next",), "replay": ("ceremony_replay",),
                   "play_media": ("play_media",), "pause_media": ("pause_media",),
                   "restart_media": ("restart_media",)}
PER_ROW = 9


def stake_slots(contest) -> int:
    """How many stake keys the console has: as many as the largest risk round offers."""
    return max([len(r.stakes) for r in contest.rounds if r.type == "risk"] or [0])


def risk_stakes(state) -> tuple[int, ...]:
    """The stakes of the risk round being played, or else of the next one (or the first)."""
    plan = state.round
    if plan is not None and plan.type == "risk":
        return plan.stakes
    rounds = state.contest.rounds
    later = [r for r in rounds[max(state.round_index, 0):] if r.type == "risk"]
    risk = later or [r for r in rounds if r.type == "risk"]
    return risk[0].stakes if risk else ()


def stake_label(state, slot: int) -> str:
    stakes = risk_stakes(state)
    return _("Stake {stake}", stake=stakes[slot]) if slot < len(stakes) else _("Stake")


class ActionBar(QWidget):
    """`specs`: (name, words, key, what it does) of each action, in the order shown."""

    def __init__(self, bridge, specs: list[tuple[str, str, str, Callable]], parent=None):
        super().__init__(parent)
        self.bridge = bridge
        self.stake_slots = stake_slots(bridge.contest)
        self.buttons: dict[str, QPushButton] = {}
        self.keys: dict[str, str] = {}
        self.shortcuts: dict[str, QShortcut] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for index, (name, text, key, slot) in enumerate(specs):
            button = QPushButton(f"{text}\n[{key}]")
            button.setMinimumHeight(56)
            button.setFont(theme.font(16, bold=True))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(slot)
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(slot)
            grid.addWidget(button, index // PER_ROW, index % PER_ROW)
            self.buttons[name] = button
            self.keys[name] = key
            self.shortcuts[name] = shortcut

    def refresh(self, state, legal) -> None:
        """Enable what the engine's guide calls `legal`. Shortcuts stay live: a key pressed at the
        wrong moment is refused with its reason, and a quick host is never a step ahead of a
        console that has not redrawn yet."""
        legal = set(legal)
        plan = state.round
        for name, commands in BUTTON_COMMANDS.items():
            self.buttons[name].setEnabled(any(c in legal for c in commands))
        for slot in range(self.stake_slots):
            button = self.buttons[f"stake{slot}"]
            button.setText(f"{stake_label(state, slot)}\n[{STAKE_KEYS[slot]}]")
            button.setEnabled("choose_stake" in legal and plan is not None and slot < len(plan.stakes))
