"""How long the outbox keeps what a mail said and to whom (``PORTAL_MAIL_RETENTION_DAYS``).

A message sent (or given up) longer ago than that keeps its row, as the record that it was sent, with its
kind, status, times, attempts and dedup key (so that nothing is queued a second time once erased), but loses
its recipient, subject, bodies, headers and error: the personal data. A key that held a citizen's address (the
next round's mails, queued before keys took a hash of it) is given the hash instead. Pending and sending messages
are never touched. Flushes, never commits.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

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
    _hash_addresses_in_keys()
    return result.rowcount or 0


def _hash_addresses_in_keys() -> None:
    """The erased next-round mails whose dedup key still names the address (``next_round:<id>:<address>``, as they
    were queued before 2026-12-06) get the address's hash there (``address_key``), as new ones are queued."""
    from portal.mail.services import address_key

    outbox = OutboxMessage.__table__
    rows = db.session.execute(select(outbox.c.id, outbox.c.dedup_key).where(
        outbox.c.recipient == ERASED, outbox.c.kind == "next_round", outbox.c.dedup_key.contains("@"))).all()
    for row_id, key in rows:
        prefix, _colon, email = key.rpartition(":")
        db.session.execute(update(outbox).where(outbox.c.id == row_id)
                           .values(dedup_key=f"{prefix}:{address_key(email)}"))
