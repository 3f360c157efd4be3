"""Commenters confirm their address and unsubscribe (signed links); administrators watch the outbox."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.accounts.access import role_required
from portal.audit.services import record_action
from portal.comments.models import Comment
from portal.core.web import query_int
from portal.extensions import csrf, db, limiter
from portal.mail.forms import ConfirmForm
from portal.mail.links import email_from_confirm_token, email_from_unsubscribe_token
from portal.mail.models import STATUSES, OutboxMessage
from portal.mail.services import confirm_address, resend_message, unsubscribe_address
from portal.routing.queue import given_up as routing_given_up
from portal.routing.queue import waiting as routing_waiting

bp = Blueprint("mail", __name__)
PAGE_SIZE = 50


def _link_error():
    return render_template(
        "errors/error.html", title=_("链接无效"),
        message=_("这个链接无效或已过期。请使用邮件中的完整链接，或重新提交意见。"),
    ), 404


@bp.route("/mail/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("30/minute")
def confirm(token: str):
    email = email_from_confirm_token(token)
    if email is None:
        return _link_error()
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate():
            abort(400)
        receipts = confirm_address(email)
        db.session.commit()
        return render_template("mail/confirmed_page.html", email=email, receipts=receipts)
    return render_template("mail/confirm_page.html", email=email, form=form)


@bp.get("/mail/unsubscribe/<token>")
def unsubscribe(token: str):
    email = email_from_unsubscribe_token(token)
    if email is None:
        return _link_error()
    return render_template("mail/unsubscribe_page.html", email=email, form=ConfirmForm(), token=token)


@bp.post("/mail/unsubscribe/<token>")
@csrf.exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" without a form; the token signs it
@limiter.limit("30/minute")
def unsubscribe_post(token: str):
    email = email_from_unsubscribe_token(token)
    if email is None:
        return _link_error()
    unsubscribe_address(email)
    db.session.commit()
    return render_template("mail/unsubscribed_page.html", email=email)


@bp.get("/admin/outbox")
@role_required("admin")
def outbox():
    status = request.args.get("status", "")
    if status and status not in STATUSES:
        abort(404)
    page = query_int(request.args.get("page")) or 1
    # with each message's comment (its status only): a mail whose comment was withdrawn is not offered to resend
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).options(
        selectinload(OutboxMessage.comment).load_only(Comment.id, Comment.status))
    if status:
        query = query.where(OutboxMessage.status == status)
    messages = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return render_template(
        "mail/outbox.html", messages=messages, status=status, counts=counts, statuses=STATUSES,
        page=page, has_next=len(messages) == PAGE_SIZE, form=ConfirmForm(), routing_waiting=routing_waiting(),
        routing_failed=routing_given_up(),
    )


@bp.post("/admin/outbox/<int:message_id>/resend")
@role_required("admin")
def resend(message_id: int):
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    if not ConfirmForm().validate() or not message.may_resend:
        abort(400)
    queued = resend_message(message)
    record_action(current_user, "resend_mail", queued, consultation_id=queued.consultation_id,
                  before={"id": message.id, "status": "sent" if queued is not message else "failed"},
                  after={"id": queued.id, "status": "pending"})
    db.session.commit()
    return redirect(url_for("mail.outbox", status=request.args.get("status", "")), code=303)
