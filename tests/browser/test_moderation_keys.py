"""The moderation queue's single-letter shortcuts act only once the moderator turns them on (WCAG 2.1.4): a letter
typed by mistake, or a word speech input hears as one, had approved a comment and made it public. On a phone (or a
page zoomed to 200 %), the queue's action bar no longer stays over the comments (WCAG 1.4.10)."""
from __future__ import annotations

from sqlalchemy import select

from tests.browser.conftest import DESKTOP, PHONE


def a_pending_comment(live_portal, text: str) -> int:
    from portal.comments.services import submit_comment
    from portal.consultations.models import Consultation
    from portal.extensions import db

    with live_portal.app.app_context():
        consultation = db.session.get(Consultation, live_portal.consultation_id)
        comment_id = submit_comment(consultation, text, "suggest").id
        db.session.commit()
        db.session.remove()
    return comment_id


def status_of(live_portal, comment_id: int) -> str:
    from portal.comments.models import Comment
    from portal.extensions import db

    with live_portal.app.app_context():
        status = db.session.scalar(select(Comment.status).where(Comment.id == comment_id))
        db.session.remove()
    return status


def test_letters_do_nothing_until_the_shortcuts_are_turned_on(moderator_page, live_portal):
    comment_id = a_pending_comment(live_portal, "快捷键测试：一条等待审核的意见。")
    page = moderator_page(viewport=DESKTOP)
    toggle = page.get_by_label("使用快捷键")
    assert toggle.is_visible() and not toggle.is_checked()
    page.locator("main h1").click()
    page.keyboard.press("j")
    page.keyboard.press("a")
    page.wait_for_timeout(300)
    assert status_of(live_portal, comment_id) == "pending"  # a stray "a" published nothing

    toggle.check()
    page.reload()  # the choice is kept in this browser
    assert page.get_by_label("使用快捷键").is_checked()
    page.locator("main h1").click()
    row = page.locator("li.queue-row", has_text="快捷键测试：一条等待审核的意见。")
    for _ in range(page.locator("li.queue-row").count()):  # to the row of this comment
        page.keyboard.press("j")
        if "current" in (row.get_attribute("class") or ""):
            break
    with page.expect_navigation():
        page.keyboard.press("a")
    assert status_of(live_portal, comment_id) == "approved"


def test_the_action_bar_stays_in_place_on_a_phone(moderator_page, live_portal):
    a_pending_comment(live_portal, "手机上的审核队列。")
    page = moderator_page(viewport=PHONE)
    assert page.locator(".action-bar").evaluate("bar => getComputedStyle(bar).position") == "static"
    desktop = moderator_page(viewport=DESKTOP)
    assert desktop.locator(".action-bar").evaluate("bar => getComputedStyle(bar).position") == "sticky"
