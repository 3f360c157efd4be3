"""Submit and approve comments. Flushes, never commits."""
from __future__ import annotations

import math
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from portal.comments.models import Comment, STANCES, WITHHELD
from portal.comments.organisations import organisation_of
from portal.consultations.models import Consultation, ConsultationFacts
from portal.core.statements import insert_for, insert_together, prepared, run
from portal.core.time import SHANGHAI, now
from portal.core.tokens import remember
from portal.drafts.models import Draft, Section
from portal.extensions import db
from portal.routing.models import RoutingQueueItem
from portal.routing.queue import queue_routing, queue_row
from portal.search.events import enqueue, queue_rows
from portal.search.models import COMMENT as COMMENT_KIND

THREADS_PER_PAGE = 20  # threads on a page of a section's comments (each with all its replies)
THREAD_ORDERS = ("oldest", "newest", "agreed")  # agreed: the most agreed with (赞同) first
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read out on the phone


def comment_ordering(order: str) -> tuple:
    """ORDER BY of comments listed in ``order`` (THREAD_ORDERS; anything else: oldest first), ties by id."""
    return {"newest": (Comment.created_at.desc(), Comment.id.desc()),
            "agreed": (Comment.agreement_count.desc(), Comment.created_at, Comment.id)}.get(
                order, (Comment.created_at, Comment.id))


class CommentRefused(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def new_receipt_number() -> str:
    """A receipt number such as ``20230512-K7M2QX``: the day in Shanghai and six random characters."""
    day = now().astimezone(SHANGHAI).strftime("%Y%m%d")
    draw, base, letters = secrets.randbelow(len(RECEIPT_ALPHABET) ** 6), len(RECEIPT_ALPHABET), []
    for _ in range(6):  # one draw, written in base 32 (uniform, as six draws would be, for less work)
        draw, digit = divmod(draw, base)
        letters.append(RECEIPT_ALPHABET[digit])
    return f"{day}-" + "".join(letters)


@dataclass
class Target:
    """Where a comment goes: a section and/or a parent (who receives it is the mail worker's business)."""

    section_id: int | None = None
    parent_id: int | None = None
    draft_id: int | None = None  # the draft the section belongs to (a page opened before a revision: an earlier one)


@dataclass
class StoredComment:
    """A comment just stored, as the request needs it (no ORM object: issue 9, submissions must be cheap)."""

    id: int
    receipt_number: str
    repeated: bool = False  # the same form sent again: nothing stored, this is the comment its first sending stored


@prepared
def _parent_statement(_dialect):
    comments = Comment.__table__
    return select(comments.c.consultation_id, comments.c.status, comments.c.section_id).where(
        comments.c.id == bindparam("id"))


@prepared
def _section_consultation_statement(_dialect):
    """The consultation a section belongs to (through its draft), and that draft."""
    sections, drafts = Section.__table__, Draft.__table__
    return (select(drafts.c.consultation_id, drafts.c.id).join(sections, sections.c.draft_id == drafts.c.id)
            .where(sections.c.id == bindparam("section_id")))


@prepared
def _insert_statement(dialect):
    """INSERT … ON CONFLICT (receipt_number) DO NOTHING RETURNING id: a receipt number already taken (about one
    chance in a billion a day) inserts nothing, and the caller draws another."""
    make = insert_for(dialect)
    comments, drafts = Comment.__table__, Draft.__table__
    current_draft = (select(drafts.c.id).where(drafts.c.consultation_id == bindparam("draft_of"))
                     .order_by(drafts.c.version.desc()).limit(1).scalar_subquery())
    return (make(comments).values(draft_id=current_draft)
            .on_conflict_do_nothing(index_elements=["receipt_number"]).returning(comments.c.id))


def sent_by_sender(since: str, enough: str):
    """The comments stored from one sender (bound parameter ``client_hash``) since the moment bound as
    ``since``, counted up to the number bound as ``enough`` (no further: the index on (client_hash,
    created_at) answers it, and a busy address must not make every submission slower). A scalar select."""
    comments = Comment.__table__
    recent = (select(comments.c.id)
              .where(comments.c.client_hash == bindparam("client_hash"), comments.c.created_at >= bindparam(since))
              .limit(bindparam(enough)).subquery())
    return select(func.count()).select_from(recent)


def find_target(consultation: Consultation, section_id: int | None, parent_id: int | None) -> Target | None:
    """The section and parent comment a form names, checked to belong to ``consultation`` (None: they do not).

    A reply goes to its parent's section. Two queries at most: the parent, then the section's consultation.
    """
    target = Target(section_id=section_id)
    if parent_id is not None:
        if consultation.comment_visibility != "public":  # its comments are the office's: no threads, nothing to answer
            return None  # (a reply accepted had told which ids were approved comments, and where)
        parent = run(_parent_statement(), {"id": parent_id}).first()
        if parent is None or parent.consultation_id != consultation.id or parent.status != "approved":
            return None
        target.parent_id, target.section_id = parent_id, parent.section_id
    if target.section_id is None:
        return target
    # kept under the content token only when it was just read (ConsultationFacts); a loaded Consultation's
    # token may predate this transaction's own writes
    token = consultation.content_token if isinstance(consultation, ConsultationFacts) else None
    found = remember(("section_of", consultation.id, token, target.section_id),
                     lambda: tuple(run(_section_consultation_statement(), {"section_id": target.section_id}).first()
                                   or (None, None)))
    if found[0] != consultation.id:
        return None
    target.draft_id = found[1]
    return target


def store_comment(
    consultation: Consultation,
    target: Target,
    body: str,
    stance: str = "suggest",
    author_name: str | None = None,
    author_contact: str | None = None,
    language: str = "zh_CN",
    client_hash: str | None = None,
    citizen_id: int | None = None,
    channel: str = "web",
    received_at: datetime | None = None,
    quote: str | None = None,
    proposal: str | None = None,
    organisation: str | None = None,
    organisation_kind: str | None = None,
    question: int | None = None,
    submission_key: str | None = None,
) -> StoredComment:
    """Store a citizen's comment (pending moderation unless post-moderated and unflagged) with its routing
    queue row and, when it is public at once, its search queue row; refuse it when the consultation is not open.
    One INSERT for the comment, no ORM flush. On PostgreSQL, with the comment's id drawn beforehand
    (ConsultationFacts.next_comment_id), every row goes in one statement: one round trip.

    ``quote``: the words of the draft the comment is about (引用原文), tidied and checked by the caller
    (portal/comments/quotes.py); ``proposal``: the wording it proposes (建议修改为), tidied by the caller
    (portal/comments/proposals.py), screened with the text; ``organisation`` and ``organisation_kind``: on whose
    behalf it is made (以单位名义), as ``organisation_of`` gives them (portal/comments/organisations.py), the name
    screened as the text is (it is shown with it); ``question``: the number of the key question (重点问题) it answers,
    checked by the caller.

    ``submission_key``: the one-use key of the form it was sent with (``submission_key_of``). The same form sent
    again (a retry after an answer lost on the way, a second press) stores nothing and returns the comment the first
    sending stored, ``repeated``. A key sent with other words or on another part (the form brought back with the
    browser's Back button and changed) is a new comment, stored without the key.

    ``channel`` and ``received_at``: an opinion that reached the office another way (portal/office:
    record_comment, which has checked that it came within the period), stored as received then, even after
    the deadline.

    After the commit, workers do the rest: the mail worker plans the comment's mails and writes its outbox
    rows (portal/routing/queue.py), form letters are grouped (portal/moderation/grouping.py).
    """
    if received_at is None:
        state = consultation.state()
        if state == "closed":
            raise CommentRefused("closed", _l("征求意见已经截止，不再接收意见。"))
        if state != "open":
            raise CommentRefused("not_open", _l("征求意见尚未开始，暂不接收意见。"))
    if stance not in STANCES:
        raise CommentRefused("stance", _l("请选择您的态度：赞成、反对或建议。"))
    from portal.moderation.services import screen_new_comment

    body = body.strip()
    section_id, original_section_id = target.section_id, None
    current_draft_id = getattr(consultation, "current_draft_id", None)
    if section_id is not None and None not in (target.draft_id, current_draft_id) and target.draft_id != current_draft_id:
        # written on a page opened before a revision: filed under the section that became of it, as the revision
        # moved the comments made before it (the one written on kept: the feedback report had listed the old title)
        from portal.drafts.revisions import current_section_of

        section_id, original_section_id = current_section_of(section_id, current_draft_id), section_id
    # the proposed wording and the organisation's name are shown with the text: screened with it
    screened = "\n".join(part for part in (body, proposal, organisation) if part) if proposal or organisation else body
    flags, status = screen_new_comment(consultation, screened, client_hash, author_name)
    created_at = received_at or now()
    values = dict(
        consultation_id=consultation.id,
        draft_of=consultation.id,  # draft_id: the consultation's current draft (a subquery of the INSERT)
        section_id=section_id,
        parent_id=target.parent_id,
        original_section_id=original_section_id,
        body=body,
        stance=stance,
        author_name=(author_name or "").strip() or None,
        author_contact=(author_contact or "").strip() or None,
        language=language,
        status=status,
        created_at=created_at,
        moderated_at=None,
        review_requested_at=created_at if status == "approved" else None,  # post-moderation: still reviewed
        flags=flags,
        client_hash=client_hash,
        moderation_version=0,
        hidden_reason=None,
        hidden_note=None,
        form_letter_id=None,
        grouped_at=None,
        citizen_id=citizen_id,  # the signed-in citizen's account (portal/citizens), else None
        channel=channel,
        quote=quote,
        proposal=proposal,
        organisation=organisation,
        organisation_kind=organisation_kind if organisation else None,
        question=question,
    )
    # Search indexes public comments only: a pending comment has no search work until a moderator approves
    # it (the approval writes its queue row); a post-moderated one is public at once.
    searchable = status == "approved"
    values["submission_key"] = submission_key
    try:
        return _insert_comment(consultation, values, searchable)
    except IntegrityError:  # on PostgreSQL in its own statement (autocommit), on SQLite the statement alone undone
        earlier = run(_keyed_statement(), {"key": submission_key}).first() if submission_key else None
        if earlier is None:
            raise
        if (earlier.consultation_id, earlier.section_id, earlier.parent_id, earlier.body) == (
                consultation.id, section_id, target.parent_id, body):
            return StoredComment(earlier.id, earlier.receipt_number, repeated=True)
        values["submission_key"] = None
        return _insert_comment(consultation, values, searchable)


def _insert_comment(consultation, values: dict, searchable: bool) -> StoredComment:
    comment_id = getattr(consultation, "next_comment_id", None)
    if comment_id is not None and getattr(consultation, "current_draft_id", None) is not None:
        insert = _one_statement_insert(comment_id, consultation, values, searchable)
        _with_unused_receipt_number(values, insert)
    else:
        comment_id = _with_unused_receipt_number(values, lambda: run(_insert_statement(), values).scalar())
        queue_routing(comment_id)
        if searchable:
            enqueue([(COMMENT_KIND, comment_id, consultation.id)])
    return StoredComment(comment_id, values["receipt_number"])


SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{22,64}")


# what a form of a page being rendered for the cache of whole pages carries instead: each reader's copy gets a key of
# its own in its place (portal/consultations/pages.py). Its dots are outside a key's characters: posted, it is none.
SUBMISSION_KEY_PLACEHOLDER = "submission.key.placeholder"


def new_submission_key() -> str:
    """A one-use key for a comment form rendered (each reader's form its own: two readers of one page who send the
    same words, a form letter's copies, are two comments)."""
    if g.get(SUBMISSION_KEY_PLACEHOLDER):
        return SUBMISSION_KEY_PLACEHOLDER
    return secrets.token_urlsafe(24)


def submission_key_of(value: str | None) -> str | None:
    """The posted one-use key when it is one a form could carry (random, at least 22 characters), else None: a
    guessable key must never find another's comment."""
    return value if value and SUBMISSION_KEY.fullmatch(value) else None


@prepared
def _keyed_statement(_dialect):
    """The comment stored with the one-use key bound as ``key``."""
    comments = Comment.__table__
    return select(comments.c.id, comments.c.receipt_number, comments.c.consultation_id, comments.c.section_id,
                  comments.c.parent_id, comments.c.body).where(comments.c.submission_key == bindparam("key"))


def _with_unused_receipt_number(values: dict, insert) -> int:
    """Draw a receipt number into ``values`` and ``insert()`` until it stores the comment (a number already
    taken inserts nothing: ON CONFLICT … DO NOTHING); the comment's id."""
    for _attempt in range(5):
        values["receipt_number"] = new_receipt_number()
        comment_id = insert()
        if comment_id is not None:
            return comment_id
    raise RuntimeError("could not find an unused receipt number")


def _one_statement_insert(comment_id: int, consultation, values: dict, searchable: bool):
    """PostgreSQL: a function storing the comment (with the receipt number ``values`` holds when it runs), its
    routing queue row and its search queue row (``searchable``: public at once) in one statement
    (portal/core/statements.py: insert_together)."""
    from portal.search.models import SearchQueueItem

    dependents = [(RoutingQueueItem.__table__, [queue_row(comment_id)])]
    if searchable:
        dependents.append((SearchQueueItem.__table__, queue_rows([(COMMENT_KIND, comment_id, consultation.id)])))

    def insert():
        row = {key: value for key, value in values.items() if key != "draft_of"}
        row.update(id=comment_id, draft_id=consultation.current_draft_id)
        return insert_together(Comment.__table__, row, "receipt_number", dependents)

    return insert


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
    quote: str | None = None,
    proposal: str | None = None,
    organisation: str | None = None,
    organisation_kind: str | None = None,
    question: int | None = None,
) -> Comment:
    """``store_comment`` for callers holding ORM objects (the CLI, tests): returns the stored Comment."""
    if section is not None and section.draft.consultation_id != consultation.id:
        raise CommentRefused("section", _l("所选章节不属于本次征求意见。"))
    if parent is not None and (parent.consultation_id != consultation.id or not parent.is_public):
        raise CommentRefused("parent", _l("您要回复的意见不存在或未公开。"))
    target = find_target(consultation, section.id if section else None, parent.id if parent else None)
    if target is None:
        raise CommentRefused("section", _l("所选章节不属于本次征求意见。"))
    organisation, organisation_kind = organisation_of(organisation, organisation_kind)
    stored = store_comment(consultation, target, body, stance, author_name, author_contact, language, client_hash,
                           quote=quote, proposal=proposal, organisation=organisation,
                           organisation_kind=organisation_kind, question=question)
    return db.session.get(Comment, stored.id)


def approve_comment(comment: Comment) -> Comment:
    from portal.mail.services import queue_reply_mail

    comment.status = "approved"
    comment.moderated_at = now()
    comment.moderation_version = (comment.moderation_version or 0) + 1
    comment.review_requested_at = None
    db.session.flush()
    queue_reply_mail(comment)  # a reply made public: its parent's author may be told by mail
    return comment


def public_comment_counts(consultation: Consultation) -> dict[int | None, int]:
    """Approved comments per section id (``None``: on the whole draft)."""
    rows = db.session.execute(
        select(Comment.section_id, func.count())
        .where(Comment.consultation_id == consultation.id, Comment.status == "approved")
        .group_by(Comment.section_id)
    )
    return {section_id: count for section_id, count in rows}


def _thread_conditions(consultation: Consultation, section: Section | None, only=None) -> list:
    conditions = [
        Comment.consultation_id == consultation.id,
        Comment.section_id == section.id if section else Comment.section_id.is_(None),
        Comment.parent_id.is_(None),
        or_(Comment.status == "approved", and_(Comment.status.in_(WITHHELD), Comment.replies.any())),
    ]
    if only is not None:  # the threads of these comments alone (those quoting one sentence)
        conditions.append(Comment.id.in_(list(only)))
    return conditions


def public_thread_total(consultation: Consultation, section: Section | None, only=None) -> int:
    """The number of threads on ``section`` (or the whole draft) that public_thread_page pages through (``only``:
    of these comments)."""
    conditions = _thread_conditions(consultation, section, only)
    return db.session.scalar(select(func.count()).select_from(Comment).where(*conditions)) or 0


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
    per_page: int = THREADS_PER_PAGE, total: int | None = None, only=None,
) -> ThreadPage:
    """Top-level approved comments on ``section`` (or the whole draft), one page of them, oldest or newest
    first, with every reply under them loaded in one query.

    A withheld comment with replies keeps its place, shown as a notice, so that its thread stays whole
    (it is left off the page if none of its replies is shown either). ``total``: the number of threads, when
    the caller knows it already (public_thread_total). ``only``: the threads of these comments alone.
    """
    order = order if order in THREAD_ORDERS else "oldest"
    conditions = _thread_conditions(consultation, section, only)
    if total is None:
        total = public_thread_total(consultation, section, only)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    ordering = comment_ordering(order)
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


_RECEIPT_DASHES = re.compile(r"[\s\-‐‑‒–—―－_~～]+")


def plain_receipt(number: str) -> str:
    """A receipt number as people type or read it out, made plain: full-width characters (ＩＭＥ), lower case,
    spaces, any kind of dash or none at all (20230512k7m2qx, 20230512 — K7M2QX) give 20230512-K7M2QX."""
    value = unicodedata.normalize("NFKC", number or "").upper().strip()
    value = _RECEIPT_DASHES.sub("-", value).strip("-")
    if re.fullmatch(r"\d{8}[A-Z0-9]{6}", value):
        value = f"{value[:8]}-{value[8:]}"
    return value


def find_by_receipt(number: str) -> Comment | None:
    return db.session.scalar(select(Comment).where(Comment.receipt_number == plain_receipt(number)))
