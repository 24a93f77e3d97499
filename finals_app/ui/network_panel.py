"""The host console's view of the served show (`--serve`): the address and the show's QR code
for followers and the stream overlay, each team's phone buzzer (connected, how well its clock is
known, gone), who the server refuses (aggregated: address, what, how often, when last), and a
dialog with every QR code where each token can be revoked.

A token is never shown as text unless the host asks (显示令牌, hidden again after REVEAL_S): the
console is screenshotted and filmed, the QR codes carry the full addresses."""
from __future__ import annotations

import io
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget)

from finals_app.core.i18n import _, N_
from finals_app.core.errors import without_secrets
from finals_app.net.security import FOLLOWER, JUDGES, TEAM, Role
from finals_app.ui.dialogs import ask_yes_no


REVEAL_S = 30


def reveal_button(parent, refresh) -> QPushButton:
    """显示令牌: the addresses' tokens as text until pressed again, or for REVEAL_S at most."""
    button = QPushButton(_("Show tokens"), parent)
    button.setCheckable(True)
    timer = QTimer(button)
    timer.setSingleShot(True)
    timer.timeout.connect(lambda: button.setChecked(False))

    def toggled(shown: bool) -> None:
        button.setText(_("Hide tokens") if shown else _("Show tokens"))
        if shown:
            timer.start(REVEAL_S * 1000)
        else:
            timer.stop()
        refresh()

    button.toggled.connect(toggled)
    return button


def shown_url(url: str, button: QPushButton) -> str:
    return url if button.isChecked() else without_secrets(url)


def qr_pixmap(text: str, size: int) -> QPixmap:
    import segno
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=8, border=2)
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)


class NetworkPanel(QGroupBox):
    def __init__(self, server, contest, parent=None, confirm=ask_yes_no):
        super().__init__(_("Network (followers, stream page, phone buzzers, judges' tablets)"), parent)
        self.server = server
        self.contest = contest
        self.confirm = confirm
        self.seen: set[str] = set()  # teams whose phone has been connected at least once
        layout = QHBoxLayout(self)
        self.qr = QLabel()
        layout.addWidget(self.qr)
        column = QVBoxLayout()
        self.address = QLabel()
        self.address.setWordWrap(True)
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.address)
        self.reveal = reveal_button(self, self.refresh)
        column.addWidget(self.reveal, 0, Qt.AlignmentFlag.AlignLeft)
        self.phones = QLabel()
        self.phones.setWordWrap(True)
        self.phones.setTextFormat(Qt.TextFormat.RichText)
        column.addWidget(self.phones)
        self.refusals = QLabel()  # who the server refuses: one line per address and kind, with counts
        self.refusals.setWordWrap(True)
        self.refusals.setTextFormat(Qt.TextFormat.RichText)
        column.addWidget(self.refusals)
        self.codes = QPushButton(_("All QR codes, revoke…"))
        self.codes.clicked.connect(self.open_codes)
        column.addWidget(self.codes)
        layout.addLayout(column, 1)
        server.listeners.append(self.refresh)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(1000)
        self.refresh()

    def refresh(self) -> None:
        url = self.server.follow_url()
        if getattr(self, "_shown_url", None) != url:
            self._shown_url = url
            self.qr.setPixmap(qr_pixmap(url, 132))
        self.address.setText(_("Followers and stream page: {url}  ({count} connected)", url=shown_url(url, self.reveal),
                                count=self.server.followers()))
        lines = []
        for team_id, status in self.server.phones().items():
            team = self.contest.team(team_id)
            if status.connected:
                self.seen.add(team_id)
                if status.uncertainty_ms is None:
                    words, colour = _("connected, measuring its clock"), "#b26b00"
                elif not status.responsive:
                    words, colour = _("not answering!"), "#c62828"
                else:
                    words, colour = _("connected (clock within ±{ms:.1f} ms)", ms=status.uncertainty_ms), "#1b7f3b"
            elif team_id in self.seen:
                words, colour = _("disconnected!"), "#c62828"
            else:
                words, colour = _("not connected"), "#6b7280"
            lines.append(f'<span style="color:{colour}">' + _("<b>{team}</b> phone buzzer: {words}", team=team.name,
                                                                  words=words) + "</span>")
        self.phones.setText("<br>".join(lines))
        self.refusals.setText(refusal_lines(self.server))

    def open_codes(self) -> None:
        self.dialog = CodesDialog(self.server, self.contest, self, self.confirm)
        self.dialog.open()


REFUSED_SHOWN = 5
WHO = {"wrong token": N_("wrong or revoked token"), "no token": N_("no token"), "team": N_("phone buzzer"), "follower": N_("Follower"),
       "judges": N_("Judges' tablet")}


def refusal_lines(server) -> str:
    """The server's refusals as the host reads them: the most recent kinds first, each once with
    its count (a guesser's hundred knocks are one line), the addresses blocked now said so."""
    import html
    record = getattr(server, "refusal_record", None)
    entries = record.summary() if record is not None else []
    if not entries:
        return ""
    lines = [_("<b>Refused</b> ({count} in all)", count=record.total())]
    for entry in entries[:REFUSED_SHOWN]:
        who = _(WHO[entry.who]) if entry.who in WHO else entry.who
        line = _("{address} ({who}) {what}: {count} times, last at {time}", address=entry.address, who=who,
                  what=entry.what, count=entry.count, time=time.strftime("%H:%M:%S", time.localtime(entry.last)))
        if server.throttle.blocked(entry.address) and entry.who in ("wrong token", "no token"):
            line += _(" (its bad tokens are blocked for now)")
        lines.append('<span style="color:#b26b00">' + html.escape(line) + "</span>")
    if len(entries) > REFUSED_SHOWN:
        lines.append(_("… and {count} more kinds", count=len(entries) - REFUSED_SHOWN))
    return "<br>".join(lines)


class CodesDialog(QDialog):
    """Every QR code the venue needs, each with its revoke button."""

    def __init__(self, server, contest, parent=None, confirm=ask_yes_no):
        super().__init__(parent)
        self.server = server
        self.contest = contest
        self.confirm = confirm
        self.setWindowTitle(_("QR codes and tokens"))
        outer = QVBoxLayout(self)
        self.reveal = reveal_button(self, lambda: self.refresh() if hasattr(self, "cells") else None)
        outer.addWidget(self.reveal, 0, Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        holder = QWidget()
        self.grid = QGridLayout(holder)
        scroll.setWidget(holder)
        outer.addWidget(scroll)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)  # a kiosk may have no window manager
        close.rejected.connect(self.reject)
        outer.addWidget(close)
        self.resize(1100, 800)
        self.cells: dict[Role, tuple[QLabel, QLabel]] = {}
        roles = [(Role(FOLLOWER), _("Followers / stream page (read only)")), (Role(JUDGES), _("Judges' tablet"))]
        roles += [(Role(TEAM, team.id), _("{team} phone buzzer", team=team.name)) for team in contest.teams]
        for index, (role, title) in enumerate(roles):
            box = QGroupBox(title)
            column = QVBoxLayout(box)
            picture, words = QLabel(), QLabel()
            words.setWordWrap(True)
            words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            revoke = QPushButton(_("Revoke and make a new token"))
            revoke.clicked.connect(lambda _checked=False, r=role, t=title: self.revoke(r, t))
            column.addWidget(picture, 0, Qt.AlignmentFlag.AlignCenter)
            column.addWidget(words)
            column.addWidget(revoke)
            self.cells[role] = (picture, words)
            self.grid.addWidget(box, index // 3, index % 3)
        self.refresh()

    def refresh(self) -> None:
        for role, (picture, words) in self.cells.items():
            url = self.server.follow_url() if role.kind == FOLLOWER else self.server.url(role)
            picture.setPixmap(qr_pixmap(url, 200))
            words.setText(shown_url(url, self.reveal))

    def revoke(self, role: Role, title: str) -> None:
        if self.confirm(self, _("Revoke the token of \"{title}\"? Devices using it are disconnected at once and must scan the new QR code.", title=title)):
            self.server.revoke(role)
            self.refresh()
