"""The audience scoreboard, drawn with pyqtgraph in the widget's own pixels: one row per team in
rank order — the name, a bar in the team's colour, the score — laid out as a grid of as many
columns as the screen's shape wants (one column beside the question on a wide LED wall, two or
four below it on a projector). A new score grows or shrinks its bar and a new order slides the
rows to their places (one animation); the team holding the floor is framed in gold. Names are
at least `name_px` (0.035 H), scores at least `score_px` (0.05 H), both larger when the room
allows; a name too long for its column takes two lines broken at a natural point."""
from __future__ import annotations

import math
import time

import pyqtgraph as pg
from PySide6.QtCore import QEasingCurve, QRect, QRectF, QVariantAnimation
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QGraphicsRectItem

from finals_app.ui import theme
from finals_app.ui.widgets.stage_text import TextBox, natural_lines

LARGEST = 1.6  # names and scores grow up to this many times their least size when there is room


class Scoreboard(pg.PlotWidget):
    def __init__(self, contest, parent=None):
        super().__init__(parent=parent, background=theme.BACKGROUND)
        self.contest = contest
        self.team_ids = [t.id for t in contest.teams]
        self.colours = {t.id: t.color for t in contest.teams}
        self.names = {t.id: t.name for t in contest.teams}
        self.shown = {team: 0.0 for team in self.team_ids}  # the scores drawn now (animated)
        self.target = dict(self.shown)
        self._from = dict(self.shown)
        self.order = list(self.team_ids)
        self.slot_shown = {team: float(i) for i, team in enumerate(self.team_ids)}  # places drawn now
        self.slot_target = dict(self.slot_shown)
        self._slot_from = dict(self.slot_shown)
        self.caption = None
        self.highlight: str | None = None
        self.frame_times: list[float] = []  # ms between animation frames (the benchmark reads them)
        self.name_px, self.score_px = 24, 28  # the least sizes; set_text_size gives the screen's
        self.fits = True
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        plot = self.getPlotItem()
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        plot.layout.setContentsMargins(0, 0, 0, 0)
        plot.setContentsMargins(0, 0, 0, 0)
        self.view = plot.getViewBox()
        self.view.invertY(True)
        self.view.setDefaultPadding(0)
        self.bars = pg.BarGraphItem(x0=[], y0=[], width=[], height=[], pen=pg.mkPen(None))
        self.addItem(self.bars)
        self.frame = QGraphicsRectItem()  # the gold frame round the team holding the floor
        self.frame.setPen(pg.mkPen(theme.ACCENT, width=4))
        self.frame.setVisible(False)
        self.addItem(self.frame)
        self.labels = {team: self._text_item((0, 0.5)) for team in self.team_ids}
        self.values = {team: self._text_item((1, 0.5)) for team in self.team_ids}
        self.caption_item = self._text_item((0, 0))  # what the bars count, when not the totals
        self.animation = QVariantAnimation(self)
        self.animation.setDuration(450)
        self.animation.setEasingCurve(QEasingCurve.Type.OutCubic)
        self.animation.setStartValue(0.0)
        self.animation.setEndValue(1.0)
        self.animation.valueChanged.connect(self._step)
        self._white = QColor(theme.TEXT)
        self._gold = QColor(theme.ACCENT)
        self._label_state: dict[int, tuple] = {}
        self.grid: dict = {}
        self._layout()

    def _text_item(self, anchor) -> pg.TextItem:
        item = pg.TextItem(anchor=anchor)
        item.textItem.document().setDocumentMargin(0)
        self.addItem(item)
        return item

    # ---- what it shows ----

    def set_text_size(self, score_px: int, name_px: int | None = None) -> None:
        """The least sizes of scores and names (the screen's 0.05 H and 0.035 H)."""
        self.score_px = int(score_px)
        self.name_px = int(name_px if name_px is not None else score_px * 0.7)
        self._layout()

    def update_scores(self, scores: dict[str, int], order: list[str], highlight: str | None,
                      caption: str | None = None) -> None:
        """Show `order`'s teams (all, or the tied teams of a tie-break) with `scores`."""
        wanted = {team: float(scores.get(team, 0)) for team in self.team_ids}
        moved = list(order) != self.order
        other_teams = set(order) != set(self.order)
        changed = wanted != self.target or moved or highlight != self.highlight or caption != self.caption
        self.order = list(order)
        self.highlight = highlight
        self.caption = caption
        if wanted != self.target or moved:
            self._from = dict(self.shown)
            self._slot_from = dict(self.slot_shown)
            self.target = wanted
            self.slot_target = {team: float(self.order.index(team)) if team in self.order else -1.0
                                for team in self.team_ids}
            if other_teams:  # another set of teams (a tie-break): no slide
                self.slot_shown = dict(self.slot_target)
                self._slot_from = dict(self.slot_target)
            self._layout()
            self.animation.stop()
            self._last_frame = None
            self.animation.start()
        elif changed:
            self._layout()

    def settle(self) -> None:
        """Jump to the end of the running animation (tests, screenshots)."""
        self.animation.stop()
        self._step(1.0)

    def relayout(self) -> None:
        self._layout()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if "labels" in self.__dict__:  # Qt resizes once during construction, before our parts exist
            self._layout()

    # ---- the grid ----

    def arrange(self, width: int, height: int, count: int) -> dict:
        """The grid for `count` teams in width × height: columns, rows, sizes, the names' lines.
        The largest sizes (up to LARGEST × the least) at which every name and score fits; fewer
        columns when two grids allow the same size."""
        best = None
        for columns in range(1, max(1, count) + 1):
            rows = math.ceil(max(1, count) / columns)
            gap_x = max(8, int(0.02 * width)) if columns > 1 else 0
            cell_w = (width - gap_x * (columns - 1)) // columns
            for step in range(int(LARGEST * 20), 19, -1):
                scale = step / 20
                grid = self._cell(columns, rows, cell_w, height, gap_x, scale)
                if grid["fits"]:
                    if best is None or grid["scale"] > best["scale"]:
                        best = grid
                    break
        if best is None:  # nothing fits at the least sizes: the least bad grid, marked
            grids = [self._cell(c, math.ceil(max(1, count) / c), (width - 8 * (c - 1)) // c, height, 8, 1.0)
                     for c in range(1, max(1, count) + 1)]
            best = min(grids, key=lambda g: g["overflow"])
        return best

    def _cell(self, columns, rows, cell_w, height, gap_x, scale) -> dict:
        name_px, score_px = int(self.name_px * scale), int(self.score_px * scale)
        caption_h = math.ceil(QFontMetrics(theme.font(name_px, True)).height() * 1.1) if self.caption else 0
        cell_h = (height - caption_h) // rows
        name_metrics = QFontMetrics(theme.font(name_px, True))
        score_metrics = QFontMetrics(theme.font(score_px, True))
        widest = max([abs(int(v)) for v in self.target.values()] + [100])
        score_w = score_metrics.horizontalAdvance("−" + str(widest)) + 4
        pad = max(4, int(0.15 * name_px))
        min_bar = max(2 * pad, int(0.08 * cell_w))
        room = cell_w - score_w - min_bar - 4 * pad
        lines = {}
        name_w = 0
        for team in self.order:
            broken = natural_lines(self.names[team], name_px, room, bold=True, max_lines=2)
            lines[team] = broken
            name_w = max(name_w, *(name_metrics.horizontalAdvance(line) for line in broken))
        name_h = max([len(v) for v in lines.values()] + [1]) * name_metrics.lineSpacing()
        # A score is digits: their ink (0.73 em), not the font's line box (1.45 em), is what
        # must not touch the next row.
        row_h = max(name_h, int(score_metrics.tightBoundingRect("−0123456789").height() * 1.2)) + 2 * pad
        overflow = max(0, name_w - room) + max(0, row_h - cell_h)
        return {"columns": columns, "rows": rows, "cell_w": cell_w, "cell_h": cell_h, "gap_x": gap_x,
                "caption_h": caption_h, "scale": scale, "name_px": name_px, "score_px": score_px,
                "name_w": name_w, "score_w": score_w, "pad": pad, "lines": lines, "row_h": row_h,
                "fits": overflow == 0, "overflow": overflow}

    def needed_height(self, width: int, count: int) -> int:
        """The least height in which `count` teams fit `width` at the least sizes."""
        low, high = int(self.score_px * 1.5), int(self.score_px * 1.5 * count + 200)
        while low < high:
            middle = (low + high) // 2
            if self.arrange(width, middle, count)["fits"]:
                high = middle
            else:
                low = middle + 1
        return low

    def cell_at(self, slot: float) -> tuple[float, float]:
        """The top-left of a rank's cell (slot 0 is the leader); between two slots while sliding.
        Columns read down, then across, as a results list does."""
        grid = self.grid
        rows = grid["rows"]

        def corner(index: int) -> tuple[float, float]:
            column, row = divmod(index, rows)
            return (column * (grid["cell_w"] + grid["gap_x"]),
                    grid["caption_h"] + row * grid["cell_h"] + (grid["cell_h"] - grid["row_h"]) / 2)

        if slot < 0:
            return -10_000.0, -10_000.0
        low = int(math.floor(slot))
        fraction = slot - low
        x0, y0 = corner(low)
        if not fraction:
            return x0, y0
        x1, y1 = corner(low + 1)
        return x0 + (x1 - x0) * fraction, y0 + (y1 - y0) * fraction

    def _layout(self) -> None:
        """What changes rarely: the grid, the names and their sizes, colours, the frame. An
        animation frame then only moves bars, values and labels."""
        width, height = max(60, self.width()), max(40, self.height())
        self.view.setRange(xRange=(0, width), yRange=(0, height), padding=0)
        self.grid = self.arrange(width, height, len(self.order))
        self.fits = self.grid["fits"]
        grid = self.grid
        for team in self.team_ids:
            visible = team in self.order
            self.labels[team].setVisible(visible)
            self.values[team].setVisible(visible)
            if visible:
                self._set_text(self.labels[team], "\n".join(grid["lines"][team]), self._white, grid["name_px"])
        self.caption_item.setVisible(bool(self.caption))
        if self.caption:
            self._set_text(self.caption_item, self.caption, self._gold, grid["name_px"])
            self.caption_item.setPos(0, 0)
        self._brushes = [pg.mkBrush(self.colours[team]) for team in self.order]
        self._frame()

    def _step(self, fraction) -> None:
        now = time.perf_counter()
        if getattr(self, "_last_frame", None) is not None:
            self.frame_times.append((now - self._last_frame) * 1000)
            del self.frame_times[:-2000]  # the latest animations only: a show runs for hours
        self._last_frame = now
        for team in self.team_ids:
            self.shown[team] = self._from[team] + (self.target[team] - self._from[team]) * float(fraction)
            self.slot_shown[team] = self._slot_from[team] + (self.slot_target[team] - self._slot_from[team]) * float(fraction)
        self._frame()

    def _frame(self) -> None:
        grid = self.grid
        pad, row_h = grid["pad"], grid["row_h"]
        bar_x = grid["name_w"] + 2 * pad
        bar_room = grid["cell_w"] - bar_x - grid["score_w"] - 2 * pad
        top = max([10.0, *(self.target[t] for t in self.order), *(self.shown[t] for t in self.order)])
        x0, y0, widths, heights = [], [], [], []
        for team in self.order:
            x, y = self.cell_at(self.slot_shown[team])
            x0.append(x + bar_x)
            y0.append(y + pad)
            widths.append(max(0.0, bar_room * max(0.0, self.shown[team]) / top))
            heights.append(row_h - 2 * pad)
            self.labels[team].setPos(x, y + row_h / 2)
            gold = team == self.highlight
            colour = self._gold if gold else (QColor(theme.DANGER) if self.shown[team] < -0.5 else self._white)
            self._set_text(self.values[team], f"{round(self.shown[team]):d}".replace("-", "−"), colour,
                           grid["score_px"])
            self.values[team].setPos(x + grid["cell_w"], y + row_h / 2)
        self.bars.setOpts(x0=x0, y0=y0, width=widths, height=heights, brushes=self._brushes)
        if self.highlight in self.order:
            x, y = self.cell_at(self.slot_shown[self.highlight])
            self.frame.setRect(QRectF(x + 2, y + 2, grid["cell_w"] - 4, row_h - 4))
            self.frame.setVisible(True)
        else:
            self.frame.setVisible(False)

    def _set_text(self, item, text: str, colour: QColor, pixels: int) -> None:
        """Touch a label only when something changed (animation frames mostly move bars)."""
        wanted = (text, colour.name(), pixels)
        if self._label_state.get(id(item)) == wanted:
            return
        self._label_state[id(item)] = wanted
        item.setColor(colour)
        item.setFont(theme.font(pixels, bold=True))
        item.setText(text)

    # ---- for the tests: what is drawn, where ----

    def text_boxes(self) -> list[TextBox]:
        """Every visible name, score and caption with its box in this widget's pixels."""
        boxes = []
        for item in [self.caption_item, *(self.labels[t] for t in self.order), *(self.values[t] for t in self.order)]:
            if not item.isVisible() or not item.toPlainText():
                continue
            rect = self.mapFromScene(item.sceneBoundingRect()).boundingRect()
            font = item.textItem.font()
            if any(item is value for value in self.values.values()):  # a score: its ink
                metrics = QFontMetrics(font)
                ink = metrics.tightBoundingRect(item.toPlainText())
                rect = QRect(rect.left() + ink.left(), rect.top() + metrics.ascent() + ink.top(), ink.width(),
                             ink.height())
            boxes.append(TextBox(item.toPlainText(), QRect(rect), font.pixelSize()))
        return boxes
