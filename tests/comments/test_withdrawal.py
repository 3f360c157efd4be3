"""A commenter withdraws their comment (撤回) before the deadline: from the browser that sent it, from the receipt
mail's link or from their account, never with the receipt number alone; its text, name, contact and files are
erased, its unsent mails dropped, and it no longer counts anywhere."""
import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment, CommentAttachment
from portal.comments.withdrawal import withdrawal_key
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.routing.models import RoutingQueueItem
from tests.helpers import (Browser, csrf_token, post_comment, receipt_from, render_queued, route_new_comments,
                           shanghai)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BODY = "建议增加社区助餐点，我的电话是13800001111。"


def _section(consultation):
    return next(s for s in consultation.current_draft.sections if "市民政局" in s.unit_names)


def send(client, consultation, body=BODY, parent=None, **fields):
    section = _section(consultation)
    page = f"/consultations/{consultation.id}/sections/{section.anchor}"
    data = {"csrf_token": csrf_token(client, page), "stance": "suggest", "body": body, "section_id": str(section.id),
            "parent_id": str(parent.id) if parent else "", "author_name": "王大爷", "author_contact": "13800001111",
            **fields}
    return receipt_from(client.post(f"/consultations/{consultation.id}/comments", data=data,
                                    content_type="multipart/form-data"))


def withdraw(client, number, confirm=True, key=""):
    page = client.get(f"/receipts/{number}").get_data(as_text=True)
    token = csrf_token(client, f"/receipts/{number}") if 'name="csrf_token"' in page else csrf_token(client, "/account/sign-in")
    data = {"csrf_token": token, "key": key} | ({"confirm": "y"} if confirm else {})
    return client.post(f"/receipts/{number}/withdraw", data=data)


def stored(number) -> Comment:
    db.session.expire_all()
    return db.session.scalar(select(Comment).where(Comment.receipt_number == number))


def test_the_browser_that_sent_it_withdraws_it_and_it_counts_nowhere(app, client, routed_003):
    quote = next(line for line in _section(routed_003).lines if len(line) > 10)[:10]
    number = send(client, routed_003, attachments=[(io.BytesIO(PDF), "信.pdf")], quote=quote)
    assert stored(number).quote == quote
    page = client.get(f"/receipts/{number}").get_data(as_text=True)
    assert "撤回这条意见" in page and "我确认撤回这条意见" in page

    unticked = withdraw(client, number, confirm=False)
    assert unticked.status_code == 422 and "请勾选确认后再撤回。" in unticked.get_data(as_text=True)
    box = re.search(r'<input[^>]*id="confirm"[^>]*>', unticked.get_data(as_text=True)).group(0)
    assert 'aria-invalid="true"' in box and 'aria-describedby="confirm-error"' in box  # read with its error
    assert stored(number).status == "pending"

    response = withdraw(client, number)
    # to the panel saying it is withdrawn, not any fragment the receipt page's address had (#comment-errors)
    assert response.status_code == 303 and response.headers["Location"] == f"/receipts/{number}#receipt"
    assert '<div class="panel-confirm" id="receipt" role="status">' in client.get(f"/receipts/{number}").get_data(
        as_text=True)
    comment = stored(number)
    assert (comment.status, comment.body, comment.author_name, comment.author_contact) == ("withdrawn", "", None, None)
    assert comment.withdrawn_at is not None and comment.quote is None  # the draft's words it quoted go too
    assert db.session.scalar(select(func.count()).select_from(CommentAttachment)) == 0
    assert db.session.scalar(select(func.count()).select_from(RoutingQueueItem)) == 0  # no mail will be planned
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "withdraw_comment"))
    assert (entry.actor_label, entry.before["status"], entry.after["status"]) == ("citizen", "pending", "withdrawn")

    page = client.get(f"/receipts/{number}").get_data(as_text=True)
    assert "这条意见已撤回" in page and "13800001111" not in page and "撤回意见</button>" not in page
    assert withdraw(client, number).status_code == 403  # once is enough

    # at the deadline nothing was received
    app.config["CLOCK"].__self__.set(shanghai(2023, 5, 13, 9, 0))
    assert app.test_cli_runner().invoke(args=["consultations", "close-due"]).exit_code == 0
    db.session.expire_all()
    assert db.session.get(type(routed_003), routed_003.id).closing_summary.startswith("截止到5月12日，未收到")


def test_the_receipt_address_does_not_keep_the_forms_error_anchor(app, client, routed_003):
    """The form is sent to #comment-errors (its error summary, shown again when something is missing); a redirect
    without a fragment of its own keeps the request's, so the receipt page, and the withdrawal from it, were at
    /receipts/…#comment-errors."""
    section = _section(routed_003)
    page = client.get(f"/consultations/{routed_003.id}/sections/{section.anchor}").get_data(as_text=True)
    assert f'action="/consultations/{routed_003.id}/comments#comment-errors"' in page
    data = {"csrf_token": csrf_token(client, f"/consultations/{routed_003.id}"), "stance": "suggest", "body": BODY,
            "section_id": str(section.id), "parent_id": ""}
    response = client.post(f"/consultations/{routed_003.id}/comments", data=data)
    number = receipt_from(response)
    assert response.headers["Location"] == f"/receipts/{number}#receipt"
    receipt = client.get(f"/receipts/{number}").get_data(as_text=True)
    assert 'id="receipt"' in receipt and 'id="comment-errors"' not in receipt


def test_the_receipt_number_alone_does_not_withdraw(app, client, routed_003):
    number = send(client, routed_003)
    stranger = Browser(app)
    page = stranger.get(f"/receipts/{number}").get_data(as_text=True)
    assert "撤回这条意见" not in page
    refused = withdraw(stranger, number)
    assert refused.status_code == 403 and "撤回链接无效" in refused.get_data(as_text=True)
    forged = withdraw(stranger, number, key="0" * 32)
    assert forged.status_code == 403
    assert stored(number).status == "pending" and stored(number).body == BODY


WHERE_TO_WITHDRAW = "要撤回意见，请在提交意见时用的浏览器中打开这个页面，或点回执邮件中的链接。"


def test_a_receipt_looked_up_elsewhere_says_where_it_can_be_withdrawn(app, client, clock, routed_003):
    """Looked up on another device by its number, the receipt shows no withdrawal form: it says where one is found,
    instead of leaving the commenter to think it cannot be withdrawn; not to its author, nor once it is too late."""
    number = send(client, routed_003)
    assert WHERE_TO_WITHDRAW in Browser(app).get(f"/receipts/{number}").get_data(as_text=True)
    own = client.get(f"/receipts/{number}").get_data(as_text=True)
    assert "我确认撤回这条意见" in own and WHERE_TO_WITHDRAW not in own
    clock.set(routed_003.deadline + timedelta(seconds=1))
    assert WHERE_TO_WITHDRAW not in Browser(app).get(f"/receipts/{number}").get_data(as_text=True)


def test_the_receipt_mails_link_withdraws_until_the_deadline(app, client, clock, routed_003):
    number = send(client, routed_003)
    comment = stored(number)
    receipt = render_queued(OutboxMessage(kind="receipt", recipient="a@example.cn", template="receipt",
                                          context={"comment_id": comment.id}, comment_id=comment.id,
                                          message_id="<test@example>"))
    key = withdrawal_key(number)
    assert f"/receipts/{number}?key={key}" in receipt.body_text and "如需撤回" in receipt.body_text
    db.session.rollback()

    reader = Browser(app)  # another device: the mail's link
    page = reader.get(f"/receipts/{number}?key={key}").get_data(as_text=True)
    assert "撤回这条意见" in page and f'value="{key}"' in page
    clock.set(shanghai(2023, 5, 13, 0, 0, 1))
    assert "撤回这条意见" not in reader.get(f"/receipts/{number}?key={key}").get_data(as_text=True)
    late = withdraw(reader, number, key=key)
    assert late.status_code == 403 and "征求意见已经截止，意见不能再撤回。" in late.get_data(as_text=True)
    clock.set(shanghai(2023, 5, 12, 20, 0))
    assert withdraw(reader, number, key=key).status_code == 303
    assert stored(number).status == "withdrawn"


def test_unsent_mails_are_dropped_and_a_public_thread_keeps_its_replies(app, client, routed_003):
    number = send(client, routed_003)
    route_new_comments()
    comment = stored(number)
    planned = db.session.scalars(select(OutboxMessage).where(OutboxMessage.comment_id == comment.id)).all()
    assert planned and all(m.status == "pending" for m in planned)
    sent = planned[0]
    sent.status = "sent"  # one went out already: it stays, as the record that it was sent
    comment.status = "approved"
    db.session.commit()
    replier = Browser(app)
    reply_number = send(replier, routed_003, body="同意楼上的意见。", parent=comment)
    reply = stored(reply_number)
    reply.status = "approved"
    db.session.commit()

    assert withdraw(client, number).status_code == 303
    left = db.session.execute(select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.recipient, OutboxMessage.status)
                              .where(OutboxMessage.comment_id == comment.id).order_by(OutboxMessage.id)).all()
    # the one sent stays, as the record that it was; its recipient is told of the withdrawal; the rest are dropped
    assert [tuple(row) for row in left] == [(sent.id, "comment", sent.recipient, "sent"),
                                            (left[1].id, "withdrawn", sent.recipient, "pending")]
    section = _section(routed_003)
    page = client.get(f"/consultations/{routed_003.id}/sections/{section.anchor}").get_data(as_text=True)
    assert "该意见已由提出人撤回。" in page and "同意楼上的意见。" in page and BODY not in page
    english = Browser(app)
    english.get("/settings/language/en")
    page = english.get(f"/consultations/{routed_003.id}/sections/{section.anchor}").get_data(as_text=True)
    assert "This comment was withdrawn by its author." in page


def test_a_signed_in_citizen_withdraws_from_their_account(app, client, routed_003):
    from portal.citizens.services import SESSION_KEY, account_for

    account = account_for("shimin@example.cn")
    db.session.commit()
    with client.session_transaction() as session:
        session[SESSION_KEY] = [account.id, account.session_epoch, account.session_key]
    number = send(client, routed_003)
    assert stored(number).citizen_id == account.id

    phone = Browser(app)  # the same account on another device
    with phone.client.session_transaction() as session:
        session[SESSION_KEY] = [account.id, account.session_epoch, account.session_key]
    assert "撤回这条意见" in phone.get(f"/receipts/{number}").get_data(as_text=True)
    assert withdraw(phone, number).status_code == 303
    assert stored(number).status == "withdrawn"
    assert "已由提出人撤回" in phone.get("/account/").get_data(as_text=True)  # "my comments" says so


def test_guessing_receipt_numbers_is_stopped_and_reading_ones_own_is_not(app, client, routed_003):
    """A receipt page shows the comment (private or not), and its link can withdraw it: looking up numbers that do
    not exist is limited per address (RECEIPT_MISS_LIMIT), looking up real ones is not."""
    app.config["RECEIPT_MISS_LIMIT"] = "3/hour"
    number = send(client, routed_003)
    for _ in range(5):
        assert client.get(f"/receipts/{number}").status_code == 200  # one's own, again and again: not counted
    misses = [client.get(f"/receipts/20230420-{guess}").status_code for guess in ("AAAAAA", "BBBBBB", "CCCCCC",
                                                                                 "DDDDDD")]
    assert misses == [404, 404, 404, 429]
    assert client.get(f"/receipts/{number}").status_code == 429  # until the hour is over


def test_the_key_cookie_goes_to_its_receipt_page_only(app, client, routed_003):
    section = _section(routed_003)
    page = f"/consultations/{routed_003.id}/sections/{section.anchor}"
    response = client.post(f"/consultations/{routed_003.id}/comments", data={
        "csrf_token": csrf_token(client, page), "stance": "suggest", "body": "意见。", "section_id": str(section.id),
        "parent_id": ""})
    number = receipt_from(response)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("withdraw="))
    assert cookie == (f"withdraw={withdrawal_key(number)}; Max-Age=31622400; Path=/receipts/{number}; HttpOnly; "
                      "SameSite=Lax")
    app.config["SECURE_COOKIES"] = "1"  # served over TLS (behind a proxy that says nothing)
    over_tls = client.post(f"/consultations/{routed_003.id}/comments", data={
        "csrf_token": csrf_token(client, page), "stance": "suggest", "body": "意见二。", "section_id": str(section.id),
        "parent_id": ""})
    assert any(c.startswith("withdraw=") and c.endswith("; Secure") for c in over_tls.headers.getlist("Set-Cookie"))


def test_who_received_it_by_mail_is_told_to_delete_it(app, client, routed_003, smtp_server):
    from portal.mail.worker import deliver_due

    number = send(client, routed_003, author_contact="13800001111")
    route_new_comments()
    deliver_due()
    first = {address for to, _message in smtp_server.received for address in to}
    assert {"mzj@example.gov.cn", "2019787574@qq.com"} <= first  # the unit and the notice's contact
    before = len(smtp_server.received)

    assert withdraw(client, number).status_code == 303
    assert len(deliver_due().sent) == len(first)
    told = smtp_server.received[before:]
    assert sorted(a for to, _m in told for a in to) == sorted(first)
    text = told[0][1].get_body(preferencelist=("plain",)).get_content()
    assert told[0][1]["Subject"].startswith(f"意见已撤回 {number}：")
    assert "请删除此前邮件中的意见内容" in text and BODY not in text and "13800001111" not in text
    assert deliver_due().sent == []  # once each


def test_the_copies_of_a_withdrawn_comments_mails_are_erased_and_never_sent_again(app, client, routed_003,
                                                                                  smtp_server, make_user, login):
    """The privacy page promises the text, name and contact go when a comment is withdrawn: the outbox's copies of
    the mails that carried it too (an administrator's 重新发送 mailed them again, after the notice to delete them)."""
    from portal.mail.worker import deliver_due

    number = send(client, routed_003, author_contact="someone@example.com")
    route_new_comments()
    deliver_due()
    assert withdraw(client, number).status_code == 303
    deliver_due()
    comment = stored(number)
    carried = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.comment_id == comment.id, OutboxMessage.kind != "withdrawn")).all()
    assert carried and all(m.body_text is None and m.body_html is None and m.subject is None for m in carried)
    everything = "".join(str(v) for m in db.session.scalars(select(OutboxMessage))
                         for v in (m.subject, m.body_text, m.body_html, m.context, m.headers))
    assert BODY not in everything and "someone@example.com" not in everything

    make_user("admin", email="admin@example.gov.cn")
    login("admin@example.gov.cn")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert page.count("意见已由提出人撤回，邮件内容已删除") == len(carried)
    token = csrf_token(client, "/admin/outbox")
    before = len(smtp_server.received)
    assert client.post(f"/admin/outbox/{carried[0].id}/resend", data={"csrf_token": token}).status_code == 400
    assert deliver_due().sent == [] and len(smtp_server.received) == before


def test_the_office_sees_how_many_were_withdrawn(app, client, routed_003, make_user, login):
    from portal.units.models import Unit

    kept, gone = send(client, routed_003, body="保留的意见。"), send(client, routed_003, body="撤回的意见。")
    assert withdraw(client, gone).status_code == 303
    routed_003.owner_unit_id = db.session.scalar(select(Unit.id).where(Unit.name == "市民政局"))
    db.session.commit()
    office = make_user("office", unit_name="市民政局")
    staff = Browser(app)
    staff.post("/login", data={"csrf_token": csrf_token(staff, "/login"), "email": office.email,
                               "password": "correct horse 1"})
    page = staff.get("/office/").get_data(as_text=True)
    assert "收到意见 1 条" in page and "待审核 1 条" in page and "另有 1 条已由提出人撤回" in page
    assert stored(kept).status == "pending"


def test_a_drafted_answer_and_units_advice_go_with_the_comment(app, client, routed_003):
    from portal.responses.models import Response, UnitAdvice

    kept, gone = send(client, routed_003, body="保留的意见。"), send(client, routed_003, body="撤回的意见。")
    for number in (kept, gone):
        comment = stored(number)
        db.session.add(Response(comment_id=comment.id, consultation_id=routed_003.id, outcome="adopted",
                                reason=f"答复{number}"))
        db.session.add(UnitAdvice(comment_id=comment.id, consultation_id=routed_003.id, recipient="mzj@example.gov.cn",
                                  unit_names=["市民政局"], outcome="adopted", reason="建议采纳。"))
    db.session.commit()
    assert withdraw(client, gone).status_code == 303
    db.session.expire_all()
    assert db.session.scalars(select(Response.reason)).all() == [f"答复{kept}"]
    assert db.session.scalars(select(UnitAdvice.comment_id)).all() == [stored(kept).id]


def test_a_withdrawal_checks_the_comment_as_it_is_now(app, client, open_003):
    """A moderator marking it spam, or a second press, at the same moment: the withdrawal had overwritten the
    moderator's decision ("spam cannot be withdrawn"), or withdrawn twice with two audit entries."""
    from sqlalchemy import update as sql_update

    from portal.comments.withdrawal import WithdrawalRefused, withdraw_comment, withdrawal_key

    number = receipt_from(post_comment(client, open_003, f"/consultations/{open_003.id}", body="一条意见。"))
    stale = db.session.scalar(select(Comment).where(Comment.receipt_number == number))  # this request read it …
    with db.engine.begin() as other:  # … when a moderator marks it spam
        other.execute(sql_update(Comment).where(Comment.id == stale.id)
                      .values(status="spam", moderation_version=Comment.moderation_version + 1))
    try:
        withdraw_comment(stale, withdrawal_key(number), None)
    except WithdrawalRefused as refusal:
        assert "不能撤回" in str(refusal.message)
    else:
        raise AssertionError("the withdrawal overwrote the moderator's decision")
    db.session.rollback()
    assert db.session.get(Comment, stale.id).status == "spam"
