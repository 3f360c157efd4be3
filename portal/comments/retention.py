"""How long commenters' contact details are kept after a consultation ends (``PORTAL_CONTACT_RETENTION_DAYS``).

A commenter leaves a phone number or an e-mail address for the drafting office's questions while it weighs the
opinions. Once the consultation was finalised more than the retention period ago, the contact and the keyed
hash of the sender's network address (kept for rate limits and spam signs) are erased; the opinion, its
signature, its receipt number and the office's response stay. The outbox keeps its own period
(portal/mail/retention.py); unsubscriptions are kept for ever, so that an address that said no stays unmailed.
Flushes, never commits.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, or_, select, update

from portal.comments.models import Comment
from portal.consultations.models import Consultation
from portal.core.time import now
from portal.extensions import db


def erase_old_contacts(days: int) -> dict[int, int]:
    """Erase the contact details of the comments of every consultation finalised more than ``days`` days ago.
    Returns the number of comments changed per consultation (none for ``days`` <= 0: keep everything)."""
    if days <= 0:
        return {}
    cutoff = now() - timedelta(days=days)
    ended = select(Consultation.id).where(Consultation.finalised_at.is_not(None), Consultation.finalised_at < cutoff)
    holding = (Comment.consultation_id.in_(ended),
               or_(Comment.author_contact.is_not(None), Comment.client_hash.is_not(None)))
    counts = dict(db.session.execute(
        select(Comment.consultation_id, func.count()).where(*holding).group_by(Comment.consultation_id)
    ).all())
    if counts:
        db.session.execute(
            update(Comment).where(*holding).values(author_contact=None, client_hash=None)
            .execution_options(synchronize_session=False)
        )
        db.session.flush()
    return counts


def erase_old_contacts_recorded(days: int, actor: str) -> dict[int, int]:
    """``erase_old_contacts`` with one audit entry per consultation changed, by ``actor`` ("cli", "scheduler")."""
    from portal.audit.services import record_action  # the audit log builds on the comments

    erased = erase_old_contacts(days)
    for consultation_id, count in sorted(erased.items()):
        record_action(actor, "erase_contacts", db.session.get(Consultation, consultation_id),
                      consultation_id=consultation_id, after={"comments": count, "days": days})
    return erased
