"""The status page for administrators (/admin/status) and the health check for a load balancer (/health)."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_login import current_user
from sqlalchemy import text

from portal.accounts.access import role_required
from portal.core.flash import flash_message
from portal.core.time import now
from portal.core.web import query_int
from portal.extensions import db
from portal.mail.forms import ConfirmForm
from portal.operations import status
from portal.routing.services import retry_failed_routing

bp = Blueprint("operations", __name__)


@bp.get("/admin/status")
@role_required("admin")
def status_page():
    at = now()
    return render_template(
        "operations/status.html", at=at, backlogs=status.backlogs(at), workers=status.workers(at),
        jobs=status.jobs(at), failed_mail=status.failed_mail_count(), late=status.LATE,
        retrying=status.retrying_mail(), retrying_routing=status.retrying_routing(),
        failed_routing=status.failed_routing(), form=ConfirmForm(),
        failed_exports=status.failed_exports(at),
    )


@bp.post("/admin/status/routing/retry")
@role_required("admin")
def retry_routing():
    """Put comments whose mails could not be planned back in the routing queue: one (``comment_id``) or all."""
    if not ConfirmForm().validate():
        abort(400)
    raw = request.form.get("comment_id", "")
    comment_id = query_int(raw)
    if raw and comment_id is None:
        abort(400)
    retried = retry_failed_routing(current_user, comment_id)
    db.session.commit()
    if retried:
        flash_message(lazy_ngettext("已重新排队 %(num)s 条意见：发信程序下一轮会为它们生成邮件。如果问题还没有排除，会再次失败并显示在这里。",
                                    "已重新排队 %(num)s 条意见：发信程序下一轮会为它们生成邮件。如果问题还没有排除，会再次失败并显示在这里。",
                                    len(retried)))
    else:
        flash_message(_l("没有需要重试的意见：可能已由其他管理员重试。"), "error")
    return redirect(url_for("operations.status_page") + "#routing-failures", code=303)


@bp.get("/health")
def health():
    """200 when this worker can reach the database, 503 when it cannot: for a load balancer or a monitor. Says
    nothing else (no version, no counts) and sets no cookie."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception:  # noqa: BLE001 - any failure to reach the database means: take this worker out
        db.session.rollback()
        response = jsonify(status="unavailable")
        response.status_code = 503
    else:
        response = jsonify(status="ok")
    response.headers["Cache-Control"] = "no-store"
    return response
