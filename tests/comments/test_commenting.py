"""A citizen comments on a section or on the whole draft, gets a receipt, and replies in a thread."""
import re

import pytest
from sqlalchemy import func, select

from portal.comments.models import Comment
from portal.extensions import db
from tests.helpers import post_comment, receipt_from, shanghai


def section_url(consultation, section):
    return f"/consultations/{consultation.id}/sections/{section.anchor}"


def stored_comments() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment))


def approve(app, *receipts):
    result = app.test_cli_runner().invoke(args=["comments", "approve", *receipts])
    assert result.exit_code == 0, result.output


def test_comment_on_a_section_gives_a_receipt_and_waits_for_approval(app, client, open_003):
    section = open_003.current_draft.sections[3]
    url = section_url(open_003, section)
    response = post_comment(
        client, open_003, url, section_id=section.id, body="建议增加社区食堂的数量。", stance="suggest",
        author_name="王大爷", author_contact="13800138000",
    )
    number = receipt_from(response)
    receipt = client.get(f"/receipts/{number}").get_data(as_text=True)
    assert number in receipt and "等待审核" in receipt and "建议增加社区食堂的数量。" in receipt
    assert "13800138000" not in receipt
    assert f'lang="zh-CN">{open_003.title}</a>' in receipt  # the draft's title marked Chinese on English pages too
    # pending: not public yet
    assert "建议增加社区食堂的数量。" not in client.get(url).get_data(as_text=True)
    comment = db.session.scalars(select(Comment)).one()
    assert (comment.section_id, comment.stance, comment.author_contact) == (section.id, "suggest", "13800138000")
    assert comment.status == "pending"

    approve(app, number)
    page = client.get(url).get_data(as_text=True)
    assert "建议增加社区食堂的数量。" in page and "王大爷" in page
    assert "13800138000" not in page
    overview = client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
    assert "(1 条意见)" in overview
    assert "13800138000" not in overview


def test_comment_on_the_whole_draft(app, client, open_003):
    url = f"/consultations/{open_003.id}"
    number = receipt_from(post_comment(client, open_003, url, body="整体赞成。", stance="support"))
    approve(app, number)
    page = client.get(url).get_data(as_text=True)
    comments = page[page.index('id="comments"'):]
    assert "整体赞成。" in comments and "匿名" in comments and "赞成" in comments
    assert db.session.scalars(select(Comment)).one().section_id is None


def test_replies_form_a_thread(app, client, open_003):
    section = open_003.current_draft.sections[5]
    url = section_url(open_003, section)
    first = receipt_from(post_comment(client, open_003, url, section_id=section.id, body="第一条意见。"))
    approve(app, first)
    parent = db.session.scalars(select(Comment)).one()
    reply_url = f"/consultations/{open_003.id}/comments/{parent.id}/reply"
    assert "第一条意见。" in client.get(reply_url).get_data(as_text=True)
    second = receipt_from(post_comment(client, open_003, reply_url, parent_id=parent.id, body="同意楼上。"))
    approve(app, second)
    reply = db.session.scalar(select(Comment).where(Comment.receipt_number == second))
    assert reply.parent_id == parent.id and reply.section_id == section.id
    page = client.get(url).get_data(as_text=True)
    thread = page[page.index(f'id="comment-{parent.id}"'):]
    assert thread.index("第一条意见。") < thread.index('class="replies"') < thread.index("同意楼上。")


def test_a_reply_too_long_is_not_told_to_attach_a_file(app, client, open_003):
    """A reply takes no files: its refusal says how much is over, and only to shorten it."""
    section = open_003.current_draft.sections[5]
    approve(app, receipt_from(post_comment(client, open_003, section_url(open_003, section), section_id=section.id,
                                           body="第一条意见。")))
    parent = db.session.scalars(select(Comment)).one()
    reply_url = f"/consultations/{open_003.id}/comments/{parent.id}/reply"
    page = post_comment(client, open_003, reply_url, parent_id=parent.id, body="长" * 6200).get_data(as_text=True)
    assert "意见内容不能超过 5,000 个字，您写了 6,200 个字，多了 1,200 个字。请删减一些。" in page
    assert "作为附件" not in page


def test_cannot_reply_to_a_pending_comment(app, client, open_003):
    section = open_003.current_draft.sections[0]
    receipt_from(post_comment(client, open_003, section_url(open_003, section), section_id=section.id, body="待审核"))
    pending = db.session.scalars(select(Comment)).one()
    assert client.get(f"/consultations/{open_003.id}/comments/{pending.id}/reply").status_code == 404
    response = post_comment(client, open_003, section_url(open_003, section), parent_id=pending.id, body="回复")
    assert response.status_code == 404
    assert stored_comments() == 1


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"body": ""}, "请填写您的意见"),
        ({"body": "   "}, "请填写您的意见"),
        ({"body": "长" * 5003}, "意见内容不能超过 5,000 个字，您写了 5,003 个字，多了 3 个字。"
                                "请删减一些，或者把较长的内容写在文件里，作为附件一起提交。"),
        ({"body": "好", "author_contact": "not-a-contact"}, "请填写正确的手机号码"),
        ({"body": "好", "stance": "maybe"}, "请选择您的态度"),
        ({"body": "好", "author_name": "名" * 51}, "姓名不能超过"),
    ],
)
def test_invalid_comment_shows_errors_and_stores_nothing(app, client, open_003, fields, message):
    section = open_003.current_draft.sections[2]
    response = post_comment(client, open_003, section_url(open_003, section), section_id=section.id, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in page and message in page
    assert re.search(r'<a href="#(body|stance-0|author_contact|author_name)">', page)
    assert stored_comments() == 0


def test_invisible_text_is_blank_and_a_name_cannot_turn_the_text_around(app, client, open_003):
    url = f"/consultations/{open_003.id}"
    for body in ("\u200b\u200b\u200b", "\u0301\u0301"):  # zero-width spaces; combining accents alone
        refused = post_comment(client, open_003, url, body=body)
        assert refused.status_code == 422 and "请填写您的意见" in refused.get_data(as_text=True)
        assert "<title>错误：" in refused.get_data(as_text=True)  # the tab's title says so first
    assert stored_comments() == 0
    assert "<title>错误：" not in client.get(url).get_data(as_text=True)
    receipt_from(post_comment(client, open_003, url, body="好", author_name="\u200b",
                              author_contact="someone@example.com\u200b"))
    receipt_from(post_comment(client, open_003, url, body="好", author_name="\u202e管理员", organisation="\u202e某某协会"))
    first, second = db.session.scalars(select(Comment).order_by(Comment.id)).all()
    assert first.author_name is None and first.author_contact == "someone@example.com"  # shown as 匿名
    assert second.author_name == "管理员" and second.organisation == "某某协会"


def test_contacts_accept_phones_and_emails(app, client, open_003):
    for contact in ("13800138000", "0557-3255022", "someone@example.com", "+86 13800138000"):
        receipt_from(post_comment(client, open_003, f"/consultations/{open_003.id}", body="好", author_contact=contact))
    assert stored_comments() == 4


def test_contacts_are_accepted_as_people_write_them_and_stored_plain(app, client, open_003):
    typed = {"138 1234 5678": "138 1234 5678", "138-1234-5678": "138-1234-5678",
             "１３８１２３４５６７８": "13812345678", "电话：13812345678": "13812345678",
             "邮箱：Someone＠example.com": "Someone@example.com", "（0557）3255022": "(0557)3255022"}
    for contact in typed:
        receipt_from(post_comment(client, open_003, f"/consultations/{open_003.id}", body="好", author_contact=contact))
    stored = db.session.scalars(select(Comment.author_contact).order_by(Comment.id)).all()
    assert stored == list(typed.values())
    refused = post_comment(client, open_003, f"/consultations/{open_003.id}", body="好", author_contact="电话：12345")
    assert refused.status_code == 422
    assert "例如 13800138000、0527-84350000 或 zhangsan@example.com" in refused.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(app, client, open_003):
    response = client.post(f"/consultations/{open_003.id}/comments", data={"body": "没有令牌", "stance": "suggest"})
    assert response.status_code == 400
    assert "页面打开的时间太长" in response.get_data(as_text=True)
    assert stored_comments() == 0


@pytest.mark.parametrize("field", ["section_id", "parent_id"])
@pytest.mark.parametrize("value", ["2147483648", str(2**63), "²", "-1", "0", "abc"])
def test_a_section_or_reply_id_no_database_holds_is_not_found(app, client, open_003, field, value):
    """Out of the database's integer range was a server error (PostgreSQL from 2**31, SQLite from 2**63)."""
    response = post_comment(client, open_003, f"/consultations/{open_003.id}", body="意见", **{field: value})
    assert response.status_code == 404
    assert stored_comments() == 0


def test_section_of_another_consultation_is_refused(app, client, open_003, import_seed):
    other = import_seed("001", deadline=shanghai(2023, 5, 31, 23, 59, 59))
    foreign = other.current_draft.sections[0]
    response = post_comment(client, open_003, f"/consultations/{open_003.id}", section_id=foreign.id, body="串门")
    assert response.status_code == 404
    assert stored_comments() == 0


def test_hostile_text_is_shown_inert(app, client, open_003):
    url = f"/consultations/{open_003.id}"
    number = receipt_from(post_comment(client, open_003, url, body="<script>alert(1)</script>", author_name="<b>x</b>"))
    approve(app, number)
    page = client.get(url).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>x</b>" not in page


def test_private_consultation_keeps_comments_to_the_office(app, client, open_003):
    open_003.comment_visibility = "private"
    db.session.commit()
    url = f"/consultations/{open_003.id}"
    number = receipt_from(post_comment(client, open_003, url, body="只给起草单位看"))
    approve(app, number)
    page = client.get(url).get_data(as_text=True)
    assert "只给起草单位看" not in page and "不在网上公开" in page
    assert "只给起草单位看" in client.get(f"/receipts/{number}").get_data(as_text=True)
    # nobody replies to a comment nobody sees: the reply page and a reply posted anyway find nothing
    parent = db.session.scalar(select(Comment).where(Comment.receipt_number == number))
    assert client.get(f"/consultations/{open_003.id}/comments/{parent.id}/reply").status_code == 404
    response = post_comment(client, open_003, url, parent_id=parent.id, body="回复一条不公开的意见。")
    assert response.status_code == 404 and stored_comments() == 1


def test_unknown_receipt_is_404_and_lookup_redirects(app, client):
    assert client.get("/receipts/20230101-AAAAAA").status_code == 404
    response = client.get("/receipts/?number=20230101-aaaaaa")
    assert response.status_code == 302 and response.headers["Location"].endswith("/receipts/20230101-AAAAAA")


def test_a_receipt_number_is_found_as_people_type_it(app, client, open_003):
    number = receipt_from(post_comment(client, open_003, f"/consultations/{open_003.id}", body="我的意见"))
    date, letters = number.split("-")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in f"{date}-{letters.lower()}")
    for typed in (f"{date}{letters}", f"{date} {letters}", f"{date}—{letters}", f" {date}－{letters.lower()} ",
                  full_width):
        looked_up = client.get("/receipts/", query_string={"number": typed})
        assert looked_up.status_code == 302 and looked_up.headers["Location"].endswith(f"/receipts/{number}"), typed
    # an address typed by hand goes to the number's own
    assert client.get(f"/receipts/{date}{letters.lower()}").headers["Location"].endswith(f"/receipts/{number}")
    assert "我的意见" in client.get(f"/receipts/{number}").get_data(as_text=True)


def test_an_unknown_receipt_number_gives_the_lookup_form_again_with_the_number_kept(client):
    page = client.get("/receipts/20230101-AAAAAB")
    text = page.get_data(as_text=True)
    assert page.status_code == 404 and "没有找到回执号为 20230101-AAAAAB 的意见" in text
    assert 'value="20230101-AAAAAB"' in text and 'aria-invalid="true"' in text


def test_a_receipt_number_already_taken_is_drawn_again_and_nothing_is_written_twice(app, client, open_003,
                                                                                      monkeypatch):
    """The insert refuses a taken receipt number (ON CONFLICT … DO NOTHING); on PostgreSQL its queue rows, in
    the same statement, must then not be written either."""
    from portal.comments import services
    from portal.mail.models import OutboxMessage
    from portal.routing.models import RoutingQueueItem
    from portal.routing.queue import route_queued
    from portal.search.models import COMMENT, SearchQueueItem

    open_003.contact_emails = ["contact@example.gov.cn"]
    open_003.moderation_mode = "post"  # published at once, so each comment has its search queue row too
    db.session.commit()
    url = f"/consultations/{open_003.id}"
    first = receipt_from(post_comment(client, open_003, url, body="第一条意见。"))
    numbers = iter([first, first, "20230420-ZZZZZZ"])
    monkeypatch.setattr(services, "new_receipt_number", lambda: next(numbers))
    second = receipt_from(post_comment(client, open_003, url, body="第二条意见。"))
    assert second == "20230420-ZZZZZZ"
    comments = dict(db.session.execute(select(Comment.receipt_number, Comment.id)).all())
    assert set(comments) == {first, second}
    assert sorted(db.session.scalars(select(RoutingQueueItem.comment_id))) == sorted(comments.values())
    assert route_queued() == 2  # the mail worker plans their mails
    for comment_id in comments.values():
        queued = db.session.scalar(select(func.count()).select_from(SearchQueueItem)
                                   .where(SearchQueueItem.kind == COMMENT, SearchQueueItem.target_id == comment_id))
        mails = db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.comment_id == comment_id)).all()
        assert queued == 1 and mails == ["contact@example.gov.cn"]


def test_the_personal_number_note_names_the_contact_field_as_it_is_labelled(app, client, open_003):
    page = client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
    label = "联系电话或电子邮箱（可不填）"
    assert f">{label}</label>" in page
    note = re.search(r'data-personal-note="([^"]*)"', page).group(1)
    assert f"“{label}”栏" in note
