"""`finals-app demo --online`: the product on bundled sample data, from a fresh temporary store.

Generates a sample export of the 2017-2018 competition, syncs it and shows the rankings and
awards of the first period and of the online final, so a new user sees every online step.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from finals_app.core.i18n import translate
from finals_app.core.online.results import Results
from finals_app.core.online.sample_export import SampleSize, generate
from finals_app.core.online.sync import sync
from finals_app.core.rules import load_rules
from finals_app.core.store.engine import open_store
from finals_app.core.tables import listings
from finals_app.reports.writers import write_table

DEMO_SEED = "20171218"


def run_demo(args, stdout, stderr) -> int:
    from finals_app.cli.progress import Progress
    from finals_app.cli.sync import format_summary

    rules = load_rules(getattr(args, "rules", None))
    with tempfile.TemporaryDirectory(prefix="finals-app-demo-") as folder:
        export = generate(Path(folder) / "export.sqlite", rules, SampleSize(participants=3000))
        engine = open_store(f"sqlite:///{Path(folder) / 'store.sqlite'}")
        progress = Progress(stderr)
        summary = sync(engine, str(export), rules, progress)
        progress.close()
        stdout.write(format_summary(summary) + "\n")
        results = Results(engine, rules)
        first = rules.periods[0].id
        sections = [
            (translate("Standings of {period} (top 10)", period=first),
             listings.standings(results.standings(first, limit=10))),
            (translate("Awards of {period} with seed {seed} (first 10)", period=first, seed=DEMO_SEED),
             listings.awards(results.awards(first, DEMO_SEED)[:10])),
            (translate("Branch ranking of {period} (top 10)", period=first),
             listings.branches(results.branches(first, DEMO_SEED)[:10])),
            (translate("Online final (top 10)"), listings.final_standings(results.final_standings()[:10])),
        ]
        for title, listing in sections:
            stdout.write(f"== {title} ==\n")
            write_table(listing, stdout)
            stdout.write("\n")
        engine.dispose()
    return 0
