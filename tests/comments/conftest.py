"""Fixtures of the comments' tests."""
import pytest
from sqlalchemy import select

from portal.extensions import db


@pytest.fixture
def unit_open_003(open_003):
    """Seed 003 with its responsible units reachable by mail."""
    from portal.units.models import Unit

    for unit in db.session.scalars(select(Unit)):
        unit.emails = [f"unit{unit.id}@example.gov.cn"]
    db.session.commit()
    return open_003
