"""How long the outbox keeps what a mail said and to whom (``PORTAL_MAIL_RETENTION_DAYS``).

A message sent (or given up) longer ago than that keeps its row, as the record that it was sent, with its
kind, status, times, attempts and dedup key (so that nothing is queued a second time once erased), but loses
its recipient, subject, bodies, headers and error: the personal data. Pending and sending messages are never
touched. Flushes, never commits.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, update

from portal.core.time import now
from portal.extensions import db
from portal.mail.models import OutboxMessage

ERASED = ""  # the recipient of an erased message


def erase_old_mail(days: int) -> int:
    """Erase the personal data of the messages finished more than ``days`` days ago. Returns how many were
    erased now; 0 days (or fewer): keep everything."""
    if days <= 0:
        return 0
    cutoff = now() - timedelta(days=days)
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status.in_(("sent", "failed")),
            func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at) < cutoff,
            OutboxMessage.recipient != ERASED,
        )
        .values(recipient=ERASED, subject=None, body_text=None, body_html=None, context=None, headers={},
                last_error=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
