"""Time: stored in UTC, shown in Asia/Shanghai, read from one clock that tests can move."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy.types import DateTime, TypeDecorator

SHANGHAI = ZoneInfo("Asia/Shanghai")


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime, stored as UTC on every engine.

    SQLite keeps no offset, so values are stored as naive UTC and given back aware.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def now() -> datetime:
    """The current time, aware, in UTC. Tests set ``app.config["CLOCK"]`` to move it."""
    if has_app_context():
        clock = current_app.config.get("CLOCK")
        if clock is not None:
            return clock()
    return datetime.now(UTC)


def local(value: datetime) -> datetime:
    return value.astimezone(SHANGHAI)


def rfc3339(value: datetime) -> str:
    """An aware time as RFC 3339 in Asia/Shanghai, to the second, as notices give times: 2023-04-20T09:00:00+08:00
    (the API, the Atom feed and the sitemap write their times with it)."""
    return value.astimezone(SHANGHAI).isoformat(timespec="seconds")


def chinese_date(moment: datetime | date) -> str:
    """The day of an aware time in Asia/Shanghai, or a day, as Chinese documents write it: 2023年5月12日."""
    day = moment.astimezone(SHANGHAI) if isinstance(moment, datetime) else moment
    return f"{day.year}年{day.month}月{day.day}日"


def end_of_day(day: date) -> datetime:
    """The last second of ``day`` in Asia/Shanghai (how "请于5月12日前" is read)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)


def day_end_deadline(deadline: datetime | None) -> datetime | None:
    """A deadline at 00:00:00 (Asia/Shanghai) as the last second of the day before: "5月13日0时" and "5月12日24时" are
    one moment, and the pages, the days left, the closing summary and the office's checks then all name 12 May, the
    last day to comment (at 00:00 of the 13th they said "截止到5月13日" and "明天截止" on the 12th)."""
    if deadline is None:
        return None
    at = deadline.astimezone(SHANGHAI)
    if (at.hour, at.minute, at.second, at.microsecond) == (0, 0, 0, 0):
        return at - timedelta(seconds=1)
    return deadline


def parse_deadline(value: str) -> datetime:
    """A deadline given on the command line (ISO 8601): a date alone is the end of that day, as "请于5月31日前" is
    read (it was its first second, closing a day early); a time without seconds at :59 is that minute's last second,
    as the office's form takes it."""
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return end_of_day(date.fromisoformat(text))
    parsed = parse_iso(text)
    if re.search(r"[T ]\d{2}:\d{2}(?:[+-]|Z|$)", text) and parsed.minute == 59 and parsed.second == 0:
        parsed = parsed.replace(second=59)
    return parsed


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=SHANGHAI)


def days_from(start: datetime, days: int) -> datetime:
    return start + timedelta(days=days)


def parse_iso(value: str) -> datetime:
    """Parse an ISO 8601 time; a value without offset is taken as Asia/Shanghai."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SHANGHAI)
    return parsed
