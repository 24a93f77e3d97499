"""A show token is a secret: whatever text it gets into (a log record's message or arguments, an
exception's args and traceback, Qt's own messages, a library's warning on stderr, an error said
on the terminal or in a window) it comes out masked."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

TOKEN = "Sh0wS3cretToken_abc-12"  # as Tokens makes them: 22 url-safe characters
URL = f"http://10.1.2.3:8765/?t={TOKEN}"

PROCESS = textwrap.dedent(f'''
    import logging, os
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from finals_app.logs import qt_messages_to_log, start_logging
    start_logging("masking test")
    qt_messages_to_log()
    log = logging.getLogger("finals_app.follow")
    log.info("following %s", {URL!r})
    log.warning("a message of the kiosk: %s", {{"url": {URL!r}}})
    try:
        raise ConnectionError("cannot reach " + {URL!r}.replace("?t=", "ws?feed=events&t="))
    except ConnectionError:
        log.exception("following the kiosk failed; trying again")
    from PySide6.QtCore import qWarning
    qWarning("QNetworkReply: " + {URL!r})
    try:
        raise ValueError({URL!r})
    except ValueError:
        logging.getLogger("aiohttp.client").error("a library's own warning", exc_info=True)
    print("done")
''')


def test_every_record_of_a_process_is_masked_in_the_log_and_on_stderr(tmp_path):
    env = {**os.environ, "FINALS_APP_LOG_DIR": str(tmp_path / "logs")}
    done = subprocess.run([sys.executable, "-c", PROCESS], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "done" in done.stdout, done.stderr
    log = (tmp_path / "logs" / "finals-app.log").read_text(encoding="utf-8")
    for text in (log, done.stderr):
        assert TOKEN not in text, text
    assert log.count("?t=***") >= 2 and "feed=events&t=***" in log and "ConnectionError: cannot reach" in log, log
    assert "QNetworkReply: http://10.1.2.3:8765/?t=***" in log, log
    assert "ValueError: http://10.1.2.3:8765/?t=***" in done.stderr, done.stderr  # the last resort, masked


def test_without_secrets_masks_an_address_token_and_a_known_bare_token():
    from finals_app.core.errors import remember_secret, without_secrets
    assert without_secrets(f"cannot reach {URL}") == "cannot reach http://10.1.2.3:8765/?t=***"
    assert without_secrets("ws://h:1/ws?feed=events&t=abc&since=3") == "ws://h:1/ws?feed=events&t=***&since=3"
    assert without_secrets("URL('http://h/ws?t=abc')") == "URL('http://h/ws?t=***')"
    assert without_secrets("http%3A//h/%3Ft%3Dabc") == "http%3A//h/%3Ft%3D***"
    assert without_secrets("postgresql://u:pw@h/d") == "postgresql://u:***@h/d"  # and passwords, as before
    assert without_secrets("at=5 t=5 start=1") == "at=5 t=5 start=1"
    bare = "Kn0wnBareToken-9876543"
    assert bare in without_secrets(f"token {bare}")
    remember_secret(bare)
    assert without_secrets(f"token {bare}!") == "token ***!"
    remember_secret("short")  # no token of ours: ordinary words stay
    assert without_secrets("a short word") == "a short word"


def test_a_follow_error_is_said_without_its_token():
    from finals_app.net.client import FollowError, socket_url
    with pytest.raises(FollowError) as caught:
        socket_url(f"ftp://10.1.2.3:8765/?t={TOKEN}", 0, "")
    for text in (caught.value.render(), caught.value.render("zh_CN"), str(caught.value), repr(caught.value.args)):
        assert TOKEN not in text and "ftp://10.1.2.3:8765/?t=***" in text, text


def test_the_follower_window_shows_no_token(qtbot):
    from finals_app.net.client import Follower
    from finals_app.ui.follower import FollowerWindow
    follower = Follower(URL)
    window = FollowerWindow(follower, "audience", windowed=True, display=None)
    qtbot.addWidget(window.waiting)
    window._link(False, f"cannot reach {URL}")
    assert TOKEN not in window.waiting.text() and "t=***" in window.waiting.text()
    window._link(True, "")
    assert TOKEN not in window.waiting.text()


def test_the_console_shows_a_served_show_without_its_tokens(live_engine, qtbot, tmp_path):
    """The kiosk's panel and its dialog of codes: the QR codes carry the tokens, the text does not
    until the host asks (the console is screenshotted, filmed and put in documents)."""

    from finals_app.net.security import TEAM, Role, Tokens
    from finals_app.net.server import ShowServer
    from finals_app.ui.network_panel import CodesDialog, NetworkPanel
    tokens = Tokens(tmp_path / "tokens.json", [team.id for team in live_engine.contest.teams])
    server = ShowServer(live_engine, tokens, "127.0.0.1", 8765)
    panel = NetworkPanel(server, live_engine.contest, confirm=lambda *_: True)
    qtbot.addWidget(panel)
    dialog = CodesDialog(server, live_engine.contest, confirm=lambda *_: True)
    qtbot.addWidget(dialog)
    every = [tokens.secret, tokens.judges, *tokens.teams.values()]
    shown = [panel.address.text()] + [words.text() for _, words in dialog.cells.values()]
    assert not [token for token in every for text in shown if token in text], shown
    dialog.reveal.click()
    assert dialog.cells[Role(TEAM, "a")][1].text().endswith(tokens.teams["a"])
