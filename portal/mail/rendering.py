"""Render a queued message: the request stores a template name and ids; the worker renders it when it sends.

A new comment queues 4–6 messages (the contact, each responsible unit, the commenter); rendering them in
the request cost more than storing the comment (issue 9). The row keeps ``template`` and ``context`` (ids,
names, the site address the commenter used) and the worker writes subject and bodies before sending, so the
administrator's outbox shows what was sent. Digests are queued already rendered.
"""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from portal.comments.models import NOT_RECEIVED, Comment, comment_received
from portal.core.time import now
from portal.extensions import db
from portal.mail.compose import RenderedMail, render_mail
from portal.mail.links import confirm_token, external_url, unsubscribe_token
from portal.mail.models import OutboxMessage
from portal.responses.advice import advice_link, unit_list_url
from portal.responses.services import published_response


class CannotRender(Exception):
    """The message's comment is gone (deleted with its consultation): there is nothing to send."""


def _comment(message: OutboxMessage) -> Comment:
    comment_id = (message.context or {}).get("comment_id") or message.comment_id
    # the templates read the comment's consultation and section: one query for the three
    place = (joinedload(Comment.consultation), joinedload(Comment.section))
    comment = db.session.get(Comment, comment_id, options=place) if comment_id else None
    if comment is None:
        raise CannotRender(str(_l("这封邮件所说的意见已不存在。")))
    if comment.status == "withdrawn":  # taken by a worker just before its author withdrew it
        raise CannotRender(str(_l("这封邮件所说的意见已由提出人撤回。")))
    return comment


def _comment_context(message: OutboxMessage) -> dict:
    from portal.comments.attachments import attachments_of, mail_carries

    comment, base = _comment(message), (message.context or {}).get("base_url")
    attachments = [
        SimpleNamespace(filename=file.filename, size=file.size,
                        url=external_url("digests.attachment", base=base, consultation_id=comment.consultation_id,
                                         attachment_id=file.id))
        for file in attachments_of([comment.id]).get(comment.id, [])
    ]
    return {
        "attachments": attachments,  # sent with the mail when they fit (portal/mail/worker.py: _files)
        "attached": mail_carries(attachments),
        "comment": comment,
        "consultation": comment.consultation,
        "contact": comment.author_contact,  # for the office only, never shown publicly
        "recipient_names": (message.context or {}).get("recipient_names") or [],
        "comment_url": external_url("comments.receipt", base=base, number=comment.receipt_number),
        "routing_url": external_url("routing.show", base=base, consultation_id=comment.consultation_id),
        # a responsible unit proposes how to answer it (portal/responses/advice.py); not the contact
        "advice_url": (advice := advice_link(comment, message.recipient, base)
                       if comment.status not in NOT_RECEIVED else None),
        # and every comment it was sent in this consultation, in one list
        "unit_list_url": unit_list_url(comment.consultation_id, message.recipient, base) if advice else None,
    }


def _receipt_context(message: OutboxMessage) -> dict:
    from portal.comments.withdrawal import withdrawal_key

    comment, base = _comment(message), (message.context or {}).get("base_url")
    # while it is open, the receipt's link lets its reader withdraw the comment (the key of portal/comments/withdrawal.py)
    key = withdrawal_key(comment.receipt_number) if comment.consultation.is_open else None
    return {
        "comment": comment,
        "consultation": comment.consultation,
        "comment_url": external_url("comments.receipt", base=base, number=comment.receipt_number, key=key),
        "can_withdraw": key is not None,
        "unsubscribe_url": external_url("mail.unsubscribe", base=base, token=unsubscribe_token(message.recipient)),
    }


def _confirm_context(message: OutboxMessage) -> dict:
    comment, base = _comment(message), (message.context or {}).get("base_url")
    return {
        "comment": comment,
        "consultation": comment.consultation,
        "confirm_url": external_url("mail.confirm", base=base, token=confirm_token(message.recipient)),
        "unsubscribe_url": external_url("mail.unsubscribe", base=base, token=unsubscribe_token(message.recipient)),
    }


def _response_context(message: OutboxMessage) -> dict:
    context = _receipt_context(message)
    response = published_response(context["comment"])
    if response is None:  # withdrawn since, or the comment marked spam: nothing to tell
        raise CannotRender(str(_l("这封邮件所说的答复已不存在。")))
    base = (message.context or {}).get("base_url")
    return {**context, "response": response,
            "feedback_url": external_url("reports.feedback", base=base, consultation_id=context["consultation"].id)}


def _quote_changed_context(message: OutboxMessage) -> dict:
    """A revision changed the words a comment quoted, or took in the wording it proposed: for its author."""
    context = _receipt_context(message)
    comment, base = context["comment"], (message.context or {}).get("base_url")
    if comment.status in NOT_RECEIVED or not (comment.quote or comment.proposal):  # withdrawn or spam since queued
        raise CannotRender(str(_l("这封邮件所说的意见已撤回或不再计入。")))
    version = (message.context or {}).get("version")
    from portal.comments.quotes import changed_quotes, proposals_taken

    taken = comment.id in proposals_taken(comment.consultation, [comment])
    changed = bool(comment.quote) and comment.id in changed_quotes(comment.consultation, [comment])
    if not changed and not taken:  # a later revision put the words back, or took the proposal out again
        raise CannotRender(str(_l("修订稿已不再采用这条意见建议的文字。")))
    return {**context, "version": version, "proposal_taken": taken, "quote_changed": changed,
            "changes_url": external_url("drafts.changes", base=base, consultation_id=comment.consultation_id,
                                        version=version)}


def _issued_context(message: OutboxMessage) -> dict:
    """The policy a commenter commented on has been issued: for them, with their comments' receipt numbers."""
    from sqlalchemy import select

    from portal.consultations.models import Consultation

    context, base = message.context or {}, (message.context or {}).get("base_url")
    consultation = db.session.get(Consultation, context.get("consultation_id"))
    final = consultation.issued_policy if consultation is not None and consultation.is_published else None
    if final is None:
        raise CannotRender(str(_l("起草单位已撤下这份正式文件。")))
    comments = db.session.scalars(select(Comment).where(Comment.id.in_(context.get("comment_ids") or []),
                                                        Comment.status.not_in(NOT_RECEIVED))
                                  .order_by(Comment.id)).all()
    if not comments:  # withdrawn or marked spam since it was queued
        raise CannotRender(str(_l("这封邮件所说的意见已撤回或不再计入。")))
    return {
        "consultation": consultation, "final": final, "comments": comments,
        "final_url": external_url("consultations.final_document", base=base, consultation_id=consultation.id),
        "feedback_url": external_url("reports.feedback", base=base, consultation_id=consultation.id),
        "receipt_urls": {c.id: external_url("comments.receipt", base=base, number=c.receipt_number) for c in comments},
        "unsubscribe_url": external_url("mail.unsubscribe", base=base, token=unsubscribe_token(message.recipient)),
    }


def _next_round_context(message: OutboxMessage) -> dict:
    """再次征求意见: the draft a commenter commented on (or a citizen followed) is consulted on again: the new
    consultation, its period, what changed, and their earlier comments' receipt numbers."""
    from sqlalchemy import select

    from portal.consultations.models import Consultation

    context, base = message.context or {}, (message.context or {}).get("base_url")
    consultation = db.session.get(Consultation, context.get("consultation_id"))
    previous = db.session.get(Consultation, context.get("previous_id"))
    if consultation is None or not consultation.is_published or consultation.state() == "closed" or previous is None:
        raise CannotRender(str(_l("这次征求意见已不再公开或已经截止。")))
    comments = db.session.scalars(select(Comment).where(Comment.id.in_(context.get("comment_ids") or []),
                                                        Comment.status.not_in(NOT_RECEIVED))
                                  .order_by(Comment.id)).all()
    if not comments and not context.get("following"):
        raise CannotRender(str(_l("这封邮件所说的意见已撤回或不再计入。")))
    cid = consultation.id
    return {
        "consultation": consultation, "previous": previous, "comments": comments,
        "consultation_url": external_url("consultations.show", base=base, consultation_id=cid),
        "changes_url": external_url("consultations.previous_round", base=base, consultation_id=cid),
        "feedback_url": external_url("reports.feedback", base=base, consultation_id=previous.id),
        "receipt_urls": {c.id: external_url("comments.receipt", base=base, number=c.receipt_number) for c in comments},
        "unsubscribe_url": external_url("mail.unsubscribe", base=base, token=unsubscribe_token(message.recipient)),
    }


def _reply_context(message: OutboxMessage) -> dict:
    """A public reply, for the author of the comment it answers."""
    reply, base = _comment(message), (message.context or {}).get("base_url")
    if reply.status != "approved" or reply.parent is None:  # withdrawn since it was queued
        raise CannotRender(str(_l("这封邮件所说的回复已不再公开。")))
    return {
        "reply": reply,
        "comment": reply.parent,
        "consultation": reply.consultation,
        "answer_url": external_url("comments.reply", base=base, consultation_id=reply.consultation_id,
                                   comment_id=reply.id),
        "comment_url": external_url("comments.receipt", base=base, number=reply.parent.receipt_number),
        "unsubscribe_url": external_url("mail.unsubscribe", base=base, token=unsubscribe_token(message.recipient)),
    }


def _sign_in_context(message: OutboxMessage) -> dict:
    """The sign-in link, made now (it is never stored: the outbox keeps the mail with the link left out); none
    for a link used or expired already (no point sending it)."""
    from portal.citizens.models import SignInLink
    from portal.citizens.services import LINK_MAX_AGE, link_token

    link = db.session.get(SignInLink, (message.context or {}).get("link_id"))
    if link is None or link.used_at is not None:
        raise CannotRender(str(_l("这个登录链接已经用过，不再发送。")))
    if link.email.lower() != (message.recipient or "").lower():  # the row was deleted and its id given to another
        raise CannotRender(str(_l("这个登录链接已经用过，不再发送。")))  # address's link: never mail that one
    if now() - link.created_at > timedelta(seconds=LINK_MAX_AGE):
        raise CannotRender(str(_l("这个登录链接已经过期，不再发送。")))
    url = external_url("citizens.finish_sign_in", base=(message.context or {}).get("base_url"), token=link_token(link))
    return {"sign_in_url": url, "email": link.email, "minutes": LINK_MAX_AGE // 60, SECRET: url}


def _new_consultation_context(message: OutboxMessage) -> dict:
    """A consultation just published, for a citizen who asked to hear of new ones: none once the account is
    deleted or its alerts turned off, nor for a consultation no longer public or closed by now."""
    from sqlalchemy import select

    from portal.citizens.models import Citizen
    from portal.consultations.models import Consultation

    context = message.context or {}
    consultation = db.session.get(Consultation, context.get("consultation_id"))
    if consultation is None or consultation.state() in ("unpublished", "closed"):
        raise CannotRender(str(_l("这封邮件所说的征求意见已不再公开或已经截止。")))
    if not db.session.scalar(select(Citizen.consultation_alerts).where(Citizen.email == message.recipient)):
        raise CannotRender(str(_l("收件人已删除账户或关闭了新征求意见提醒。")))
    base = context.get("base_url")
    return {
        "consultation": consultation,
        "upcoming": consultation.state() == "upcoming",
        "consultation_url": external_url("consultations.show", base=base, consultation_id=consultation.id),
        "settings_url": external_url("citizens.settings", base=base),
        "unsubscribe_url": external_url("mail.unsubscribe", base=base, token=unsubscribe_token(message.recipient)),
    }


def _closed_context(message: OutboxMessage) -> dict:
    """A consultation finalised at its deadline, for its drafting office: the summary as stored, the comments
    still waiting for a moderator, and where to answer them and download the digest."""
    from sqlalchemy import func, select

    from portal.consultations.models import Consultation

    context = message.context or {}
    consultation = db.session.get(Consultation, context.get("consultation_id"))
    if consultation is None or consultation.finalised_at is None:
        raise CannotRender(str(_l("这封邮件所说的征求意见已不存在或尚未结束。")))
    waiting = db.session.scalar(select(func.count()).select_from(Comment).where(
        Comment.consultation_id == consultation.id, Comment.status == "pending")) or 0
    base, cid = context.get("base_url"), consultation.id
    return {
        "consultation": consultation,
        "waiting": waiting,
        "responses_url": external_url("responses.index", base=base, consultation_id=cid),
        "digest_url": external_url("digests.download", base=base, consultation_id=cid, fmt="xlsx"),
        "annotated_url": external_url("digests.annotated", base=base, consultation_id=cid),
        "moderation_url": external_url("moderation.queue", base=base),
        "feedback_url": external_url("reports.feedback", base=base, consultation_id=cid),
    }


def _feedback_due_context(message: OutboxMessage) -> dict:
    """A consultation closed a month or more ago whose office has published no answer: the opinions received, the
    answers written so far and where to publish them. Not sent once some answer is published."""
    from sqlalchemy import func, select

    from portal.consultations.models import Consultation
    from portal.core.time import local
    from portal.responses.models import Response
    from portal.responses.reminders import feedback_published

    context = message.context or {}
    consultation = db.session.get(Consultation, context.get("consultation_id"))
    if consultation is None or consultation.state() != "closed":
        raise CannotRender(str(_l("这封邮件所说的征求意见已不存在或尚未结束。")))
    if db.session.scalar(select(feedback_published(consultation.id))):
        raise CannotRender(str(_l("意见采纳情况已经公布，不再提醒。")))
    received = db.session.scalar(select(func.count()).select_from(Comment).where(
        comment_received(consultation.id))) or 0
    answered = db.session.scalar(select(func.count()).select_from(Response).join(
        Comment, Comment.id == Response.comment_id).where(
        Response.consultation_id == consultation.id, comment_received())) or 0
    base, cid = context.get("base_url"), consultation.id
    return {
        "consultation": consultation, "received": received, "answered": answered,
        "days": (local(now()).date() - local(consultation.deadline).date()).days,
        "responses_url": external_url("responses.index", base=base, consultation_id=cid),
        "unanswered_url": external_url("responses.index", base=base, consultation_id=cid, answer="unanswered"),
        "feedback_url": external_url("reports.feedback", base=base, consultation_id=cid),
        "report_url": external_url("work_report.staff_report", base=base,
                                   year=local(consultation.deadline).year),
    }


def _publication_review_context(message: OutboxMessage) -> dict:
    """审核发布: a request to publish, for the colleagues who may decide it; its decision, for the one who asked."""
    from portal.office.models import PublicationRequest

    context = message.context or {}
    request = db.session.get(PublicationRequest, context.get("request_id"))
    event = context.get("event")
    if request is None or (event == "requested" and request.status != "pending"):
        raise CannotRender(str(_l("这项发布申请已经审核或撤回。")))
    base, cid = context.get("base_url"), request.consultation_id
    return {
        "request": request, "consultation": request.consultation, "event": event,
        "review_url": external_url("office.review", base=base, consultation_id=cid) + "#publication-request",
        "public_url": external_url("consultations.show", base=base, consultation_id=cid),
    }


def _followed_context(message: OutboxMessage) -> dict:
    """News of a consultation the citizen follows: none once they stopped following it or deleted the account,
    nor when the consultation is no longer public."""
    from sqlalchemy import select

    from portal.citizens.models import Citizen, ConsultationFollow
    from portal.consultations.models import Consultation
    from portal.consultations.services import REMIND_DAYS

    context = message.context or {}
    consultation = db.session.get(Consultation, context.get("consultation_id"))
    if consultation is None or not consultation.is_published:
        raise CannotRender(str(_l("这封邮件所说的征求意见已不再公开。")))
    following = db.session.scalar(
        select(ConsultationFollow.id).join(Citizen, Citizen.id == ConsultationFollow.citizen_id)
        .where(Citizen.email == message.recipient, ConsultationFollow.consultation_id == consultation.id))
    if following is None:
        raise CannotRender(str(_l("收件人已不再关注这项征求意见。")))
    final = consultation.issued_policy
    if context.get("event") == "final" and final is None:
        raise CannotRender(str(_l("起草单位已撤下这份正式文件。")))
    meeting = None
    if context.get("event") == "meeting":
        from portal.meetings.models import Meeting

        meeting = db.session.get(Meeting, context.get("meeting_id"))
        if meeting is None or meeting.consultation_id != consultation.id or meeting.signup_state() != "open":
            raise CannotRender(str(_l("会议已取消或报名已截止，不再发送。")))
    if context.get("event") == "closing_soon" and (
            consultation.state() != "open" or consultation.deadline - now() > timedelta(days=REMIND_DAYS + 1)):
        raise CannotRender(str(_l("征求意见已经截止，或截止时间已经延长，不再提醒。")))
    base, cid = context.get("base_url"), consultation.id
    draft = consultation.current_draft
    return {
        "consultation": consultation,
        "event": context.get("event"),
        "days_left": consultation.days_left(),
        "extension": consultation.latest_extension,
        "draft": draft,
        "consultation_url": external_url("consultations.show", base=base, consultation_id=cid),
        "changes_url": external_url("drafts.changes", base=base, consultation_id=cid, version=draft.version)
        if draft is not None and draft.version > 1 else None,
        "feedback_url": external_url("reports.feedback", base=base, consultation_id=cid),
        "final": final,
        "meeting": meeting,
        "meeting_url": external_url("meetings.show", base=base, consultation_id=cid, meeting_id=meeting.id)
        if meeting is not None else None,
        "final_url": external_url("consultations.final_document", base=base, consultation_id=cid),
        "settings_url": external_url("citizens.settings", base=base),
        "unsubscribe_url": external_url("mail.unsubscribe", base=base, token=unsubscribe_token(message.recipient)),
    }


def _meeting_context(message: OutboxMessage) -> dict:
    """News of a meeting the recipient signed up for (portal/meetings): none once their sign-up is withdrawn or its
    contact details erased, nor when what the mail would say is no longer so (the office changed its choice)."""
    from portal.meetings.models import MeetingRegistration

    context = message.context or {}
    registration = db.session.get(MeetingRegistration, context.get("registration_id"))
    event = context.get("event")
    if registration is None or registration.erased_at is not None or registration.status == "withdrawn":
        raise CannotRender(str(_l("报名人已取消报名，或报名信息已删除。")))
    # the decision a mail tells of (a reminder: the place given) must still stand when it is sent
    expected = {"accepted": "accepted", "declined": "declined", "reminder": "accepted", "promoted": "accepted"}.get(event)
    if expected is not None and registration.status != expected:
        raise CannotRender(str(_l("组织单位已改变了对这条报名的安排，不再发送。")))
    meeting, base = registration.meeting, context.get("base_url")
    if event in ("changed", "reminder", "promoted", "accepted") and meeting.is_cancelled:  # the cancellation is told
        raise CannotRender(str(_l("会议已取消，不再发送变更通知。")))
    if event == "withdrawn" and meeting.consultation.is_published:
        raise CannotRender(str(_l("征求意见已重新发布，不再发送撤回的通知。")))
    if event == "reminder" and now() >= meeting.starts_at:
        raise CannotRender(str(_l("会议已经开始，不再提醒。")))
    consultation = meeting.consultation
    contact = " ".join(filter(None, [consultation.contact_person, "，".join(consultation.contact_phones or [])]))
    return {
        "registration": registration, "meeting": meeting, "consultation": consultation, "event": event,
        "contact": contact,
        "meeting_url": external_url("meetings.show", base=base, consultation_id=consultation.id, meeting_id=meeting.id),
        "consultation_url": external_url("consultations.show", base=base, consultation_id=consultation.id),
    }


SECRET = "_secret"  # a context entry naming what the stored copy of the mail must leave out
CONTEXTS = {"comment": _comment_context, "receipt": _receipt_context, "confirm": _confirm_context,
            "response": _response_context, "reply": _reply_context, "sign_in": _sign_in_context,
            "new_consultation": _new_consultation_context, "closed": _closed_context,
            "feedback_due": _feedback_due_context, "next_round": _next_round_context,
            "publication_review": _publication_review_context,
            "followed": _followed_context, "quote_changed": _quote_changed_context, "issued": _issued_context,
            "meeting": _meeting_context}


def render(message: OutboxMessage) -> RenderedMail:
    """Subject and bodies of a message queued as a template and ids (reads its comment; writes nothing)."""
    build = CONTEXTS.get(message.template or "")
    if build is None:
        raise CannotRender(f"unknown mail template {message.template!r}")
    context = build(message)
    rendered = render_mail(message.template, message.language, **context)
    rendered.secret = context.get(SECRET)
    return rendered

