"""When digests fall due. Pure: no app needed.

Digest periods are aligned on a daily anchor hour in Asia/Shanghai (08:00 by default) and repeat every
N hours (N divides 24), so "every 6 hours" means 02:00, 08:00, 14:00 and 20:00.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def latest_boundary(at: datetime, every_hours: int, anchor_hour: int) -> datetime:
    """The most recent period end at or before ``at`` (aware, in Asia/Shanghai)."""
    if every_hours <= 0 or 24 % every_hours:
        raise ValueError("every_hours must divide 24")
    local = at.astimezone(SHANGHAI)
    anchor = datetime.combine(local.date(), time(anchor_hour % 24), tzinfo=SHANGHAI)
    if anchor > local:
        anchor -= timedelta(days=1)
    steps = int((local - anchor) // timedelta(hours=every_hours))
    return anchor + timedelta(hours=every_hours * steps)
