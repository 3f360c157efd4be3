"""Publish, close and summarise consultations. Flushes, never commits."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select

from portal.comments.models import Comment
from portal.consultations.models import Consultation, ConsultationFacts
from portal.consultations.summary import CommentTally, count_people, write_closing_summary
from portal.core.statements import prepared, run
from portal.core.time import SHANGHAI, now
from portal.extensions import db


CONSULTATION_COLUMNS = ["id", "published_at", "opens_at", "deadline", "comment_visibility", "moderation_mode",
                        "contact_office", "issuer", "contact_emails", "content_token"]


@prepared
def _facts_statement(_dialect):
    """The consultation's few columns, and in the same statement what a submission would otherwise ask in
    four more: its routing mode, the directory's and the word list's tokens, and the sender's recent
    comments (the burst sign), counted up to a limit."""
    from portal.core.tokens import SENSITIVE_WORDS, UNITS, CacheToken
    from portal.routing.models import RoutingSettings

    table, settings, tokens, comments = (Consultation.__table__, RoutingSettings.__table__, CacheToken.__table__,
                                         Comment.__table__)

    def token(name):
        return select(tokens.c.token).where(tokens.c.name == name).scalar_subquery()

    recent = (select(comments.c.id)
              .where(comments.c.client_hash == bindparam("client_hash"), comments.c.created_at >= bindparam("since"))
              .limit(bindparam("enough")).subquery())
    return select(
        *(table.c[name] for name in CONSULTATION_COLUMNS),
        select(settings.c.mode).where(settings.c.consultation_id == table.c.id).scalar_subquery().label("routing_mode"),
        token(UNITS).label("units_token"),
        token(SENSITIVE_WORDS).label("words_token"),
        select(func.count()).select_from(recent).scalar_subquery().label("recent_from_sender"),
    ).where(table.c.id == bindparam("id"))


def consultation_facts(consultation_id: int, client_hash: str | None = None) -> ConsultationFacts | None:
    """What a comment submission needs, without loading the consultation: one Core statement."""
    from datetime import timedelta

    from flask import current_app

    config = current_app.config
    row = run(_facts_statement(), {
        "id": consultation_id, "client_hash": client_hash,
        "since": now() - timedelta(seconds=config["MODERATION_BURST_SECONDS"]),
        "enough": config["MODERATION_BURST_COUNT"] - 1,
    }).first()
    return ConsultationFacts(**row._mapping) if row is not None else None


class ConsultationError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def publish_consultation(
    consultation: Consultation, opens_at: datetime | None = None, deadline: datetime | None = None
) -> Consultation:
    """Make a consultation public. It needs a deadline after its opening."""
    opens_at = opens_at or consultation.opens_at or now()
    deadline = deadline or consultation.deadline
    if deadline is None:
        raise ConsultationError("no_deadline", _("没有截止时间，不能发布。请先设定征求意见截止时间。"))
    if deadline <= opens_at:
        raise ConsultationError("deadline_before_opening", _("截止时间必须晚于开始时间。"))
    if consultation.current_draft is None or not consultation.current_draft.sections:
        raise ConsultationError("no_sections", _("草案没有任何章节，不能发布。"))
    consultation.opens_at = opens_at
    consultation.deadline = deadline
    consultation.published_at = consultation.published_at or now()
    consultation.finalised_at = None
    consultation.closing_summary = None
    db.session.flush()
    return consultation


def tally_comments(consultation: Consultation) -> CommentTally:
    """Opinions received (all but spam), the sections they concern, and those on the whole draft."""
    received = (Comment.consultation_id == consultation.id, Comment.status != "spam")
    total = db.session.scalar(select(func.count()).select_from(Comment).where(*received)) or 0
    sections = db.session.scalar(
        select(func.count(func.distinct(Comment.section_id))).where(*received, Comment.section_id.is_not(None))
    ) or 0
    whole = db.session.scalar(
        select(func.count()).select_from(Comment).where(*received, Comment.section_id.is_(None))
    ) or 0
    commenters = db.session.execute(
        select(Comment.author_name, Comment.author_contact).where(*received).execution_options(yield_per=1000)
    )
    from portal.responses.services import published_outcome_counts  # the responses build on this module

    outcomes = published_outcome_counts(consultation)
    return CommentTally(
        comments=total,
        sections=sections,
        whole_draft=whole,
        people=count_people(commenters),
        adopted=outcomes.get("adopted", 0),
        partly_adopted=outcomes.get("partly_adopted", 0),
        not_adopted=outcomes.get("not_adopted", 0),
        explained=outcomes.get("explained", 0),
    )


def closing_summary(consultation: Consultation) -> str | None:
    """The stored summary of a finalised consultation, or the one it would get now if it is closed."""
    if consultation.closing_summary:
        return consultation.closing_summary
    if consultation.deadline is None or consultation.state() != "closed":
        return None
    return _write(consultation)


def rewrite_closing_summary(consultation: Consultation) -> None:
    """Bring a finalised consultation's stored summary up to date (e.g. once responses are published)."""
    if consultation.finalised_at is not None:
        consultation.closing_summary = _write(consultation)
        db.session.flush()


def _write(consultation: Consultation) -> str:
    return write_closing_summary(
        consultation.deadline.astimezone(SHANGHAI).date(),
        consultation.addressee,
        tally_comments(consultation),
        consultation.notice_date,
    )


def finalise_consultation(consultation: Consultation) -> Consultation:
    """Write and keep the closing summary of a closed consultation."""
    if consultation.state() != "closed":
        raise ConsultationError("not_closed", _("征求意见尚未截止，不能结束。"))
    consultation.closing_summary = _write(consultation)
    consultation.finalised_at = now()
    db.session.flush()
    return consultation


def close_due_consultations() -> list[Consultation]:
    """Finalise every published consultation whose deadline has passed and which has no summary yet."""
    due = db.session.scalars(
        select(Consultation)
        .where(
            Consultation.published_at.is_not(None),
            Consultation.finalised_at.is_(None),
            Consultation.deadline < now(),
        )
        .order_by(Consultation.id)
        .with_for_update(skip_locked=True)
    ).all()
    return [finalise_consultation(c) for c in due]
