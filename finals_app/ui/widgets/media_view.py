"""A question's picture, sound or clip on a big screen, driven by the show's state (issue 27).

`MediaView` sits in a screen's question zone. `place(zone)` takes the part of the zone its
media need (beside the stem when the zone is wide, above it when it is tall; an audio question a
strip at the zone's foot) and returns the rest for the text. The picture keeps its aspect and is
never blown up past twice its pixels. A clip plays in the zone (QMediaPlayer into a
QVideoWidget); a sound shows a play indicator and its progress (position / length) — never the
file's name, which could give the answer away.

Everything follows the state: on every change the player is put where the journal says the
clip stands (`playback.position(now)`), playing or paused, so the kiosk, a resumed kiosk and
every follower show the same point of it. The media are loaded as soon as the question is known
(the kiosk: when the host has it shown; a follower: when it is told, on the reveal) and a clip
is paused on its first frame, so the host's key starts it at once.

Until the clip plays, the hall sees that frame as a still (the poster, painted here from the
frame the player decodes when paused); the video surface is shown from the first frame after
the host's key and hidden again when the clip is paused (its frame becomes the poster). A
video surface shown while paused stays black until a new frame reaches it, which the paused
player does not send.

Where a medium comes from is the caller's `source(medium) -> QUrl`: a local file on the kiosk,
the kiosk's `/media/<digest>?t=TOKEN` on a follower (fetched with its token; a picture's bytes
are checked against the digest before they are shown).
"""
from __future__ import annotations

import hashlib
import logging
from typing import Callable

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap, QPolygonF
from PySide6.QtWidgets import QWidget

from finals_app.core.errors import without_secrets
from finals_app.core.stage.media import Medium
from finals_app.ui import theme

log = logging.getLogger("finals_app.media")

MAX_BLOW_UP = 2.0  # a picture is never shown larger than twice its pixels
BESIDE_FROM = 1.5  # a zone this many times wider than tall puts the picture beside the stem
SIDE_SHARE = 0.45  # at most this share of the zone's width beside the stem
TOP_SHARE = 0.5  # at most this share of the zone's height above it
SOUND_STRIP = 0.085  # an audio question's strip, × the screen's height
VIDEO_STRIP = 0.014  # the progress line under a clip, × the screen's height
DRIFT_MS = 300  # the player is moved when it strays this far from where the journal says
CLIP_KINDS = ("video", "audio")


def local_source(medium: Medium) -> QUrl:
    """The kiosk's own file."""
    return QUrl.fromLocalFile(str(medium.path))


def clock_text(ms: int | None) -> str:
    if ms is None:
        return "--:--"
    seconds = max(0, int(ms)) // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def fit(width: int, height: int, room_w: int, room_h: int) -> tuple[int, int]:
    """(w, h) of a width×height picture fitted into room_w×room_h, aspect kept, at most twice
    its pixels."""
    if width <= 0 or height <= 0 or room_w <= 0 or room_h <= 0:
        return 0, 0
    scale = min(room_w / width, room_h / height, MAX_BLOW_UP)
    return max(1, int(width * scale)), max(1, int(height * scale))


class MediaView(QWidget):
    """The media of the question on screen; `follow(state)` after every change of the show."""

    def __init__(self, bridge, parent: QWidget | None = None, source: Callable[[Medium], QUrl] | None = None,
                 sounds=None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.bridge = bridge
        self.source = source or getattr(bridge, "media_source", None) or local_source
        # Heard where the screen's sounds are (the kiosk found an audio device and has its sounds
        # on), or where a follower found one (bridge.media_audible); else the clip plays silently,
        # and no audio device is opened or asked about.
        self.audible = bool(getattr(sounds, "effects", None)) if sounds is not None \
            else bool(getattr(bridge, "media_audible", False))
        self.question_id: str | None = None
        self.image: Medium | None = None  # the question's picture
        self.clip: Medium | None = None  # its clip (video) or else its sound
        self.shown = False  # the question is on the big screen: its media are too
        self.pixmap: QPixmap | None = None
        self.playback = None  # the state's MediaPlayback of our clip, or None
        self.zone = QRect()
        self.screen_height = 0
        self._player = None
        self._video = None
        self._sink = None
        self.poster = None  # QImage: the clip's frame where it stands paused, painted until it plays
        self._live = False  # the video surface has a frame of the clip playing: it is shown
        self._last_frame = None  # the last frame the surface was given
        self._switching = False  # a new clip is being put in the player
        self._reply = None
        self._network = None
        self.first_frame_at = None  # the bridge's ms of the first frame shown after a play (benchmarks)
        self._wanted_frame = False
        self.drift = QTimer(self)  # keeps a playing clip where the journal says it is
        self.drift.setInterval(1000)
        self.drift.timeout.connect(self.sync)
        self.hide()

    # ---- the player, made when a question first has a clip ----

    @property
    def player(self):
        if self._player is None:
            from PySide6.QtCore import QLoggingCategory
            QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver=false")  # libraries it need not have
            from PySide6.QtGui import QGuiApplication
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoSink
            from PySide6.QtMultimediaWidgets import QVideoWidget
            self._player = QMediaPlayer(self)
            # No frame of the clip in the player yet: a frame coming now is the clip before's.
            self._not_loaded = frozenset({QMediaPlayer.MediaStatus.NoMedia, QMediaPlayer.MediaStatus.LoadingMedia,
                                          QMediaPlayer.MediaStatus.InvalidMedia})
            if self.audible:
                self._player.setAudioOutput(QAudioOutput(self._player))
            if QGuiApplication.platformName() in ("offscreen", "minimal"):
                sink = QVideoSink(self)  # nothing to draw on: the frames are decoded, counted, not shown
                self._player.setVideoOutput(sink)
            else:
                self._video = QVideoWidget(self)
                self._video.setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
                self._video.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
                self._video.hide()
                self._player.setVideoOutput(self._video)
                sink = self._video.videoSink()
            self._player.mediaStatusChanged.connect(self._on_status)
            self._player.positionChanged.connect(lambda _position: self.update())
            self._player.errorOccurred.connect(self._on_error)
            self._sink = sink
            sink.videoFrameChanged.connect(self._on_frame)
        return self._player

    @property
    def video(self):
        """The QVideoWidget the clip plays in (None on a screen without a window system)."""
        self.player  # noqa: B018 - made with the player
        return self._video

    # ---- what the state says ----

    def follow(self, state, visible: bool = True) -> bool:
        """Show what the state says; True when what takes room in the zone changed (the screen
        then places everything again)."""
        before = self._shape()
        question = state.question if state is not None else None
        item = state.contest.question(question.id) if question is not None else None
        if item is None or not visible:
            self._load(None, None, None)
            self.shown = False
        else:
            self._load(question.id, item.image, item.video or item.audio)
            self.shown = question.revealed and (self.image is not None or self.clip is not None)
            playback = question.playback
            self.playback = playback if playback is not None and self.clip is not None \
                and playback.medium == self.clip.kind else None
        self.setVisible(self.shown)
        self.sync()
        self._show_surface()
        self.update()
        return self._shape() != before

    def _shape(self) -> tuple:
        return (self.shown, self.image.digest if self.image and self.shown else None,
                (self.clip.kind, self.clip.width, self.clip.height) if self.clip and self.shown else None)

    def _load(self, question_id, image: Medium | None, clip: Medium | None) -> None:
        if (image, clip) == (self.image, self.clip) and question_id == self.question_id:
            return
        self.question_id = question_id
        if image != self.image:
            self.image = image
            self.pixmap = None
            self._fetch_picture(image)
        if clip != self.clip:
            self.clip = clip
            self.playback = None
            self.poster = None
            self._live = False
            self._last_frame = None
            self._wanted_frame = False  # (a sound played before it: no frame came to take it)
            if clip is None:
                if self._player is not None:
                    self._player.stop()
                    self._player.setSource(QUrl())
            else:
                # From stopped, pause() once the clip has loaded decodes its first frame (sync). The
                # previous clip's player says "loaded" as it stops: sync then would pause it, and
                # the new clip would load "paused" with no frame decoded (the hall saw a black box).
                self._switching = True
                try:
                    self.player.stop()
                    self.player.setSource(self.source(clip))
                    self.player.setPosition(0)
                finally:
                    self._switching = False

    def _fetch_picture(self, image: Medium | None) -> None:
        if self._reply is not None:
            self._reply.abort()
            self._reply = None
        if image is None:
            return
        url = self.source(image)
        if url.isLocalFile():
            pixmap = QPixmap(url.toLocalFile())
            self.pixmap = pixmap if not pixmap.isNull() else None
            return
        from PySide6.QtNetwork import QNetworkAccessManager, QNetworkReply, QNetworkRequest
        if self._network is None:
            self._network = QNetworkAccessManager(self)
        reply = self._network.get(QNetworkRequest(url))
        self._reply = reply

        def arrived() -> None:
            if self._reply is reply:
                self._reply = None
            reply.deleteLater()
            if reply.error() != QNetworkReply.NetworkError.NoError or self.image is not image:
                if self.image is image:
                    log.warning("the picture %s could not be fetched: %s", image.name, without_secrets(reply.errorString()))
                return
            data = bytes(reply.readAll().data())
            if hashlib.sha256(data).hexdigest() != image.digest:
                log.warning("the picture %s arrived, but not the one announced (digest differs)", image.name)
                return
            pixmap = QPixmap()
            if pixmap.loadFromData(data):
                self.pixmap = pixmap
                self.update()
        reply.finished.connect(arrived)

    # ---- playing where the journal says ----

    def position_now(self) -> int | None:
        """Where the journal says the clip stands now (ms), None before it is first played."""
        return None if self.playback is None else self.playback.position(self.bridge.now_ms())

    def playing(self) -> bool:
        return self.shown and self.playback is not None and self.playback.playing and not self._ended()

    def _ended(self) -> bool:
        duration = self.clip.duration_ms if self.clip is not None else None
        return duration is not None and self.playback is not None and self.playback.position(self.bridge.now_ms()) >= duration

    def sync(self) -> None:
        """Put the player where the journal says: playing or paused at playback.position(now)."""
        if self._player is None or self.clip is None:
            self.drift.stop()
            return
        from PySide6.QtMultimedia import QMediaPlayer
        player = self._player
        loaded = player.mediaStatus() not in (QMediaPlayer.MediaStatus.NoMedia, QMediaPlayer.MediaStatus.LoadingMedia,
                                              QMediaPlayer.MediaStatus.InvalidMedia)
        if not loaded:
            return  # again once it has loaded
        target = self.position_now()
        if target is None or not self.shown:  # preloaded, waiting on the host's key: its first frame
            if player.playbackState() != QMediaPlayer.PlaybackState.PausedState:
                player.pause()
            if player.position() != 0:
                player.setPosition(0)
            self.drift.stop()
            self._still()
            return
        if self.playing():
            if abs(player.position() - target) > DRIFT_MS:
                player.setPosition(target)
            if player.playbackState() != QMediaPlayer.PlaybackState.PlayingState:
                self._wanted_frame = True
                self.first_frame_at = None
                player.play()
            self.drift.start()
        elif self._ended() and (player.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia or self._live):
            self.drift.stop()  # played to its end here: its last frame stays (pausing would rewind it)
            self._still()
        else:  # paused (from playing, or from stopped: a resumed kiosk, a follower told late)
            if player.playbackState() != QMediaPlayer.PlaybackState.PausedState:
                player.pause()  # a paused player decodes the frame where it is put; a stopped one does not
            if self._ended():  # ended before this screen saw it: a frame just before the end
                target = max(0, min(target, (self.clip.duration_ms or target) - 100))
            if abs(player.position() - target) > 40:
                player.setPosition(target)
            self.drift.stop()
            self._still()

    def _still(self) -> None:
        """The clip stands still: the frame it stands on becomes the poster, painted here, and
        the video surface is hidden (the frame a later seek decodes replaces the poster)."""
        if self._live and self._sink is not None:
            frame = self._sink.videoFrame()
            if not frame.isValid():  # at the end of the stream the sink is given an empty frame
                frame = self._last_frame
            image = frame.toImage() if frame is not None and frame.isValid() else None
            if image is not None and not image.isNull():
                self.poster = image
        self._live = False
        self._wanted_frame = False
        self._show_surface()
        self.update()

    def _show_surface(self) -> None:
        """The video surface is seen only while the clip plays and has drawn a frame of it."""
        if self._video is not None:
            self._video.setVisible(self.shown and self.clip is not None and self.clip.kind == "video"
                                   and self._live and self.playing())

    def _on_status(self, status) -> None:
        from PySide6.QtMultimedia import QMediaPlayer
        if self._switching:
            return  # the previous clip stopping (see _load)
        if status in (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia):
            self.sync()
        elif status == QMediaPlayer.MediaStatus.EndOfMedia:
            self._still()  # its last frame, at once (the surface would show the stream's empty frame)
        self.update()

    def _on_error(self, error, text: str) -> None:
        log.warning("the clip %s cannot be played: %s", self.clip.name if self.clip else "?", without_secrets(text))

    def _on_frame(self, frame) -> None:  # at every frame of a playing clip: nothing imported here
        if not frame.isValid() or self.clip is None or self.clip.kind != "video" or self._player is None:
            return
        if self._player.mediaStatus() in self._not_loaded:
            return  # a late frame of the clip before (frames come queued from the render thread)
        if self._live:
            self._last_frame = frame  # (shared, not copied) the still if the stream ends on an empty frame
        elif self._wanted_frame and self.playing():  # the first frame after the host's key: the surface takes over
            self._wanted_frame = False
            self._live = True
            self._last_frame = frame
            self._show_surface()
            self.first_frame_at = self.bridge.now_ms()
            self.frame_shown.emit()
        else:
            image = frame.toImage()  # paused (preloaded, or moved where the journal says)
            if not image.isNull():
                self.poster = image
                self.update()

    frame_shown = Signal()  # the first frame after the player was started (benchmarks)

    # ---- where it goes ----

    def place(self, zone: QRect, screen_height: int) -> QRect:
        """Take the media's part of `zone` (this widget's new geometry) and return the rest, for
        the text."""
        self.zone = QRect(zone)
        self.screen_height = screen_height
        if not self.shown:
            self.setGeometry(QRect(zone.x(), zone.y(), 0, 0))
            return QRect(zone)
        gap = max(4, int(0.02 * screen_height))
        visual = self._visual()
        strip = self._strip_height()
        if visual is None:  # a sound only: a strip at the zone's foot
            height = min(strip, zone.height() // 3)
            self.setGeometry(QRect(zone.x(), zone.bottom() + 1 - height, zone.width(), height))
            self._layout()
            return QRect(zone.x(), zone.y(), zone.width(), max(0, zone.height() - height - gap))
        width, height = visual
        if zone.width() >= BESIDE_FROM * zone.height():  # beside the stem, on the right
            w, h = fit(width, height, int(zone.width() * SIDE_SHARE), zone.height() - strip)
            slot_w = max(w, min(int(zone.width() * SIDE_SHARE), int(0.3 * screen_height)) if self._sound_strip() else w)
            self.setGeometry(QRect(zone.right() + 1 - slot_w, zone.y(), slot_w, zone.height()))
            self._layout()
            return QRect(zone.x(), zone.y(), max(0, zone.width() - slot_w - gap), zone.height())
        w, h = fit(width, height, zone.width(), int(zone.height() * TOP_SHARE) - strip)  # above the stem
        self.setGeometry(QRect(zone.x(), zone.y(), zone.width(), h + strip))
        self._layout()
        top = h + strip + gap
        return QRect(zone.x(), zone.y() + top, zone.width(), max(0, zone.height() - top))

    def refit(self) -> QRect:
        """`place` again in the last zone given (what the media take has changed, the screen has
        not): the rest of the zone, for the text."""
        return self.place(self.zone, self.screen_height)

    def _visual(self) -> tuple[int, int] | None:
        """(width, height) in pixels of what is seen: the clip, else the picture."""
        if self.clip is not None and self.clip.kind == "video":
            return (self.clip.width or 1280, self.clip.height or 720)
        if self.image is not None:
            if self.image.width and self.image.height:
                return self.image.width, self.image.height
            if self.pixmap is not None:
                return self.pixmap.width(), self.pixmap.height()
            return 4, 3
        return None

    def _sound_strip(self) -> bool:
        return self.clip is not None and self.clip.kind == "audio"

    def _strip_height(self) -> int:
        if self._sound_strip():
            return int(SOUND_STRIP * self.screen_height)
        if self.clip is not None and self.clip.kind == "video":
            return max(4, int(VIDEO_STRIP * self.screen_height)) + max(2, int(0.01 * self.screen_height))
        return 0

    def picture_rect(self) -> QRect:
        """The picture's (or the clip's) rectangle in this widget."""
        visual = self._visual()
        if visual is None or not self.shown:
            return QRect()
        room = self.rect().adjusted(0, 0, 0, -self._strip_height())
        w, h = fit(*visual, room.width(), room.height())
        return QRect(room.x() + (room.width() - w) // 2, room.y() + (room.height() - h) // 2, w, h)

    def strip_rect(self) -> QRect:
        strip = self._strip_height()
        return QRect(0, self.height() - strip, self.width(), strip) if strip and self.shown else QRect()

    def _layout(self) -> None:
        if self._video is not None:
            self._video.setGeometry(self.picture_rect())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._layout()

    # ---- drawing: the picture; a clip's play indicator and progress ----

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not self.shown:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        visual = self.picture_rect()
        if self.clip is not None and self.clip.kind == "video":
            if self.poster is not None and not self._live:  # the frame it stands on, its aspect kept
                w, h = fit(self.poster.width(), self.poster.height(), visual.width(), visual.height())
                painter.fillRect(visual, QColor("#000000"))
                painter.drawImage(QRect(visual.x() + (visual.width() - w) // 2, visual.y() + (visual.height() - h) // 2,
                                        w, h), self.poster)
            else:
                painter.fillRect(visual, QColor("#000000"))  # under the playing clip, or before any frame
        elif self.image is not None and self.pixmap is not None:
            painter.drawPixmap(visual, self.pixmap)
        elif self.image is not None:
            painter.setPen(QColor(theme.MUTED))
            painter.drawRect(visual.adjusted(0, 0, -1, -1))
        if self.clip is not None:
            self._draw_progress(painter, self.strip_rect())
        painter.end()

    def _draw_progress(self, painter: QPainter, strip: QRect) -> None:
        duration = self.clip.duration_ms or (self._player.duration() if self._player is not None else 0) or None
        position = self.position_now() or 0
        if self._player is not None and self.playing():
            position = self._player.position()  # what is heard and seen, between the state's changes
        if duration:
            position = min(position, duration)
        share = position / duration if duration else 0.0
        if self.clip.kind == "video":  # a line right under the clip
            picture = self.picture_rect()
            line = QRect(picture.x(), picture.bottom() + 1 + max(2, int(0.01 * self.screen_height)), picture.width(),
                         max(4, int(VIDEO_STRIP * self.screen_height)))
            painter.fillRect(line, QColor(255, 255, 255, 60))
            painter.fillRect(QRect(line.x(), line.y(), int(line.width() * share), line.height()), QColor(theme.ACCENT))
            return
        # a sound: ▶ or ❚❚, a bar, and position / length
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 28))
        painter.drawRoundedRect(QRectF(strip), strip.height() * 0.2, strip.height() * 0.2)
        pad = int(strip.height() * 0.2)
        icon = QRectF(strip.x() + pad, strip.y() + pad, strip.height() - 2 * pad, strip.height() - 2 * pad)
        painter.setBrush(QColor(theme.ACCENT))
        if self.playing():
            bar = icon.width() * 0.32
            painter.drawRect(QRectF(icon.x() + icon.width() * 0.1, icon.y(), bar, icon.height()))
            painter.drawRect(QRectF(icon.right() - icon.width() * 0.1 - bar, icon.y(), bar, icon.height()))
        else:
            painter.drawPolygon(QPolygonF([QPointF(icon.x() + icon.width() * 0.12, icon.y()),
                                           QPointF(icon.right(), icon.center().y()),
                                           QPointF(icon.x() + icon.width() * 0.12, icon.bottom())]))
        font = theme.font(max(10, int(strip.height() * 0.42)), bold=True)
        font.setStyleHint(QFont.StyleHint.Monospace)
        painter.setFont(font)
        words = f"{clock_text(position)} / {clock_text(duration)}"
        text_w = painter.fontMetrics().horizontalAdvance(words) + pad
        painter.setPen(QColor(theme.TEXT))
        painter.drawText(QRect(strip.right() - text_w - pad, strip.y(), text_w + pad, strip.height()),
                         int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), words)
        track = QRectF(icon.right() + pad * 1.5, strip.center().y() - strip.height() * 0.07,
                       max(0.0, strip.right() - text_w - 2 * pad - icon.right() - pad * 1.5), strip.height() * 0.14)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 70))
        painter.drawRoundedRect(track, track.height() / 2, track.height() / 2)
        painter.setBrush(QColor(theme.ACCENT))
        painter.drawRoundedRect(QRectF(track.x(), track.y(), track.width() * share, track.height()),
                                track.height() / 2, track.height() / 2)

    def describe(self) -> dict:
        """What it shows (tests, screenshots' JSON)."""
        return {"shown": self.shown, "image": self.image.name if self.image else None,
                "clip": self.clip.name if self.clip else None, "playing": self.playing(),
                "still": self.poster is not None and not self._live,
                "position_ms": self.position_now(), "picture": self.picture_rect().getRect() if self.shown else None}

