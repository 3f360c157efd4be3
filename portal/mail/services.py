"""Queue mail in the caller's transaction; commenters' double opt-in and unsubscribe; resend. Never commits."""
from __future__ import annotations

import re
from datetime import timedelta
from email.utils import make_msgid, parseaddr

from flask import current_app
from sqlalchemy import func, select, update

from portal.comments.models import Comment
from portal.core.time import now
from portal.extensions import db
from portal.mail.compose import mail_language, render_mail
from portal.mail.links import confirm_token, external_url, unsubscribe_token
from portal.mail.models import COMMENTER_KINDS, CommenterAddress, OutboxMessage

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CONFIRM_RESEND_AFTER_HOURS = 24  # at most one confirmation request a day to an unconfirmed address


def email_from_contact(contact: str | None) -> str | None:
    """The e-mail address in a commenter's contact field (which may hold a phone number instead), lower case."""
    value = (contact or "").strip()
    return value.lower() if EMAIL.match(value) else None


def queue_message(
    kind: str,
    recipient: str,
    template: str,
    language: str,
    context: dict,
    *,
    headers: dict | None = None,
    dedup_key: str | None = None,
    consultation_id: int | None = None,
    comment_id: int | None = None,
) -> OutboxMessage:
    """Render a mail and add it to the outbox (the caller's transaction flushes and commits it; a worker
    sends it)."""
    language = mail_language(language)
    rendered = render_mail(template, language, **context)
    message = OutboxMessage(
        kind=kind,
        recipient=recipient,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
        language=language,
        dedup_key=dedup_key,
        consultation_id=consultation_id,
        comment_id=comment_id,
        status="pending",
        attempts=0,
        next_attempt_at=now(),
        message_id=new_message_id(),
    )
    db.session.add(message)
    return message


def new_message_id() -> str:
    """A Message-ID in the sender's domain, fixed when queued so that a retried message keeps it."""
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or "noreply@localhost"
    if isinstance(sender, (tuple, list)):
        sender = sender[-1]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)


# --- commenters -------------------------------------------------------------------------------------

def addresses_of(email: str) -> list[CommenterAddress]:
    return list(db.session.scalars(select(CommenterAddress).where(CommenterAddress.email == email)))


def queue_commenter_mail(comment: Comment) -> OutboxMessage | None:
    """What a commenter who left an e-mail gets: the receipt once the address is confirmed, else a request
    to confirm it (at most one a day); nothing after they unsubscribed."""
    email = email_from_contact(comment.author_contact)
    if email is None:
        return None
    rows = addresses_of(email)
    if not rows:
        rows = [CommenterAddress(email=email)]
        db.session.add(rows[0])
        db.session.flush()
    if any(row.unsubscribed_at for row in rows):
        return None
    if any(row.confirmed_at for row in rows):
        return queue_receipt(comment, email)
    if _recent_confirm_request(email):
        return None  # the request already on its way covers this comment too
    return queue_message(
        "confirm", email, "confirm", comment.language,
        {
            "comment": comment,
            "consultation": comment.consultation,
            "confirm_url": external_url("mail.confirm", token=confirm_token(email)),
            "unsubscribe_url": external_url("mail.unsubscribe", token=unsubscribe_token(email)),
        },
        headers=unsubscribe_headers(email), consultation_id=comment.consultation_id, comment_id=comment.id,
    )


def _recent_confirm_request(email: str) -> bool:
    since = now() - timedelta(hours=CONFIRM_RESEND_AFTER_HOURS)
    return db.session.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.kind == "confirm", OutboxMessage.recipient == email, OutboxMessage.created_at >= since
        ).limit(1)
    ) is not None


def queue_receipt(comment: Comment, email: str) -> OutboxMessage | None:
    """The receipt: receipt number and a link to the comment. Once per comment."""
    key = f"receipt:{comment.id}"
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key == key)) is not None:
        return None
    return queue_message(
        "receipt", email, "receipt", comment.language,
        {
            "comment": comment,
            "consultation": comment.consultation,
            "comment_url": external_url("comments.receipt", number=comment.receipt_number),
            "unsubscribe_url": external_url("mail.unsubscribe", token=unsubscribe_token(email)),
        },
        headers=unsubscribe_headers(email), dedup_key=key,
        consultation_id=comment.consultation_id, comment_id=comment.id,
    )


def unsubscribe_headers(email: str) -> dict:
    """RFC 8058 one-click unsubscribe: an https link a mail client may POST to without asking."""
    return {
        "List-Unsubscribe": f"<{external_url('mail.unsubscribe', token=unsubscribe_token(email))}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def confirm_address(email: str) -> list[OutboxMessage]:
    """The commenter confirmed: mark the address, then queue the receipts of all their comments."""
    rows = addresses_of(email) or [CommenterAddress(email=email)]
    for row in rows:
        row.confirmed_at = row.confirmed_at or now()
        row.unsubscribed_at = None  # confirming again is a fresh, explicit choice
        db.session.add(row)
    db.session.flush()
    comments = db.session.scalars(
        select(Comment).where(func.lower(Comment.author_contact) == email).order_by(Comment.created_at)
    )
    return [m for comment in comments if (m := queue_receipt(comment, email)) is not None]


def unsubscribe_address(email: str) -> int:
    """No more mail to this commenter; messages not yet sent are given up. Returns how many were dropped."""
    rows = addresses_of(email) or [CommenterAddress(email=email)]
    for row in rows:
        row.unsubscribed_at = row.unsubscribed_at or now()
        db.session.add(row)
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.recipient == email,
            OutboxMessage.kind.in_(COMMENTER_KINDS),
            OutboxMessage.status == "pending",
        )
        .values(status="failed", last_error="收件人已退订")
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return result.rowcount


def is_unsubscribed(email: str) -> bool:
    return db.session.scalar(
        select(CommenterAddress.id).where(
            CommenterAddress.email == email, CommenterAddress.unsubscribed_at.is_not(None)
        ).limit(1)
    ) is not None


# --- the administrator's outbox ---------------------------------------------------------------------

def resend_message(message: OutboxMessage) -> OutboxMessage:
    """Try again: a failed row goes back to the queue; a sent one is copied into a new row (each row is
    sent at most once)."""
    if message.status == "failed":
        message.status = "pending"
        message.attempts = 0
        message.next_attempt_at = now()
        message.claimed_by = message.claimed_at = None
        db.session.flush()
        return message
    if message.status != "sent":
        raise ValueError("only a sent or failed message can be sent again")
    copy = OutboxMessage(
        kind=message.kind, recipient=message.recipient, subject=message.subject,
        body_text=message.body_text, body_html=message.body_html, headers=dict(message.headers or {}),
        language=message.language, consultation_id=message.consultation_id, comment_id=message.comment_id,
        status="pending", attempts=0, next_attempt_at=now(), message_id=new_message_id(),
    )
    db.session.add(copy)
    db.session.flush()
    return copy
