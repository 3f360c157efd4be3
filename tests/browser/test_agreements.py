"""Agreeing with a comment (赞同) in Chromium: in place with the page's script, and on its own page without it."""
import re

import pytest

from tests.browser.conftest import PHONE, run_axe

pytestmark = pytest.mark.browser

COMMENT = "整体赞成，希望尽快实施。"  # the live portal's approved comment on the whole draft


def agree_link(page):
    article = page.locator("article.comment", has_text=COMMENT).first
    return article.locator("a.agree-link")


def shown_count(link) -> int:
    found = re.search(r"（([\d,]+)）", link.locator(".agree-count").inner_text())
    return int(found.group(1).replace(",", "")) if found else 0


def test_a_reader_agrees_in_place_and_takes_it_back_on_a_phone(open_page, live_portal):
    page = open_page(viewport=PHONE)
    page.goto(f"/consultations/{live_portal.consultation_id}")
    link = agree_link(page)
    before = shown_count(link)
    assert link.inner_text().startswith("赞同")
    size = link.bounding_box()
    assert size["height"] >= 44 and size["x"] + size["width"] <= PHONE["width"]

    link.click()
    page.wait_for_function("() => document.querySelector('a.agree-link.agreed') !== null")
    assert link.inner_text().startswith("已赞同") and shown_count(link) == before + 1
    assert page.get_by_role("status").filter(has_text="已赞同这条意见。").count() == 1
    assert page.url.endswith(f"/consultations/{live_portal.consultation_id}")  # it stayed on the page

    page.reload()  # the threads are the same for everyone: this browser remembers it agreed
    link = agree_link(page)
    assert link.inner_text().startswith("已赞同") and shown_count(link) == before + 1
    link.click()
    page.wait_for_function("() => document.querySelector('a.agree-link.agreed') === null")
    assert link.inner_text().startswith("赞同") and shown_count(link) == before


def test_without_script_the_link_opens_a_page_with_one_button_in_elderly_mode(open_page, live_portal):
    page = open_page(javascript=False)
    page.goto(f"/settings/elderly/on?next=/consultations/{live_portal.consultation_id}")
    before = shown_count(agree_link(page))
    agree_link(page).click()
    assert page.get_by_role("heading", level=1).inner_text() == "赞同这条意见"
    assert COMMENT in page.locator("blockquote.comment").inner_text()
    page.get_by_role("button", name="赞同").click()
    assert page.get_by_role("heading", level=1).inner_text() == "您已赞同这条意见"
    assert f"共有 {before + 1} 人赞同这条意见。" in page.locator(".agreement-total").inner_text()
    page.get_by_role("button", name="取消赞同").click()
    assert page.get_by_role("heading", level=1).inner_text() == "赞同这条意见"
    page.get_by_role("link", name="返回意见列表").click()
    assert re.search(rf"/consultations/{live_portal.consultation_id}#comment-\d+$", page.url)
    assert shown_count(agree_link(page)) == before


@pytest.mark.parametrize("mode", ["off", "on"])
def test_the_agreement_page_passes_axe_on_a_phone(open_page, live_portal, mode):
    page = open_page(viewport=PHONE, bypass_csp=True)  # bypass: only so that axe itself can be injected
    page.goto(f"/settings/elderly/{mode}?next=/consultations/{live_portal.consultation_id}")
    page.goto(agree_link(page).get_attribute("href"))
    assert run_axe(page) == []
    button = page.get_by_role("button", name="赞同")
    assert button.bounding_box()["x"] + button.bounding_box()["width"] <= PHONE["width"]
