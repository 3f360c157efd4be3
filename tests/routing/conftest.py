"""Shared by the routing tests: seed 003 open for comments, its notice's contact and the 市民政局 unit with an address."""
import threading

import pytest

from portal.extensions import db
from portal.routing.queue import route_queued
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


def two_workers_route(app, batch: int, failures: list | None = None) -> int:
    """Two mail workers route the queued comments at once, each in its own thread and session, in batches of
    ``batch`` until a pass routes none: how many they routed (neither may raise; ``failures``: route_queued's)."""
    routed, errors = [], []
    start = threading.Barrier(2)

    def work():
        try:
            with app.app_context():
                start.wait()
                while taken := route_queued(batch=batch, failures=failures):
                    routed.append(taken)
                db.session.remove()
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return sum(routed)
