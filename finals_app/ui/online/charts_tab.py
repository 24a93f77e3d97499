"""The office's charts of one period: personal totals, participants per day, perfect attempts
per unit, drawn from the ranking table alone."""
from __future__ import annotations

from collections import Counter
from typing import Callable

import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from finals_app.core.i18n import _
from finals_app.core.online.results import Results
from finals_app.ui.online.listing_tab import fill_periods


class ChartsTab(QWidget):
    """`results`: a fresh Results of the store; `say`: where a failure to draw is said."""

    def __init__(self, engine, rules, results: Callable[[], Results], say: Callable[[str], None], parent=None):
        super().__init__(parent)
        self.engine = engine
        self.results = results
        self.say = say
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
        """The charts' figures from the ranking table alone (one pass over the period's people):
        the days each took part are bits of days_mask, perfect and valid attempts are counted."""
        from sqlalchemy import func, select

        from finals_app.core.store.schema import organizations, phase_totals
        pt, o = phase_totals.c, organizations.c
        phase = self.results().phase(period_id)
        days = phase.days()
        with self.engine.connect() as connection:
            scores = list(connection.execute(select(pt.score).where(pt.phase == phase.id)).scalars())
            per_day = connection.execute(select(*[func.sum(pt.days_mask.op(">>")(bit).op("&")(1))
                                                  for bit in range(len(days))]).where(pt.phase == phase.id)).one()
            perfect = connection.execute(
                select(o.unit_id, func.sum(pt.perfect_attempts), func.sum(pt.valid_attempts))
                .join(organizations, o.id == pt.branch_id).where(pt.phase == phase.id)
                .group_by(o.unit_id).order_by(o.unit_id)).all()
            unit_names = dict(connection.execute(select(o.id, o.name).where(o.level == "unit")).all())
        bins = Counter(min(score // 50, 40) for score in scores)
        return {"score_bins": [(f"{k * 50}-", v) for k, v in sorted(bins.items())],
                "daily": [(day.strftime("%m-%d"), int(count or 0)) for day, count in zip(days, per_day)],
                "perfect": [(unit_names.get(unit, str(unit))[:8], 100 * ok / total)
                            for unit, ok, total in perfect if unit is not None and total]}

    def refresh(self) -> None:
        try:
            data = self.chart_data(self.period.currentData())
        except Exception as error:  # noqa: BLE001 - an empty store: nothing to draw, say so
            self.say(str(error))
            return
        for key, pairs, width in (("scores", data["score_bins"], 0.8), ("daily", data["daily"], 0.7),
                                  ("perfect", data["perfect"], 0.7)):
            plot = self.plots[key]
            plot.clear()
            if pairs:
                xs = list(range(len(pairs)))
                plot.addItem(pg.BarGraphItem(x=xs, height=[v for _ignored, v in pairs], width=width, brush="#c0392b"))
                labels = [(i, str(label)) for i, (label, _ignored) in enumerate(pairs)]
                plot.getAxis("bottom").setTicks([labels])
