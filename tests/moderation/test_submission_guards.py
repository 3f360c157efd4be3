"""What happens as a comment arrives: rate limit, honeypot, flags, post-moderation; citizen reports."""
import io
import re

from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.extensions import db
from portal.moderation.models import CommentReport
from tests.helpers import csrf_token, post_comment, receipt_from
from tests.moderation.conftest import act, queue_items


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment))


def test_rate_limit_refuses_with_a_clear_page(app, client, open_003):
    app.config["COMMENT_RATE_LIMIT"] = "2/minute"
    url = f"/consultations/{open_003.id}"
    receipt_from(post_comment(client, open_003, url, body="第一条"))
    receipt_from(post_comment(client, open_003, url, body="第二条"))
    response = post_comment(client, open_003, url, body="第三条")
    assert response.status_code == 429
    assert "提交太频繁" in response.get_data(as_text=True)
    assert stored() == 2


def test_honeypot_refuses_and_stores_nothing(client, open_003):
    url = f"/consultations/{open_003.id}"
    assert 'name="website"' in client.get(url).get_data(as_text=True)
    response = post_comment(client, open_003, url, body="机器人", website="http://spam.example")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "浏览器的“自动填写”" in page and "刷新页面后再提交一次" in page and "表单" not in page
    assert stored() == 0


def test_spam_signs_are_flags_and_the_address_is_kept_only_hashed(app, client, open_003):
    url = f"/consultations/{open_003.id}"
    receipt_from(post_comment(client, open_003, url, body="详情见 www.deal.cn 哈哈哈哈哈哈哈"))
    comment = db.session.scalars(select(Comment)).one()
    assert comment.flag_list == ["link", "repeated"] and comment.status == "pending"
    assert comment.client_hash and "127.0.0.1" not in comment.client_hash


def test_a_burst_from_one_address_is_flagged(app, client, open_003):
    app.config["MODERATION_BURST_COUNT"] = 3
    url = f"/consultations/{open_003.id}"
    bodies = ["社区食堂太少。", "停车位不够用。", "养老补贴偏低。"]
    for body in bodies:
        receipt_from(post_comment(client, open_003, url, body=body))
    flags = [c.flag_list for c in db.session.scalars(select(Comment).order_by(Comment.id))]
    assert flags == [[], [], ["burst"]]


def test_sensitive_words_flag_and_are_highlighted_for_the_moderator(client, open_003, make_user, login, add_comment):
    make_user("admin", email="admin@example.gov.cn")
    login("admin@example.gov.cn")
    token = csrf_token(client, "/admin/sensitive-words/")
    client.post("/admin/sensitive-words/", data={"csrf_token": token, "words": "坏蛋\n<b>"})
    upload = {"csrf_token": token, "file": (io.BytesIO("# 词表\n骗子\n".encode("gb18030")), "words.txt")}
    response = client.post("/admin/sensitive-words/import", data=upload, content_type="multipart/form-data")
    assert response.status_code == 303
    page = client.get("/admin/sensitive-words/").get_data(as_text=True)
    assert "当前词表（3 个）" in page and "骗子" in page
    comment = add_comment("你这个骗子，<b>坏蛋</b>！")
    assert comment.flag_list == ["sensitive"]
    queue = client.get("/moderation?flag=sensitive").get_data(as_text=True)
    assert "你这个<mark>骗子</mark>，<mark>&lt;b&gt;坏蛋</mark>&lt;/b&gt;！" in queue  # adjacent words: one mark
    bad = client.post("/admin/sensitive-words/import", content_type="multipart/form-data",
                      data={"csrf_token": token, "file": (io.BytesIO(b"\x00\x01\x02"), "x.bin")})
    assert bad.status_code == 422 and "没有读到敏感词" in bad.get_data(as_text=True)
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["add_sensitive_words", "add_sensitive_words"]


def test_a_list_or_a_file_without_a_word_adds_nothing_and_says_why(client, make_user, login):
    from portal.moderation.models import SensitiveWord

    make_user("admin", email="admin@example.gov.cn")
    login("admin@example.gov.cn")
    token = csrf_token(client, "/admin/sensitive-words/")
    typed = client.post("/admin/sensitive-words/", data={"csrf_token": token, "words": "# 只有注释\n，、"})
    assert typed.status_code == 422 and "没有找到可以添加的词。" in typed.get_data(as_text=True)
    empty = client.post("/admin/sensitive-words/", data={"csrf_token": token, "words": ""})
    assert empty.status_code == 422 and "请填写要添加的敏感词。" in empty.get_data(as_text=True)
    uploaded = client.post("/admin/sensitive-words/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO("# 词表\n\n".encode()), "words.txt")})
    assert uploaded.status_code == 422 and "这个文件里没有读到敏感词。" in uploaded.get_data(as_text=True)
    none = client.post("/admin/sensitive-words/import", content_type="multipart/form-data", data={"csrf_token": token})
    assert none.status_code == 422 and "请选择一个文本文件。" in none.get_data(as_text=True)
    assert db.session.scalars(select(SensitiveWord)).all() == []
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_post_moderation_publishes_at_once_and_keeps_it_in_the_queue(app, client, open_003, moderator):
    result = app.test_cli_runner().invoke(args=["moderation", "mode", str(open_003.id), "post"])
    assert result.exit_code == 0, result.output
    url = f"/consultations/{open_003.id}"
    receipt_from(post_comment(client, open_003, url, body="立即公开的意见。"))
    receipt_from(post_comment(client, open_003, url, body="带链接 https://x.example.com 的意见。"))
    page = client.get(url).get_data(as_text=True)
    assert "立即公开的意见。" in page and "x.example.com" not in page  # flagged ones still wait
    queue = client.get("/moderation").get_data(as_text=True)
    assert len(queue_items(queue)) == 2 and "待复核" in queue
    item = next(i for i in queue_items(queue) if f"c-{_id('立即公开的意见。')}-" in i)
    act(client, [item], action="approve")
    assert len(queue_items(client.get("/moderation").get_data(as_text=True))) == 1


def _id(body: str) -> int:
    return db.session.scalar(select(Comment.id).where(Comment.body == body))


def test_admin_sets_the_moderation_mode_on_a_page(client, open_003, make_user, login):
    make_user("admin", email="admin@example.gov.cn")
    login("admin@example.gov.cn")
    token = csrf_token(client, "/login")
    assert "先审后发" in client.get("/admin/moderation-modes").get_data(as_text=True)
    response = client.post(f"/admin/moderation-modes/{open_003.id}", data={"csrf_token": token, "mode": "post"})
    assert response.status_code == 303
    db.session.expire_all()
    assert open_003.moderation_mode == "post"
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.before, entry.after) == (
        "set_moderation_mode", {"moderation_mode": "pre"}, {"moderation_mode": "post"})


def test_a_report_puts_a_published_comment_back_in_the_queue(client, open_003, moderator, add_comment):
    comment = add_comment("一条已公开的意见。")
    act(client, queue_items(client.get("/moderation").get_data(as_text=True)), action="approve")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/login")})
    page = client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
    report_url = f"/consultations/{open_003.id}/comments/{comment.id}/report"
    assert report_url in page
    token = csrf_token(client, report_url)
    missing = client.post(report_url, data={"csrf_token": token, "reason": ""})
    assert missing.status_code == 422 and "请选择举报理由" in missing.get_data(as_text=True)
    refused = missing.get_data(as_text=True)  # the error is read with the choices (WCAG 1.3.1)
    assert 'aria-describedby="reason-error"' in refused and 'id="reason-error"' in refused
    assert 'aria-invalid="true"' in re.search(r'<input[^>]*id="reason-0"[^>]*>', refused).group(0)
    assert "报告没有提交" in missing.get_data(as_text=True)
    english = client.post(report_url, data={"csrf_token": token, "reason": ""}, headers={"Accept-Language": "en"})
    assert "Your report was not sent" in english.get_data(as_text=True)  # not "comment", as the comment form says
    response = client.post(report_url, data={"csrf_token": token, "reason": "privacy", "note": "有别人的电话"})
    assert response.status_code == 303
    assert "举报已收到" in client.get(response.headers["Location"]).get_data(as_text=True)
    report = db.session.scalars(select(CommentReport)).one()
    assert (report.comment_id, report.reason, report.note) == (comment.id, "privacy", "有别人的电话")
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).status == "approved"  # still shown until a moderator decides
    client.post("/login", data={"csrf_token": csrf_token(client, "/login"), "email": "mod@example.gov.cn",
                                "password": "correct horse 1"})
    queue = client.get("/moderation?flag=reported").get_data(as_text=True)
    assert "一条已公开的意见。" in queue and "泄露他人个人信息" in queue and "有别人的电话" in queue


def test_reports_on_unpublished_comments_are_404(client, open_003, add_comment):
    comment = add_comment("待审核的意见。")
    assert client.get(f"/consultations/{open_003.id}/comments/{comment.id}/report").status_code == 404


def test_the_same_word_added_twice_at_once_is_a_plain_refusal_not_a_server_error(client, make_user, login):
    """Two administrators (or one press twice, without the page's guard) adding the same word: each read it was not
    on the list, and the second hit the unique key (a 500). Any such second write now gets a page in the reader's
    language saying it was saved already, and nothing of it is kept."""
    from sqlalchemy import event, insert

    from portal.moderation.models import SensitiveWord

    make_user("admin", email="admin@example.gov.cn")
    login("admin@example.gov.cn")
    token = csrf_token(client, "/admin/sensitive-words/")
    added_by_other = []

    def the_other_adds(conn, cursor, statement, parameters, context, executemany):
        if not added_by_other and statement.lstrip().upper().startswith("SELECT") and "sensitive_words" in statement:
            added_by_other.append(True)  # right after this request read the list
            with db.engine.begin() as other:
                other.execute(insert(SensitiveWord).values(word="骗子"))

    event.listen(db.engine, "after_cursor_execute", the_other_adds)
    try:
        response = client.post("/admin/sensitive-words/", data={"csrf_token": token, "words": "骗子"})
    finally:
        event.remove(db.engine, "after_cursor_execute", the_other_adds)
    assert added_by_other and response.status_code == 409
    assert "刚才已经有人做了同样的修改" in response.get_data(as_text=True)
    assert db.session.scalars(select(SensitiveWord.word)).all() == ["骗子"]
    english = client.get("/admin/sensitive-words/", headers={"Accept-Language": "en"})
    assert english.status_code == 200  # the session goes on
