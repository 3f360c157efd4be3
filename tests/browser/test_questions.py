"""Key questions (重点问题) in Chromium on a phone: "comment on this question" takes the reader to the form with the
question chosen; the receipt says which question the comment answers."""
import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def test_comment_on_this_question_chooses_it_in_the_form(open_page, live_portal):
    page = open_page(viewport=PHONE)
    page.goto(f"/consultations/{live_portal.consultation_id}")
    box = page.locator(".key-questions")
    assert "社区助餐点应当由谁来办？" in box.inner_text()
    link = box.locator('a[data-question="2"]')
    assert link.inner_text().startswith("就这个问题提意见")
    link.click()
    chosen = page.get_by_label("这条意见针对哪个问题（可不选）")
    assert chosen.input_value() == "2"
    assert chosen.is_visible()  # the form was scrolled to
    page.locator("#comment-form").get_by_label("您的意见").fill("建议由街道统一办助餐点，社区提供场地。")
    page.locator("#comment-form").get_by_role("button", name="提交意见").click()
    assert page.get_by_role("heading", level=1).inner_text() == "您的意见已收到"
    assert "问题2：社区助餐点应当由谁来办？" in page.locator(".summary-list").first.inner_text()


def test_without_script_the_link_leads_to_the_form_to_choose_from(open_page, live_portal):
    page = open_page(viewport=PHONE, javascript=False)
    page.goto(f"/consultations/{live_portal.consultation_id}")
    link = page.locator(".key-questions").locator('a[data-question="1"]')
    assert link.get_attribute("href") == "#comment-form"
    options = page.get_by_label("这条意见针对哪个问题（可不选）").locator("option").all_inner_texts()
    assert options == ["不针对具体问题", "问题1：补贴标准定为每人每月200元是否合适？", "问题2：社区助餐点应当由谁来办？"]
