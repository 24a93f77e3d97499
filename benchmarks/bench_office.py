"""The office at province scale (issue 28, part 2): `finals-app office` opened on a synced store of
the whole competition (1 M people), offscreen (or on $DISPLAY). Each listing tab is opened on the
largest period and timed until its first rows are on screen; then the ranking is scrolled to its
end, sorted (two columns), filtered (a branch, a phone's last digits), scrolled to the end again,
exported to XLSX (with its progress), and an export cancelled. Printed: each time, the rows the
ranking's model holds, the office's memory after opening every tab and its peak, the machine's
load; a screenshot of the sorted, scrolled ranking is saved.

The baseline, measured in the same run in a child process: the office's old full-load path for
the same ranking (every row built by the listing, a ListingModel under a QSortFilterProxyModel
as the tab had it), its time to first rows, the proxy's sort and filter, and its peak memory.

The store: benchmarks/data/office-store.sqlite, made by
    nice .venv/bin/finals-app --store benchmarks/data/office-store.sqlite sync benchmarks/data/comp-7.sqlite

    .venv/bin/python -m benchmarks.bench_office [--store FILE] [--shot FILE.png] [--skip-export]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STORE = HERE / "data" / "office-store.sqlite"
SHOT = HERE / "data" / "office-ranking.png"
TIMEOUT = 600.0


def rss_mib() -> float:
    """This process's resident memory now."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def largest_period(store: Path) -> tuple[str, int]:
    """The preliminary period with the most people ranked."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        counts = {phase: db.execute("select max(rank) from phase_totals where phase = ?", (phase,)).fetchone()[0]
                  for (phase,) in db.execute("select distinct phase from phase_totals")}
    periods = {phase: n for phase, n in counts.items() if phase.startswith("P") and n}
    phase = max(periods, key=periods.get)
    return phase, periods[phase]


def _qt_app():
    os.environ.setdefault("QT_API", "pyside6")
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("FINALS_APP_LANG", "zh_CN")
    from PySide6.QtWidgets import QApplication
    return QApplication.instance() or QApplication(sys.argv[:1])


# ---- the baseline: the old full-load path, in a child process ----

def baseline(store: Path, period: str) -> dict:
    """The tab as it was: the whole listing built (staff view), a ListingModel under a proxy;
    then the proxy sorts by score and filters by a branch name."""
    app = _qt_app()
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTableView

    from finals_app.core.online.results import Results
    from finals_app.core.rules import load_rules
    from finals_app.core.store.engine import open_store
    from finals_app.core.tables import listings
    from finals_app.ui.online.staff_view import for_staff
    from finals_app.ui.online.table_model import ListingModel, ListingProxy
    engine = open_store(f"sqlite:///{store}")
    rules = load_rules()
    started = time.perf_counter()
    results = Results(engine, rules)
    listing = for_staff(results, listings.standings(results.standings_rows(period), layout=results.STANDINGS_LAYOUT))
    model, proxy, view = ListingModel(), ListingProxy(), QTableView()
    proxy.setSourceModel(model)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.resize(1400, 800)
    view.show()
    model.set_listing(listing)
    view.resizeColumnsToContents()
    app.processEvents()
    first = time.perf_counter() - started
    memory = rss_mib()
    started = time.perf_counter()
    view.sortByColumn(listing.columns.index("score"), Qt.SortOrder.AscendingOrder)
    app.processEvents()
    sort = time.perf_counter() - started
    branch = listing.rows[len(listing.rows) // 2][listing.columns.index("branch")]
    started = time.perf_counter()
    proxy.setFilterFixedString(branch)
    app.processEvents()
    filtered = time.perf_counter() - started
    peak = peak_mib()
    from finals_app.reports.writers import emit
    target = Path(tempfile.mkdtemp(prefix="office-baseline-")) / "ranking.xlsx"
    started = time.perf_counter()
    emit(model.listing, "xlsx", str(target), None)  # the old export: on the GUI thread, no progress
    exported = time.perf_counter() - started
    target.unlink()
    target.parent.rmdir()
    return {"rows": len(listing.rows), "first_rows_s": first, "sort_s": sort, "filter_s": filtered,
            "filter_rows": proxy.rowCount(), "rss_mib": memory, "peak_mib": peak, "export_s": exported,
            "export_peak_mib": peak_mib()}


def run_baseline(store: Path, period: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_office", "--baseline", str(store), period],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ})
    if done.returncode != 0:
        raise SystemExit(f"the baseline failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- the office ----

class Bench:
    def __init__(self, app, window, period: str):
        self.app = app
        self.window = window
        self.period = period
        self.figures: dict[str, float] = {}

    async def until(self, condition, what: str) -> None:
        deadline = time.perf_counter() + TIMEOUT
        while not condition():
            if time.perf_counter() > deadline:
                raise SystemExit(f"timed out: {what}")
            await asyncio.sleep(0.002)

    async def shown(self, tab) -> None:
        """The tab's table has its first rows (or says why it has none), painted."""
        await self.until(lambda: tab.task is not None and tab.task.done(), f"{tab.name} loads")
        model = tab.model
        if hasattr(model, "row") and model.rowCount():
            await self.until(lambda: model.row(tab.view.rowAt(0) if tab.view.rowAt(0) >= 0 else 0) is not None,
                             f"{tab.name}'s rows")
        tab.view.viewport().repaint()

    async def visible(self, tab) -> None:
        """Every row in view has come from the store, painted."""
        view, model = tab.view, tab.model
        await asyncio.sleep(0)  # the scroll is laid out
        first = max(view.rowAt(0), 0)
        last = view.rowAt(view.viewport().height() - 1)
        last = model.rowCount() - 1 if last < 0 else last
        view.viewport().update()
        await self.until(lambda: all(model.row(row) is not None for row in range(first, last + 1)), "rows in view")
        view.viewport().repaint()

    def time(self, name: str, seconds: float) -> None:
        self.figures[name] = seconds
        print(f"  {name:<44} {seconds * 1000:10.0f} ms", flush=True)

    async def open_tabs(self) -> None:
        window = self.window
        from finals_app.ui.online.listing_tab import ListingTab
        await self.until(lambda: window.synced_periods is not None, "the periods")
        tabs = window.listing_tabs
        first_day = window.rules.phase(self.period).first_day.isoformat()
        for tab in [*tabs.values(), *window.paperwork.tabs.values()]:
            index = tab.period.findData(self.period)
            if index >= 0:
                tab.period.setCurrentIndex(index)
            tab.day.setText(first_day)
        for index in range(window.tabs.count()):
            tab = window.tabs.widget(index)
            title = window.tabs.tabText(index)
            if isinstance(tab, ListingTab):
                started = time.perf_counter()
                window.tabs.setCurrentIndex(index)
                if tab.loaded_for is not None and (tab.task is None or tab.task.done()):
                    tab.start_refresh()  # the tab in view at start showed the latest period: now the largest
                await self.shown(tab)
                rows = tab.model.rowCount()
                self.time(f"open {title} ({tab.name}, {rows:,} rows)", time.perf_counter() - started)
                print(f"    period {tab.period.currentData()}; memory now {rss_mib():,.0f} MiB", flush=True)
            else:  # team selection, the paperwork (asks for an organisation), the charts
                started = time.perf_counter()
                window.tabs.setCurrentIndex(index)
                if tab is window.charts:
                    window.charts.period.setCurrentIndex(window.charts.period.findData(self.period))
                    task = window.refresh_charts()
                    await self.until(task.done, "the charts")
                tab.repaint()
                self.time(f"open {title}", time.perf_counter() - started)

    async def ranking(self, shot: Path, export: bool) -> None:
        window = self.window
        from PySide6.QtCore import Qt
        tab = window.listing_tabs["standings"]
        window.tabs.setCurrentWidget(tab)
        model = tab.model
        held = []

        async def step(name, act, wait) -> None:
            started = time.perf_counter()
            act()
            await wait()
            self.time(name, time.perf_counter() - started)
            held.append(model.held_rows())

        async def new_view(condition):
            await self.until(lambda: condition() and tab.task.done(), "the view")
            await self.visible(tab)

        bar = tab.view.verticalScrollBar()
        await step("ranking: scroll to the end", tab.view.scrollToBottom, lambda: self.visible(tab))
        for fraction in (0.25, 0.5, 0.75):
            await step(f"ranking: jump to {fraction:.0%}", lambda f=fraction: bar.setValue(round(bar.maximum() * f)),
                       lambda: self.visible(tab))
        started = time.perf_counter()
        bar.setValue(0)
        for _step in range(60):  # a user holding Page Down: 60 screens
            bar.setValue(bar.value() + bar.pageStep())
            await self.visible(tab)
        self.time("ranking: 60 screens down, one at a time", time.perf_counter() - started)
        columns = model.listing.columns
        await step("ranking: sort by score (ascending)",
                   lambda: tab.view.sortByColumn(columns.index("score"), Qt.SortOrder.AscendingOrder),
                   lambda: new_view(lambda: model.view.sort == "score"))
        await step("ranking: sorted, scroll to the end", tab.view.scrollToBottom, lambda: self.visible(tab))
        await step("ranking: sort by name (descending)",
                   lambda: tab.view.sortByColumn(columns.index("name"), Qt.SortOrder.DescendingOrder),
                   lambda: new_view(lambda: model.view.sort == "name"))
        await step("ranking: sort by average time (ascending)",
                   lambda: tab.view.sortByColumn(columns.index("average_duration_ms"), Qt.SortOrder.AscendingOrder),
                   lambda: new_view(lambda: model.view.sort == "average_duration_ms"))
        await step("ranking: sorted, jump to 50%", lambda: bar.setValue(bar.maximum() // 2), lambda: self.visible(tab))
        await step("ranking: sorted, scroll to the end", tab.view.scrollToBottom, lambda: self.visible(tab))
        window.grab().save(str(shot))
        print(f"  screenshot: {shot}", flush=True)
        branch = model.row(max(tab.view.rowAt(0), 0))[columns.index("branch")]
        phone = model.row(max(tab.view.rowAt(0), 0))[columns.index("phone")][-4:]
        for name, text in ((f"a branch ({branch})", branch), (f"a phone's last digits ({phone})", phone)):
            await step(f"ranking: filter by {name}", lambda text=text: (tab.filter.setText(text), tab.start_refresh()),
                       lambda text=text: new_view(lambda: model.view.text == text))
            print(f"    {model.rowCount():,} rows", flush=True)
        await step("ranking: filtered, scroll to the end", tab.view.scrollToBottom, lambda: self.visible(tab))
        await step("ranking: filter cleared", lambda: (tab.filter.setText(""), tab.start_refresh()),
                   lambda: new_view(lambda: model.view.text == ""))
        self.figures["held_rows_max"] = max(held)
        print(f"  rows the model held, at most: {max(held):,} of {model.rowCount():,}", flush=True)
        if not export:
            return
        target = Path(tempfile.mkdtemp(prefix="office-export-")) / "ranking.xlsx"
        reports = []
        put = tab.export_progress.put
        tab.export_progress.put = lambda *report: reports.append(report) or put(*report)
        started = time.perf_counter()
        task = tab.export(str(target))
        await self.until(task.done, "the export")
        seconds = time.perf_counter() - started
        written = task.result()
        self.time(f"ranking: export XLSX ({model.rowCount():,} rows, {len(reports)} progress reports)", seconds)
        print(f"    {written} {written.stat().st_size / 2**20:.0f} MiB", flush=True)
        written.unlink()
        tab.export_progress.put = put
        started = time.perf_counter()
        task = tab.export(str(target))
        await asyncio.sleep(3.0)
        cancel_at = time.perf_counter()
        tab.cancel_export()
        await self.until(task.done, "the cancelled export")
        self.time("ranking: export cancelled after 3 s, stopped in", time.perf_counter() - cancel_at)
        left = sorted(p.name for p in target.parent.iterdir())
        print(f"    files left: {left or 'none'}", flush=True)
        target.parent.rmdir()


async def office_figures(app, store: Path, period: str, shot: Path, export: bool) -> dict:
    from finals_app.core.rules import load_rules
    from finals_app.core.store.engine import open_store
    from finals_app.ui.online.office import OfficeWindow
    engine = open_store(f"sqlite:///{store}")
    started = time.perf_counter()
    window = OfficeWindow(engine, load_rules())
    window.resize(1400, 900)
    window.show()
    bench = Bench(app, window, period)
    first = window.listing_tabs["standings"]
    await bench.until(lambda: first.task is not None and first.task.done(), "the first tab")
    await bench.shown(first)
    bench.time(f"office window to its first tab's rows ({first.period.currentData()}, {first.model.rowCount():,})",
               time.perf_counter() - started)
    await bench.open_tabs()
    bench.figures["rss_after_tabs_mib"] = rss_mib()
    bench.figures["peak_after_tabs_mib"] = peak_mib()
    print(f"  memory after opening every tab: {rss_mib():,.0f} MiB (peak so far {peak_mib():,.0f} MiB)", flush=True)
    await bench.ranking(shot, export)
    bench.figures["peak_mib"] = peak_mib()
    print(f"  memory at the end: {rss_mib():,.0f} MiB; peak of the whole run {peak_mib():,.0f} MiB", flush=True)
    window.close()
    engine.dispose()
    return bench.figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=STORE)
    parser.add_argument("--shot", type=Path, default=SHOT)
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--baseline", nargs=2, metavar=("STORE", "PERIOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:
        print(json.dumps(baseline(Path(args.baseline[0]), args.baseline[1])))
        return
    store = args.store.resolve()
    if not store.exists():
        raise SystemExit(f"no store {store}: sync benchmarks/data/comp-7.sqlite into it first (see the docstring)")
    period, rows = largest_period(store)
    print(f"office benchmark: {store.name}, largest period {period} ({rows:,} people ranked); "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}", flush=True)
    print("baseline (the old full-load tab, child process):", flush=True)
    old = run_baseline(store, period)
    print(f"  first rows {old['first_rows_s'] * 1000:,.0f} ms, proxy sort {old['sort_s'] * 1000:,.0f} ms, "
          f"proxy filter {old['filter_s'] * 1000:,.0f} ms ({old['filter_rows']:,} rows), "
          f"memory {old['rss_mib']:,.0f} MiB (peak {old['peak_mib']:,.0f} MiB); export XLSX on the GUI thread "
          f"{old['export_s'] * 1000:,.0f} ms (peak {old['export_peak_mib']:,.0f} MiB)", flush=True)
    print("the office (paged tables):", flush=True)
    app = _qt_app()
    from finals_app.ui.qt_loop import run_in_qt_loop

    async def run(finished) -> dict:
        return await office_figures(app, store, period, args.shot, not args.skip_export)

    new = run_in_qt_loop(app, run)
    first = next(v for k, v in new.items() if k.startswith("open ") and "standings" in k)
    sort = new["ranking: sort by score (ascending)"]
    filtered = next(v for k, v in new.items() if k.startswith("ranking: filter by a branch"))
    print("summary:", flush=True)
    print(f"  ranking first rows: {first * 1000:,.0f} ms vs {old['first_rows_s'] * 1000:,.0f} ms full load "
          f"({old['first_rows_s'] / first:,.1f}x faster)", flush=True)
    print(f"  sort by score: {sort * 1000:,.0f} ms vs {old['sort_s'] * 1000:,.0f} ms in the proxy "
          f"(ratio {sort / old['sort_s']:.2f})", flush=True)
    print(f"  filter by a branch: {filtered * 1000:,.0f} ms vs {old['filter_s'] * 1000:,.0f} ms in the proxy "
          f"(ratio {filtered / old['filter_s']:.2f})", flush=True)
    export = next((v for k, v in new.items() if k.startswith("ranking: export XLSX")), None)
    if export:
        print(f"  export XLSX: {export * 1000:,.0f} ms off the GUI thread with progress vs {old['export_s'] * 1000:,.0f} ms "
              f"frozen (ratio {export / old['export_s']:.2f})", flush=True)
    print(f"  memory after every tab: {new['rss_after_tabs_mib']:,.0f} MiB (limit 1,024); whole run peak "
          f"{new['peak_mib']:,.0f} MiB; the full-load ranking alone: {old['peak_mib']:,.0f} MiB", flush=True)
    slowest = max((v, k) for k, v in new.items() if k.startswith("open ") and "rows" in k)
    print(f"  slowest listing tab: {slowest[1]} {slowest[0] * 1000:,.0f} ms (limit 1,000)", flush=True)
    print(f"  load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)


if __name__ == "__main__":
    main()
