"""The clock estimate of a phone or a kiosk: true offsets recovered within the stated bound."""
from __future__ import annotations

import random

from finals_app.core.stage.clocksync import ClockSync


def exchanges(sync: ClockSync, rng: random.Random, offset: float, base: float, jitter: float, count: int,
              start: float = 0.0, every: float = 200.0) -> float:
    """Feed `count` ping-pongs with one-way delays base + U(0, jitter) each way; returns our time."""
    now = start
    for _ in range(count):
        sent = now
        arrives = sent + base + rng.uniform(0, jitter)
        received = arrives + base + rng.uniform(0, jitter)
        sync.add(sent, arrives + offset, received)
        now += every
    return now


def test_offsets_up_to_five_seconds_are_found_within_the_stated_uncertainty():
    rng = random.Random(1)
    for trial in range(200):
        offset = rng.uniform(-5000, 5000)
        base = rng.uniform(5, 70)
        sync = ClockSync()
        now = exchanges(sync, rng, offset, base, 10.0, 64)  # 20 ms of RTT jitter
        found, uncertainty = sync.estimate(now)
        assert abs(found - offset) <= uncertainty, (trial, found - offset, uncertainty)
        assert uncertainty <= 10.0, (trial, uncertainty)


def test_a_single_exchange_claims_no_more_than_it_proves():
    sync = ClockSync()
    sync.add(1000.0, 5050.0, 1100.0)  # 100 ms round trip
    offset, uncertainty = sync.estimate(1100.0)
    assert offset == 5050.0 - 1050.0
    assert 50.0 <= uncertainty <= 51.0


def test_mapping_a_remote_instant_onto_our_clock():
    rng = random.Random(2)
    sync = ClockSync()
    now = exchanges(sync, rng, -1234.5, 20.0, 4.0, 40)
    mapping = sync.to_local(now - 1234.5 - 10, now)
    assert abs(mapping.local_ms - (now - 10)) <= mapping.uncertainty_ms
    assert sync.to_remote(now, now) is not None


def test_impossible_and_absurd_exchanges_are_dropped():
    sync = ClockSync()
    assert not sync.add(100.0, 5.0, 90.0)  # answered before it was asked
    assert not sync.add(float("nan"), 1.0, 2.0)
    assert not sync.add(0.0, 1e300, 1.0)
    assert sync.estimate(0.0) is None and sync.to_local(1.0, 0.0) is None
    assert sync.add(0.0, 1.0, 2.0) and sync.estimate(2.0) is not None


def test_old_samples_age_out_and_drift_widens_the_bound():
    rng = random.Random(3)
    sync = ClockSync(max_age_ms=10_000)
    now = exchanges(sync, rng, 10.0, 10.0, 2.0, 30)
    _, fresh = sync.estimate(now)
    _, later = sync.estimate(now + 5_000)  # no exchange for 5 s: the crystal may have drifted
    assert later > fresh
    assert not sync.ready(now + 60_000)  # everything is older than the window
