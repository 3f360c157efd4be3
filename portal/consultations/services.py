"""Publish, close and summarise consultations. Flushes, never commits."""
from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select

from portal.comments.models import Comment
from portal.consultations.models import Consultation, ConsultationFacts
from portal.consultations.summary import CommentTally, count_people, write_closing_summary
from portal.core.statements import prepared, run
from portal.core.time import SHANGHAI, now
from portal.extensions import db


@prepared
def _facts_statement(_dialect):
    table = Consultation.__table__
    return select(*(table.c[name] for name in FACT_COLUMNS)).where(table.c.id == bindparam("id"))


FACT_COLUMNS = [f.name for f in fields(ConsultationFacts)]


def consultation_facts(consultation_id: int) -> ConsultationFacts | None:
    """The columns a comment submission needs, without loading the consultation (one Core statement)."""
    row = run(_facts_statement(), {"id": consultation_id}).first()
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
