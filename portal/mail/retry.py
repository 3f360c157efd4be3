"""When to try a message again, and which SMTP errors are worth retrying. Pure: no app needed."""
from __future__ import annotations

import smtplib
from datetime import timedelta


def retry_delay(attempts: int, base_seconds: int, max_seconds: int) -> timedelta:
    """Exponential back-off: base after the first failed attempt, doubling each time, capped."""
    exponent = max(attempts - 1, 0)
    return timedelta(seconds=min(base_seconds * (2 ** min(exponent, 30)), max_seconds))


class ServerUnavailable(Exception):
    """The SMTP server could not be reached or would not take mail from the portal at all: no connection, no
    greeting, STARTTLS or login refused, or the sender refused (a wrong PORTAL_MAIL_DEFAULT_SENDER, a relay that
    wants a login). Nothing to do with the message being sent: it waits, its attempts not counted."""

    def __init__(self, error: BaseException):
        super().__init__(describe(error))
        self.error = error


def is_server_failure(error: BaseException) -> bool:
    """Whether ``error`` says the server takes no mail from the portal now, whatever the message: the mail waits
    for it (a weekend's outage or a setting put right on Monday loses nothing) instead of using up its attempts."""
    return isinstance(error, (ServerUnavailable, smtplib.SMTPSenderRefused))


def is_permanent(error: BaseException) -> bool:
    """A 5xx answer about this message (bad address, content refused): retrying cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(500 <= code < 600 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return False


def describe(error: BaseException) -> str:
    """A one-line record of what went wrong, for the outbox page."""
    text = f"{error.__class__.__name__}: {error}".strip()
    return " ".join(text.split())[:1000]
