"""Citizens report (举报) a published comment."""
from flask import Blueprint, current_app, redirect, render_template, request, url_for

from portal.comments.views import get_public_comment
from portal.extensions import db, limiter
from portal.moderation.forms import ReportForm
from portal.moderation.services import report_comment
from portal.moderation.signs import address_hash

bp = Blueprint("comment_reports", __name__)


def report_rate_limit() -> str:
    return current_app.config["REPORT_RATE_LIMIT"]


@bp.route("/consultations/<int:consultation_id>/comments/<int:comment_id>/report", methods=["GET", "POST"])
@limiter.limit(report_rate_limit, methods=["POST"])
def report(consultation_id: int, comment_id: int):
    consultation, comment = get_public_comment(consultation_id, comment_id)
    form = ReportForm()
    if form.validate_on_submit():
        report_comment(
            comment, form.reason.data, form.note.data,
            address_hash(request.remote_addr, current_app.config["SECRET_KEY"]),
        )
        db.session.commit()
        return redirect(url_for("comment_reports.reported", consultation_id=consultation.id, comment_id=comment.id), code=303)
    status = 422 if form.errors else 200
    return render_template("moderation/report.html", consultation=consultation, comment=comment, form=form), status


@bp.get("/consultations/<int:consultation_id>/comments/<int:comment_id>/reported")
def reported(consultation_id: int, comment_id: int):
    consultation, comment = get_public_comment(consultation_id, comment_id)
    return render_template("moderation/reported.html", consultation=consultation, comment=comment)
