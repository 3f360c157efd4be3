"""Shared by the routing tests: seed 003 open for comments, its notice's contact and the 市民政局 unit with an address."""
import pytest

from portal.extensions import db
from portal.units.models import Unit
from tests.helpers import shanghai

CONTACT = "contact@example.gov.cn"  # the consultation's contact address
UNIT = "mzj@example.gov.cn"  # 市民政局's address


@pytest.fixture
def open_003(app, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    consultation.contact_emails = [CONTACT]
    db.session.add(Unit(name="市民政局", emails=[UNIT]))
    db.session.commit()
    return consultation
