"""The served show's HTTP side: the token guard every request passes, and the static pages
(show, phone, judges) it opens for the roles that may see them."""
from __future__ import annotations

from importlib import resources

from aiohttp import web

from finals_app.net.connections import Connections
from finals_app.net.security import FOLLOWER, JUDGES, TEAM, Role, Throttle, Tokens

PAGES = {"show": "show.html", "phone": "phone.html", "judges": "judges.html"}
PAGE_ROLES = {"show": (FOLLOWER, JUDGES), "phone": (TEAM,), "judges": (JUDGES,)}
ROLE = web.RequestKey("role", Role)
TOKEN = web.RequestKey("token", str)


class Pages:
    """The guard (a valid token or a refusal, bad attempts throttled per address) and the pages."""

    def __init__(self, tokens: Tokens, connections: Connections):
        self.tokens = tokens
        self.connections = connections
        self.throttle = Throttle()

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/", self._page_show)
        router.add_get("/show", self._page_show)
        router.add_get("/phone", self._page_phone)
        router.add_get("/judges", self._page_judges)

    @web.middleware
    async def guard(self, request: web.Request, handler):
        address = request.remote or "?"
        if request.path == "/favicon.ico":  # browsers ask for it on their own, without the token
            raise web.HTTPNotFound()
        token = request.query.get("t", "")
        role = self.tokens.role_of(token)
        if role is None:
            # The token first, the throttle after: every phone at a venue comes from the same
            # hotspot or NAT address, so only bad attempts are counted and blocked (security.py).
            self.connections.refusal_record.add(address, "wrong token" if token else "no token", request.path[:60])
            if self.throttle.blocked(address):
                raise web.HTTPTooManyRequests(text="too many bad tokens: wait a minute\n")
            self.throttle.failed(address, ("a request without a valid token" if token else "a request without a token")
                                 + f" ({request.path[:60]})")
            if token:
                raise web.HTTPForbidden(text="wrong or revoked token\n")
            raise web.HTTPUnauthorized(text="a token is needed (the QR code on the host's console)\n")
        request[ROLE] = role
        request[TOKEN] = token
        return await handler(request)

    def _page(self, request: web.Request, name: str) -> web.Response:
        role: Role = request[ROLE]
        if role.kind not in PAGE_ROLES[name]:
            self.connections.refused(request.remote or "?", role.kind, f"the {name} page")
            raise web.HTTPForbidden(text="this token does not open this page\n")
        folder = resources.files("finals_app.assets") / "web"
        # The pages share their link to the kiosk: one script, put into each page.
        html = (folder / PAGES[name]).read_text(encoding="utf-8").replace(
            "/* link.js */", (folder / "link.js").read_text(encoding="utf-8"), 1)
        return web.Response(text=html, content_type="text/html", charset="utf-8",
                            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                                     "X-Content-Type-Options": "nosniff"})

    async def _page_show(self, request):
        return self._page(request, "show")

    async def _page_phone(self, request):
        return self._page(request, "phone")

    async def _page_judges(self, request):
        return self._page(request, "judges")
