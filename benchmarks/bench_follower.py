"""Press on the kiosk → painted on a follower (loopback): the real kiosk served with --serve and
a `finals-app follow --screen audience` process, both under one Xvfb; 500 presses by xdotool key
events carrying the X server's timestamps.

Follower latency = the follower's paint of the new buzzer winner minus the key press (its
device timestamp mapped onto the kiosk's clock; both processes share this machine's monotonic
clock). The baseline in the same run: the kiosk's own audience screen, press to paint.

    .venv/bin/python -m benchmarks.bench_follower [--presses 500]
"""
from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.bench_buzzer import TEAMS, ShowDriver, percentile, read_latency


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presses", type=int, default=500)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="finals-follower-bench-"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    show = ShowDriver(folder, args.presses // TEAMS + 5, "--serve", f"127.0.0.1:{port}")
    followed = folder / "follower-latency.log"
    try:
        tokens = show.journal.with_name(show.journal.name + ".tokens.json")
        deadline = time.monotonic() + 30
        while not tokens.exists():
            if time.monotonic() > deadline:
                raise SystemExit(f"the kiosk did not serve; log: {folder / 'kiosk.log'}")
            time.sleep(0.1)
        time.sleep(0.5)
        secret = json.loads(tokens.read_text())["secret"]
        show.start(["follow", f"http://127.0.0.1:{port}/?t={secret}", "--screen", "audience", "--display", "1"],
                   "follower", FINALS_APP_LATENCY_LOG=str(followed))
        deadline = time.monotonic() + 30
        while not subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "跟随屏"], env=show.env,
                                 capture_output=True).stdout:
            if time.monotonic() > deadline:
                raise SystemExit(f"the follower did not show; log: {folder / 'follower.log'}")
            time.sleep(0.2)
        time.sleep(1.0)  # the follower has caught up and drawn
        show.wait_for_console()  # then the console has the keyboard, as on stage
        show.presses(args.presses, followed)
        time.sleep(0.5)
    finally:
        show.close()
    kiosk = {row[0]: row for row in read_latency(show.log)}  # device_ms -> the kiosk's own paint
    rows = read_latency(followed)
    total, in_network, own = [], [], []
    for device, received, painted, _ in rows:
        mine = kiosk.get(device)
        if mine is None:
            continue
        offset = mine[3]
        total.append(painted - (device + offset))
        in_network.append(painted - received)
        own.append(mine[2] - (device + offset))
    print(f"presses measured: {len(total)} of {len(rows)} painted on the follower")
    print(f"press on the kiosk to painted on the follower: p50 {statistics.median(total):.1f} ms, "
          f"p99 {percentile(total, 0.99):.1f} ms, max {max(total)} ms (target p99 ≤ 50 ms)")
    print(f"  of which kiosk receipt to follower paint: p50 {statistics.median(in_network):.1f} ms, "
          f"p99 {percentile(in_network, 0.99):.1f} ms")
    print(f"baseline, the kiosk's own audience screen (press to paint): p50 {statistics.median(own):.1f} ms, "
          f"p99 {percentile(own, 0.99):.1f} ms; ratio of p99s {percentile(total, 0.99) / max(1, percentile(own, 0.99)):.2f}")


if __name__ == "__main__":
    main()
