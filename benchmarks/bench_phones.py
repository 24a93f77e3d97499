"""Phone buzzers, 1,000 races on loopback: two simulated phones per race, each with its own clock
offset (up to ±5 s) and network (one-way delays of 5-80 ms, 20 ms of RTT jitter), pressing at
true instants up to 25 ms apart through the real server; a new pair every 100 races.

Prints: races misjudged (the later press given the floor: must be 0); races decided as they
must be (a tie exactly when the mapped instants are closer than the combined uncertainty);
races whose true gap exceeds the combined uncertainty, and how many of those the earlier press
won; the stated uncertainty per press (median, p99, max; target ≤ 10 ms) against the actual
mapping error (the baseline: what the estimate really missed by, measured in the same run).

    .venv/bin/python -m benchmarks.bench_phones [--races 1000] [--seed 1] [--jitter 20]
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    from benchmarks.phone_sim import run_races
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--races", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jitter", type=float, default=20.0, help="RTT jitter in ms")
    args = parser.parse_args()
    started = time.monotonic()

    def progress(done: int) -> None:
        if done % 100 == 0:
            print(f"  {done} races ({time.monotonic() - started:.0f} s)", file=sys.stderr)

    results, setups = asyncio.run(run_races(args.races, random.Random(args.seed), jitter_rtt_ms=args.jitter,
                                            progress=progress))
    for number, setup in enumerate(setups, start=1):
        print(f"phone pair {number}: {setup}")
    misjudged = sum(r.misjudged for r in results)
    right = sum(r.decided_right for r in results)
    clear = [r for r in results if abs(r.gap_ms) > r.uncertainty_ms]
    clear_won = sum(r.winner == r.earlier for r in clear)
    far = [r for r in results if abs(r.gap_ms) > 2 * r.uncertainty_ms]
    ties = sum(r.winner is None for r in results)
    stated = [u for r in results for u in r.stated_ms]
    errors = [abs(e) for r in results for e in r.errors_ms]
    outside = sum(abs(e) > u for r in results for e, u in zip(r.errors_ms, r.stated_ms))
    print(f"races: {len(results)} in {time.monotonic() - started:.0f} s; misjudged (later press won): {misjudged}")
    print(f"decided as they must be (tie exactly when the mapped gap < combined uncertainty): {right}/{len(results)}")
    print(f"true gap > combined uncertainty: {len(clear)} races, earlier press won {clear_won}, "
          f"tie for the host {len(clear) - clear_won - sum(r.misjudged for r in clear)}")
    print(f"true gap > 2 × combined uncertainty: {len(far)} races, earlier press won "
          f"{sum(r.winner == r.earlier for r in far)}")
    print(f"ties for the host: {ties}")
    print(f"stated uncertainty per press: median {statistics.median(stated):.2f} ms, p99 {percentile(stated, 0.99):.2f} ms, "
          f"max {max(stated):.2f} ms (target ≤ 10 ms at {args.jitter:.0f} ms RTT jitter)")
    print(f"baseline, actual mapping error: median {statistics.median(errors):.2f} ms, p99 {percentile(errors, 0.99):.2f} ms, "
          f"max {max(errors):.2f} ms; presses outside their stated bound: {outside}; "
          f"ratio stated/actual (medians) {statistics.median(stated) / max(1e-9, statistics.median(errors)):.1f}")


if __name__ == "__main__":
    main()
