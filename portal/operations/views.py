"""The status page for administrators (/admin/status) and the health check for a load balancer (/health)."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from portal.accounts.access import role_required
from portal.core.time import now
from portal.extensions import db
from portal.operations import status

bp = Blueprint("operations", __name__)


@bp.get("/admin/status")
@role_required("admin")
def status_page():
    at = now()
    return render_template(
        "operations/status.html", at=at, backlogs=status.backlogs(at), workers=status.workers(at),
        jobs=status.jobs(at), failed_mail=status.failed_mail_count(), late=status.LATE,
        retrying=status.retrying_mail(),
    )


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
