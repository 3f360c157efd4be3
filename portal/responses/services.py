"""Record and publish the office's responses to comments. Flushes, never commits."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from portal.audit.services import record_action
from portal.comments.models import Comment, NOT_RECEIVED, comment_received
from portal.consultations.models import Consultation
from portal.core.time import local, now
from portal.extensions import db
from portal.mail.services import queue_follower_mail, queue_response_mail
from portal.responses.filters import ResponseFilters, conditions
from portal.responses.models import OUTCOMES, Response


class ResponseRefused(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def respondable_comments(consultation: Consultation, filters: ResponseFilters | None = None):
    """The query of comments the office answers: every comment received (spam and withdrawn ones excluded), or
    those ``filters`` narrow it to, in the order of the draft's sections, comments on the whole draft last; in each
    section as they came, or (``filters.order`` "agreed") the most agreed with first."""
    from portal.drafts.models import Section

    filters = filters or ResponseFilters()
    agreed = (Comment.agreement_count.desc(),) if filters.order == "agreed" else ()
    return (
        select(Comment)
        .outerjoin(Section, Comment.section_id == Section.id)
        .where(*conditions(consultation.id, filters))
        .order_by(Section.position.is_(None), Section.position, *agreed, Comment.created_at, Comment.id)
    )


def list_page(consultation: Consultation, filters: ResponseFilters, page: int, size: int) -> list:
    """The comments of one page of the list, in its order, each with its response (or None): rows of (Comment,
    Response). The page's ids are found first, ordering the ids alone, then their rows read: ordering the whole
    rows of 20,000 comments (their texts too) to keep 100 had PostgreSQL sort them on disk."""
    ids = list(db.session.scalars(
        respondable_comments(consultation, filters).with_only_columns(Comment.id).limit(size).offset((page - 1) * size)
    ))
    return _page_rows(ids)


def _page_rows(ids: list[int]) -> list:
    """The (Comment, Response) rows of the comments ``ids``, in that order."""
    if not ids:
        return []
    rows = db.session.execute(
        select(Comment, Response).outerjoin(Response, Response.comment_id == Comment.id).where(Comment.id.in_(ids))
    ).all()
    place = {comment_id: at for at, comment_id in enumerate(ids)}
    return sorted(rows, key=lambda row: place[row.Comment.id])


def filtered_page(consultation: Consultation, filters: ResponseFilters, page: int, size: int) -> tuple[list, int]:
    """One page of the filtered list (as list_page) and how many comments ``filters`` leave (filtered_count), the
    count from the page's own statement (a window over it: the page's ids are ordered from every comment the filters
    leave, so counting them there costs little; a count apart had been a second pass over them, 8-30 ms at 20,000).
    A page past the end is empty, its count then counted apart."""
    found = db.session.execute(
        respondable_comments(consultation, filters).with_only_columns(Comment.id, func.count().over())
        .limit(size).offset((page - 1) * size)
    ).all()
    if not found:
        return [], 0 if page == 1 else filtered_count(consultation, filters)
    return _page_rows([comment_id for comment_id, _total in found]), found[0][1]


def answered_receipts(comments: Iterable[Comment]) -> dict[int, str]:
    """The receipt number of the comment each reply among ``comments`` answers, by the reply's id (one statement, only
    when the page shows a reply): a reply has no stance, and "同意楼上的意见" means nothing without it."""
    replies = {c.id: c.parent_id for c in comments if c.parent_id is not None}
    if not replies:
        return {}
    numbers = dict(db.session.execute(
        select(Comment.id, Comment.receipt_number).where(Comment.id.in_(set(replies.values())))).all())
    return {reply: numbers[parent] for reply, parent in replies.items() if parent in numbers}


def filtered_count(consultation: Consultation, filters: ResponseFilters) -> int:
    """How many comments ``filters`` leave in the list (the listing's conditions, without its order and joins)."""
    return db.session.scalar(select(func.count()).select_from(Comment).where(*conditions(consultation.id, filters)))


@dataclass(frozen=True)
class Place:
    """Where a comment stands in the filtered list the office came from: to step through it one by one."""

    position: int | None  # 1-based; None when the comment is not (or no longer) in the list
    total: int
    previous_id: int | None
    next_id: int | None


def place_in_list(consultation: Consultation, filters: ResponseFilters, comment_id: int) -> Place:
    ids = list(db.session.scalars(respondable_comments(consultation, filters).with_only_columns(Comment.id)))
    if comment_id not in ids:
        return Place(None, len(ids), None, ids[0] if ids else None)
    at = ids.index(comment_id)
    return Place(at + 1, len(ids), ids[at - 1] if at else None, ids[at + 1] if at + 1 < len(ids) else None)


def respond_to_comments(
    consultation: Consultation,
    comments: Iterable[Comment],
    outcome: str,
    reason: str,
    actor,
    paraphrase: str | None = None,
) -> list[Response]:
    """Write one response (outcome and reason) to each comment, creating or replacing the earlier one.

    Works for one comment, many ticked at once, or every comment of a filtered list (a form letter's copies). A response
    already published stays published with its new wording; the audit log keeps the old one.
    ``paraphrase`` (the public wording of a private comment) is kept as it was when not given.
    """
    if outcome not in OUTCOMES:
        raise ResponseRefused("outcome", _("请选择答复类型：采纳、部分采纳、不采纳或情况说明。"))
    reason = (reason or "").strip()
    if not reason:
        raise ResponseRefused("reason", _("请填写理由。"))
    comments = list(comments)
    if not comments:
        raise ResponseRefused("no_comments", _("请至少选择一条意见。"))
    try:
        with db.session.begin_nested():
            answered = _write_responses(consultation, comments, outcome, reason, actor, paraphrase)
    except IntegrityError:  # another office user answered one of them first, a moment ago: as if they had answered
        answered = _write_responses(consultation, comments, outcome, reason, actor, paraphrase)  # before (a 500)
    for comment_id, response, before in answered:
        record_action(
            actor, "respond", response, consultation_id=consultation.id,
            before=before, after=response.as_audit() | {"comment_id": comment_id}, flush=False,
        )
    written = [response for _comment_id, response, _before in answered]
    if any(r.published_at is not None for r in written):  # a published answer changed: so may the summary's counts
        from portal.consultations.services import rewrite_closing_summary

        rewrite_closing_summary(consultation)
    return written


def _write_responses(consultation, comments, outcome, reason, actor, paraphrase) -> list:
    """Each comment's response written (flushed): (comment id, response, its audit form before)."""
    existing = {
        r.comment_id: r
        for r in db.session.scalars(select(Response).where(Response.comment_id.in_([c.id for c in comments])))
    }
    answered = []  # (comment id, response, its audit form before)
    for comment in comments:
        if comment.consultation_id != consultation.id or comment.status in NOT_RECEIVED:
            raise ResponseRefused("comment", _("所选意见不属于本次征求意见。"))
        response = existing.get(comment.id)
        before = response.as_audit() if response else None
        if response is None:
            response = Response(comment_id=comment.id, consultation_id=consultation.id)
            db.session.add(response)
        response.outcome = outcome
        response.reason = reason
        if paraphrase is not None:
            response.paraphrase = paraphrase.strip() or None
        response.author_id = getattr(actor, "id", None)
        response.updated_at = now()
        answered.append((comment.id, response, before))
    db.session.flush()  # once: a form letter's 500 copies are answered in one go
    return answered


def move_comment(consultation: Consultation, comment: Comment, section_id: int | None, actor,
                 reason: str | None = None) -> bool:
    """Put a comment under another section of the current draft (None: the whole draft), its replies with it: the
    commenter chose the wrong one, or the office recorded a letter under the wrong one. The units responsible for the
    new section are sent it as they are sent a new comment (mails already sent are not sent again; the commenter is
    not mailed). Audited (where it was, where it went). Returns False when it is there already."""
    from portal.drafts.services import current_section
    from portal.routing.services import plan_comment_mail

    if comment.parent_id is not None:
        raise ResponseRefused("section_id", _("回复跟随它所回复的意见，不能单独改归章节。"))
    try:
        section = current_section(consultation, section_id)
    except LookupError:
        raise ResponseRefused("section_id", _("请从列表中选择章节。")) from None
    new_id = section.id if section is not None else None
    if comment.section_id == new_id:
        return False
    before = comment.section_id
    thread, index = [comment], 0
    while index < len(thread):  # the replies, and theirs
        thread.extend(thread[index].replies)
        index += 1
    for one in thread:
        one.section_id = new_id
    db.session.flush()
    if consultation.published_at is not None:
        plan_comment_mail(consultation, section.responsible_units if section is not None else [], None,
                          comment.language).queue(comment.id)
    record_action(actor, "move_comment", comment, consultation_id=consultation.id,
                  before={"section_id": before}, after={"section_id": new_id, "replies": len(thread) - 1},
                  reason=(reason or "").strip() or None)
    from portal.consultations.services import rewrite_closing_summary

    rewrite_closing_summary(consultation)  # "涉及N个部分，另有N条针对全文" follows the move after the close
    return True


def section_quoted(consultation: Consultation, comment: Comment):
    """The innermost section of the current draft holding the words the comment quotes, when the comment is not
    under that section or one of its parents already (None otherwise): where the office may want to move it."""
    from portal.comments.quotes import holding_section
    from portal.drafts.models import Section

    draft = consultation.current_draft
    if not comment.quote or draft is None:
        return None
    holding = holding_section(draft.id, comment.quote)
    if holding is None:
        return None
    section = db.session.get(Section, holding)
    current = comment.section_id
    if current == holding or any(parent.id == current for parent in section.ancestors()):
        return None
    return section


def publish_responses(consultation: Consultation, actor) -> int:
    """Publish every unpublished response of a closed consultation; the closing summary then counts them, and the
    commenters who left a confirmed e-mail address are sent their answer."""
    from portal.consultations.services import rewrite_closing_summary

    if not consultation.is_closed:
        raise ResponseRefused("not_closed", _l("征求意见截止后才能公布答复。"))
    comment_ids = list(db.session.scalars(
        update(Response)
        .where(
            Response.consultation_id == consultation.id,
            Response.published_at.is_(None),
            # an answer to a comment marked spam stays unpublished: it is shown nowhere, and restoring the
            # comment lets the office publish it then
            Response.comment_id.in_(
                select(Comment.id).where(comment_received(consultation.id))
            ),
        )
        .values(published_at=now())
        .returning(Response.comment_id)
        .execution_options(synchronize_session=False)
    ))
    published = len(comment_ids)
    db.session.expire_all()
    if not published:
        raise ResponseRefused("nothing", _l("没有待公布的答复。"))
    queue_response_mail(comment_ids)  # each commenter with a confirmed address hears of the answer, in this transaction
    # and those who follow the consultation, once a day at most (the office may publish in several rounds)
    queue_follower_mail(consultation, "responses", local(now()).date().isoformat())
    rewrite_closing_summary(consultation)
    record_action(
        actor, "publish_responses", consultation, consultation_id=consultation.id,
        after={"published": published, "closing_summary": consultation.closing_summary},
    )
    return published


def published_response(comment: Comment) -> Response | None:
    """The office's published response to ``comment``, for its commenter (the receipt page); None while it is
    only drafted, and for spam and withdrawn comments (which the public report leaves out too)."""
    if comment.status in NOT_RECEIVED:
        return None
    return db.session.scalar(
        select(Response).where(Response.comment_id == comment.id, Response.published_at.is_not(None))
    )


def published_outcome_counts(consultation: Consultation) -> dict[str, int]:
    """Published responses per outcome."""
    rows = db.session.execute(
        select(Response.outcome, func.count())
        .join(Comment, Comment.id == Response.comment_id)
        .where(
            Response.consultation_id == consultation.id,
            Response.published_at.is_not(None),
            comment_received(),
        )
        .group_by(Response.outcome)
    )
    return {outcome: count for outcome, count in rows}


@dataclass(frozen=True)
class CommonReason:
    outcome: str
    reason: str
    count: int


def common_reasons(consultation: Consultation, limit: int = 8) -> list[CommonReason]:
    """The answers (outcome and reason) the office has written most often in this consultation, the most used
    first, then the latest: offered beside the reason field, so that an answer given to many comments is not
    typed again (or copied with its typos)."""
    used = func.count(Response.id)
    rows = db.session.execute(
        select(Response.outcome, Response.reason, used)
        .where(Response.consultation_id == consultation.id)
        .group_by(Response.outcome, Response.reason)
        .order_by(used.desc(), func.max(Response.updated_at).desc())
        .limit(limit)
    ).all()
    return [CommonReason(outcome, reason, count) for outcome, reason, count in rows]


def response_counts(consultation: Consultation) -> dict[str, int]:
    """Drafted and published responses, for the office page: answers to comments marked spam are not counted
    (the page's total leaves spam out, and neither the public report nor the mail shows them); and how many of the
    answered comments propose wording the answer adopts (采纳, 部分采纳: the draft revised by them, digests/annotated.py)."""
    adopts = Response.outcome.in_(("adopted", "partly_adopted")) & Comment.proposal.is_not(None)
    drafted, published, adopted_wording = db.session.execute(
        select(func.count(), func.count(Response.published_at), func.count().filter(adopts))
        .select_from(Response)
        .join(Comment, Comment.id == Response.comment_id)
        .where(Response.consultation_id == consultation.id, comment_received())
    ).one()
    return {"drafted": drafted, "published": published, "unpublished": drafted - published,
            "adopted_wording": adopted_wording}
