"""What the served show tells its clients: a welcome (who they are, the contest, where the
journal stands), then every change: the journal's events themselves to `events` followers (which
fold them), the state as the pages draw it to `view` pages, computed once per kind of page and
coalesced when changes come faster than the loop turns."""
from __future__ import annotations

import asyncio
import json
from typing import Callable

from finals_app.core.i18n import _
from finals_app.core.stage.engine import StageEngine
from finals_app.core.stage.wire import PROTOCOL, Discloser, Disclosures, public_contest
from finals_app.net.connections import Client, Connections
from finals_app.net.security import JUDGES, TEAM
from finals_app.net.view import show_view, team_status

CHUNK = 400  # events per catch-up message


class Broadcast:
    def __init__(self, engine: StageEngine, connections: Connections, now: Callable[[], float]):
        self.engine = engine
        self.connections = connections
        self.now = now
        self.disclosures = Disclosures(engine.events)
        self._view_pending = False

    def journal_id(self) -> str:
        events = self.engine.events
        first = events[0].wall_ms if events else 0
        return f"{self.engine.contest.digest[:16]}-{first}"

    def welcome(self, client: Client, since: int, journal: str) -> None:
        """The hello, then what `client` holds no copy of: the events after `since` (all of them
        when it followed another journal) or the view."""
        events = self.engine.events
        reset = journal != self.journal_id() or since > len(events)
        if reset:
            since = 0
        hello = {"type": "hello", "protocol": PROTOCOL, "role": client.role.kind, "team": client.role.team,
                 "journal": self.journal_id(), "reset": reset, "last_seq": len(events), "server_ms": self.now(),
                 "contest": public_contest(self.engine.contest)}
        self.connections.send(client, hello)
        if client.feed == "events":
            # A follower catching up from `since` already knows the questions of the events it
            # holds as far as they were disclosed then; the current question may have been
            # disclosed further since, so it is sent again with the first event that names it.
            client.discloser = Discloser(self.engine.contest)
            backlog = events[since:]
            if since and self.engine.state.question is not None and not any(
                    e.data.get("question") == self.engine.state.question.id for e in backlog):
                backlog = [e for e in events[:since] if e.type == "question_shown"][-1:] + backlog
            for start in range(0, len(backlog), CHUNK):
                chunk = backlog[start:start + CHUNK]
                self.connections.send(client, {"type": "events",
                                               "events": client.discloser.records(chunk, self.disclosures.levels)})
        else:
            self.connections.send(client, self.view_for(client))

    def view_for(self, client: Client, base: dict | None = None) -> dict:
        """What a page of this client's kind is told: the show's view (`base`, computed once for
        every client of a change), its team's status for a phone, the prize list for judges."""
        view = dict(base) if base is not None else show_view(self.engine.state, int(self.now()),
                                                             len(self.engine.events))
        if client.role.kind == TEAM:
            team = self.engine.contest.team(client.role.team)
            status, words = team_status(self.engine.state, team.id)
            button = {"floor": _("You have the floor"), "open": _("Buzz now")}.get(status, _("Buzz"))
            view["me"] = {"team": team.id, "name": team.name, "color": team.color, "status": status, "words": words,
                          "button": button}
        if client.role.kind != JUDGES:
            view.pop("prizes", None)
        return view

    def on_events(self, events) -> None:
        """New events: to the followers at once, to the pages once the loop turns."""
        self.disclosures.update(events)
        clients = self.connections.clients
        for client in list(clients):
            if client.feed == "events" and client.discloser is not None:
                self.connections.send(client, {"type": "events",
                                               "events": client.discloser.records(events, self.disclosures.levels)})
        if not self._view_pending and any(c.feed == "view" for c in clients):
            self._view_pending = True
            asyncio.get_event_loop().call_soon(self._send_views)

    def _send_views(self) -> None:
        """One view of the change for all pages: computed and encoded once per kind of page (a
        team's phone, the judges, everyone else), not once per connection: two hundred pages
        must not hold up the GUI thread the show runs on."""
        self._view_pending = False
        base = show_view(self.engine.state, int(self.now()), len(self.engine.events))
        encoded: dict = {}
        for client in list(self.connections.clients):
            if client.feed == "view":
                kind = client.role.team if client.role.kind == TEAM else client.role.kind == JUDGES
                if kind not in encoded:
                    encoded[kind] = json.dumps(self.view_for(client, base), ensure_ascii=False,
                                               separators=(",", ":"))
                self.connections.send(client, encoded[kind])
