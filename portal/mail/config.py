"""Mail settings from ``PORTAL_MAIL_*`` environment variables (or the app config), with sane defaults."""
from __future__ import annotations

import os

from flask import Flask

from portal.config import read_typed
from portal.extensions import mail

# app config key: (environment variable, default, type)
SETTINGS = {
    "MAIL_SERVER": ("PORTAL_MAIL_SERVER", "127.0.0.1", str),
    "MAIL_PORT": ("PORTAL_MAIL_PORT", 25, int),
    "MAIL_USE_TLS": ("PORTAL_MAIL_USE_TLS", False, bool),
    "MAIL_USE_SSL": ("PORTAL_MAIL_USE_SSL", False, bool),
    "MAIL_USERNAME": ("PORTAL_MAIL_USERNAME", None, str),
    "MAIL_PASSWORD": ("PORTAL_MAIL_PASSWORD", None, str),
    "MAIL_DEFAULT_SENDER": ("PORTAL_MAIL_DEFAULT_SENDER", "noreply@localhost", str),
    "MAIL_SUPPRESS_SEND": ("PORTAL_MAIL_SUPPRESS_SEND", None, bool),  # None: suppressed only when TESTING
    "MAIL_TIMEOUT": ("PORTAL_MAIL_TIMEOUT", 30, int),  # seconds to wait for the SMTP server
    # tries of a message the server answered (a 4xx about it): with the back-off, about two days. Failures of the server
    # itself (no connection, login or sender refused) are not counted: the mail waits for it
    "MAIL_MAX_ATTEMPTS": ("PORTAL_MAIL_MAX_ATTEMPTS", 16, int),
    "MAIL_RETRY_SECONDS": ("PORTAL_MAIL_RETRY_SECONDS", 60, int),  # first retry; doubles each time
    "MAIL_RETRY_MAX_SECONDS": ("PORTAL_MAIL_RETRY_MAX_SECONDS", 6 * 3600, int),
    "MAIL_CLAIM_TIMEOUT": ("PORTAL_MAIL_CLAIM_TIMEOUT", 600, int),  # a 'sending' claim older than this is stale
    # messages sent on one SMTP connection before the worker opens a new one
    "MAIL_MESSAGES_PER_CONNECTION": ("PORTAL_MAIL_MESSAGES_PER_CONNECTION", 100, int),
    # days the outbox keeps a finished message's recipient and content (0: for ever): `flask mail erase-old`
    "MAIL_RETENTION_DAYS": ("PORTAL_MAIL_RETENTION_DAYS", 180, int),
    "PORTAL_BASE_URL": ("PORTAL_BASE_URL", None, str),  # https://… used in links inside mails
}


def init_app(app: Flask) -> None:
    """Fill the Flask-Mail settings (environment over defaults; explicit app config wins), then set it up."""
    for key, (variable, default, kind) in SETTINGS.items():
        if key in app.config and app.config[key] is not None:
            continue
        raw = os.environ.get(variable)
        app.config[key] = read_typed(variable, raw, kind) if raw not in (None, "") else default
    if app.config["MAIL_SUPPRESS_SEND"] is None:
        app.config["MAIL_SUPPRESS_SEND"] = app.testing
    mail.init_app(app)
