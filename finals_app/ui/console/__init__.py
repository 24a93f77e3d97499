"""The host's console in panels: each a small widget that receives the bridge (what it shows) and
redraws itself from the state; `ui/host_console.py` composes them and turns keys into commands."""
