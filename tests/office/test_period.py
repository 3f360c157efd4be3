"""The period rules (pure)."""
from datetime import timedelta

from portal.office.period import is_short, period_problems
from tests.helpers import shanghai

NOW = shanghai(2023, 4, 12, 10, 0)


def test_thirty_days_is_enough_and_one_second_less_is_short():
    assert not is_short(NOW, NOW + timedelta(days=30))
    assert is_short(NOW, NOW + timedelta(days=30) - timedelta(seconds=1))
    assert period_problems(NOW, NOW + timedelta(days=30), NOW) == []


def test_short_period_needs_both_confirmation_and_reason():
    deadline = NOW + timedelta(days=10)
    assert [f for f, _ in period_problems(NOW, deadline, NOW)] == ["confirm_short", "short_reason"]
    assert [f for f, _ in period_problems(NOW, deadline, NOW, True, "  ")] == ["short_reason"]
    assert period_problems(NOW, deadline, NOW, True, "紧急") == []


def test_deadline_after_opening_and_opening_not_in_the_past():
    assert period_problems(NOW, NOW, NOW)[0][0] == "deadline_date"
    assert period_problems(NOW - timedelta(days=1), NOW + timedelta(days=40), NOW)[0][0] == "opens_date"
