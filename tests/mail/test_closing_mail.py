"""At the deadline the drafting office is told: the closing summary, what still waits for moderation, and where
to answer the comments and download the digest; once per address, whatever runs close-due again."""
from email.header import decode_header, make_header

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mail.worker import deliver_due
from tests.helpers import shanghai

BASE = "https://portal.example.gov.cn"
CONTACT = "2019787574@qq.com"  # the address seed 003's notice gives for opinions


def close_due(app):
    result = app.test_cli_runner().invoke(args=["consultations", "close-due"])
    assert result.exit_code == 0, result.output


def test_the_office_hears_of_the_close_once_at_each_address(app, clock, office_consultation, make_user, smtp_server):
    consultation, comments = office_consultation
    make_user("office", email="Colleague@Example.gov.cn", unit_name="市民政局")
    left = make_user("office", email="left@example.gov.cn", unit_name="市民政局")
    left.active = False  # a deactivated account hears nothing
    make_user("office", email="other@example.gov.cn", unit_name="市财政局")  # another unit's staff
    make_user("moderator", email="mod@example.gov.cn")
    db.session.commit()
    deliver_due()  # the comments' own mails, out of the way
    before = len(smtp_server.received)

    clock.set(shanghai(2023, 5, 13, 0, 30))
    close_due(app)
    close_due(app)  # run again (cron): nothing new
    assert len(deliver_due().sent) == 3
    received = smtp_server.received[before:]
    recipients = sorted(address for to, _message in received for address in to)
    assert recipients == sorted([CONTACT, "office@example.gov.cn", "colleague@example.gov.cn"])

    (message,) = [m for to, m in received if CONTACT in to]
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == f"征求意见已截止：{consultation.title}"
    text = message.get_body(("plain",)).get_content()
    db.session.expire_all()
    summary = db.session.get(type(consultation), consultation.id).closing_summary
    assert summary.startswith("截止到5月12日，共收到社会各界、广大居民群众反馈意见") and summary in text
    assert "还有 1 条意见等待审核" in text  # the pending comment
    assert f"{BASE}/office/consultations/{consultation.id}/responses" in text
    assert f"{BASE}/office/consultations/{consultation.id}/digest.xlsx" in text
    assert f"{BASE}/office/consultations/{consultation.id}/annotated.docx" in text  # the annotated draft
    html = message.get_body(("html",)).get_content()
    assert summary in html and f'href="{BASE}/consultations/{consultation.id}/feedback"' in html
    assert "138 0013 8000" not in text + html  # no commenter's contact in it

    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "closed")).all()
    assert len(rows) == 3 and all(r.dedup_key.startswith(f"closed:{consultation.id}:") for r in rows)
    assert db.session.scalar(select(User).where(User.email == "left@example.gov.cn")).active is False


def test_nothing_waiting_and_nobody_to_tell(app, clock, import_seed, smtp_server):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    consultation.contact_emails = []  # no address in the notice, no owning office
    db.session.commit()
    clock.set(shanghai(2023, 5, 13, 9, 0))
    close_due(app)
    assert db.session.scalars(select(OutboxMessage)).all() == []

    other = import_seed("003", opens=shanghai(2023, 5, 13, 9, 0), deadline=shanghai(2023, 5, 20, 17, 0))
    clock.set(shanghai(2023, 5, 21, 9, 0))
    close_due(app)
    deliver_due()
    (message,) = smtp_server.to(CONTACT)
    text = message.get_body(("plain",)).get_content()
    assert other.title in text and "未收到社会各界、广大居民群众反馈意见" in text and "等待审核" not in text
