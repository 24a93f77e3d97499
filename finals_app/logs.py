"""One log for every face of the product: the CLI, the office and the kiosk write to a rotating
file in the per-user log folder (platformdirs; FINALS_APP_LOG_DIR overrides it), with the stdlib
`logging`. A native crash's stack goes there too (faulthandler), and so do Qt's own messages.
Passwords in database URLs and the show's tokens are never written: every handler (the file, and
the last-resort one that prints libraries' warnings on stderr) masks each record's message, its
arguments and its exception's traceback with without_secrets."""
from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
from pathlib import Path

from finals_app.core.errors import without_secrets

LOG_ENV = "FINALS_APP_LOG_DIR"
LOGGER = "finals_app"
_started: dict = {}


def log_folder() -> Path:
    chosen = os.environ.get(LOG_ENV)
    if chosen:
        return Path(chosen)
    import platformdirs
    return Path(platformdirs.user_log_dir("finals-app", appauthor=False))


def log_file() -> Path:
    return log_folder() / "finals-app.log"


class _NoSecrets(logging.Filter):
    """A record as it may be written: its message with its arguments, its exception's traceback
    (the exception's args are in it) and its stack, without passwords or tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = without_secrets(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)  # the formatter keeps it
        if record.exc_text:
            record.exc_text = without_secrets(record.exc_text)
        if record.stack_info:
            record.stack_info = without_secrets(record.stack_info)
        return True


def mask_every_handler() -> None:
    """The filter on every handler there is: ours, the root's, and Python's last resort (which
    prints a library's warnings, aiohttp's or asyncio's, on stderr)."""
    handlers = [*logging.getLogger(LOGGER).handlers, *logging.getLogger().handlers]
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    for handler in handlers:
        if not any(isinstance(f, _NoSecrets) for f in handler.filters):
            handler.addFilter(_NoSecrets())


def start_logging(component: str) -> Path | None:
    """Log this process to the rotating file; returns its path (None when the folder cannot be
    written: the program still runs, and says nothing it could not keep)."""
    if "path" in _started:
        return _started["path"]
    path = log_file()
    mask_every_handler()  # stderr's last resort too, even when no file can be written
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=5_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        _started["path"] = None
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"))
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    mask_every_handler()
    try:
        crash = open(path.with_name("crash.log"), "a", encoding="utf-8")  # kept open: faulthandler writes on a crash
        crash.write(f"--- {component} pid {os.getpid()}\n")
        crash.flush()
        faulthandler.enable(file=crash, all_threads=True)
        _started["crash"] = crash
    except OSError:
        pass
    _started["path"] = path
    logger.info("%s started (pid %s)", component, os.getpid())
    return path


def qt_messages_to_log() -> None:
    """Qt's own warnings and errors go to the log (not only to a terminal nobody reads)."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler
    qt = logging.getLogger(LOGGER + ".qt")
    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}

    def handler(kind, context, message) -> None:
        qt.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)
