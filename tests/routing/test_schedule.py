"""Digest periods: aligned on an hour in Asia/Shanghai, every N hours."""
import pytest

from portal.routing.schedule import latest_boundary
from tests.helpers import shanghai


def test_daily_at_eight():
    assert latest_boundary(shanghai(2024, 5, 10, 9, 30), 24, 8) == shanghai(2024, 5, 10, 8, 0)
    assert latest_boundary(shanghai(2024, 5, 10, 7, 59), 24, 8) == shanghai(2024, 5, 9, 8, 0)
    assert latest_boundary(shanghai(2024, 5, 10, 8, 0), 24, 8) == shanghai(2024, 5, 10, 8, 0)


def test_every_six_hours_from_eight():
    assert latest_boundary(shanghai(2024, 5, 10, 7, 0), 6, 8) == shanghai(2024, 5, 10, 2, 0)
    assert latest_boundary(shanghai(2024, 5, 10, 21, 0), 6, 8) == shanghai(2024, 5, 10, 20, 0)
    assert latest_boundary(shanghai(2024, 5, 10, 1, 0), 6, 8) == shanghai(2024, 5, 9, 20, 0)


def test_utc_input_is_read_in_shanghai():
    from datetime import UTC, datetime

    # 00:30 UTC is 08:30 in Shanghai
    assert latest_boundary(datetime(2024, 5, 10, 0, 30, tzinfo=UTC), 24, 8) == shanghai(2024, 5, 10, 8, 0)


def test_period_must_divide_a_day():
    with pytest.raises(ValueError):
        latest_boundary(shanghai(2024, 5, 10, 9, 0), 5, 8)
