"""A commenter who leaves an e-mail confirms it first, then gets the receipt; every mail unsubscribes in one click."""
import re
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mail.worker import deliver_due
from tests.helpers import csrf_token, post_comment, receipt_from, shanghai

BASE = "https://portal.example.gov.cn"
CITIZEN = "Wang.Daye@Example.cn"


@pytest.fixture
def open_003(app, clock, import_seed):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    return import_seed("003")


def comment(client, consultation, contact=CITIZEN, body="建议增加社区食堂。"):
    url = f"/consultations/{consultation.id}"
    return receipt_from(post_comment(client, consultation, url, body=body, author_contact=contact))


def raw_header(message, name: str) -> str:
    """The header as it travelled (folded, encoded), before any decoding."""
    return next(value for key, value in message._headers if key.lower() == name.lower())


def link_path(text: str, kind: str) -> str:
    match = re.search(rf"{re.escape(BASE)}(/mail/{kind}/[A-Za-z0-9._-]+)", text)
    assert match, text
    return match.group(1)


def test_confirm_first_then_receipt_then_one_click_unsubscribe(app, client, open_003, smtp_server):
    number = comment(client, open_003)
    deliver_due()
    to_citizen = smtp_server.to("wang.daye@example.cn")
    assert len(to_citizen) == 1  # the confirmation request only: no receipt before the address is confirmed
    request_mail = to_citizen[0]
    subject = str(make_header(decode_header(raw_header(request_mail, "Subject"))))
    assert subject == f"请确认您的电子邮箱：{open_003.title}"
    assert "=?utf-8?" in raw_header(request_mail, "Subject").lower()  # RFC 2047, not raw UTF-8
    text = request_mail.get_body(("plain",)).get_content()
    assert number in text
    html = request_mail.get_body(("html",)).get_content()
    assert "确认我的电子邮箱" in html
    row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "confirm")).one()
    assert request_mail["Message-ID"] == row.message_id and row.status == "sent" and row.attempts == 1
    unsubscribe_url = request_mail["List-Unsubscribe"].strip("<>")
    assert unsubscribe_url.startswith(f"{BASE}/mail/unsubscribe/")
    assert request_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # A second comment before confirming asks nothing new.
    second = comment(client, open_003, contact="wang.daye@example.cn", body="再补充一条。")
    deliver_due()
    assert len(smtp_server.to("wang.daye@example.cn")) == 1

    confirm_path = link_path(text, "confirm")
    page = client.get(confirm_path)
    assert page.status_code == 200 and "wang.daye@example.cn" in page.get_data(as_text=True)
    token = csrf_token(client, confirm_path)
    done = client.post(confirm_path, data={"csrf_token": token})
    assert done.status_code == 200 and "电子邮箱已确认" in done.get_data(as_text=True)
    deliver_due()
    receipts = smtp_server.to("wang.daye@example.cn")[1:]
    assert sorted(str(make_header(decode_header(raw_header(m, "Subject")))) for m in receipts) == sorted(
        f"意见回执 {n}：{open_003.title}" for n in (number, second)
    )
    for mail in receipts:
        body = mail.get_body(("plain",)).get_content()
        receipt_number = re.search(r"回执号：(\S+)", body).group(1)
        assert f"{BASE}/receipts/{receipt_number}" in body
        assert mail["List-Unsubscribe"] == f"<{unsubscribe_url}>"
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The link in the receipt leads to the comment.
    assert "建议增加社区食堂。" in client.get(f"/receipts/{number}").get_data(as_text=True)

    # Confirming twice sends no receipt twice.
    client.post(confirm_path, data={"csrf_token": token})
    deliver_due()
    assert len(smtp_server.to("wang.daye@example.cn")) == 3

    # One-click unsubscribe as a mail client does it (RFC 8058): a POST without any form token.
    path = unsubscribe_url[len(BASE):]
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "已退订" in response.get_data(as_text=True)
    comment(client, open_003, body="第三条。")
    deliver_due()
    assert len(smtp_server.to("wang.daye@example.cn")) == 3
    assert db.session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.recipient == "wang.daye@example.cn", OutboxMessage.status == "pending")) is None


def test_unsubscribe_link_opened_in_a_browser_asks_first(app, client, open_003, smtp_server):
    comment(client, open_003)
    deliver_due()
    path = smtp_server.to("wang.daye@example.cn")[0]["List-Unsubscribe"].strip("<>")[len(BASE):]
    page = client.get(path).get_data(as_text=True)
    assert "不再接收邮件" in page and 'method="post"' in page
    # Opening the page changed nothing; the button does.
    token = csrf_token(client, path)
    assert client.post(path, data={"csrf_token": token}).status_code == 200
    from portal.mail.services import is_unsubscribed

    assert is_unsubscribed("wang.daye@example.cn")


def test_forged_links_are_refused(app, client, open_003):
    assert client.get("/mail/confirm/not-a-token").status_code == 404
    assert client.post("/mail/unsubscribe/not-a-token", data={"List-Unsubscribe": "One-Click"}).status_code == 404


def test_an_english_reader_gets_english_mail(app, client, open_003, smtp_server):
    client.get("/settings/language/en")
    comment(client, open_003)
    deliver_due()
    (mail,) = smtp_server.to("wang.daye@example.cn")
    assert mail["Subject"] == f"Please confirm your email address: {open_003.title}"
    assert "Your receipt number is:" in mail.get_body(("plain",)).get_content()


def test_a_phone_number_gets_no_mail(app, client, open_003, smtp_server):
    comment(client, open_003, contact="13800138000")
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind.in_(("confirm", "receipt")))) is None
