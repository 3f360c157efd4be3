"""Shared by the mail tests: an open consultation whose unit has an address, and messages queued rendered."""
import pytest

from portal.extensions import db
from tests.helpers import shanghai


@pytest.fixture
def open_003(app, clock, import_seed):
    """Seed 003 open on 2023-04-20; 市民政局 (responsible for some of its sections) at mzj@example.gov.cn."""
    from portal.units.models import Unit

    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    db.session.add(Unit(name="市民政局", emails=["mzj@example.gov.cn"]))
    db.session.commit()
    return consultation


def queue_rendered(recipients: list[str]) -> None:
    """A staff message to each address, rendered when queued (as digests are), and committed."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from portal.mail.services import queue_message

    consultation = SimpleNamespace(title="测试征求意见")
    for i, recipient in enumerate(recipients):
        comment = SimpleNamespace(receipt_number=f"20240101-TEST{i:02d}", section=None,
                                  created_at=datetime(2024, 1, 1, tzinfo=UTC))
        queue_message("comment", recipient, "receipt", "zh_CN", {
            "comment": comment, "consultation": consultation,
            "comment_url": "https://portal.example.gov.cn/receipts/X", "unsubscribe_url": "https://x/u",
        })
    db.session.commit()
