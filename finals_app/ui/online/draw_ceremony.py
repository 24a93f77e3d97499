"""The draws as official acts: the seed shown and confirmed before a draw is run (a redraw only
with a reason, recorded and public), and the ceremony that shows the winners on the big screen."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QInputDialog, QLabel, QVBoxLayout, QWidget

from finals_app.core.errors import UsageError
from finals_app.core.i18n import _
from finals_app.core.tables.masking import mask_name, mask_phone
from finals_app.ui import theme
from finals_app.ui.dialogs import ask_yes_no


def ask_reason(parent, text: str) -> str | None:
    reason, ok = QInputDialog.getText(parent, _("Redraw"), text)
    return reason.strip() if ok and reason.strip() else None


def run_draw(parent, results, name: str, label: str, seed: str | None, run, *, confirm=ask_yes_no,
             ask_reason=ask_reason) -> object | None:
    """A draw is an official act: the seed is shown and confirmed; a draw of a name already
    recorded is shown again with its own seed, and another seed is only an explicit redraw
    with a reason (recorded, public). Returns the draw, or None when nothing was run."""
    recorded = results.recorded_draw(name)
    if not seed:
        if recorded is not None:
            return recorded
        raise UsageError("a seed is required (--seed): the draw must be reproducible from a published seed")
    if recorded is not None and recorded.seed == seed:
        return recorded
    if recorded is not None:
        reason = ask_reason(parent, _("{label} was drawn on {date} with seed “{seed}”. To draw again with the new seed “{new}”, give the reason (recorded, and shown by the verification and in the report):", label=label,
                                          date=(recorded.created_at or "")[:10], seed=recorded.seed, new=seed))
        if reason is None:
            return None
        return run(seed, reason)
    if not confirm(parent, _("Run {label} with the seed “{seed}”?\nThe result is recorded and anyone can re-compute it; it cannot be re-rolled quietly with another seed.", seed=seed, label=label)):
        return None
    return run(seed, None)


class DrawCeremony(QWidget):
    """The draw on the big screen: the published seed, names rolling, then every winner, name
    and masked phone on one line, page by page as the host turns them (→ / PageDown / Space
    forward, ← / PageUp back). Nothing internal is shown: no ids, no commands."""

    PER_PAGE = 10

    def __init__(self, results, title: str, draw):
        super().__init__()
        self.draw = draw
        self.setWindowTitle(_("Draw ceremony"))
        self.setStyleSheet(theme.SCREEN_STYLE)
        layout = QVBoxLayout(self)
        self.title = QLabel(_("{title}\nSeed: {seed}", title=title, seed=draw.seed))
        self.title.setFont(theme.font(40, bold=True))
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.rolling = QLabel()
        self.rolling.setFont(theme.font(48, bold=True))
        self.rolling.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.rolling.setStyleSheet(f"color: {theme.ACCENT};")
        self.winners = QLabel()
        self.winners.setFont(theme.font(30))
        self.winners.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_label = QLabel()
        self.page_label.setFont(theme.font(20))
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for widget in (self.title, self.rolling, self.winners, self.page_label):
            layout.addWidget(widget)
        layout.setStretch(2, 1)
        people = results.people([w.participant_id for w in draw.winners])
        self.shown = [f"{mask_name(people[w.participant_id]['name'])}    {mask_phone(people[w.participant_id]['phone'])}"
                      for w in draw.winners]
        self.page = 0
        self.steps = 0
        self.timer = QTimer(self)
        self.timer.setInterval(60)
        self.timer.timeout.connect(self._roll)
        self.timer.start()

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.shown) // self.PER_PAGE))

    def _roll(self) -> None:
        self.steps += 1
        if not self.shown:
            self.timer.stop()
            self.rolling.setText(_("Nobody is eligible"))
            return
        if self.steps < 40:
            self.rolling.setText(self.shown[(self.steps * 7) % len(self.shown)])
            return
        self.timer.stop()
        self.rolling.setText(_("{winners} winners ({eligible} in the draw)", winners=len(self.shown),
                                eligible=self.draw.eligible_count))
        self.show_page(0)

    def show_page(self, page: int) -> None:
        self.page = max(0, min(page, self.pages - 1))
        lines = self.shown[self.page * self.PER_PAGE:(self.page + 1) * self.PER_PAGE]
        self.winners.setText("\n".join(lines))
        self.page_label.setText(_("Page {page} / {pages} (→ next)", page=self.page + 1, pages=self.pages))

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.timer.isActive():
            return
        forward = (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space, Qt.Key.Key_Down)
        back = (Qt.Key.Key_Left, Qt.Key.Key_PageUp, Qt.Key.Key_Up)
        if event.key() in forward:
            self.show_page(self.page + 1)
        elif event.key() in back:
            self.show_page(self.page - 1)
        else:
            super().keyPressEvent(event)
