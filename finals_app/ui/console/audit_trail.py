"""The console's score log: every score change newest first, corrections and undos included, an
undone change struck through with who undid it and when."""
from __future__ import annotations

from PySide6.QtWidgets import QListWidget

from finals_app.core.i18n import N_, _
from finals_app.core.online.times import format_instant
from finals_app.ui import theme

VERDICT_NAMES = {"correct": N_("Correct"), "wrong": N_("Wrong"), "timeout": N_("Time out")}


class AuditTrail(QListWidget):
    def __init__(self, bridge, parent=None):
        super().__init__(parent)
        self.bridge = bridge
        self.setWordWrap(True)  # an undone mark is never off-screen
        self._shown: list[tuple[int, bool]] = []

    def refresh(self, state) -> None:
        """Newest first; only new entries are added (a show has hundreds), unless an undo changed
        an old one, which redraws the list."""
        contest = state.contest
        wanted = [(c.seq, c.undone) for c in state.changes]
        shown = self._shown
        if wanted[:len(shown)] != shown:
            self.clear()
            shown = []
        for change in state.changes[len(shown):]:
            sign = f"{change.delta:+d}"
            undone = ""
            if change.undone:
                undone = _("[undone by {who} at {time}] ", who=change.undone_by,
                           time=format_instant(change.undone_wall_ms)[11:19])
            kind = {"answer": _("answer"), "foul": _("foul"), "correction": _("correction")}.get(change.kind, change.kind)
            reason = _(VERDICT_NAMES[change.reason]) if change.reason in VERDICT_NAMES else change.reason
            self.insertItem(0, undone + _("{time} {team} {delta} {kind}: {reason} [{operator}]{undone}",
                                          time=format_instant(change.wall_ms)[11:19],
                                          team=contest.team(change.team).name, delta=sign, kind=kind,
                                          reason=reason, operator=change.operator, undone=""))
            if change.undone:
                item = self.item(0)
                font = item.font()
                font.setStrikeOut(True)
                item.setFont(font)
                item.setForeground(theme.colour("#8a8f98"))
        self._shown = wanted
