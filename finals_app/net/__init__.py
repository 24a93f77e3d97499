"""The show on the local network: the kiosk serves it (server), followers and pages read it."""
