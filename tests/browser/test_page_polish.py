"""Page polish measured in Chromium on a 390 × 844 phone and a desktop (portal.css, after "visual review (E)"):
elderly mode's English header a row at most taller than the Chinese one, its "搜索" link read before the page's
settings, not among them; the example receipt number and a notice's dates never broken across two lines; radios and
tick boxes with a 2 px border and the site's focus ring; the office's review page in its wide layout in line with
the header."""
import re

import pytest

from tests.browser.conftest import DESKTOP
from tests.browser.test_staff_pages import staff_page  # noqa: F401 (the fixture: an administrator logged in)

pytestmark = pytest.mark.browser

PHONE_390 = {"width": 390, "height": 844}

# how many lines the words matching `pattern` take inside `root` (one count per match, in the page's order)
LINES_OF = """(root, pattern) => {
    const found = [], walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const match of node.data.matchAll(new RegExp(pattern, 'g'))) {
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            found.push([match[0], tops.size]);
        }
    }
    return found;
}"""


def lines_of(page, selector: str, pattern: str) -> list[list]:
    return page.locator(selector).evaluate(LINES_OF, pattern)


def open_elderly(open_page, language: str, viewport=PHONE_390):
    page = open_page(viewport=viewport)
    page.goto(f"/settings/language/{language}?next=/")
    page.goto("/settings/elderly/on?next=/")
    return page


def test_elderly_modes_header_in_english_takes_a_row_at_most_more_than_in_chinese(open_page, live_portal):
    heading = {}
    for language in ("zh_CN", "en"):
        page = open_elderly(open_page, language)
        page.goto(f"/consultations/{live_portal.consultation_id}")
        heading[language] = page.locator("h1").bounding_box()["y"]
        for target in page.locator(".site-header a:visible, .site-header button:visible").all():
            assert target.bounding_box()["height"] >= 44, target.text_content()
            assert target.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 22, target.text_content()
    # English's words are longer: one row of 44 px more, not two (it was 258 px against 170)
    assert heading["en"] <= heading["zh_CN"] + 48, heading


def test_the_search_link_is_read_before_the_page_settings_not_among_them(open_page, live_portal):
    page = open_elderly(open_page, "zh_CN")
    page.goto(f"/consultations/{live_portal.consultation_id}")
    settings = page.get_by_role("navigation", name="页面设置")
    assert settings.get_by_role("link", name="English").is_visible()
    assert settings.get_by_role("link", name="搜索").count() == 0
    links = [link.text_content().strip() for link in page.locator(".site-header a:visible").all()]
    assert links[:3] == ["公开征求意见平台", "搜索", "English"], links
    # the same place on the screen: on the site's name's row, before the language
    name, search = page.locator(".site-name").bounding_box(), page.get_by_role("link", name="搜索").bounding_box()
    assert search["y"] == name["y"] and search["x"] > name["x"] + name["width"]


@pytest.mark.parametrize("language, elderly", [("zh_CN", False), ("zh_CN", True), ("en", False), ("en", True)])
def test_the_lookup_pages_example_receipt_number_stays_on_one_line(open_page, language, elderly):
    page = open_elderly(open_page, language) if elderly else open_page(viewport=PHONE_390)
    if not elderly:
        page.goto(f"/settings/language/{language}?next=/")
    page.goto("/receipts/")
    assert lines_of(page, "#number-hint", r"20230512-K7M2QX") == [["20230512-K7M2QX", 1]]


DATES = {"zh_CN": r"\d{4}年\d{1,2}月\d{1,2}日( \d\d:\d\d)?", "en": r"\d{1,2} [A-Z][a-z]+ \d{4}(, \d\d:\d\d)?"}


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
def test_a_notices_dates_are_never_broken_on_a_phone(open_page, live_portal, language, elderly):
    page = open_elderly(open_page, language) if elderly else open_page(viewport=PHONE_390)
    if not elderly:
        page.goto(f"/settings/language/{language}?next=/")
    page.goto(f"/consultations/{live_portal.consultation_id}")
    dates = lines_of(page, ".notice-facts", DATES[language])
    assert len(dates) >= 3, dates  # the notice's date, the period's start and its deadline
    assert all(lines == 1 for _, lines in dates), dates


def assert_drawn_with_a_border(box, width: int):
    style = box.evaluate("""e => { const s = getComputedStyle(e);
        return {appearance: s.appearance, widths: [s.borderTopWidth, s.borderRightWidth, s.borderBottomWidth,
                s.borderLeftWidth].map(parseFloat), style: s.borderTopStyle, colour: s.borderTopColor}; }""")
    assert style["appearance"] == "none", style  # drawn by the page: the browser's own ignores the border
    assert style["widths"] == [width] * 4 and style["style"] == "solid", style
    assert sum(map(int, re.findall(r"\d+", style["colour"])[:3])) < 100, style  # black or nearly


def mark(box) -> str:
    """What is drawn inside a radio or tick box: its ::before (a dot or a tick), or none."""
    return box.evaluate("e => getComputedStyle(e, '::before').content")


@pytest.mark.parametrize("elderly, width", [(False, 2), (True, 3)], ids=["normal", "elderly"])
def test_radios_have_a_border_to_see_a_dot_when_chosen_and_the_sites_focus_ring(open_page, live_portal, elderly,
                                                                                width):
    page = open_elderly(open_page, "zh_CN", DESKTOP) if elderly else open_page(viewport=DESKTOP)
    page.goto(f"/consultations/{live_portal.consultation_id}")
    radios = page.locator("#choices input[type=radio]")
    first, second = radios.nth(0), radios.nth(1)
    for radio in (first, second):
        assert_drawn_with_a_border(radio, width)
        assert mark(radio) == "none"
    second.check()
    assert mark(second) != "none" and mark(first) == "none"
    page.locator("#choices legend").first.click()  # then the keyboard, as a reader without a mouse
    second.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    ring = second.evaluate("e => { const s = getComputedStyle(e); return [s.outlineStyle, parseFloat(s.outlineWidth),"
                           " s.outlineColor, s.boxShadow]; }")
    assert ring[0] == "solid" and ring[1] >= 3 and ring[2] == "rgb(255, 221, 0)" and ring[3] != "none", ring


def test_tick_boxes_have_a_border_and_a_tick_when_ticked(moderator_page):
    queue = moderator_page()
    queue.goto("/moderation?view=approved")
    box = queue.locator(".queue-select input[type=checkbox]").first
    assert_drawn_with_a_border(box, 2)
    assert mark(box) == "none"
    box.check()
    assert mark(box) != "none" and box.is_checked()
    size = box.bounding_box()
    assert size["width"] >= 24 and size["height"] >= 24


@pytest.mark.parametrize("viewport", [DESKTOP, {"width": 1440, "height": 900}], ids=["1024", "1440"])
def test_the_offices_review_page_lines_up_with_the_header(staff_page, tmp_path, viewport):  # noqa: F811
    draft = tmp_path / "draft.txt"
    draft.write_text("关于社区食堂的实施意见（征求意见稿）\n一、总体要求\n坚持以人为本。\n二、主要措施\n"
                     "（一）完善服务网络。各区建设社区食堂。\n", encoding="utf-8")
    page = staff_page(viewport=viewport)
    page.goto("/office/upload")
    page.locator("input[type=file]").set_input_files(str(draft))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: url.rstrip("/").split("/")[-1].isdigit())
    assert page.locator(".review-columns").is_visible()  # the wide layout's two columns
    name, heading = page.locator(".site-name").bounding_box(), page.locator("main h1").bounding_box()
    assert abs(name["x"] - heading["x"]) <= 1, (name, heading)
    main = page.locator("main").bounding_box()
    for edge in (".site-header .wrap", ".site-footer .wrap"):
        box = page.locator(edge).bounding_box()
        assert abs(box["x"] - main["x"]) <= 1 and abs(box["width"] - main["width"]) <= 1, (edge, box, main)
