"""The progress of a long job (a sync) as the user follows it: live on a terminal, lines in a log."""
from __future__ import annotations

import time
from typing import TextIO

from finals_app.core.i18n import N_, stage_title, translate


class Progress:
    """The stages of a long job as a user follows them: on a terminal a live display (rich) with
    each stage's bar, count, elapsed time, rate and estimate; elsewhere (a log, a cron job) plain
    timestamped lines, one when a stage starts and ends and at most one every 5 s between."""

    EVERY_S = 5.0

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.tty = stream.isatty()
        self.stage: str | None = None
        self.started = self.last = time.monotonic()
        self.live = None
        self.task = None

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if stage != self.stage:
            if self.live is not None:
                self.live.refresh()  # the stage that ends is drawn complete before the next one
            self._end_stage(now)
            self.stage, self.started, self.last = stage, now, now
            if self.tty:
                self._live().update(self.task, description=stage_title(stage), completed=0, total=total or None)
            else:
                self._line(translate("{stage}: started", stage=stage_title(stage)))
        self.done, self.total = done, total
        if self.tty:
            self._live().update(self.task, completed=done, total=total or None)
        elif now - self.last >= self.EVERY_S and total:
            self.last = now
            self._line(self._figures(now))

    def _figures(self, now: float) -> str:
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate and self.total else None
        return translate("{stage}: {done:,}/{total:,} ({share:.0%}), {elapsed:.1f} s, {rate:,.0f} rows/s, about {left} s left",
                         stage=stage_title(self.stage), done=self.done, total=self.total,
                         share=self.done / self.total if self.total else 0, elapsed=elapsed, rate=rate,
                         left=f"{left:.0f}" if left is not None else "?")

    def _end_stage(self, now: float, completed: bool = True) -> None:
        if self.stage is not None and not self.tty:
            template = N_("{stage}: done in {seconds:.1f} s") if completed else N_("{stage}: stopped after {seconds:.1f} s")
            self._line(translate(template, stage=stage_title(self.stage), seconds=now - self.started))

    def _line(self, text: str) -> None:
        from datetime import datetime
        self.stream.write(f"{datetime.now().strftime('%Y-%m-%d %H:%M:%S')} {text}\n")
        self.stream.flush()

    def _live(self):
        if self.live is None:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as Live, ProgressColumn,
                                       SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn)
            from rich.text import Text

            class Rate(ProgressColumn):
                def render(self, task) -> Text:
                    return Text(translate("{rate:,.0f} rows/s", rate=task.speed) if task.speed else "")

            self.live = Live(SpinnerColumn(), TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(),
                             Rate(), TimeElapsedColumn(), TimeRemainingColumn(), console=Console(file=self.stream),
                             transient=True)
            self.live.start()
            self.task = self.live.add_task("", total=None)
        return self.live

    def close(self, completed: bool = True) -> None:
        self._end_stage(time.monotonic(), completed)
        if self.live is not None:
            self.live.refresh()
            self.live.stop()
            self.live = None
