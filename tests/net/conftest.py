"""A served show on loopback for the network tests: the real engine and the real server, in the
test's own asyncio loop."""
from __future__ import annotations

import asyncio
import contextlib

import pytest

from finals_app.core.stage.engine import StageEngine
from finals_app.net.security import Tokens
from finals_app.net.server import ShowServer


@contextlib.asynccontextmanager
async def served(engine: StageEngine, tokens_path=None):
    tokens = Tokens(tokens_path, [team.id for team in engine.contest.teams])
    server = ShowServer(engine, tokens, "127.0.0.1", 0)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def eventually(condition, timeout: float = 5.0, what: str = "the condition") -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


@pytest.fixture
def live_engine(contest, tmp_path):
    """An engine on the system clock (phones are mapped onto real time)."""
    stage = StageEngine(contest, tmp_path / "served.journal", durable=False)
    yield stage
    stage.close()
