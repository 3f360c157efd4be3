"""A form is sent once: in Chromium, pressing 提交意见 again while the answer is on its way stores one comment,
not two; back from the receipt, the form sends again."""
import threading
import time

import pytest
from sqlalchemy import func, select

from portal.comments.models import Comment
from portal.extensions import db

pytestmark = pytest.mark.browser


def _comments(live_portal, body: str) -> int:
    with live_portal.app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Comment).where(Comment.body == body))
        db.session.remove()
    return count


def test_a_second_press_while_the_answer_is_on_its_way_sends_nothing_more(open_page, live_portal, monkeypatch):
    from portal.comments import views

    arrived = threading.Event()

    def slowly(*args, **kwargs):  # a busy day: the answer takes a while, and the citizen presses again
        arrived.set()
        time.sleep(0.5)
        return store_comment(*args, **kwargs)

    store_comment = views.store_comment
    monkeypatch.setattr(views, "store_comment", slowly)
    page = open_page()
    page.goto(f"/consultations/{live_portal.consultation_id}")
    body = "按了两次提交按钮，意见只应保存一条。"
    page.get_by_label("您的意见").first.fill(body)
    sent = []  # the forms the browser sent (a second press that went would be a second POST, at once)
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    button = page.get_by_role("button", name="提交意见").first
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)  # the mouse as a person uses it (a locator's click would wait for the page to change)
    assert arrived.wait(10)  # the first is with the portal
    page.mouse.click(x, y)
    page.wait_for_url("**/receipts/**")
    assert page.get_by_role("heading", level=1).inner_text() == "您的意见已收到"
    assert sent == [f"{live_portal.url}/consultations/{live_portal.consultation_id}/comments"]  # the second stayed
    assert _comments(live_portal, body) == 1


def test_back_from_the_receipt_the_form_sends_again(open_page, live_portal):
    page = open_page()
    page.goto(f"/consultations/{live_portal.consultation_id}")
    page.get_by_label("您的意见").first.fill("第一条。")
    page.get_by_role("button", name="提交意见").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "您的意见已收到"
    page.go_back()
    page.get_by_label("您的意见").first.fill("第二条。")
    page.get_by_role("button", name="提交意见").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "您的意见已收到"
    assert _comments(live_portal, "第一条。") == 1 and _comments(live_portal, "第二条。") == 1
