"""A follower folds the kiosk's journal: it catches up from the start, follows live, and after a
cut reconnects and catches up exactly; it never learns an answer before the verdict."""
from __future__ import annotations

import asyncio

from finals_app.core.stage.engine import Refusal
from finals_app.net.client import FollowError, Follower, socket_url

from .conftest import eventually, served

SCRIPT = [
    {"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "reveal"}, {"cmd": "correct"},
    {"cmd": "show_question"}, {"cmd": "reveal"}, {"cmd": "wrong"},
    {"cmd": "correct_score", "team": "a", "delta": 5, "reason": "复核"}, {"cmd": "undo"}, {"cmd": "redo"},
    {"cmd": "show_question"}, {"cmd": "start_timer"}, {"cmd": "pause_timer"}, {"cmd": "resume_timer"},
    {"cmd": "timeout"}, {"cmd": "show_question"}, {"cmd": "reveal"}, {"cmd": "correct"},
    {"cmd": "next_round"}, {"cmd": "show_question"}, {"cmd": "reveal"}, {"cmd": "open_buzzers", "t_ms": 1000},
    {"cmd": "press", "team": "b", "t_ms": 1004}, {"cmd": "press", "team": "c", "t_ms": 1002},
    {"cmd": "resolve_tie", "team": "c"}, {"cmd": "wrong"}, {"cmd": "undo"}, {"cmd": "correct"},
    {"cmd": "show_question"}, {"cmd": "press", "team": "d", "t_ms": 900}, {"cmd": "open_buzzers", "t_ms": 2000},
    {"cmd": "press", "team": "a", "t_ms": 2100}, {"cmd": "correct"},
]


def run(engine, commands) -> None:
    for command in commands:
        try:
            engine.execute(dict(command))
        except Refusal:
            pass


def observed(state) -> tuple:
    question = state.question
    return (dict(state.scores), dict(state.tiebreak_scores),
            [(c.seq, c.team, c.delta, c.kind, c.undone) for c in state.changes],
            [(p.seq, p.team, p.t_ms, p.outcome) for p in state.presses],
            None if question is None else (question.id, question.status, question.revealed, tuple(question.verdicts),
                                           tuple(question.locked_out)),
            state.floor(), [r["team"] for r in state.ranking()], state.round_index, state.final,
            None if state.timer is None else (state.timer.running, state.timer.left_ms, state.timer.deadline_mono_ms))


def test_catch_up_follow_cut_and_catch_up_again(live_engine):
    links = []

    async def scenario():
        engine = live_engine
        run(engine, SCRIPT[:12])  # the show has started before the follower
        async with served(engine) as server:
            follower = Follower(server.follow_url(), on_link=lambda up, why: links.append(up))
            task = asyncio.ensure_future(follower.run())
            await eventually(lambda: len(follower.events) == len(engine.events), what="the catch-up")
            assert observed(follower.state) == observed(engine.state)
            run(engine, SCRIPT[12:20])  # live
            await eventually(lambda: len(follower.events) == len(engine.events), what="the live events")
            assert observed(follower.state) == observed(engine.state)
            # A network cut: the kiosk's side of every connection goes; the show goes on meanwhile.
            for client in list(server.clients):
                await server.connections.close(client, 1001, "cut")
            await eventually(lambda: not follower.connected, what="the cut to be seen")
            assert links[-1] is False
            run(engine, SCRIPT[20:])
            await eventually(lambda: follower.connected and len(follower.events) == len(engine.events),
                             what="the catch-up after the cut")
            assert [e.to_record() for e in follower.events] == [e.to_record() for e in engine.events]
            assert observed(follower.state) == observed(engine.state)
            assert links[:1] == [True] and links[-1] is True and False in links
            await follower.stop()
            await task

    asyncio.run(scenario())


def test_the_answer_reaches_a_follower_only_with_the_verdict(live_engine):
    async def scenario():
        engine = live_engine
        async with served(engine) as server:
            follower = Follower(server.follow_url())
            task = asyncio.ensure_future(follower.run())
            await eventually(lambda: follower.connected)
            run(engine, [{"cmd": "next_round"}, {"cmd": "show_question"}])
            question = engine.state.question.id
            await eventually(lambda: len(follower.events) == len(engine.events))
            learned = follower.contest.question(question)
            assert learned.stem == "" and learned.answer == ""  # not on the big screen yet
            run(engine, [{"cmd": "reveal"}])
            await eventually(lambda: len(follower.events) == len(engine.events))
            learned = follower.contest.question(question)
            assert learned.stem == engine.contest.question(question).stem and learned.answer == ""
            run(engine, [{"cmd": "correct"}])
            await eventually(lambda: len(follower.events) == len(engine.events))
            assert follower.contest.question(question).answer == engine.contest.question(question).answer
            # Nothing of a question never shown.
            unseen = [q.id for q in engine.contest.questions if q.id not in engine.state.used_questions]
            assert all(follower.contest.question(q) is None for q in unseen)
            await follower.stop()
            await task

    asyncio.run(scenario())


def test_a_follower_of_a_restarted_kiosk_with_a_new_journal_starts_over(contest, tmp_path):
    from finals_app.core.stage.engine import StageEngine

    async def scenario():
        first = StageEngine(contest, tmp_path / "one.journal", durable=False)
        run(first, SCRIPT[:8])
        async with served(first) as server:
            follower = Follower(server.follow_url())
            task = asyncio.ensure_future(follower.run())
            await eventually(lambda: len(follower.events) == len(first.events))
            journal = follower.journal
            await follower.stop()
            await task
        first.close()
        other = StageEngine(contest, tmp_path / "two.journal", durable=False)
        run(other, SCRIPT[:3])
        async with served(other) as server:
            follower.url = server.follow_url()
            follower._stop = False
            task = asyncio.ensure_future(follower.run())
            await eventually(lambda: follower.journal not in ("", journal) and len(follower.events) == len(other.events))
            assert observed(follower.state) == observed(other.state)
            await follower.stop()
            await task
        other.close()

    asyncio.run(scenario())


def test_a_wrong_address_is_said_before_anything_starts():
    for url in ("ftp://host/?t=x", "http://host:80/", "not an address"):
        try:
            socket_url(url, 0, "")
        except FollowError as error:
            assert "http://HOST:PORT/?t=" in error.render() or "token" in error.render()
        else:
            raise AssertionError(url)


async def connected_follower(server, links: list):
    """A follower of `server` once it is connected, its task, its link reports in `links`."""
    follower = Follower(server.follow_url(), on_link=lambda up, why: links.append((up, why)))
    task = asyncio.ensure_future(follower.run())
    await eventually(lambda: follower.connected)
    return follower, task


def test_a_follower_whose_token_is_revoked_stops_knocking(live_engine):
    from finals_app.net.security import FOLLOWER, Role
    links = []

    async def scenario():
        async with served(live_engine) as server:
            follower, task = await connected_follower(server, links)
            server.revoke(Role(FOLLOWER))
            await asyncio.wait_for(task, 5)  # it ends by itself: retrying would only be throttled
            assert follower.refused and links[-1] == (False, "the kiosk revoked this token")
            assert not server.throttle.failures  # it never knocked with the old token

    asyncio.run(scenario())


def test_a_broken_message_from_the_kiosk_cuts_the_link_and_the_follower_comes_back(live_engine):
    links = []

    async def scenario():
        async with served(live_engine) as server:
            follower, task = await connected_follower(server, links)
            for client in list(server.clients):  # what a faulty or hostile kiosk might send
                server.connections.send(client, {"type": "pong"})
                server.connections.send(client, {"type": "events", "events": [{"seq": "x"}]})
            await eventually(lambda: any(not up for up, _ in links), what="the cut")
            assert links[-1][1] == "a message from the kiosk could not be read" or not links[-1][0]
            live_engine.execute({"cmd": "next_round"})
            await eventually(lambda: follower.connected and len(follower.events) == len(live_engine.events),
                             what="the follower back")
            assert not task.done()
            await follower.stop()
            await task

    asyncio.run(scenario())
