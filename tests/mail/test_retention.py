"""The outbox keeps what a mail said, and to whom, for PORTAL_MAIL_RETENTION_DAYS; then only the record that it
was sent: kind, status, times, dedup key."""
from collections import Counter

from sqlalchemy import select

from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mail.services import confirm_address
from portal.mail.worker import deliver_due
from tests.helpers import csrf_token, post_comment, receipt_from
from tests.mail.test_commenter_mail import CITIZEN, link_path

ADDRESS = CITIZEN.lower()


def erase(app, *args):
    result = app.test_cli_runner().invoke(args=["mail", "erase-old", *args])
    assert result.exit_code == 0, result.output
    return result.output


def rows():
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_old_mail_loses_its_recipient_and_content_and_is_never_sent_again(app, client, clock, open_003, smtp_server,
                                                                         login, make_user):
    url = f"/consultations/{open_003.id}"
    receipt_from(post_comment(client, open_003, url, body="建议增加社区食堂。", author_contact=CITIZEN))
    deliver_due()  # the office's unit and the confirmation request
    confirm = link_path(smtp_server.to(ADDRESS)[0].get_body(("plain",)).get_content(), "confirm")
    assert client.post(confirm, data={"csrf_token": csrf_token(client, confirm)}).status_code == 200
    deliver_due()  # the receipt
    sent = rows()
    assert Counter(m.kind for m in sent) == Counter({"confirm": 1, "receipt": 1, "comment": 1})
    assert all(m.status == "sent" for m in sent)

    clock.advance(days=10)
    receipt_from(post_comment(client, open_003, url, body="再补充一条。", author_contact=CITIZEN))
    deliver_due()  # its receipt and the unit's mail, sent 10 days later
    clock.advance(days=5)  # the first mails are now 15 days old, the new ones 5
    app.config["MAIL_RETENTION_DAYS"] = 12
    assert "已清除 3 封超过 12 天的邮件的收件人和内容。" in erase(app)
    erased = [m for m in rows() if m.is_erased]
    assert sorted(m.kind for m in erased) == ["comment", "confirm", "receipt"]
    for message in erased:
        assert (message.recipient, message.subject, message.body_text, message.body_html, message.context,
                message.headers) == ("", None, None, None, None, {})
        assert message.status == "sent" and message.sent_at is not None and message.message_id
    kept = [m for m in rows() if not m.is_erased]
    assert len(kept) == 2 and ADDRESS in {m.recipient for m in kept} and all(m.body_text for m in kept)
    assert "已清除 0 封" in erase(app)  # twice is safe

    # the record still stops a second receipt: confirming the address again queues nothing for the old comment
    confirm_address(ADDRESS)
    db.session.commit()
    assert deliver_due().handled == 0 and len(rows()) == 5

    # the administrator sees that they were erased, and cannot send them again
    make_user("admin", email="admin@example.gov.cn")
    login("admin@example.gov.cn")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert page.count("收件人和内容已按保留期限清除") == 3 and page.count("重新发送") == 2
    token = csrf_token(client, "/admin/outbox")
    assert client.post(f"/admin/outbox/{erased[0].id}/resend", data={"csrf_token": token}).status_code == 400
    assert len(rows()) == 5


def test_pending_mail_and_a_retention_of_zero_keep_everything(app, client, clock, open_003, smtp_server):
    url = f"/consultations/{open_003.id}"
    receipt_from(post_comment(client, open_003, url, body="建议增加社区食堂。", author_contact=CITIZEN))
    smtp_server.stop()
    deliver_due()  # the server is down: both messages wait for their next attempt
    clock.advance(days=400)
    assert "已清除 0 封超过 180 天" in erase(app)  # the default period; still waiting to be sent: never erased
    assert erase(app, "--days", "0") == "保留期限为 0：不清除任何邮件。\n"
    app.config["MAIL_RETENTION_DAYS"] = 0
    assert "不清除" in erase(app)
    app.config["MAIL_RETENTION_DAYS"] = 30
    assert "已清除 0 封超过 30 天" in erase(app)  # still waiting to be sent: never erased
    assert all(not m.is_erased and m.status == "pending" for m in rows())
    smtp_server.start()
    assert len(deliver_due().sent) == 2


def test_an_erased_mail_keeps_no_address_in_its_dedup_key(app, clock, open_003, smtp_server):
    """A next round's mail was queued with the citizen's address in its dedup key, which the outbox keeps for ever:
    erased, the key holds the address's hash instead (as keys queued now do), still unique for that address."""
    from sqlalchemy import update

    from portal.mail.services import address_key
    from tests.mail.conftest import queue_rendered

    queue_rendered(["wang@example.com", "unit@example.gov.cn"])
    first, second = rows()
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == first.id).values(
        kind="next_round", dedup_key="next_round:7:wang@example.com"))
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == second.id).values(dedup_key="digest:3:unit"))
    db.session.commit()
    assert len(deliver_due().sent) == 2
    clock.advance(days=200)
    assert "已清除 2 封" in erase(app)
    keys = {row.id: row.dedup_key for row in rows()}
    assert keys == {first.id: f"next_round:7:{address_key('wang@example.com')}", second.id: "digest:3:unit"}
    assert address_key("Wang@Example.com ") == address_key("wang@example.com") and len(address_key("a@b.cn")) == 32
