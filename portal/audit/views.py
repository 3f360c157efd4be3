"""The audit log page (/admin/audit): administrators read and filter it. Nothing here edits or deletes."""
import math
from datetime import date, timedelta
from urllib.parse import urlencode

from flask import Blueprint, render_template, request

from portal.accounts.access import role_required
from portal.audit.labels import action_label, field_label, target_label, value_label
from portal.audit.services import find_entries, known_actions
from portal.core.time import local_midnight
from portal.core.web import query_int

bp = Blueprint("audit", __name__)
PER_PAGE = 50
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _day(value: str):
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None  # 0001-01-01 or 9999-12-31 would overflow


def _number(value: str):
    return query_int(value)


@bp.get("/admin/audit")
@role_required("admin")
def index():
    args = request.args
    since, until = _day(args.get("from", "")), _day(args.get("to", ""))
    page = _number(args.get("page", "")) or 1
    entries, total = find_entries(
        action=args.get("action", "").strip(),
        actor=args.get("actor", "").strip()[:100],
        consultation_id=_number(args.get("consultation", "")),
        target_type=args.get("target_type", "").strip(),
        target_id=_number(args.get("target_id", "")),
        since=local_midnight(since) if since else None,
        until=local_midnight(until + timedelta(days=1)) if until else None,
        page=page,
        per_page=PER_PAGE,
    )
    filters = {k: v for k, v in args.items() if k != "page" and v}
    return render_template(
        "audit/index.html", entries=entries, total=total, page=page, pages=max(1, math.ceil(total / PER_PAGE)),
        actions=known_actions(), action_label=action_label, field_label=field_label, target_label=target_label,
        value_label=value_label, args=args, page_query=lambda n: urlencode({**filters, "page": n}),
    )
