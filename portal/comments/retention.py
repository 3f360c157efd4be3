"""How long commenters' contact details are kept after a consultation ends (``PORTAL_CONTACT_RETENTION_DAYS``).

A commenter leaves a phone number or an e-mail address for the drafting office's questions while it weighs the
opinions. Once the consultation was finalised more than the retention period ago, the contact and the keyed
hash of the sender's network address (kept for rate limits and spam signs) are erased; the opinion, its
signature, its receipt number and the office's response stay; so does a commenter's confirmed e-mail address
(commenter_addresses) while a comment, an account or a meeting sign-up still holds it, and no longer. The outbox
keeps its own period (portal/mail/retention.py); unsubscriptions are kept for ever, so that an address that said no
stays unmailed.
Flushes, never commits.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import String, cast, delete, func, literal, or_, select, update

from portal.comments.models import Comment, CommentAgreement
from portal.consultations.models import ChoiceAnswer, Consultation
from portal.core.time import now
from portal.extensions import db


def _ended_before(days: int):
    """The ids (a subquery) of the consultations finalised more than ``days`` days ago."""
    cutoff = now() - timedelta(days=days)
    return select(Consultation.id).where(Consultation.finalised_at.is_not(None), Consultation.finalised_at < cutoff)


def _number_the_commenters(ended) -> None:
    """Before their contacts go: each comment counted by its contact gets a number standing for its commenter within
    its consultation (the same number for the same contact), so that a summary written again afterwards counts the
    same people (it counted each as one of their own)."""
    from portal.consultations.summary import commenter_key

    rows = db.session.execute(select(Comment.id, Comment.consultation_id, Comment.author_name, Comment.author_contact)
                              .where(Comment.consultation_id.in_(ended), Comment.author_contact.is_not(None),
                                     Comment.commenter_no.is_(None))
                              .order_by(Comment.consultation_id, Comment.id)).all()
    numbers: dict[tuple[int, str], int] = {}
    taken: dict[int, int] = dict(db.session.execute(  # numbers given by an earlier run stay theirs
        select(Comment.consultation_id, func.max(Comment.commenter_no)).where(
            Comment.consultation_id.in_(ended), Comment.commenter_no.is_not(None)).group_by(Comment.consultation_id)
    ).all())
    given = []
    for comment_id, consultation_id, name, contact in rows:
        key = commenter_key(name, contact)
        if key is None:
            continue
        if (consultation_id, key) not in numbers:
            taken[consultation_id] = taken.get(consultation_id, 0) + 1
            numbers[(consultation_id, key)] = taken[consultation_id]
        given.append({"id": comment_id, "commenter_no": numbers[(consultation_id, key)]})
    if given:  # one statement for them all (an UPDATE by primary key, executed for each row by the driver)
        db.session.execute(update(Comment), given)


def erase_old_contacts(days: int) -> dict[int, int]:
    """Erase the contact details of the comments of every consultation finalised more than ``days`` days ago.
    Returns the number of comments changed per consultation (none for ``days`` <= 0: keep everything)."""
    if days <= 0:
        return {}
    ended = _ended_before(days)
    holding = (Comment.consultation_id.in_(ended),
               or_(Comment.author_contact.is_not(None), Comment.client_hash.is_not(None)))
    counts = dict(db.session.execute(
        select(Comment.consultation_id, func.count()).where(*holding).group_by(Comment.consultation_id)
    ).all())
    if counts:
        _number_the_commenters(ended)
        db.session.execute(
            update(Comment).where(*holding).values(author_contact=None, client_hash=None)
            .execution_options(synchronize_session=False)
        )
    # the readers' choices (表态) keep the same hash of the network address: it goes too
    db.session.execute(update(ChoiceAnswer).where(ChoiceAnswer.consultation_id.in_(ended),
                                                  ChoiceAnswer.client_hash.is_not(None))
                       .values(client_hash=None).execution_options(synchronize_session=False))
    # and the readers' agreements with comments (赞同); whose browser or account agreed stays a keyed hash
    db.session.execute(update(CommentAgreement).where(CommentAgreement.consultation_id.in_(ended),
                                                      CommentAgreement.client_hash.is_not(None))
                       .values(client_hash=None).execution_options(synchronize_session=False))
    forget_unheld_addresses()
    _forget_contact_exports(ended)
    db.session.flush()
    return counts


def _forget_contact_exports(ended) -> None:
    """The export files holding the contacts of these consultations (digests with contacts built by the export
    worker, portal/digests/exports.py) are given no more: a ready one is expired (its file deleted by the next
    expire-exports), one being built failed (its worker then finds it taken and deletes what it wrote). They had
    been downloadable, contacts and all, for up to PORTAL_EXPORT_RETENTION_HOURS after the erasure."""
    from portal.digests.exports import read_options
    from portal.digests.models import ExportJob

    for job in db.session.scalars(select(ExportJob).where(ExportJob.consultation_id.in_(ended),
                                                          ExportJob.status.in_(("ready", "running")),
                                                          ExportJob.options.is_not(None))):
        if not read_options(job)[0]:  # without contacts: kept to its own retention
            continue
        if job.status == "ready":
            job.status = "expired"  # its path kept: expire-exports deletes the file
        else:
            job.status, job.finished_at = "failed", now()
            job.error = "提出人的联系方式已按保留期限清除，这份含联系方式的文件不再生成。"


def forget_unheld_addresses() -> int:
    """Delete the commenter_addresses rows (an address a commenter confirmed, or was asked to) that no comment's
    contact, citizen account or meeting sign-up holds any more: their contacts erased, the address had stayed for
    ever. An unsubscribed address stays, so that it is never mailed again. Returns the rows deleted."""
    from portal.citizens.models import Citizen
    from portal.mail.models import CommenterAddress
    from portal.mail.services import email_from_contact
    from portal.meetings.models import MeetingRegistration

    held: set[str] = set()
    contacts = select(Comment.author_contact).where(Comment.author_contact.contains("@"))
    for (contact,) in db.session.execute(contacts.execution_options(yield_per=2000)):
        if (email := email_from_contact(contact)) is not None:
            held.add(email)
    for (email,) in db.session.execute(select(MeetingRegistration.email).where(MeetingRegistration.email.is_not(None))):
        held.add(email.strip().lower())
    held.update(email.lower() for email in db.session.scalars(select(Citizen.email)))
    unheld = [row_id for row_id, email in db.session.execute(
        select(CommenterAddress.id, CommenterAddress.email).where(CommenterAddress.unsubscribed_at.is_(None)))
        if email not in held]
    for start in range(0, len(unheld), 500):
        db.session.execute(delete(CommenterAddress).where(CommenterAddress.id.in_(unheld[start:start + 500]))
                           .execution_options(synchronize_session=False))
    return len(unheld)


def erase_old_registrations(days: int) -> dict[int, int]:
    """Erase the telephone numbers and e-mail addresses of those who signed up for the meetings (座谈会、听证会) of
    every consultation finalised more than ``days`` days ago; their names and what they wished to say stay, as a
    comment's signature and opinion do. Returns the number of sign-ups changed per consultation."""
    from portal.meetings.models import Meeting, MeetingRegistration

    if days <= 0:
        return {}
    ended = _ended_before(days)
    holding = (MeetingRegistration.erased_at.is_(None),
               MeetingRegistration.meeting_id.in_(select(Meeting.id).where(Meeting.consultation_id.in_(ended))))
    counts = dict(db.session.execute(
        select(Meeting.consultation_id, func.count()).join(MeetingRegistration.meeting).where(*holding)
        .group_by(Meeting.consultation_id)).all())
    if counts:
        db.session.execute(
            update(MeetingRegistration).where(*holding).values(
                # the number's key made unique again (one standing sign-up a number and meeting)
                phone="", email=None, phone_key=literal("erased:") + cast(MeetingRegistration.id, String),
                erased_at=now())
            .execution_options(synchronize_session=False))
        db.session.flush()
    return counts


def erase_old_contacts_recorded(days: int, actor: str) -> dict[int, int]:
    """``erase_old_contacts`` (and ``erase_old_registrations``) with one audit entry per consultation changed, by
    ``actor`` ("cli", "scheduler"). Returns the comments changed per consultation."""
    from portal.audit.services import record_action  # the audit log builds on the comments

    erased = erase_old_contacts(days)
    registrations = erase_old_registrations(days)
    for consultation_id in sorted(set(erased) | set(registrations)):
        after = {"comments": erased.get(consultation_id, 0), "days": days}
        if consultation_id in registrations:
            after["registrations"] = registrations[consultation_id]
        record_action(actor, "erase_contacts", db.session.get(Consultation, consultation_id),
                      consultation_id=consultation_id, after=after)
    return erased
