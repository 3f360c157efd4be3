"""A citizen reads seed 003 in a real browser, follows the table of contents, comments, replies, gets a
receipt; a moderator approves it in the queue; the comment appears. On a desktop screen and on a 360 px phone."""
import re

import pytest

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser
RECEIPT = re.compile(r"^\d{8}-[A-Z0-9]{6}$")


def no_sideways_scrolling(page) -> bool:
    """Nothing wider than the screen. Measured against the viewport's width as set, not window.innerWidth: a
    mobile browser widens its layout viewport to fit what overflows, and innerWidth grows with the page."""
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def approve_in_the_queue(moderator_page, text: str, viewport) -> None:
    """A moderator logs in, finds the comment in the moderation queue and approves it."""
    moderator = moderator_page(viewport=viewport)
    row = moderator.locator("li.queue-row", has_text=text)
    assert row.count() == 1
    assert "13800138000" in row.inner_text()  # the moderator sees the contact the public never sees
    row.get_by_role("button", name="通过", exact=True).click()
    assert moderator.locator("li.queue-row", has_text=text).count() == 0


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_citizen_comments_replies_and_sees_the_approved_comment(open_page, moderator_page, live_portal, viewport):
    page = open_page(viewport=viewport)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_role("link", name=live_portal.consultation_title, exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == live_portal.consultation_title
    assert no_sideways_scrolling(page)

    # the table of contents leads to the fourth part of the draft
    toc_link = page.locator("nav.toc a").nth(3)
    part_title = toc_link.inner_text()
    anchor = toc_link.get_attribute("href")
    toc_link.click()
    assert page.url.endswith(anchor)
    target = page.locator(f"section{anchor}")
    assert target.locator(".section-heading, .run-in").first.inner_text().replace(" ", "").startswith(
        part_title.replace(" ", "")[:6])
    assert target.locator(".section-heading, .run-in").first.is_visible()
    assert page.evaluate(f"() => document.querySelector('{anchor}').getBoundingClientRect().top") < viewport["height"]

    # comment on that part, from its own page
    target.locator(":scope > .section-actions a.comment-link").click()
    assert page.get_by_role("heading", level=1).inner_text() == part_title
    section_url = page.url.split("#")[0]
    body = f"建议在{viewport['width']}屏幕上也能方便地查看社区养老服务站的位置。"
    page.get_by_label("您的意见").fill(body)
    page.get_by_label("赞成").check()
    page.get_by_label("姓名（可不填）").fill("王大爷")
    page.get_by_label("联系电话或电子邮箱（可不填）").fill("13800138000")
    page.get_by_role("button", name="提交意见").click()
    assert page.get_by_role("heading", level=1).inner_text() == "您的意见已收到"
    number = page.locator(".receipt-number").inner_text().strip()
    assert RECEIPT.match(number), number
    assert "已收到，等待审核" in page.locator(".summary-list").inner_text()
    assert no_sideways_scrolling(page)

    # not public before a moderator approves it
    page.goto(section_url)
    assert body not in page.locator("#comments").inner_text()
    approve_in_the_queue(moderator_page, body, viewport)
    page.reload()
    comment = page.locator("#comments article.comment", has_text=body)
    assert comment.count() == 1
    assert "王大爷" in comment.inner_text() and "13800138000" not in page.content()

    # reply to it
    comment.get_by_role("link", name="回复").click()
    assert page.get_by_role("heading", level=1).inner_text() == "回复意见"
    reply = f"同意王大爷的意见（{viewport['width']}）。"
    page.get_by_label("回复内容").fill(reply)  # a reply, not an opinion of its own
    page.get_by_role("button", name="提交意见").click()
    reply_number = page.locator(".receipt-number").inner_text().strip()
    assert RECEIPT.match(reply_number) and reply_number != number
    live_portal.approve(reply_number)

    # the receipt can be looked up later
    page.goto("/")
    page.get_by_role("link", name="查询回执").click()
    page.get_by_label("回执号").fill(number.lower())
    page.get_by_role("button", name="查询").click()
    assert page.locator(".receipt-number").inner_text().strip() == number
    assert "已审核通过" in page.locator(".summary-list").inner_text()

    page.goto(section_url)
    thread = page.locator("#comments article.comment", has_text=body)
    assert reply in thread.locator(".replies").inner_text()
    assert no_sideways_scrolling(page)


def test_keyboard_only_skip_link_error_summary_and_submission(open_page, live_portal):
    page = open_page()
    page.goto(f"/consultations/{live_portal.consultation_id}")
    section_link = page.locator("a.comment-link").nth(2).get_attribute("href")
    page.goto(section_link.split("#")[0])

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    assert skip.is_visible() and skip.bounding_box()["x"] >= 0
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    # send the empty form with the keyboard: the error summary gets focus, its link leads to the field
    tab_to(page, "button.button")
    page.keyboard.press("Enter")
    page.wait_for_selector(".error-summary")
    page.wait_for_load_state("domcontentloaded")  # the deferred portal.js (which moves the focus) has run by then
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#body"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "body"
    page.keyboard.type("用键盘提交的意见。")
    tab_to(page, "button.button")
    page.keyboard.press("Enter")
    page.wait_for_selector(".receipt-number")
    assert page.get_by_role("heading", level=1).inner_text() == "您的意见已收到"


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has focus (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got focus with Tab")
