"""When a reply to a comment becomes public, the comment's author is told by mail (real SMTP server on loopback) if
they left a confirmed e-mail address: once per reply, with the reply, a link to answer it and one-click
unsubscribe; never for their own reply, an unconfirmed or unsubscribed address, a reply not (or no longer)
public, or a consultation whose comments are private."""
from email.header import decode_header, make_header

from sqlalchemy import select

from portal.comments.models import Comment
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mail.services import confirm_address, unsubscribe_address
from portal.mail.worker import deliver_due
from tests.helpers import post_comment, receipt_from, shanghai
from tests.moderation.conftest import act, queue_items

BASE = "https://portal.example.gov.cn"
AUTHOR = "wang@example.cn"


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def by_receipt(number) -> Comment:
    db.session.expire_all()
    return db.session.scalars(select(Comment).where(Comment.receipt_number == number)).one()


def approve(app, *numbers):
    result = app.test_cli_runner().invoke(args=["comments", "approve", *numbers])
    assert result.exit_code == 0, result.output


def reply_to(client, consultation, parent: Comment, body: str, contact: str = "") -> str:
    page = f"/consultations/{consultation.id}/comments/{parent.id}/reply"
    return receipt_from(post_comment(client, consultation, page, body=body, parent_id=parent.id,
                                     section_id=parent.section_id or "", author_name="李大姐",
                                     author_contact=contact))


def replies_to(smtp_server, email=AUTHOR) -> list:
    return [m for m in smtp_server.to(email) if "回复了您的意见" in subject_of(m) or "A reply" in subject_of(m)]


def test_the_author_hears_of_a_public_reply_once(app, client, clock, open_003, smtp_server, make_user, login):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    number = receipt_from(post_comment(client, open_003, f"/consultations/{open_003.id}",
                                       body="建议增加社区食堂。", author_contact="Wang@Example.cn"))
    confirm_address(AUTHOR)
    db.session.commit()
    approve(app, number)
    parent = by_receipt(number)
    answer = reply_to(client, open_003, parent, "同意，我们小区也缺食堂。\n尤其是周末。", "13900000000")
    deliver_due()
    assert replies_to(smtp_server) == []  # waiting for moderation: nothing yet

    # A moderator approves the reply in the queue.
    make_user("moderator", email="mod@example.gov.cn")
    login("mod@example.gov.cn")
    (item,) = queue_items(client.get("/moderation").get_data(as_text=True))
    assert act(client, [], row=f"approve:{item}").status_code == 303
    deliver_due()
    (mail,) = replies_to(smtp_server)
    assert subject_of(mail) == f"有人回复了您的意见 {number}：{open_003.title}"
    text = mail.get_body(("plain",)).get_content()
    assert "李大姐 回复：" in text and "同意，我们小区也缺食堂。" in text and "建议增加社区食堂。" in text
    reply = by_receipt(answer)
    assert f"{BASE}/consultations/{open_003.id}/comments/{reply.id}/reply" in text
    assert f"{BASE}/receipts/{number}" in text
    assert "13900000000" not in text  # the replier's contact is for the office only
    assert mail["List-Unsubscribe"].startswith(f"<{BASE}/mail/unsubscribe/")
    html = mail.get_body(("html",)).get_content()
    assert "<p>尤其是周末。</p>" in html
    # The link to answer works.
    assert client.get(f"/consultations/{open_003.id}/comments/{reply.id}/reply").status_code == 200

    # Hidden, then restored: no second mail.
    (item,) = [i for i in queue_items(client.get("/moderation?view=approved").get_data(as_text=True))
               if i.startswith(f"c-{reply.id}-")]
    act(client, [], row=f"hide:{item}", reason="off_topic", query="view=approved")
    assert by_receipt(answer).status == "hidden"
    (item,) = queue_items(client.get("/moderation?view=hidden").get_data(as_text=True))
    act(client, [], row=f"restore:{item}", query="view=hidden")
    assert by_receipt(answer).status == "approved"
    deliver_due()
    assert len(replies_to(smtp_server)) == 1
    assert db.session.scalar(select(OutboxMessage.dedup_key).where(OutboxMessage.kind == "reply")) == f"reply:{reply.id}"


def test_nobody_hears_of_their_own_reply_nor_without_a_confirmed_address(app, client, clock, open_003, smtp_server):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    confirmed = receipt_from(post_comment(client, open_003, f"/consultations/{open_003.id}",
                                          body="第一条。", author_contact=AUTHOR))
    unconfirmed = receipt_from(post_comment(client, open_003, f"/consultations/{open_003.id}",
                                            body="第二条。", author_contact="new@example.cn"))
    phone = receipt_from(post_comment(client, open_003, f"/consultations/{open_003.id}",
                                      body="第三条。", author_contact="13800138000"))
    confirm_address(AUTHOR)
    db.session.commit()
    approve(app, confirmed, unconfirmed, phone)
    own = reply_to(client, open_003, by_receipt(confirmed), "补充我自己的意见。", "WANG@example.cn")
    others = [reply_to(client, open_003, by_receipt(n), "回复。") for n in (unconfirmed, phone)]
    approve(app, own, *others)
    deliver_due()
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reply")).all() == []

    # unsubscribed: nothing either
    unsubscribe_address(AUTHOR)
    db.session.commit()
    approve(app, reply_to(client, open_003, by_receipt(confirmed), "另一个人的回复。"))
    deliver_due()
    assert replies_to(smtp_server) == []


def test_a_reply_public_at_once_is_mailed_by_the_worker(app, client, clock, open_003, smtp_server):
    """Post-moderation: the reply is public when stored; the mail worker, routing it, queues the mail."""
    clock.set(shanghai(2023, 4, 20, 9, 0))
    open_003.moderation_mode = "post"
    db.session.commit()
    number = receipt_from(post_comment(client, open_003, f"/consultations/{open_003.id}",
                                       body="建议增加社区食堂。", author_contact=AUTHOR))
    confirm_address(AUTHOR)
    db.session.commit()
    client.get("/settings/language/en")  # the replier reads English; the mail follows the author's language
    reply_to(client, open_003, by_receipt(number), "I agree.")
    deliver_due()
    (mail,) = replies_to(smtp_server)
    assert subject_of(mail).startswith(f"有人回复了您的意见 {number}")
    assert "I agree." in mail.get_body(("plain",)).get_content()


def test_a_reply_withdrawn_before_sending_is_not_sent(app, client, clock, open_003, smtp_server):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    number = receipt_from(post_comment(client, open_003, f"/consultations/{open_003.id}",
                                       body="建议增加社区食堂。", author_contact=AUTHOR))
    confirm_address(AUTHOR)
    db.session.commit()
    approve(app, number)
    answer = reply_to(client, open_003, by_receipt(number), "广告：快来买。")
    approve(app, answer)
    by_receipt(answer).status = "spam"
    db.session.commit()
    deliver_due()
    assert replies_to(smtp_server) == []
    row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reply")).one()
    assert row.status == "failed" and "不再公开" in row.last_error


def test_no_reply_mail_where_comments_are_private(app, client, clock, open_003, smtp_server):
    clock.set(shanghai(2023, 4, 20, 9, 0))
    number = receipt_from(post_comment(client, open_003, f"/consultations/{open_003.id}",
                                       body="建议增加社区食堂。", author_contact=AUTHOR))
    confirm_address(AUTHOR)
    approve(app, number)
    reply = Comment(consultation_id=open_003.id, parent_id=by_receipt(number).id, receipt_number="20230420-REPLY2",
                    body="回复。", status="pending")
    db.session.add(reply)
    open_003.comment_visibility = "private"
    db.session.commit()
    approve(app, "20230420-REPLY2")
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reply")).all() == []
