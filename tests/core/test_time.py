"""One writer of times for machines (the API, the Atom feed, the sitemap): RFC 3339, Asia/Shanghai, seconds."""
from datetime import UTC, datetime

from portal.core.time import rfc3339


def test_rfc3339_is_shanghai_time_to_the_second():
    stored = datetime(2023, 5, 12, 15, 59, 59, 987654, tzinfo=UTC)  # as the database gives it back
    assert rfc3339(stored) == "2023-05-12T23:59:59+08:00"


def test_rfc3339_crosses_midnight_into_the_local_day():
    assert rfc3339(datetime(2023, 4, 30, 16, 30, tzinfo=UTC)) == "2023-05-01T00:30:00+08:00"
