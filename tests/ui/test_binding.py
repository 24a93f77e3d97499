"""The Qt binding as installed: PySide6 6.12.0 drops a reference to None on every pyqtgraph
itemChange, and the kiosk aborts ("deallocating None") within minutes of animation. This guards
the pinned version, in a child process since the failure kills the interpreter."""
from __future__ import annotations

import subprocess
import sys

CHECK = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication
app = QApplication([])
plot = pg.PlotWidget()
label = pg.TextItem("x")
plot.addItem(label)
bars = pg.BarGraphItem(x=[0, 1], height=[1, 2], width=0.5)
plot.addItem(bars)
before = sys.getrefcount(None)
for step in range(3000):
    label.setPos(step % 7, 1)
    plot.setYRange(0, 10 + step % 5, padding=0)
    if step % 10 == 0:
        bars.setOpts(x=[0, 1], height=[1, step % 9], width=0.5)
print(sys.getrefcount(None) - before)
"""


def test_pyqtgraph_updates_do_not_leak_references_to_none():
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    drift = int(result.stdout.strip().splitlines()[-1])
    assert abs(drift) < 100, f"None lost {drift} references in 3,000 updates"
