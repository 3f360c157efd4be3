"""Commenting on behalf of an organisation (以单位名义) in Chromium on a phone: the fields are folded away under the
name, open with one press, and the receipt says on whose behalf the comment was made."""
import pytest

from tests.browser.conftest import PHONE, run_axe

pytestmark = pytest.mark.browser


def test_a_citizen_comments_on_behalf_of_an_association_on_a_phone(open_page, live_portal):
    page = open_page(viewport=PHONE, bypass_csp=True)  # only so that axe itself can be injected
    page.goto(f"/consultations/{live_portal.consultation_id}")
    form = page.locator("form.comment-form").first
    name = form.get_by_label("单位名称")
    assert not name.is_visible()  # folded away: most commenters speak for themselves
    form.get_by_text("以单位名义提意见").click()
    assert name.is_visible()
    assert run_axe(page) == []  # the opened fields labelled and readable
    box = name.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # within a 360 px wide screen

    form.get_by_label("您的意见").fill("建议对社区养老服务机构给予运营补贴。")
    form.get_by_label("姓名（可不填）").fill("张会长")
    name.fill("某某市养老服务行业协会")
    form.get_by_label("单位类别（可不选）").select_option(label="行业协会、商会")
    form.get_by_role("button", name="提交意见").click()
    assert page.get_by_role("heading", level=1).inner_text() == "您的意见已收到"
    facts = page.locator(".summary-list").first.inner_text()
    assert "以单位名义" in facts and "某某市养老服务行业协会（行业协会、商会）" in facts
