"""The audience scoreboard: one bar per team in rank order, drawn with pyqtgraph, animated to
every new score, the team holding the floor outlined in gold."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEasingCurve, QVariantAnimation
from PySide6.QtGui import QColor

from finals_app.ui import theme


class Scoreboard(pg.PlotWidget):
    def __init__(self, contest, parent=None):
        super().__init__(parent=parent, background=theme.BACKGROUND)
        self.contest = contest
        self.team_ids = [t.id for t in contest.teams]
        self.colours = {t.id: t.color for t in contest.teams}
        self.names = {t.id: t.name for t in contest.teams}
        self.shown = {team: 0.0 for team in self.team_ids}  # the heights drawn now (animated)
        self.target = dict(self.shown)
        self.order = list(self.team_ids)
        self.highlight: str | None = None
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        plot = self.getPlotItem()
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7)
        self.addItem(self.bars)
        self.labels = {team: pg.TextItem(anchor=(0.5, 0)) for team in self.team_ids}
        self.values = {team: pg.TextItem(anchor=(0.5, 1)) for team in self.team_ids}
        for item in (*self.labels.values(), *self.values.values()):
            self.addItem(item)
        self.animation = QVariantAnimation(self)
        self.animation.setDuration(450)
        self.animation.setEasingCurve(QEasingCurve.Type.OutCubic)
        self.animation.setStartValue(0.0)
        self.animation.setEndValue(1.0)
        self.animation.valueChanged.connect(self._step)
        self._from = dict(self.shown)
        self.text_px = 28
        # Long-lived colour objects: labels keep references to them.
        self._white = QColor(theme.TEXT)
        self._gold = QColor(theme.ACCENT)
        self._label_state: dict[int, tuple] = {}
        self._layout()

    def set_text_size(self, pixels: int) -> None:
        self.text_px = pixels
        self._layout()

    def update_scores(self, scores: dict[str, int], order: list[str], highlight: str | None) -> None:
        changed = scores != self.target or order != self.order or highlight != self.highlight
        self.order = list(order)
        self.highlight = highlight
        if scores != self.target:
            self._from = dict(self.shown)
            self.target = {team: float(scores[team]) for team in self.team_ids}
            self._layout()
            self.animation.stop()
            self.animation.start()
        elif changed:
            self._layout()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if "labels" in self.__dict__:  # Qt resizes once during construction, before our parts exist
            self._layout()

    def _step(self, fraction) -> None:
        for team in self.team_ids:
            self.shown[team] = self._from[team] + (self.target[team] - self._from[team]) * float(fraction)
        self._frame()

    def _layout(self) -> None:
        """What changes rarely: the axis ranges (fitted to where the bars start and end), names,
        colours, outlines. An animation frame then only moves bars and their values."""
        heights = [*self.shown.values(), *self.target.values()]
        self._top = max([10.0, *heights])
        self._bottom = min([0.0, *heights])
        span = self._top - self._bottom
        self.setYRange(self._bottom - span * 0.22, self._top + span * 0.15, padding=0)
        self.setXRange(-0.6, len(self.order) - 0.4, padding=0)
        per_bar = max(40, self.width() // max(1, len(self.order)))
        for x, team in enumerate(self.order):
            name = self.names[team]
            # Names fit their bar: CJK glyphs are about one pixel size wide.
            name_px = int(min(self.text_px * 0.8, 0.9 * per_bar / max(1, len(name))))
            self._set_text(self.labels[team], name, self._white, name_px)
            self.labels[team].setPos(x, self._bottom - span * 0.02)
        self._brushes = [pg.mkBrush(self.colours[team]) for team in self.order]
        self._pens = [pg.mkPen(theme.ACCENT, width=6) if team == self.highlight else pg.mkPen(None)
                      for team in self.order]
        self._frame()

    def _frame(self) -> None:
        span = self._top - self._bottom
        heights = [self.shown[team] for team in self.order]
        self.bars.setOpts(x=list(range(len(self.order))), height=heights, brushes=self._brushes, pens=self._pens,
                          width=0.7)
        for x, team in enumerate(self.order):
            gold = team == self.highlight
            self._set_text(self.values[team], f"{round(self.shown[team]):d}", self._gold if gold else self._white,
                           int(self.text_px * 1.3))
            self.values[team].setPos(x, max(0.0, self.shown[team]) + span * 0.01)

    def _set_text(self, item, text: str, colour: QColor, pixels: int) -> None:
        """Touch a label only when something changed (animation frames mostly move bars)."""
        wanted = (text, colour.name(), pixels)
        if self._label_state.get(id(item)) == wanted:
            return
        self._label_state[id(item)] = wanted
        item.setColor(colour)
        item.setFont(theme.font(pixels, bold=True))
        item.setText(text)
