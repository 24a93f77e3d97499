"""The office's charts of one period: personal totals, participants per day, perfect attempts
per unit, drawn from the ranking table alone (counted by the store on the office's worker thread:
a province's period is 700,000 people)."""
from __future__ import annotations

import asyncio
from collections import Counter
from typing import Callable

import shiboken6

import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from finals_app.core.i18n import _
from finals_app.core.online.results import Results
from finals_app.ui.online.listing_tab import fill_periods
from finals_app.ui.qt_loop import start_task


def chart_data(engine, rules, period_id: str) -> dict:
    """The charts' figures from the ranking table alone, each counted by the store: the score
    bins, the days each took part (bits of days_mask), perfect and valid attempts per unit."""
    from sqlalchemy import func, select

    from finals_app.core.store.schema import organizations, phase_totals
    pt, o = phase_totals.c, organizations.c
    phase = Results(engine, rules).phase(period_id)
    days = phase.days()
    with engine.connect() as connection:
        per_bin = connection.execute(select(pt.score // 50, func.count()).where(pt.phase == phase.id)
                                     .group_by(pt.score // 50)).all()
        per_day = connection.execute(select(*[func.sum(pt.days_mask.op(">>")(bit).op("&")(1))
                                              for bit in range(len(days))]).where(pt.phase == phase.id)).one()
        perfect = connection.execute(
            select(o.unit_id, func.sum(pt.perfect_attempts), func.sum(pt.valid_attempts))
            .join(organizations, o.id == pt.branch_id).where(pt.phase == phase.id)
            .group_by(o.unit_id).order_by(o.unit_id)).all()
        unit_names = dict(connection.execute(select(o.id, o.name).where(o.level == "unit")).all())
    bins: Counter = Counter()
    for score_bin, count in per_bin:
        bins[min(int(score_bin), 40)] += count
    return {"score_bins": [(f"{k * 50}-", v) for k, v in sorted(bins.items())],
            "daily": [(day.strftime("%m-%d"), int(count or 0)) for day, count in zip(days, per_day)],
            "perfect": [(unit_names.get(unit, str(unit))[:8], 100 * ok / total)
                        for unit, ok, total in perfect if unit is not None and total]}


class ChartsTab(QWidget):
    """`results`: a fresh Results of the store; `say`: where a failure to draw is said;
    `worker`: the office's (the figures are counted there), None: counted here."""

    def __init__(self, engine, rules, results: Callable[[], Results], say: Callable[[str], None], parent=None,
                 worker=None):
        super().__init__(parent)
        self.engine = engine
        self.rules = rules
        self.results = results
        self.say = say
        self.worker = worker
        self.task: asyncio.Task | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.period = QComboBox()
        fill_periods(self.period, rules, rules.periods)
        refresh = QPushButton(_("Draw"))
        refresh.clicked.connect(self.refresh)
        bar.addWidget(QLabel(_("Period")))
        bar.addWidget(self.period)
        bar.addWidget(refresh)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.plots = {}
        axes = {"scores": (_("Personal total (points)"), _("People")), "daily": (_("Day"), _("Took part")),
                "perfect": (_("Unit"), _("Perfect attempts (%)"))}
        for key, title in (("scores", _("Personal totals")), ("daily", _("Participants per day")),
                           ("perfect", _("Perfect attempts per unit (%)"))):
            plot = pg.PlotWidget(title=title, background="w")
            plot.setMenuEnabled(False)
            bottom, left = axes[key]
            plot.setLabel("bottom", bottom)
            plot.setLabel("left", left)
            layout.addWidget(plot, 1)
            self.plots[key] = plot

    def chart_data(self, period_id: str) -> dict:
        return chart_data(self.engine, self.rules, period_id)

    def refresh(self) -> asyncio.Task | None:
        """Count the chosen period's figures (on the worker when there is one), then draw them."""
        if self.worker is None:
            self._draw_or_say(self.chart_data, self.period.currentData())
            return None
        self.task = start_task(self._refresh_in_worker(self.period.currentData()))
        return self.task

    async def _refresh_in_worker(self, period_id: str) -> bool:
        try:
            data = await self.worker.run(chart_data, self.rules, period_id)
        except Exception as error:  # noqa: BLE001 - an empty store: nothing to draw, say so
            if shiboken6.isValid(self):
                self.say(str(error))
            return False
        if shiboken6.isValid(self):
            self.draw(data)
        return True

    def _draw_or_say(self, count, period_id: str) -> None:
        try:
            data = count(period_id)
        except Exception as error:  # noqa: BLE001 - an empty store: nothing to draw, say so
            self.say(str(error))
            return
        self.draw(data)

    def draw(self, data: dict) -> None:
        for key, pairs, width in (("scores", data["score_bins"], 0.8), ("daily", data["daily"], 0.7),
                                  ("perfect", data["perfect"], 0.7)):
            plot = self.plots[key]
            plot.clear()
            if pairs:
                xs = list(range(len(pairs)))
                plot.addItem(pg.BarGraphItem(x=xs, height=[v for _ignored, v in pairs], width=width, brush="#c0392b"))
                labels = [(i, str(label)) for i, (label, _ignored) in enumerate(pairs)]
                plot.getAxis("bottom").setTicks([labels])
