"""When the office publishes the policy as issued (正式文件), each commenter with a confirmed address (not unsubscribed)
is told once, however many comments they made, with the links to what changed and to their comments."""
from email.header import decode_header, make_header

from sqlalchemy import select

from portal.comments.models import Comment
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.mail.services import confirm_address, unsubscribe_address
from portal.mail.worker import deliver_due
from tests.helpers import Browser, docx_of, post_comment, receipt_from, route_new_comments, shanghai
from tests.office.conftest import consultation, make_staff, office, submit  # noqa: F401  (the office's fixtures)


def test_commenters_are_told_once_when_the_policy_is_issued(app, client, clock, consultation, office, submit,
                                                            smtp_server):
    page = f"/consultations/{consultation.id}"
    citizen = Browser(app)

    def comment(contact, body):
        return receipt_from(post_comment(citizen, consultation, page, body=body, author_contact=contact))

    first = comment("wang@example.cn", "建议增加助餐点。")
    second = comment("Wang@Example.cn", "还建议延长开放时间。")  # the same address, another comment
    comment("li@example.cn", "希望补贴提高。")  # never confirmed
    comment("sun@example.cn", "意见。")  # unsubscribed
    spam = comment("zhou@example.cn", "广告")
    route_new_comments()
    for email in ("wang@example.cn", "sun@example.cn", "zhou@example.cn"):
        confirm_address(email)
    unsubscribe_address("sun@example.cn")
    db.session.scalar(select(Comment).where(Comment.receipt_number == spam)).status = "spam"
    db.session.commit()
    deliver_due()
    before = len(smtp_server.received)

    clock.set(shanghai(2023, 6, 20, 10, 0))
    lines = ["关于健全基本养老服务体系促进养老服务高质量发展的三年行动方案", "一、总体要求", "本方案自印发之日起施行。"]
    url = f"/office/consultations/{consultation.id}/final-document"
    assert submit(url, file=(docx_of(lines), "正式文件.docx"), title="", document_number="宿民发〔2023〕12号",
                  issued_on="2023-06-15", note="采纳了增加助餐点的意见。").status_code == 302
    deliver_due()
    mails = {message["To"]: message for _to, message in smtp_server.received[before:]}
    assert sorted(mails) == ["wang@example.cn"]
    mail = mails["wang@example.cn"]
    assert str(make_header(decode_header(mail["Subject"]))) == f"您提过意见的草案已正式印发：{consultation.title}"
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "2023年6月15日 正式印发" in text and "宿民发〔2023〕12号" in text and "采纳了增加助餐点的意见。" in text
    assert f"/consultations/{consultation.id}/final" in text and f"回执号 {first}" in text and f"回执号 {second}" in text
    assert mail["List-Unsubscribe"]  # a commenter's mail: one-click unsubscribe

    # a correction is not announced again
    assert submit(url, title="", document_number="宿民发〔2023〕13号", issued_on="2023-06-15",
                  note="更正文号。").status_code == 302
    assert len(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "issued")).all()) == 1
