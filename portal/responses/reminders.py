"""Reminding the drafting office to publish its feedback (意见采纳情况): a consultation that received opinions and
has published no answer 30, 60 and 90 days after its deadline mails the office (the notice's contacts and the
unit's office staff) each time, once (the outbox's dedup keys: two schedulers never mail twice). The work report
(portal/reports/work_report.py) names such a consultation overdue from the same day."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select

from portal.comments.models import Comment, comment_received
from portal.consultations.models import Consultation
from portal.core.time import now
from portal.extensions import db
from portal.reports.work_report import FEEDBACK_EXPECTED
from portal.responses.models import Response

REMINDERS = 3  # at 30, 60 and 90 days; then the work report says it


def feedback_published(consultation_id) -> exists:
    """Some answer to an opinion received is published (the condition, on a consultation id column or value)."""
    return exists().where(Response.consultation_id == consultation_id, Response.published_at.is_not(None),
                          Response.comment_id == Comment.id, comment_received())


def remind_feedback_due(at: datetime | None = None) -> list[tuple[Consultation, int]]:
    """Queue the reminders due: (consultation, which reminder: 1, 2 or 3) of each consultation reminded of now."""
    from portal.mail.services import queue_office_mail  # the mail builds on the responses

    at = at or now()
    due = db.session.scalars(
        select(Consultation).where(
            Consultation.published_at.is_not(None),
            Consultation.deadline <= at - FEEDBACK_EXPECTED,
            Consultation.deadline > at - FEEDBACK_EXPECTED * (REMINDERS + 1),
            exists().where(comment_received(Consultation.id)),
            ~feedback_published(Consultation.id),
        ).order_by(Consultation.id)
    ).all()
    reminded = []
    for consultation in due:
        number = min((at - consultation.deadline) // FEEDBACK_EXPECTED, REMINDERS)
        if queue_office_mail(consultation, "feedback_due", str(number)):
            reminded.append((consultation, number))
    return reminded
