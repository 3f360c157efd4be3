"""An elderly citizen on a phone sends a comment, thinks better of it and withdraws it from the receipt page, in
Chromium; another browser that only knows the receipt number is not offered the button."""
import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_a_comment_is_withdrawn_from_the_browser_that_sent_it(open_page, live_portal, javascript):
    page = open_page(viewport=PHONE, javascript=javascript)
    page.goto(f"/consultations/{live_portal.consultation_id}")
    page.get_by_role("link", name="长辈模式").first.click()
    body = f"我写错了，这条意见要撤回（{'有' if javascript else '无'}脚本）。"
    page.get_by_label("您的意见").first.fill(body)
    page.get_by_label("联系电话或电子邮箱（可不填）").first.fill("13900001234")
    page.get_by_role("button", name="提交意见").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "您的意见已收到"
    receipt_url = page.url
    # the form's anchor for its error summary (#comment-errors) is not carried over to the receipt's address
    assert receipt_url.endswith("#receipt"), receipt_url
    section = page.locator("section.withdraw")
    assert section.is_visible() and "截止时间前，您可以撤回" in section.inner_text()

    section.get_by_role("button", name="撤回意见").click()  # without the tick
    assert "请勾选确认后再撤回。" in page.locator(".error-summary").inner_text()
    page.get_by_label("我确认撤回这条意见，撤回后不能恢复").check()
    page.get_by_role("button", name="撤回意见").click()
    assert page.get_by_role("heading", level=1).inner_text() == "这条意见已撤回"
    assert page.url == receipt_url  # the receipt's own address, at its panel
    assert body not in page.content() and "13900001234" not in page.content()
    assert "已由提出人撤回" in page.locator(".summary-list").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    stranger = open_page(viewport=PHONE, javascript=javascript)
    stranger.goto(receipt_url)
    assert stranger.get_by_role("heading", level=1).inner_text() == "这条意见已撤回"
    assert stranger.locator("section.withdraw").count() == 0


def test_another_browser_with_the_number_is_not_offered_the_button(open_page, live_portal):
    page = open_page()
    page.goto(f"/consultations/{live_portal.consultation_id}")
    page.get_by_label("您的意见").first.fill("这条意见别人不能撤回。")
    page.get_by_role("button", name="提交意见").first.click()
    assert page.locator("section.withdraw").is_visible()
    other = open_page()
    other.goto(page.url)
    assert other.get_by_role("heading", level=1).inner_text() == "您的意见已收到"
    assert other.locator("section.withdraw").count() == 0
