"""The public API (开放数据接口): read-only JSON of what the public pages show, under /api/v1/, and its
documentation at /api/. No account, no key, no session; limited per client address."""
from __future__ import annotations

import math
import time

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from portal.api import cache, openapi, services
from portal.consultations.models import public_consultation
from portal.core.web import MAX_ID, query_int
from portal.extensions import limiter

bp = Blueprint("api", __name__)
PREFIX = "/api/v1"
MAX_PER_PAGE = 100


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.parameter = status, code, message, parameter


def json_response(data, status: int = 200) -> Response:
    """``data`` (or its JSON text, from the cache) as the API answers."""
    text = data if isinstance(data, str) else cache.serialise(data)
    response = Response(text, status=status, mimetype="application/json")
    # open data: any site may read it from a browser (no session is read or set, so nothing private leaks)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Retry-After"  # readable by those sites' scripts
    response.vary.update(("Accept-Language", "Cookie"))  # messages and headings follow the reader's language
    if status == 200:
        response.headers["Cache-Control"] = "public, max-age=60"
        response.add_etag()
        etag, _weak = response.get_etag()
        # The conditions of RFC 9110 (13.2.2), evaluated here rather than by werkzeug's make_conditional, which
        # answers 412 to "If-Match: *" and sends the whole answer with its 412, cacheable for 60 s.
        if request.if_match and not request.if_match.contains(etag):
            return error_response(412, "precondition_failed", _("If-Match 中没有这个回答现在的 ETag。"))
        if request.if_none_match.contains_weak(etag):
            response.status_code = 304  # werkzeug then sends no body and no content headers
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


def error_response(status: int, code: str, message: str, parameter: str | None = None) -> Response:
    return json_response({"error": {"status": status, "code": code, "message": message, "parameter": parameter}},
                         status)


@bp.after_request
def answer_preflight(response: Response) -> Response:
    """A browser asks (OPTIONS) before a script on another site sends a header of its own (If-None-Match, say):
    the answer lets any site read the API with the headers the API understands (Flask answers OPTIONS itself)."""
    if request.method == "OPTIONS":
        response.status_code = 204
        response.set_data(b"")
        response.headers.update({
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": "GET, HEAD",
            "Access-Control-Allow-Headers": "If-None-Match, If-Match, Accept-Language",
            "Access-Control-Max-Age": "86400",
        })
    return response


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return error_response(error.status, error.code, error.message, error.parameter)


@bp.errorhandler(429)
def too_many_requests(_error):
    response = error_response(429, "too_many_requests", _("请求太频繁，请稍后再试。"))
    # when to try again (RFC 9110: Retry-After, in seconds): when the window that was used up ends
    current = limiter.current_limit
    if current is not None:
        response.headers["Retry-After"] = str(max(1, math.ceil(current.reset_at - time.time())))
    return response


def method_not_allowed(error: HTTPException) -> Response:
    """A method other than GET under /api/, refused before a view is chosen: JSON as well (the app's own 405 and
    404 handlers send /api/ addresses here)."""
    response = error_response(405, "method_not_allowed", _("开放数据接口只能读取（GET）。"))
    if error.valid_methods:  # a 405 must say which methods the address takes (RFC 9110)
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def bad_request() -> Response:
    """A request the portal refuses before choosing a view (a NUL character in its address: portal/core/web.py)."""
    return error_response(400, "bad_request", _("请求中有无法识别的字符。"))


def not_found() -> Response:
    """A 404 under /api/ (the app's handler sends unknown paths here too)."""
    return error_response(404, "not_found", _("没有这个地址，或要找的内容尚未发布。"))


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


limiter.limit(_rate_limit)(bp)


def _paging() -> tuple[int, int]:
    return _whole_number("page", 1, MAX_ID), _whole_number("per_page", 20, MAX_PER_PAGE)


def _whole_number(name: str, default: int, most: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    value = query_int(raw)  # None beyond MAX_ID
    if value is None or value > most:
        raise ApiError(400, "bad_parameter", _("参数 %(name)s 应是 1 到 %(most)d 之间的整数。", name=name, most=most),
                       name)
    return value


def _choice(name: str, choices: tuple[str, ...], default: str | None) -> str | None:
    value = request.args.get(name) or default
    if value is not None and value not in choices:
        raise ApiError(400, "bad_parameter", _("参数 %(name)s 只能是 %(choices)s。", name=name, choices=_("、").join(choices)),
                       name)
    return value


def _consultation(consultation_id: int):
    consultation = public_consultation(consultation_id)
    if consultation is None:
        raise ApiError(404, "not_found", _("没有这次征求意见，或尚未发布。"))
    return consultation


@bp.get(f"{PREFIX}/")
def index():
    return json_response({
        "name": _("公开征求意见平台开放接口"),
        "version": openapi.VERSION,
        "documentation": url_for("api.documentation", _external=True),
        "openapi": url_for("api.openapi_document", _external=True),
        "consultations": url_for("api.consultations", _external=True),
        "report": url_for("api.report", _external=True),
    })


@bp.get(f"{PREFIX}/openapi.json")
def openapi_document():
    return json_response(openapi.document(url_for("api.index", _external=True).rstrip("/")))


@bp.get(f"{PREFIX}/consultations")
def consultations():
    state = _choice("state", services.STATES, None)
    page, per_page = _paging()
    found = services.consultation_page(state, page, per_page)
    return json_response(found.as_dict("api.consultations", **({"state": state} if state else {})))


@bp.get(f"{PREFIX}/consultations/<int:consultation_id>")
def consultation(consultation_id: int):
    return json_response(cache.answer(
        consultation_id, lambda: services.consultation_detail(_consultation(consultation_id))))


@bp.get(f"{PREFIX}/consultations/<int:consultation_id>/comments")
def comments(consultation_id: int):
    return json_response(cache.answer(consultation_id, lambda: _comments(consultation_id)))


def _comments(consultation_id: int) -> dict:
    consultation = _consultation(consultation_id)
    if not consultation.comments_public:
        raise ApiError(403, "comments_not_public",
                       _("这次征求意见的意见不公开显示，只提供给起草单位。截止后可查看意见采纳情况反馈。"))
    anchor = request.args.get("section") or None
    section = None
    if anchor is not None and anchor != services.WHOLE_DRAFT:
        section = consultation.current_section(anchor)
        if section is None:
            raise ApiError(404, "section_not_found", _("草案中没有这个章节。"), "section")
    order = _choice("order", services.COMMENT_ORDERS, "oldest")
    page, per_page = _paging()
    found = services.comment_page(consultation, section, anchor == services.WHOLE_DRAFT, order, page, per_page)
    arguments = {"consultation_id": consultation.id, **({"section": anchor} if anchor else {}),
                 **({"order": order} if order != "oldest" else {})}
    return {
        "consultation": {"id": consultation.id, "title": consultation.title,
                         "url": url_for("consultations.show", consultation_id=consultation.id, _external=True)},
        "section": services.section_reference(section),
        **found.as_dict("api.comments", **arguments),
    }


@bp.get(f"{PREFIX}/consultations/<int:consultation_id>/statistics")
def statistics(consultation_id: int):
    # its figures kept in memory under the consultation's tokens and its newest comment (portal/reports/figures.py):
    # it counts comments still waiting for a moderator, whose arrival renews no token
    return json_response(services.statistics(_consultation(consultation_id)))


@bp.get(f"{PREFIX}/report")
def report():
    from portal.core.time import local, now
    from portal.reports.work_report import Period, PeriodError, work_report

    try:
        period = Period.parse(request.args.get("year"), request.args.get("quarter"), local(now()).date())
    except PeriodError as error:
        message = _("季度只能是 1 到 4。") if error.parameter == "quarter" else _("没有这个年份。")
        raise ApiError(400, "bad_parameter", message, error.parameter) from None
    return json_response(services.work_report(work_report(period, public=True)))


@bp.get(f"{PREFIX}/consultations/<int:consultation_id>/feedback")
def feedback(consultation_id: int):
    consultation = _consultation(consultation_id)
    if not consultation.is_closed:
        raise ApiError(404, "not_closed", _("征求意见截止后才有意见采纳情况反馈。"))
    page, per_page = _paging()
    return json_response(services.feedback(consultation, _("对草案整体的意见"), page, per_page))


@bp.get("/api/")
def documentation():
    """The API described for people, from the same document as /api/v1/openapi.json."""
    base = url_for("api.index", _external=True).rstrip("/")
    return render_template("api/documentation.html", spec=openapi.document(base), base=base)
