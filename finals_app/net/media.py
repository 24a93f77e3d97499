"""The current question's pictures, sound and video, served to followers and pages by digest:
with a valid token only (the guard), only the question on the big screen, only its own media
(a digest of any other file, or of a question not yet revealed, is not found). Ranges are
served, so a clip can be played while it arrives and from any point."""
from __future__ import annotations

from aiohttp import web

from finals_app.core.stage.engine import StageEngine


class MediaFiles:
    def __init__(self, engine: StageEngine):
        self.engine = engine

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/media/{digest}", self._medium)

    def current(self, digest: str):
        """The medium with this digest of the question now on the big screen, or None."""
        question = self.engine.state.question
        if question is None or not question.revealed:
            return None
        item = self.engine.contest.question(question.id)
        return next((m for m in (item.media if item is not None else ()) if m.digest == digest), None)

    async def _medium(self, request: web.Request) -> web.StreamResponse:
        medium = self.current(request.match_info["digest"])
        if medium is None:
            raise web.HTTPNotFound(text="not a medium of the question on the big screen\n")
        return web.FileResponse(medium.path, headers={"Cache-Control": "private, no-store",
                                                      "X-Content-Type-Options": "nosniff",
                                                      "Content-Type": CONTENT_TYPES[medium.format]})


CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "wav": "audio/wav", "mp3": "audio/mpeg",
                 "m4a": "audio/mp4", "mp4": "video/mp4"}
