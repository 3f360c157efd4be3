"""Without JavaScript (an old phone, script turned off), a comment form sent with a mistake comes back scrolled to
its error summary: the form stands below the section's text, and a reader left at the top of a long page would
see no error and think the comment sent."""
import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def in_view(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and 0 <= box["y"] < page.viewport_size["height"]


def test_a_refused_comment_shows_its_errors_on_screen_without_javascript(open_page, live_portal):
    page = open_page(viewport=PHONE, javascript=False)
    page.goto(f"/consultations/{live_portal.consultation_id}/sections/s-2")  # 二、主要任务: a long page
    form = page.locator("form.comment-form")
    form.locator("textarea[name=author_contact], input[name=author_contact]").fill("12345")
    form.get_by_role("button", name="提交意见").click()
    page.wait_for_selector(".error-summary")
    assert page.locator(".error-summary li").count() >= 2  # the empty opinion and the contact that is no number
    assert in_view(page, ".error-summary")
    assert not in_view(page, "h1")  # scrolled down to the form, past the section's text

    # corrected, it is sent as usual: the receipt's page, its number on screen
    form = page.locator("form.comment-form")
    form.locator("textarea[name=body]").fill("没有脚本也能提交的意见。")
    form.locator("input[name=author_contact]").fill("")
    form.get_by_role("button", name="提交意见").click()
    page.wait_for_selector(".receipt-number")
    assert page.get_by_role("heading", level=1).inner_text() == "您的意见已收到"
    assert in_view(page, ".receipt-number")
