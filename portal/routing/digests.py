"""Digests: for each consultation that wants them, one mail per recipient per period, never twice.

A period ends on a boundary of the consultation's schedule (see schedule.py) and starts where the
recipient's previous digest ended, so a missed run loses nothing: the next digest covers the gap.
The unique (consultation, recipient, period end) row makes a second run, even a concurrent one, a no-op.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from portal.comments.models import Comment, comment_received
from portal.consultations.models import Consultation
from portal.core.time import now
from portal.extensions import db
from portal.mail.links import external_url
from portal.mail.models import OutboxMessage
from portal.mail.compose import render_mail
from portal.mail.services import queue_message
from portal.routing.models import DigestMailing, RoutingSettings
from portal.routing.schedule import latest_boundary
from portal.routing.services import STAFF_LANGUAGE, Recipient, route_section

# A comment stamped just before a boundary may commit a moment after it: wait this long past a boundary.
GRACE = timedelta(minutes=2)


@dataclass
class DueDigest:
    consultation: Consultation
    recipient: Recipient
    period_start: datetime | None
    period_end: datetime
    comments: list[Comment]


def due_digests(at: datetime | None = None) -> list[DueDigest]:
    """Every digest whose period has ended and that holds at least one comment and was not queued yet."""
    at = at or now()
    due: list[DueDigest] = []
    settings_rows = db.session.scalars(
        select(RoutingSettings).where(RoutingSettings.mode.in_(("digest", "both")))
    )
    for settings in settings_rows:
        consultation = settings.consultation
        if not consultation.is_published:
            continue
        end = latest_boundary(at - GRACE, settings.digest_every_hours, settings.digest_hour)
        for recipient, comments in _comments_by_recipient(consultation, end):
            start = _last_period_end(consultation, recipient.key)
            if start is not None and start >= end:
                continue  # this period (or a later one) is already queued
            in_period = [c for c in comments if start is None or c.created_at >= start]
            if in_period:
                due.append(DueDigest(consultation, recipient, start, end, in_period))
    return due


def _comments_by_recipient(consultation: Consultation, end: datetime) -> list[tuple[Recipient, list[Comment]]]:
    comments = db.session.scalars(
        select(Comment)
        .where(comment_received(consultation.id), Comment.created_at < end)
        .order_by(Comment.created_at, Comment.id)
    )
    by_key: dict[str, tuple[Recipient, list[Comment]]] = {}
    routes: dict[int | None, list[Recipient]] = {}
    for comment in comments:
        if comment.section_id not in routes:
            routes[comment.section_id] = route_section(consultation, comment.section).recipients
        for recipient in routes[comment.section_id]:
            by_key.setdefault(recipient.key, (recipient, []))[1].append(comment)
    return list(by_key.values())


def _last_period_end(consultation: Consultation, recipient_key: str) -> datetime | None:
    return db.session.scalar(
        select(func.max(DigestMailing.period_end)).where(
            DigestMailing.consultation_id == consultation.id, DigestMailing.recipient_key == recipient_key
        )
    )


def queue_digests(items: list[DueDigest]) -> list[OutboxMessage]:
    """Record each recipient's period and queue one mail per address: an address that stands for several of
    them (the contact's and a unit's, two units') gets one mail naming them all, each comment once (as the mails
    of single comments do: routing/services.py addresses_for). ``items``: one consultation's digests of one
    period end. The caller commits; a unique violation at commit means another run queued them first."""
    recorded: list[tuple[DueDigest, DigestMailing]] = []
    for item in items:
        digest = DigestMailing(consultation_id=item.consultation.id, recipient_key=item.recipient.key,
                               period_start=item.period_start, period_end=item.period_end,
                               comment_count=len(item.comments))
        db.session.add(digest)
        recorded.append((item, digest))
    db.session.flush()
    by_address: dict[str, list[tuple[DueDigest, DigestMailing]]] = {}
    for item, digest in recorded:
        for email in item.recipient.emails:
            by_address.setdefault(email.lower(), []).append((item, digest))
    messages = []
    for email, pairs in by_address.items():
        first, digest = pairs[0]
        values = _address_values(first.consultation, [(item.recipient, item.comments) for item, _ in pairs],
                                 email, _earliest(i.period_start for i, _ in pairs), first.period_end)
        messages.append(queue_message(
            "digest", email, "digest", STAFF_LANGUAGE, values,
            dedup_key=f"digest:{digest.id}:{email}", consultation_id=first.consultation.id,
        ))
    return messages


def _earliest(starts) -> datetime | None:
    """The earliest start of several digests' periods; None (from the first comment on) when any has none."""
    starts = list(starts)
    return None if None in starts else min(starts)


def _address_values(consultation, parts: list[tuple[Recipient, list[Comment]]], email: str,
                    period_start: datetime | None, period_end: datetime) -> dict:
    """What one address's digest says: the recipients it stands for (named together), each comment once, and the
    advice links of the comments a unit among them was sent."""
    comments = _in_order(c for _, recipient_comments in parts for c in recipient_comments)
    recipient = Recipient(parts[0][0].key, "、".join(r.name for r, _ in parts), [email])
    units = [(r, recipient_comments) for r, recipient_comments in parts if r.key != "contact"]
    advised = _in_order(c for _, unit_comments in units for c in unit_comments)
    return (_context(consultation, recipient, comments, period_start, period_end)
            | _advice_urls(units[0][0] if units else recipient, advised, email))


def _in_order(comments) -> list[Comment]:
    return sorted({c.id: c for c in comments}.values(), key=lambda c: (c.created_at, c.id))


def _advice_urls(recipient: Recipient, comments: list[Comment], email: str) -> dict:
    """A responsible unit's digest links each comment to the unit's advice on it (portal/responses/advice.py)."""
    from portal.responses.advice import advice_url, link_generation, unit_list_url

    if recipient.key == "contact" or not comments:
        return {"advice_urls": None, "unit_list_url": None}
    generation = link_generation(comments[0].consultation_id, email)
    return {"advice_urls": {c.id: advice_url(c, email, generation=generation) for c in comments},
            "unit_list_url": unit_list_url(comments[0].consultation_id, email)}


def _context(consultation, recipient, comments, period_start, period_end) -> dict:
    return {
        "consultation": consultation,
        "recipient": recipient,
        "comments": comments,
        "period_start": period_start,
        "period_end": period_end,
        "comment_urls": {c.id: external_url("comments.receipt", number=c.receipt_number) for c in comments},
        "routing_url": external_url("routing.show", consultation_id=consultation.id),
    }


# -- a comment withdrawn after its digest was queued (portal/comments/withdrawal.py) ---------------------------

def digests_holding(comment: Comment) -> list[tuple[DigestMailing, Recipient]]:
    """The digests queued whose period and recipient took in ``comment`` (a recipient routed its section)."""
    recipients = {r.key: r for r in route_section(comment.consultation, comment.section).recipients}
    mailings = db.session.scalars(select(DigestMailing).where(
        DigestMailing.consultation_id == comment.consultation_id,
        DigestMailing.recipient_key.in_(list(recipients)),
        DigestMailing.period_end > comment.created_at,
        or_(DigestMailing.period_start.is_(None), DigestMailing.period_start <= comment.created_at),
    ).order_by(DigestMailing.id))
    return [(mailing, recipients[mailing.recipient_key]) for mailing in mailings]


def _siblings(mailing: DigestMailing) -> list[DigestMailing]:
    """The digests of ``mailing``'s consultation and period end: queued together, one mail an address."""
    return list(db.session.scalars(select(DigestMailing).where(
        DigestMailing.consultation_id == mailing.consultation_id,
        DigestMailing.period_end == mailing.period_end).order_by(DigestMailing.id)))


def digest_messages(mailing: DigestMailing, emails: list[str] | None = None) -> list[OutboxMessage]:
    """The mails that carry ``mailing``'s digest: its own, and those of the digests queued with it that went to
    one of ``emails`` (the recipient's addresses) on its behalf as well (an address standing for several)."""
    ids = {s.id for s in _siblings(mailing)} if emails else {mailing.id}
    wanted = {e.lower() for e in emails or []}
    messages = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "digest", OutboxMessage.consultation_id == mailing.consultation_id,
        OutboxMessage.dedup_key.startswith("digest:", autoescape=True)).order_by(OutboxMessage.id))
    return [m for m in messages if _digest_id(m) == mailing.id
            or (_digest_id(m) in ids and (m.recipient or "").lower() in wanted)]


def _digest_id(message: OutboxMessage) -> int | None:
    number = message.dedup_key.split(":")[1]
    return int(number) if number.isdecimal() else None


def write_again(mailing: DigestMailing, recipient: Recipient, messages: list[OutboxMessage]) -> None:
    """Write the digest's ``messages`` (not sent yet) again from the comments it now holds, with those of the
    digests queued with it for the same address: a comment withdrawn since it was queued is left out; a mail left
    with none is not sent at all."""
    consultation = db.session.get(Consultation, mailing.consultation_id)
    held = {r.key: (r, comments) for r, comments in _comments_by_recipient(consultation, mailing.period_end)}

    def in_period(digest: DigestMailing) -> tuple[Recipient, list[Comment]] | None:
        if digest.recipient_key not in held:
            return None
        found, comments = held[digest.recipient_key]
        return found, [c for c in comments if digest.period_start is None or c.created_at >= digest.period_start]

    own = in_period(mailing)
    mailing.comment_count = len(own[1]) if own else 0
    siblings = _siblings(mailing)
    for message in messages:
        email = (message.recipient or "").lower()
        together = [d for d in siblings if d.recipient_key in held
                    and email in {e.lower() for e in held[d.recipient_key][0].emails}] or [mailing]
        parts = [part for part in map(in_period, together) if part is not None and part[1]]
        if not parts:
            db.session.delete(message)
            continue
        start = _earliest(d.period_start for d in together)
        rendered = render_mail("digest", message.language,
                               **_address_values(consultation, parts, message.recipient, start, mailing.period_end))
        for column, value in rendered.outbox_columns().items():
            setattr(message, column, value)


def queue_due_digests() -> tuple[int, int]:
    """Queue every digest whose period has ended, each in its own transaction (commits). Returns how many were
    queued and how many another run queued at the same moment (running twice queues nothing twice)."""
    queued = skipped = 0
    together: dict[tuple[int, datetime], list[DueDigest]] = {}  # one consultation's recipients, one period end
    for item in due_digests():
        together.setdefault((item.consultation.id, item.period_end), []).append(item)
    for items in together.values():
        try:
            queue_digests(items)
            db.session.commit()
            queued += len(items)
        except IntegrityError:  # another run queued this period at the same moment (the rest: at the next run)
            db.session.rollback()
            skipped += len(items)
    return queued, skipped
