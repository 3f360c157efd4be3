"""The office answers comments: one at a time or many at once, then publishes its answers after closing."""
from itertools import groupby

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal.accounts.access import can_manage_consultation, get_managed_consultation, role_required
from portal.comments.attachments import attachments_of
from portal.comments.models import Comment, NOT_RECEIVED
from portal.consultations.models import Consultation
from portal.core.web import query_int
from portal.digests.services import attachment_count
from portal.extensions import db
from portal.responses.forms import BulkResponseForm, ResponseForm
from portal.responses.models import Response
from portal.responses.services import (
    ResponseRefused, publish_responses, respond_to_comments, respondable_comments, response_counts,
)

bp = Blueprint("responses", __name__, url_prefix="/office/consultations/<int:consultation_id>")
PAGE_SIZE = 100




def get_comment(consultation: Consultation, comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.consultation_id != consultation.id or comment.status in NOT_RECEIVED:
        abort(404)
    return comment


@bp.get("/responses")
@role_required("office")
def index(consultation_id: int):
    consultation = get_managed_consultation(consultation_id)
    return render_index(consultation, BulkResponseForm())


def render_index(consultation: Consultation, form: BulkResponseForm, status: int = 200):
    page = query_int(request.args.get("page")) or 1
    total = db.session.scalar(select(func.count()).select_from(respondable_comments(consultation).subquery()))
    rows = db.session.execute(
        respondable_comments(consultation)
        .add_columns(Response)
        .outerjoin(Response, Response.comment_id == Comment.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    groups = [(section_id, list(group)) for section_id, group in groupby(rows, key=lambda row: row.Comment.section_id)]
    return render_template(
        "responses/index.html", consultation=consultation, form=form, groups=groups, page=page, pages=pages,
        total=total, counts=response_counts(consultation),
        attachments=attachments_of(row.Comment.id for row in rows), file_count=attachment_count(consultation),
    ), status


@bp.post("/responses")
@role_required("office")
def respond_many(consultation_id: int):
    consultation = get_managed_consultation(consultation_id)
    form = BulkResponseForm()
    if not form.validate():
        return render_index(consultation, form, 422)
    comments = db.session.scalars(
        select(Comment).where(Comment.id.in_(form.comment_ids.data), Comment.consultation_id == consultation.id)
    ).all()
    try:
        written = respond_to_comments(consultation, comments, form.outcome.data, form.reason.data, current_user)
    except ResponseRefused as refusal:
        db.session.rollback()
        form.comment_ids.errors = [refusal.message]
        return render_index(consultation, form, 422)
    db.session.commit()
    flash(_("已保存 %(n)d 条答复。", n=len(written)))
    return redirect(url_for("responses.index", consultation_id=consultation.id, page=request.args.get("page", 1)))


@bp.route("/responses/<int:comment_id>", methods=["GET", "POST"])
@role_required("office")
def respond_one(consultation_id: int, comment_id: int):
    consultation = get_managed_consultation(consultation_id)
    comment = get_comment(consultation, comment_id)
    response = db.session.scalar(select(Response).where(Response.comment_id == comment.id))
    form = ResponseForm(obj=response)
    if form.validate_on_submit():
        paraphrase = form.paraphrase.data if not consultation.comments_public else None
        respond_to_comments(consultation, [comment], form.outcome.data, form.reason.data, current_user, paraphrase)
        db.session.commit()
        flash(_("答复已保存。"))
        return redirect(url_for("responses.index", consultation_id=consultation.id) + f"#comment-{comment.id}")
    status = 422 if form.errors else 200
    return render_template(
        "responses/respond.html", consultation=consultation, comment=comment, response=response, form=form,
        attachments=attachments_of([comment.id]),
    ), status


@bp.post("/responses/publish")
@role_required("office")
def publish(consultation_id: int):
    consultation = get_managed_consultation(consultation_id)
    try:
        count = publish_responses(consultation, current_user)
    except ResponseRefused as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return redirect(url_for("responses.index", consultation_id=consultation.id))
    db.session.commit()
    flash(_("已公布 %(n)d 条答复。", n=count))
    return redirect(url_for("reports.feedback", consultation_id=consultation.id))


bp.add_app_template_global(can_manage_consultation, "can_manage_consultation")
