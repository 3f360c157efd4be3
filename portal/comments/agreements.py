"""Readers agree with a public comment (赞同): "I think so too", instead of writing the same opinion again.

A reader is a browser (a random key its session keeps, made at its first agreement) or, when signed in, a citizen's
account (and the browser's key, if it agreed before signing in on it); each agrees with a comment once (a unique index on the comment and the keyed hash of that key, so two
workers at the same instant cannot both count one reader) and may take it back while the consultation is open.
The comment keeps the count (``comments.agreement_count``, changed by ``UPDATE … + 1`` in the same transaction), so
that a page of threads reads no other table; the count is one of the columns whose change renews the consultation's
comments token (migration 0046), so cached pages show it at once.

It is no vote: a browser is not a person. The pages say so, the office reads the count beside each comment (the
digest's column 赞同人数) and the public sees it on the threads. The keyed hash of the network address is kept as a
comment's (the rate limit is the view's) and erased with the commenters' contacts (portal/comments/retention.py).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from portal.comments.models import Comment, CommentAgreement
from portal.consultations.models import Consultation
from portal.extensions import db

SESSION_KEY = "voter"  # session: the browser's random key (made at its first agreement)


class AgreementRefused(ValueError):
    pass


def new_browser_key() -> str:
    return secrets.token_urlsafe(16)


def voter_hash(secret: str, citizen_id: int | None = None, browser_key: str | None = None) -> str | None:
    """The keyed hash that stands for the reader: their account's when signed in, else their browser's key; None when
    neither is known (a browser that never agreed)."""
    if citizen_id is not None:
        who = f"citizen:{citizen_id}"
    elif browser_key:
        who = f"browser:{browser_key}"
    else:
        return None
    return hmac.new(secret.encode(), b"agreement:" + who.encode(), hashlib.sha256).hexdigest()[:32]


def has_agreed(comment: Comment, voter: str | None, also: tuple[str, ...] = ()) -> bool:
    """Whether the reader agreed with the comment: as ``voter``, or as one of ``also`` (the browser's key of a reader
    who agreed before signing in on it)."""
    keys = [key for key in (voter, *also) if key]
    if not keys:
        return False
    return bool(db.session.scalar(select(exists().where(CommentAgreement.comment_id == comment.id,
                                                        CommentAgreement.voter_hash.in_(keys)))))


def _check(consultation: Consultation, comment: Comment, citizen_id: int | None) -> None:
    if not consultation.is_open:
        raise AgreementRefused(_("征求意见不在进行中，不能再赞同或取消赞同。"))
    if citizen_id is not None and comment.citizen_id == citizen_id:
        raise AgreementRefused(_("这是您自己提的意见，不用再赞同。"))


def _count(comment: Comment, change: int) -> None:
    db.session.execute(update(Comment).where(Comment.id == comment.id)
                       .values(agreement_count=func.max(Comment.agreement_count + change, 0)
                               if db.engine.dialect.name == "sqlite"
                               else func.greatest(Comment.agreement_count + change, 0))
                       .execution_options(synchronize_session=False))
    db.session.refresh(comment, ["agreement_count"])


def agree(consultation: Consultation, comment: Comment, voter: str, client_hash: str | None,
          citizen_id: int | None = None, also: tuple[str, ...] = ()) -> bool:
    """Record that this reader agrees with the comment; False when they had already, as ``voter`` or as one of
    ``also`` (nothing changed). Flushes."""
    _check(consultation, comment, citizen_id)
    if also and has_agreed(comment, None, also):  # agreed in this browser before signing in
        return False
    try:
        with db.session.begin_nested():
            db.session.add(CommentAgreement(comment_id=comment.id, consultation_id=consultation.id, voter_hash=voter,
                                            client_hash=client_hash))
    except IntegrityError:  # this reader's agreement, stored meanwhile by another request
        return False
    _count(comment, +1)
    return True


def take_back(consultation: Consultation, comment: Comment, voter: str | None,
              citizen_id: int | None = None, also: tuple[str, ...] = ()) -> bool:
    """Take the reader's agreement back (as ``voter`` or as one of ``also``); False when there was none. Flushes."""
    _check(consultation, comment, citizen_id)
    keys = [key for key in (voter, *also) if key]
    if not keys:
        return False
    removed = db.session.execute(delete(CommentAgreement).where(CommentAgreement.comment_id == comment.id,
                                                                CommentAgreement.voter_hash.in_(keys))
                                 .execution_options(synchronize_session=False)).rowcount
    if removed:
        _count(comment, -removed)
    return bool(removed)


def agreement_addresses(comment_ids) -> dict[int, int]:
    """For the office: from how many network addresses each comment's agreements came (keyed hashes counted; those
    erased with the contacts not), of the comments agreed with among ``comment_ids`` (one query). Many agreements
    from few addresses may be one person's many browsers, or many people behind one office's network."""
    ids = list(comment_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        select(CommentAgreement.comment_id, func.count(func.distinct(CommentAgreement.client_hash)))
        .where(CommentAgreement.comment_id.in_(ids), CommentAgreement.client_hash.is_not(None))
        .group_by(CommentAgreement.comment_id)).all())


MOST_AGREED = 10  # comments the statistics page and the API list


def most_agreed(consultation: Consultation, limit: int = MOST_AGREED) -> list[Comment]:
    """The public comments most agreed with (at least once), most first; none where comments are not public."""
    if not consultation.comments_public:
        return []
    return list(db.session.scalars(
        select(Comment).where(Comment.consultation_id == consultation.id, Comment.status == "approved",
                              Comment.agreement_count > 0)
        .order_by(Comment.agreement_count.desc(), Comment.created_at, Comment.id).limit(limit)))
