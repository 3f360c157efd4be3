"""Mail as it travels: a long comment reaches the units (no line longer than SMTP allows), the unsubscribe link
stays a link (not RFC 2047 encoded words), short text stays readable 8bit."""
import re
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.mail.models import CommenterAddress, OutboxMessage
from portal.mail.wire import LINE_LIMIT, has_long_line
from portal.mail.worker import deliver_due
from tests.helpers import post_comment, receipt_from

# one paragraph, as people write it: 1,380 characters, 4,140 octets on one line
LONG = "建议在每个社区建设老年食堂，方便老人就近吃饭，" * 60


def _lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n")


def test_a_long_comment_reaches_the_contact_and_the_units_whole(app, client, open_003, smtp_server):
    section = next(s for s in open_003.current_draft.sections if "市民政局" in s.unit_names)
    url = f"/consultations/{open_003.id}/sections/{section.anchor}"
    number = receipt_from(post_comment(client, open_003, url, section_id=section.id, body=LONG))
    report = deliver_due()
    assert report.sent and not report.failed and not report.retrying
    assert {row.status for row in db.session.scalars(select(OutboxMessage))} == {"sent"}
    received = {recipients[0]: message for recipients, message in smtp_server.received}
    assert set(received) == {"2019787574@qq.com", "mzj@example.gov.cn"}
    for message in received.values():
        assert number in message["Subject"] or number in message.get_body(("plain",)).get_content()
        assert LONG in message.get_body(("plain",)).get_content()  # every character, no line break added
        assert LONG in message.get_body(("html",)).get_content()
    for raw in smtp_server.raw:
        assert max(len(line) for line in _lines(raw)) <= LINE_LIMIT
        assert b"Content-Transfer-Encoding: base64" in raw


def test_short_text_stays_readable_8bit(app, client, open_003, smtp_server):
    url = f"/consultations/{open_003.id}"
    receipt_from(post_comment(client, open_003, url, body="建议增加社区食堂。"))
    deliver_due()
    assert smtp_server.raw
    for raw in smtp_server.raw:
        assert "建议增加社区食堂。".encode() in raw
        assert b"Content-Transfer-Encoding: 8bit" in raw and b"base64" not in raw


def test_the_unsubscribe_header_travels_as_a_link(app, client, open_003, smtp_server):
    url = f"/consultations/{open_003.id}"
    receipt_from(post_comment(client, open_003, url, body="建议增加社区食堂。", author_contact="wang.daye@example.cn"))
    deliver_due()
    (raw,) = [r for r, (recipients, _) in zip(smtp_server.raw, smtp_server.received)
              if recipients == ["wang.daye@example.cn"]]
    unfolded = re.sub(rb"\r\n[ \t]+", b" ", raw)
    header = re.search(rb"^List-Unsubscribe: (.*)$", unfolded, re.MULTILINE).group(1).strip()
    assert b"=?" not in header  # no encoded words: mail clients must read it as <URL>
    assert re.fullmatch(rb"<https://[^\s<>]+/mail/unsubscribe/[A-Za-z0-9._-]+>", header), header
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = header.decode()[1:-1]
    assert link.startswith("https://portal.example.gov.cn/mail/unsubscribe/")
    response = client.post(link[len("https://portal.example.gov.cn"):], data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    rows = db.session.scalars(select(CommenterAddress).where(CommenterAddress.email == "wang.daye@example.cn")).all()
    assert rows and all(row.unsubscribed_at is not None for row in rows)


@pytest.mark.parametrize("text, long", [
    ("", False),
    ("短" * 249, False),  # 747 octets
    ("短" * 332, False),  # 996 octets
    ("短" * 333, True),  # 999 octets
    (("短" * 300 + "\n") * 5, False),
    ("a" * 998, False),
    ("a" * 999, True),
    ("a" * 10 + "\r\n" + "é" * 500, True),  # 1,000 octets after the break
])
def test_has_long_line(text, long):
    assert has_long_line(text) is long
