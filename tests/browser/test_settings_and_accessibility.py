"""Elderly mode and the English switch in a real browser (also without JavaScript and on a phone), axe-core
on every main page in both languages and both modes, and the README's screenshots."""
from pathlib import Path

import pytest

from tests.browser.conftest import DESKTOP, PHONE, run_axe

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs"


def font_px(page, selector: str) -> float:
    return page.evaluate(f"() => parseFloat(getComputedStyle(document.querySelector('{selector}')).fontSize)")


def first_section_url(page, consultation_id: int) -> str:
    page.goto(f"/consultations/{consultation_id}")
    return page.locator("a.comment-link").nth(3).get_attribute("href").split("#")[0]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_elderly_mode_and_english_switch(open_page, live_portal, viewport, javascript):
    page = open_page(viewport=viewport, javascript=javascript)
    url = first_section_url(page, live_portal.consultation_id)
    page.goto(url)
    normal_size = font_px(page, ".draft p")
    normal_button = page.get_by_role("button", name="提交意见").bounding_box()["height"]

    page.get_by_role("link", name="长辈模式").click()
    page.wait_for_load_state("load")  # the new page's stylesheet applied before measuring
    assert page.url.split("#")[0].endswith(url)
    assert "elderly" in page.locator("body").get_attribute("class")
    assert font_px(page, "body") >= 20 and font_px(page, ".draft p") >= 20 > normal_size
    assert page.get_by_role("button", name="提交意见").bounding_box()["height"] > normal_button >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.goto(f"/consultations/{live_portal.consultation_id}")  # remembered on another page
    assert "elderly" in page.locator("body").get_attribute("class")
    assert not page.locator("nav.toc .toc-level-2").first.is_visible()  # simpler table of contents

    page.get_by_role("link", name="English").click()
    page.wait_for_load_state("load")  # the new page's stylesheet applied before measuring
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Skip to main content").count() == 1
    assert page.get_by_role("heading", name="Contents").is_visible()
    assert page.locator("h1").get_attribute("lang") == "zh-CN"
    assert "elderly" in page.locator("body").get_attribute("class")
    page.get_by_role("link", name="Leave elderly mode").click()
    page.wait_for_load_state("load")  # the new page's stylesheet applied before measuring
    assert "elderly" not in (page.locator("body").get_attribute("class") or "")
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == "en"  # remembered
    assert page.get_by_role("button", name="Send comment").is_visible()
    page.get_by_role("link", name="中文").click()
    page.wait_for_load_state("load")  # the new page's stylesheet applied before measuring
    assert page.locator("html").get_attribute("lang") == "zh-CN"


def test_the_browser_language_chooses_english(open_page, live_portal):
    page = open_page(locale="en-GB")
    page.goto("/consultations/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Public consultations"


def main_pages(page, live_portal) -> list[tuple[str, str]]:
    """(name, path) of every main page a citizen or a staff member meets."""
    page.goto(f"/consultations/{live_portal.consultation_id}")
    section = page.locator("a.comment-link").nth(3).get_attribute("href").split("#")[0]
    reply = page.locator("#comments a.reply-link").first.get_attribute("href")
    agree = page.locator("#comments a.agree-link").first.get_attribute("href")
    page.goto("/consultations/")
    return [
        ("list", "/consultations/"),
        ("consultation", f"/consultations/{live_portal.consultation_id}"),
        ("section", section),
        ("reply", reply),
        ("lookup", "/receipts/"),
        ("search", "/search?q=养老服务"),
        ("statistics", f"/consultations/{live_portal.consultation_id}/statistics"),
        ("open data API", "/api/"),
        ("rules for comments", "/rules"),
        ("personal information", "/privacy"),
        ("accessibility", "/accessibility"),
        ("consultations in figures", "/consultations/report"),
        ("agree with a comment", agree),
        ("notice to put up", f"/consultations/{live_portal.consultation_id}/poster"),
        ("login", "/login"),
        ("not found", "/consultations/999999"),
    ]


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_axe_finds_no_serious_problem_on_any_main_page(open_page, live_portal, language, elderly):
    page = open_page(bypass_csp=True)  # only so that axe itself can be injected
    page.goto(f"/settings/language/{language}")
    if elderly:
        page.goto("/settings/elderly/on")
    problems = {}
    pages = main_pages(page, live_portal)
    for name, path in pages:
        page.goto(path)
        problems[name] = run_axe(page)
    # pages in their error state: the comment form and the login form sent empty
    page.goto(pages[2][1])
    page.locator("form.comment-form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    problems["section with errors"] = run_axe(page)
    page.goto("/login")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    problems["login with errors"] = run_axe(page)
    # a receipt
    page.goto(pages[2][1])
    page.locator("form.comment-form textarea[name=body]").fill("axe 检查用的意见。")
    page.locator("form.comment-form button[type=submit]").click()
    page.wait_for_selector(".receipt-number")
    problems["receipt"] = run_axe(page)  # with its form to withdraw the comment (this browser sent it)
    page.locator("section.withdraw button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    problems["withdrawal with errors"] = run_axe(page)
    page.locator("section.withdraw input[type=checkbox]").check()
    page.locator("section.withdraw button[type=submit]").click()
    page.wait_for_selector(".receipt-number")
    assert page.locator("section.withdraw").count() == 0
    problems["withdrawn receipt"] = run_axe(page)
    assert page.locator("html").get_attribute("lang") == ("en" if language == "en" else "zh-CN")
    assert {name: found for name, found in problems.items() if found} == {}


@pytest.mark.parametrize("language, elderly", [("zh_CN", False), ("zh_CN", True), ("en", False), ("en", True)],
                         ids=["zh", "zh-elderly", "en", "en-elderly"])
def test_axe_on_a_phone(open_page, live_portal, language, elderly):
    page = open_page(viewport=PHONE, bypass_csp=True)
    page.goto(f"/settings/language/{language}")
    if elderly:
        page.goto("/settings/elderly/on")
    problems, too_wide = {}, []
    for name, path in main_pages(page, live_portal):
        page.goto(path)
        problems[name] = run_axe(page)
        # against the phone's width, not window.innerWidth: a mobile browser widens its layout viewport to fit
        # what overflows (innerWidth grew with the page to 642 px), which would hide the overflow from the check
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide.append((name, width))
    assert {name: found for name, found in problems.items() if found} == {}
    assert too_wide == []


def test_screenshots_of_a_section_page_for_the_readme(open_page, live_portal):
    DOCS.mkdir(exist_ok=True)
    page = open_page(viewport={"width": 900, "height": 1000})
    url = first_section_url(page, live_portal.consultation_id)
    page.goto(url)
    normal = DOCS / "section-normal.png"
    page.screenshot(path=str(normal))
    page.goto("/settings/elderly/on?next=" + url)
    assert "elderly" in page.locator("body").get_attribute("class")
    elderly = DOCS / "section-elderly.png"
    page.screenshot(path=str(elderly))
    for shot in (normal, elderly):
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
