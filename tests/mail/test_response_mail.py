"""When the office publishes its responses, each commenter who left a confirmed e-mail address is sent the answer
to their comment: once, in their language, with the receipt link and one-click unsubscribe; nobody else is."""
import re
from email.header import decode_header, make_header

from sqlalchemy import select

from portal.comments.models import Comment
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mail.services import confirm_address, unsubscribe_address
from portal.mail.worker import deliver_due
from portal.responses.services import publish_responses, respond_to_comments
from tests.helpers import csrf_token, post_comment, receipt_from, route_new_comments, shanghai


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def comment(client, consultation, contact, body):
    return receipt_from(post_comment(client, consultation, f"/consultations/{consultation.id}",
                                     body=body, author_contact=contact))


def test_the_published_answer_is_mailed_to_confirmed_commenters_once(app, client, clock, login, open_003,
                                                                       make_user, smtp_server):
    consultation = open_003
    confirmed = comment(client, consultation, "Wang@Example.cn", "建议增加社区食堂。")
    english = comment(client, consultation, "li@example.cn", "More day-care places, please.")
    unconfirmed = comment(client, consultation, "zhao@example.cn", "希望延长服务时间。")
    gone = comment(client, consultation, "qian@example.cn", "请公开收费标准。")
    phone = comment(client, consultation, "13800138000", "电话留言。")
    route_new_comments()
    for email in ("wang@example.cn", "li@example.cn", "qian@example.cn"):
        confirm_address(email)
    unsubscribe_address("qian@example.cn")
    by_number = {c.receipt_number: c for c in db.session.scalars(select(Comment))}
    by_number[english].language = "en"
    db.session.commit()
    deliver_due()
    before = len(smtp_server.received)

    office = make_user("office", email="office@example.gov.cn", unit_name="市民政局")
    respond_to_comments(consultation, [by_number[n] for n in (confirmed, english, unconfirmed, gone, phone)],
                        "partly_adopted", "将在配套文件中明确。", office)
    db.session.commit()
    deliver_due()
    assert len(smtp_server.received) == before  # drafted answers are not sent

    clock.set(shanghai(2023, 5, 13, 8, 0))  # closed: the office publishes through its page
    consultation.owner_unit_id = office.unit_id
    db.session.commit()
    login("office@example.gov.cn")
    url = f"/office/consultations/{consultation.id}/responses"
    assert client.post(f"{url}/publish", data={"csrf_token": csrf_token(client, url)}).status_code == 302
    deliver_due()

    answers = [message for _to, message in smtp_server.received[before:]]
    assert sorted(m["To"] for m in answers) == ["li@example.cn", "wang@example.cn"]
    chinese = next(m for m in answers if m["To"] == "wang@example.cn")
    assert subject_of(chinese) == f"起草单位已答复您的意见 {confirmed}：{consultation.title}"
    text = chinese.get_body(("plain",)).get_content()
    assert "答复：部分采纳" in text and "理由：将在配套文件中明确。" in text and "公布时间：2023年5月13日 08:00" in text
    assert re.search(rf"https?://\S+/receipts/{confirmed}\b", text)
    assert re.search(rf"https?://\S+/consultations/{consultation.id}/feedback\b", text)
    assert chinese["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "部分采纳" in chinese.get_body(("html",)).get_content()
    in_english = next(m for m in answers if m["To"] == "li@example.cn")
    assert subject_of(in_english).startswith(f"The drafting office has responded to your comment {english}")
    assert "Response: Partly adopted" in in_english.get_body(("plain",)).get_content()

    # An answer edited after publishing, or an address confirmed again, sends nothing twice; a commenter who
    # confirms only now gets the receipt and the answer.
    respond_to_comments(consultation, [by_number[confirmed]], "adopted", "已吸收。", office)
    db.session.commit()
    db.session.expire_all()
    confirm_address("zhao@example.cn")
    confirm_address("wang@example.cn")  # the confirm link opened again: the answer already sent is not queued again
    db.session.commit()
    deliver_due()
    later = [message for _to, message in smtp_server.received[before + 2:]]
    assert sorted(subject_of(m) for m in later) == sorted([
        f"意见回执 {unconfirmed}：{consultation.title}",
        f"起草单位已答复您的意见 {unconfirmed}：{consultation.title}",
    ])
    assert db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.kind == "response")
                              .order_by(OutboxMessage.recipient)).all() == [
        "li@example.cn", "wang@example.cn", "zhao@example.cn"]


def test_an_answer_withdrawn_by_marking_the_comment_spam_is_not_sent(app, client, clock, open_003, make_user,
                                                                      smtp_server):
    consultation = open_003
    number = comment(client, consultation, "wang@example.cn", "广告广告")
    route_new_comments()
    confirm_address("wang@example.cn")
    db.session.commit()
    deliver_due()
    before = len(smtp_server.received)
    spam = db.session.scalar(select(Comment).where(Comment.receipt_number == number))
    office = make_user("office", email="office@example.gov.cn", unit_name="市民政局")
    respond_to_comments(consultation, [spam], "explained", "无关内容。", office)
    clock.set(shanghai(2023, 5, 13, 8, 0))
    publish_responses(consultation, office)
    spam.status = "spam"  # marked spam after publishing, before the worker sent the answer
    db.session.commit()
    deliver_due()
    assert len(smtp_server.received) == before
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "response"))
    assert row.status == "failed" and "答复已不存在" in row.last_error
