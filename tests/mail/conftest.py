"""Shared by the mail tests: an open consultation whose unit has an address, and messages queued rendered."""
import pytest

from portal.extensions import db


@pytest.fixture
def open_003(routed_003):
    return routed_003


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
