"""The audience scoreboard: one bar per team in rank order, drawn with pyqtgraph; a new score
grows or shrinks its bar and a new order slides the bars to their places (one animation), the
team holding the floor outlined in gold. Names (≥ 0.035 H) and scores (≥ 0.05 H) are sized by
the screen and never wider than their bar (a long name takes two lines)."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEasingCurve, QVariantAnimation
from PySide6.QtGui import QColor

from finals_app.core.i18n import _
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
        self.x_shown = {team: float(i) for i, team in enumerate(self.team_ids)}  # places drawn now
        self.x_target = dict(self.x_shown)
        self._x_from = dict(self.x_shown)
        self.caption = None
        self.frame_times: list[float] = []  # ms between animation frames (the benchmark reads them)
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
        self.caption_item = pg.TextItem(anchor=(0, 0))  # what the bars count, when not the totals
        for item in (*self.labels.values(), *self.values.values(), self.caption_item):
            self.addItem(item)
        self.animation = QVariantAnimation(self)
        self.animation.setDuration(450)
        self.animation.setEasingCurve(QEasingCurve.Type.OutCubic)
        self.animation.setStartValue(0.0)
        self.animation.setEndValue(1.0)
        self.animation.valueChanged.connect(self._step)
        self._from = dict(self.shown)
        self.text_px = 28
        self.name_px = 24
        # Long-lived colour objects: labels keep references to them.
        self._white = QColor(theme.TEXT)
        self._gold = QColor(theme.ACCENT)
        self._label_state: dict[int, tuple] = {}
        self._visible_before = list(self.order)
        self._layout()

    def set_text_size(self, score_px: int, name_px: int | None = None) -> None:
        self.text_px = score_px
        self.name_px = name_px if name_px is not None else int(score_px * 0.7)
        self._layout()

    def update_scores(self, scores: dict[str, int], order: list[str], highlight: str | None,
                      caption: str | None = None) -> None:
        """Show `order`'s teams (all, or the tied teams of a tie-break) with `scores`."""
        wanted = {team: float(scores.get(team, 0)) for team in self.team_ids}
        moved = list(order) != self.order
        changed = wanted != self.target or moved or highlight != self.highlight or caption != self.caption
        self.order = list(order)
        self.highlight = highlight
        self.caption = caption
        for team in self.team_ids:
            self.labels[team].setVisible(team in self.order)
            self.values[team].setVisible(team in self.order)
        if wanted != self.target or moved:
            self._from = dict(self.shown)
            self._x_from = dict(self.x_shown)
            self.target = wanted
            self.x_target = {team: float(self.order.index(team)) if team in self.order else -10.0
                             for team in self.team_ids}
            if moved and set(self.order) != set(self._visible_before):
                self.x_shown = dict(self.x_target)  # another set of teams (a tie-break): no slide
                self._x_from = dict(self.x_target)
            self._visible_before = list(self.order)
            self._layout()
            self.animation.stop()
            self._last_frame = None
            self.animation.start()
        elif changed:
            self._layout()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if "labels" in self.__dict__:  # Qt resizes once during construction, before our parts exist
            self._layout()

    def _step(self, fraction) -> None:
        import time
        now = time.perf_counter()
        if getattr(self, "_last_frame", None) is not None:
            self.frame_times.append((now - self._last_frame) * 1000)
            del self.frame_times[:-2000]  # the latest animations only: a show runs for hours
        self._last_frame = now
        for team in self.team_ids:
            self.shown[team] = self._from[team] + (self.target[team] - self._from[team]) * float(fraction)
            self.x_shown[team] = self._x_from[team] + (self.x_target[team] - self._x_from[team]) * float(fraction)
        self._frame()

    def _layout(self) -> None:
        """What changes rarely: the axis ranges (fitted to where the bars start and end), names,
        colours, outlines. An animation frame then only moves bars and their values."""
        heights = [*self.shown.values(), *self.target.values()]
        self._top = max([10.0, *heights])
        self._bottom = min([0.0, *heights])
        span = self._top - self._bottom
        # Room in pixels under the bars for the names (two lines at most) and above for the scores.
        plot = max(60, self.height())
        below = 2 * self.name_px * 1.5 + 16  # two lines of names with their line gaps
        above = self.text_px * 1.3 + 8
        share = min(0.85, (below + above) / plot)
        whole = span / (1 - share)
        top = self._top + whole * above / plot
        self.setYRange(self._bottom - whole * below / plot, top, padding=0)
        self.caption_item.setVisible(bool(self.caption))
        if self.caption:
            self._set_text(self.caption_item, self.caption, self._gold, self.name_px)
            self.caption_item.setPos(-0.55, top)
        self.setXRange(-0.6, len(self.order) - 0.4, padding=0)
        per_bar = max(40, self.width() // max(1, len(self.order)))
        for team in self.order:
            self._set_text(self.labels[team], self.label_of(team, per_bar), self._white, self.name_px)
        self._brushes = [pg.mkBrush(self.colours[team]) for team in self.order]
        self._pens = [pg.mkPen(theme.ACCENT, width=6) if team == self.highlight else pg.mkPen(None)
                      for team in self.order]
        self._frame()

    def label_of(self, team: str, per_bar: int) -> str:
        """A team's name as wide as its bar at the names' size: the name, or two lines."""
        from PySide6.QtGui import QFontMetrics
        name = self.names[team]
        metrics = QFontMetrics(theme.font(self.name_px, bold=True))
        if metrics.horizontalAdvance(name) <= per_bar * 0.94 or len(name) < 4:
            return name
        suffix = _("Team")
        cut = len(name) - len(suffix) if name.endswith(suffix) and len(name) > len(suffix) else (len(name) + 1) // 2
        return name[:cut] + "\n" + name[cut:]

    def _frame(self) -> None:
        span = self._top - self._bottom
        heights = [self.shown[team] for team in self.order]
        self.bars.setOpts(x=[self.x_shown[team] for team in self.order], height=heights, brushes=self._brushes,
                          pens=self._pens, width=0.7)
        for team in self.order:
            x = self.x_shown[team]
            gold = team == self.highlight
            self._set_text(self.values[team], f"{round(self.shown[team]):d}", self._gold if gold else self._white,
                           self.text_px)
            self.values[team].setPos(x, max(0.0, self.shown[team]) + span * 0.01)
            self.labels[team].setPos(x, self._bottom - span * 0.02)

    def _set_text(self, item, text: str, colour: QColor, pixels: int) -> None:
        """Touch a label only when something changed (animation frames mostly move bars)."""
        wanted = (text, colour.name(), pixels)
        if self._label_state.get(id(item)) == wanted:
            return
        self._label_state[id(item)] = wanted
        item.setColor(colour)
        item.setFont(theme.font(pixels, bold=True))
        item.setText(text)
