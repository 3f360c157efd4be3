"""Submit and approve comments. Flushes, never commits."""
from __future__ import annotations

import math
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from portal.comments.models import STANCES, Comment
from portal.consultations.models import Consultation
from portal.core.time import SHANGHAI, now
from portal.drafts.models import Section
from portal.extensions import db

THREADS_PER_PAGE = 20  # threads on a page of a section's comments (each with all its replies)
THREAD_ORDERS = ("oldest", "newest")
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read out on the phone


class CommentRefused(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def new_receipt_number() -> str:
    """A receipt number such as ``20230512-K7M2QX``: the day in Shanghai and six random characters."""
    day = now().astimezone(SHANGHAI).strftime("%Y%m%d")
    return f"{day}-" + "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(6))


def submit_comment(
    consultation: Consultation,
    body: str,
    stance: str = "suggest",
    section: Section | None = None,
    parent: Comment | None = None,
    author_name: str | None = None,
    author_contact: str | None = None,
    language: str = "zh_CN",
    client_hash: str | None = None,
) -> Comment:
    """Store a citizen's comment, pending moderation; refuse it when the consultation is not open.

    The comment is screened first and inserted once, complete: no query on the way flushes it half-made
    (fewer statements, and on SQLite the write lock is taken later).
    """
    with db.session.no_autoflush:
        state = consultation.state()
        if state == "closed":
            raise CommentRefused("closed", _l("征求意见已经截止，不再接收意见。"))
        if state != "open":
            raise CommentRefused("not_open", _l("征求意见尚未开始，暂不接收意见。"))
        if stance not in STANCES:
            raise CommentRefused("stance", _l("请选择您的态度：赞成、反对或建议。"))
        if section is not None and section.draft.consultation_id != consultation.id:
            raise CommentRefused("section", _l("所选章节不属于本次征求意见。"))
        if parent is not None:
            if parent.consultation_id != consultation.id or not parent.is_public:
                raise CommentRefused("parent", _l("您要回复的意见不存在或未公开。"))
            section = parent.section
        draft = consultation.current_draft
        comment = Comment(
            consultation=consultation,
            consultation_id=consultation.id,
            draft_id=draft.id if draft else None,
            section=section,
            section_id=section.id if section else None,
            parent=parent,
            parent_id=parent.id if parent else None,
            body=body.strip(),
            stance=stance,
            author_name=(author_name or "").strip() or None,
            author_contact=(author_contact or "").strip() or None,
            language=language,
            status="pending",
            receipt_number=_unused_receipt_number(),
            created_at=now(),
        )
        from portal.moderation.services import keep_fingerprint, screen_comment

        signature = screen_comment(comment, client_hash)  # flags, form letters, moderation mode
    db.session.add(comment)
    db.session.flush()
    keep_fingerprint(comment, signature)
    return comment


def _unused_receipt_number() -> str:
    for _ in range(10):
        number = new_receipt_number()
        if db.session.scalar(select(Comment.id).where(Comment.receipt_number == number)) is None:
            return number
    raise RuntimeError("could not find an unused receipt number")


def approve_comment(comment: Comment) -> Comment:
    comment.status = "approved"
    comment.moderated_at = now()
    comment.moderation_version = (comment.moderation_version or 0) + 1
    comment.review_requested_at = None
    db.session.flush()
    return comment


def public_comment_counts(consultation: Consultation) -> dict[int | None, int]:
    """Approved comments per section id (``None``: on the whole draft)."""
    rows = db.session.execute(
        select(Comment.section_id, func.count())
        .where(Comment.consultation_id == consultation.id, Comment.status == "approved")
        .group_by(Comment.section_id)
    )
    return {section_id: count for section_id, count in rows}


@dataclass
class ThreadPage:
    """One page of a section's (or the whole draft's) public threads, replies loaded."""

    threads: list[Comment]
    page: int
    pages: int
    total: int  # threads on all pages
    order: str  # "oldest" or "newest" first


def public_thread_page(
    consultation: Consultation, section: Section | None, page: int = 1, order: str = "oldest",
    per_page: int = THREADS_PER_PAGE,
) -> ThreadPage:
    """Top-level approved comments on ``section`` (or the whole draft), one page of them, oldest or newest
    first, with every reply under them loaded in one query.

    A withheld comment with replies keeps its place, shown as a notice, so that its thread stays whole
    (it is left off the page if none of its replies is shown either).
    """
    order = order if order in THREAD_ORDERS else "oldest"
    conditions = [
        Comment.consultation_id == consultation.id,
        Comment.section_id == section.id if section else Comment.section_id.is_(None),
        Comment.parent_id.is_(None),
        or_(Comment.status == "approved", and_(Comment.status.in_(("hidden", "spam")), Comment.replies.any())),
    ]
    total = db.session.scalar(select(func.count()).select_from(Comment).where(*conditions)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    ordering = (Comment.created_at.desc(), Comment.id.desc()) if order == "newest" else (Comment.created_at, Comment.id)
    threads = list(db.session.scalars(
        select(Comment).where(*conditions).order_by(*ordering).limit(per_page).offset((page - 1) * per_page)
    ))
    load_replies(threads)
    return ThreadPage([c for c in threads if c.shown_in_thread], page, pages, total, order)


def load_replies(comments: list[Comment]) -> None:
    """Load every reply under ``comments``, at any depth, in one query (a recursive CTE), and set them as
    each comment's ``replies``: showing a page of threads then issues no query per comment."""
    if not comments:
        return
    child = aliased(Comment)
    tree = select(Comment.id).where(Comment.parent_id.in_([c.id for c in comments])).cte("thread_tree", recursive=True)
    tree = tree.union_all(select(child.id).where(child.parent_id == tree.c.id))
    replies = db.session.scalars(
        select(Comment).where(Comment.id.in_(select(tree.c.id))).order_by(Comment.created_at, Comment.id)
    ).all()
    children: dict[int, list[Comment]] = {}
    for reply in replies:
        children.setdefault(reply.parent_id, []).append(reply)
    for comment in [*comments, *replies]:
        set_committed_value(comment, "replies", children.get(comment.id, []))


def find_by_receipt(number: str) -> Comment | None:
    return db.session.scalar(select(Comment).where(Comment.receipt_number == number.strip().upper()))
