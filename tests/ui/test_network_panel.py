"""The console's network panel: the show's address and QR code, each team's phone as it comes
and goes, every QR code with its revoke button."""
from __future__ import annotations

import pytest

from finals_app.net.security import TEAM, Role
from finals_app.net.server import PhoneStatus
from finals_app.ui.network_panel import CodesDialog, NetworkPanel, qr_pixmap


class Served:
    """What the panel asks of the server (net.server.ShowServer), with phones the test moves."""

    def __init__(self, contest):
        self.contest = contest
        self.listeners = []
        self.secret = "s1"
        self.tokens = {team.id: f"tok-{team.id}" for team in contest.teams}
        self.status = {team.id: PhoneStatus(team.id, False, None, None, False) for team in contest.teams}
        self.revoked = []

    def follow_url(self):
        return f"http://10.0.0.5:8765/?t={self.secret}"

    def url(self, role):
        return f"http://10.0.0.5:8765/{'phone' if role.kind == TEAM else role.kind}?t={self.tokens.get(role.team, 'j')}"

    def followers(self):
        return 3

    def phones(self):
        return dict(self.status)

    def revoke(self, role):
        self.revoked.append(role)
        self.tokens[role.team] = "new-" + role.team

    def tell(self):
        for listener in self.listeners:
            listener()


@pytest.fixture(autouse=True)
def chinese(monkeypatch):
    monkeypatch.setenv("FINALS_APP_LANG", "zh_CN")


def test_a_phone_that_goes_is_shown_at_once(qtbot, contest):
    served = Served(contest)
    panel = NetworkPanel(served, contest, confirm=lambda *_: True)
    qtbot.addWidget(panel)
    # The token is not shown as text (the console is screenshotted) unless the host asks for it.
    assert "http://10.0.0.5:8765/?t=***" in panel.address.text() and "3" in panel.address.text()
    panel.reveal.click()
    assert "http://10.0.0.5:8765/?t=s1" in panel.address.text()
    panel.reveal.click()
    assert "t=s1" not in panel.address.text()
    assert not panel.qr.pixmap().isNull()
    assert panel.phones.text().count("未连接") == 4
    served.status["b"] = PhoneStatus("b", True, 2.5, 30.0, True)
    served.tell()
    assert "已连接（时钟误差 ±2.5 毫秒）" in panel.phones.text()
    served.status["b"] = PhoneStatus("b", False, None, None, False)
    served.tell()  # the server tells the panel the moment the socket closes
    assert "已断开！" in panel.phones.text() and panel.phones.text().count("未连接") == 3
    served.status["c"] = PhoneStatus("c", True, 3.0, 30.0, False)
    served.tell()
    assert "无响应！" in panel.phones.text()


def test_every_code_can_be_revoked_from_the_console(qtbot, contest):
    served = Served(contest)
    dialog = CodesDialog(served, contest, confirm=lambda *_: True)
    qtbot.addWidget(dialog)
    assert len(dialog.cells) == 2 + len(contest.teams)
    picture, words = dialog.cells[Role(TEAM, "a")]
    assert words.text().endswith("t=***") and not picture.pixmap().isNull()
    dialog.reveal.click()
    assert words.text().endswith("t=tok-a")
    dialog.revoke(Role(TEAM, "a"), "甲")
    assert served.revoked == [Role(TEAM, "a")] and words.text().endswith("t=new-a")
    refused = CodesDialog(served, contest, confirm=lambda *_: False)
    qtbot.addWidget(refused)
    refused.revoke(Role(TEAM, "b"), "乙")
    assert served.revoked == [Role(TEAM, "a")]  # the host said no


def test_a_qr_code_is_readable_size(qtbot):
    pixmap = qr_pixmap("http://192.168.1.10:8765/phone?t=" + "x" * 22, 200)
    assert pixmap.width() == 200 and pixmap.height() == 200
