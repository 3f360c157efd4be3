"""The error pages a citizen may meet say what happened, whether what they wrote was kept, and what to do next,
in plain words: an expired page, files too large, too many sendings, a page not found, a server error."""
import io
import re

import pytest

from tests.helpers import csrf_token, post_comment
from tests.security.conftest import IsolatedClient


@pytest.fixture
def client(app):
    """A browser whose every request has its own app context, so that each is in the language it asks for."""
    return IsolatedClient(app, app.response_class, use_cookies=True)


def lead(response) -> str:
    """The error page's message."""
    return re.search(r'<p class="lead">(.*?)</p>', response.get_data(as_text=True), re.S).group(1)


def test_an_expired_staff_form_does_not_speak_of_a_comment(app, client, make_user):
    make_user("admin")
    token = csrf_token(client, "/login")
    client.post("/login", data={"csrf_token": token, "email": "admin@example.gov.cn", "password": "correct horse 1"})
    response = client.post("/admin/units/new", data={"csrf_token": "expired", "name": "新单位"})
    assert response.status_code == 400
    assert lead(response) == "页面打开的时间太长，这次没有提交成功。请返回上一页，刷新页面后再提交一次。"
    english = client.post("/admin/units/new", data={"csrf_token": "expired"}, headers={"Accept-Language": "en"})
    assert lead(english) == ("This page was open too long and nothing was sent. "
                             "Go back, reload the page and send it again.")


def test_an_expired_comment_form_says_the_comment_was_not_kept(app, client, open_003):
    response = client.post(f"/consultations/{open_003.id}/comments", data={"body": "意见", "stance": "suggest"})
    assert response.status_code == 400
    assert "您的意见这次没有提交成功，网站上没有保存" in lead(response) and "表单" not in lead(response)


def test_files_too_large_for_a_comment_name_the_limit_per_file_and_say_nothing_was_sent(app, client, open_003):
    app.config.update(MAX_CONTENT_LENGTH=64 * 1024, COMMENT_ATTACHMENT_MAX_BYTES=5 * 1024 * 1024)
    url = f"/consultations/{open_003.id}"
    data = {"csrf_token": csrf_token(client, url), "stance": "suggest", "body": "附件太大", "section_id": "",
            "parent_id": "", "attachments": (io.BytesIO(b"x" * 100 * 1024), "photo.jpg")}
    response = client.post(f"{url}/comments", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "每个附件不能超过 5 MB" in page and "您的意见这次没有提交成功" in page and "不带附件" in page
    data["attachments"] = (io.BytesIO(b"x" * 100 * 1024), "photo.jpg")
    english = client.post(f"{url}/comments", data=data, content_type="multipart/form-data",
                          headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Each file can be at most 5 MB" in english and "your comment was not sent" in english


@pytest.mark.parametrize("limit, wait", [("2/minute", "请过 1 分钟再试。"), ("2/day", "今天的次数已经用完了，请明天再试。")])
def test_too_many_comments_say_when_to_try_again_and_what_was_kept(app, client, open_003, limit, wait):
    app.config["COMMENT_RATE_LIMIT"] = limit
    url = f"/consultations/{open_003.id}"
    for body in ("第一条", "第二条"):
        assert post_comment(client, open_003, url, body=body).status_code == 303
    response = post_comment(client, open_003, url, body="第三条")
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "这一条这次没有提交成功，网站上没有保存" in page and wait in page and "您写的内容一般还在" in page
    if limit == "2/day":
        assert "几分钟" not in page


def test_a_page_not_found_says_what_to_do(client):
    response = client.get("/no-such-page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "请看看网址有没有输错" in page and 'href="/consultations/"' in page


def test_a_server_error_points_to_the_notices_phone_without_jargon(app, client):
    def broken():
        raise RuntimeError("a bug")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.view_functions["consultations.index"] = broken
    response = client.get("/consultations/")
    assert response.status_code == 500
    assert "请拨打征求意见公告上写的联系电话" in lead(response) and "数据" not in lead(response)


def test_a_form_no_page_sends_is_refused_in_the_readers_language(app, client, make_user, open_003):
    """A request the portal refuses as malformed (here: resending a mail that is still waiting to be sent, which
    the outbox page offers no button for) gets the portal's own page, not the server's bare English "Bad Request"
    (the sweep of tests/security/test_bad_input_sweep.py found it)."""
    from sqlalchemy import select

    from portal.comments.services import submit_comment
    from portal.extensions import db
    from portal.mail.models import OutboxMessage
    from portal.mail.services import queue_message

    comment = submit_comment(open_003, "意见。", "suggest", None)
    queue_message("receipt", "someone@example.cn", "receipt", "zh_CN",
                  {"comment": comment, "consultation": open_003}, comment_id=comment.id)
    db.session.commit()
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status == "pending"
    make_user("admin")
    token = csrf_token(client, "/login")
    client.post("/login", data={"csrf_token": token, "email": "admin@example.gov.cn", "password": "correct horse 1"})
    response = client.post(f"/admin/outbox/{message.id}/resend", data={"csrf_token": token})
    assert response.status_code == 400
    assert lead(response) == "这次提交的内容不完整或有误，没有保存。请返回上一页，刷新页面后再试一次。"
    english = client.post(f"/admin/outbox/{message.id}/resend", data={"csrf_token": token},
                          headers={"Accept-Language": "en"})
    assert english.status_code == 400
    assert lead(english) == ("What was sent was incomplete or wrong, and nothing was saved. "
                             "Go back, reload the page and try again.")
    db.session.refresh(message)
    assert (message.status, message.attempts) == ("pending", 0)
