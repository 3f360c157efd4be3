"""Group form letters after the commit: compare each new comment with the earlier ones of its consultation.

A submission stores the comment with ``grouped_at`` empty; this module takes those comments in the order
they arrived, computes their MinHash signatures (``form_letters``), puts each in the group of its most
similar earlier comment, and stores its signature and band keys for the comments after it. It runs in
``flask moderation group [--loop]`` beside the web workers, and before the moderation queue is shown (so
the queue is grouped even where no worker runs).

Two groupers never group the same comment, and never at the same moment: the candidates a comment is
compared with must include every earlier comment. PostgreSQL: a transaction-level advisory lock;
SQLite: the claim is the transaction's first write, which takes SQLite's one write lock. Signatures are
computed before the lock is taken, and a batch is small, so that submissions wait at most a few
milliseconds for it.

A batch that puts comments in groups counts one up on their consultations' ``grouping_version`` (one
``UPDATE … SET grouping_version = grouping_version + 1``, in the batch's transaction): the feedback report's
plan is kept under it, and a count made by the database loses no grouping, whichever host's clock it ran by.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert, select, text, update

from portal.comments.models import Comment
from portal.consultations.models import Consultation
from portal.core.time import now
from portal.extensions import db
from portal.moderation import form_letters
from portal.moderation.models import CommentFingerprint, FormLetterBand

CANDIDATES = 20  # earlier comments compared with a new one: those sharing the most band keys
BATCH = 50  # comments per transaction: the SQLite write lock is held this long
LOCK_KEY = 0x70_6F_72_74_61_6C  # "portal": the advisory lock of the groupers on PostgreSQL


@dataclass
class _New:
    id: int
    consultation_id: int
    signature: list[int] | None
    keys: list[str]


def ungrouped_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment).where(Comment.grouped_at.is_(None))) or 0


def group_new_comments(limit: int | None = None, batch: int = BATCH) -> int:
    """Group comments not yet grouped, oldest first, up to ``limit`` (None: all); commits each batch.
    Returns how many this call grouped."""
    done = 0
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        grouped = _group_batch(size)
        if grouped == 0:
            break
        done += grouped
    return done


def _group_batch(size: int) -> int:
    rows = db.session.execute(
        select(Comment.id, Comment.consultation_id, Comment.body)
        .where(Comment.grouped_at.is_(None)).order_by(Comment.id).limit(size)
    ).all()
    db.session.rollback()  # end the read: no lock is held while the signatures are computed
    if not rows:
        return 0
    prepared = {}
    for row in rows:
        sig = form_letters.signature(row.body)
        prepared[row.id] = _New(row.id, row.consultation_id, sig, form_letters.band_keys(sig) if sig else [])
    try:
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        claimed = db.session.scalars(
            update(Comment)
            .where(Comment.id.in_(list(prepared)), Comment.grouped_at.is_(None))
            .values(grouped_at=now())
            .returning(Comment.id)
            .execution_options(synchronize_session=False)
        ).all()
        grouped = {prepared[comment_id].consultation_id for comment_id in sorted(claimed)
                   if _group_one(prepared[comment_id])}
        if grouped:  # the consultations whose comments this batch put in a group; none renews a token (0063)
            db.session.execute(
                update(Consultation).where(Consultation.id.in_(sorted(grouped)))
                .values(grouping_version=Consultation.grouping_version + 1)
                .execution_options(synchronize_session=False)
            )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return len(claimed)


def _group_one(new: _New) -> bool:
    """Join the group of the most similar earlier comment (if one is close enough); keep the signature.
    Whether it joined a group."""
    if new.signature is None:
        return False  # too short to judge: never grouped
    joined = False
    shared = func.count().label("shared")
    candidates = db.session.execute(
        select(FormLetterBand.comment_id, shared)
        .where(FormLetterBand.consultation_id == new.consultation_id, FormLetterBand.band_key.in_(new.keys))
        .group_by(FormLetterBand.comment_id)
        .order_by(shared.desc(), FormLetterBand.comment_id)
        .limit(CANDIDATES)
    ).all()
    if candidates:
        rows = db.session.execute(
            select(CommentFingerprint.comment_id, CommentFingerprint.signature, Comment.form_letter_id)
            .join(Comment, Comment.id == CommentFingerprint.comment_id)
            .where(CommentFingerprint.comment_id.in_([c.comment_id for c in candidates]))
        ).all()
        match = form_letters.best_match(new.signature, ((row.comment_id, row.signature) for row in rows))
        if match is not None:
            group = next(row.form_letter_id for row in rows if row.comment_id == match) or match
            db.session.execute(
                update(Comment).where(Comment.id == new.id).values(form_letter_id=group)
                .execution_options(synchronize_session=False)
            )
            joined = True
    db.session.execute(
        insert(CommentFingerprint),
        [{"comment_id": new.id, "consultation_id": new.consultation_id, "signature": new.signature}],
    )
    db.session.execute(
        insert(FormLetterBand),
        [{"comment_id": new.id, "consultation_id": new.consultation_id, "band_key": key} for key in new.keys],
    )
    return joined
