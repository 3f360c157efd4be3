"""The rules of a consultation period. Pure: plain values in, a list of problems out.

The period opens now or at a chosen time; the deadline comes after the opening; a period shorter than
30 days (the usual minimum for 重大行政决策 drafts) needs an explicit confirmation and a stated reason.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

USUAL_MINIMUM = timedelta(days=30)


def is_short(opens_at: datetime, deadline: datetime) -> bool:
    return deadline - opens_at < USUAL_MINIMUM


def period_problems(
    opens_at: datetime, deadline: datetime, at: datetime, confirmed_short: bool = False, reason: str = ""
) -> list[tuple[str, str]]:
    """[(field, message)] — empty when the period may be used."""
    if opens_at < at - timedelta(minutes=5):
        return [("opens_date", _l("开始时间已经过去。请选择“立即开始”，或选择一个以后的时间。"))]
    if deadline <= opens_at:
        return [("deadline_date", _l("截止时间必须晚于开始时间。"))]
    if is_short(opens_at, deadline):
        problems = []
        if not confirmed_short:
            problems.append(("confirm_short", _l("征求意见时间少于30天。如确需缩短，请勾选确认。")))
        if not reason.strip():
            problems.append(("short_reason", _l("征求意见时间少于30天，请说明理由。")))
        return problems
    return []
