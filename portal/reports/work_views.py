"""The work report's pages: the public one (/consultations/report) and the staff's (/office/report, with an Excel
download). Thin: the figures come from portal/reports/work_report.py, the workbook from work_workbook.py."""
from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.access import role_required
from portal.core.time import local, now
from portal.core.web import name_download, query_int
from portal.extensions import db
from portal.reports.work_report import Period, PeriodError, report_years, work_report
from portal.reports.work_workbook import write_work_report
from portal.units.models import Unit

bp = Blueprint("work_report", __name__)

NO_UNIT = "none"


def _percent(share: float) -> str:
    return format_percent(share, "#,##0.#%")


def _period() -> Period:
    try:
        return Period.parse(request.args.get("year"), request.args.get("quarter"), local(now()).date())
    except PeriodError:
        abort(404)


@bp.get("/consultations/report")
def public_report():
    period = _period()
    report = work_report(period, public=True)
    return render_template("reports/work_report.html", report=report, years=report_years(local(now()).date()),
                           units=None, unit_arg=None, percent=_percent)


def _staff_scope() -> tuple[dict, str | None]:
    """The keyword arguments of ``work_report`` for the signed-in staff member, and the unit chosen (administrators:
    all units, one, or those of no unit; office staff: their own unit only)."""
    if current_user.role == "admin":
        chosen = request.args.get("unit") or None
        if chosen is None:
            return {}, None
        if chosen == NO_UNIT:
            return {"all_units": False, "unit_id": None}, chosen
        unit_id = query_int(chosen)
        unit = db.session.get(Unit, unit_id) if unit_id is not None else None
        if unit is None:
            abort(404)
        return {"all_units": False, "unit_id": unit.id}, chosen
    if current_user.unit_id is None:  # office staff of no unit manage nothing
        abort(403)
    return {"all_units": False, "unit_id": current_user.unit_id}, None


@bp.get("/office/report")
@role_required("office")
def staff_report():
    period = _period()
    scope, unit_arg = _staff_scope()
    report = work_report(period, public=False, **scope)
    units = list(db.session.scalars(select(Unit).order_by(Unit.name))) if current_user.role == "admin" else None
    return render_template("reports/work_report.html", report=report, years=report_years(local(now()).date()),
                           units=units, unit_arg=unit_arg, no_unit=NO_UNIT, percent=_percent)


@bp.get("/office/report.xlsx")
@role_required("office")
def staff_report_workbook():
    period = _period()
    scope, _unit_arg = _staff_scope()
    report = work_report(period, public=False, **scope)
    out = io.BytesIO()
    write_work_report(report, out)
    out.seek(0)
    name = _("征求意见工作情况统计") + f"-{period.year}" + (f"Q{period.quarter}" if period.quarter else "") + ".xlsx"
    response = send_file(out, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         as_attachment=True, download_name=name, etag=False, max_age=0)
    quarter = f"Q{period.quarter}" if period.quarter else ""
    name_download(response, name, f"work-report-{period.year}{quarter}.xlsx")
    response.headers["Cache-Control"] = "private, no-store"
    return response
