"""What a look at the pages as their users see them found and fixed (portal.css "visual review (E)"), measured in
Chromium: radios and tick boxes in the middle of their words, the error summary's links where its heading starts,
the quotation button's words at its left, the receipt's number on one line of a phone, elderly mode's standalone
links at least 44 px tall, the downloads and the footer's links one per line, its lists to choose from as tall as its
text boxes, its charts left to the tables, the English notice facts in one column, an English chart label whole,
the office's buttons apart, and elderly mode's header on a phone in two rows (four in English) with the search box
behind a link; no page wider than the phone."""
import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_staff_pages import staff_page  # noqa: F401 (the fixture: an administrator logged in)

pytestmark = pytest.mark.browser

# the box of an element's words (after its radio or tick box, if any), as drawn
WORDS = """element => {
    const range = document.createRange();
    range.selectNodeContents(element);
    const input = element.querySelector('input');
    if (input) range.setStartAfter(input);
    const first = range.getClientRects()[0], all = range.getBoundingClientRect();
    return {left: first.left, top: all.top, bottom: all.bottom};
}"""


def middle(box: dict) -> float:
    return box["y"] + box["height"] / 2


def assert_no_sideways_scrolling(page):
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), page.url


def heights(page, selector: str) -> list[float]:
    return [link.bounding_box()["height"] for link in page.locator(selector).all()]


def test_a_citizen_on_a_phone_in_elderly_mode_in_english(open_page, live_portal):
    page = open_page(viewport=PHONE)
    page.goto("/settings/language/en?next=/")
    page.goto("/settings/elderly/on?next=/")
    page.goto(f"/consultations/{live_portal.consultation_id}")
    assert "elderly" in page.locator("body").get_attribute("class")
    for links in (".download-link a", ".footer-links a"):  # one under the other, none broken in two, 44 px tall
        boxes = [link.bounding_box() for link in page.locator(links).all()]
        assert len(boxes) >= 2 and min(box["height"] for box in boxes) >= 44, boxes
        assert all(later["y"] >= earlier["y"] + earlier["height"] - 1 for earlier, later in zip(boxes, boxes[1:]))
    assert min(heights(page, ".notice-facts dd a")) >= 44  # the telephone numbers and addresses to tap
    for glance in (".notice-facts .tag-open", ".notice-facts .time-left"):  # "… days left" was broken in two
        one_line = page.locator(glance).evaluate("e => e.getClientRects().length")
        assert one_line == 1, glance
    assert_no_sideways_scrolling(page)

    section = page.locator("a.comment-link").nth(3).get_attribute("href").split("#")[0]
    page.goto(section)
    page.get_by_role("button", name="Send comment").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert abs(summary.locator("a").first.bounding_box()["x"] - summary.locator("h2").bounding_box()["x"]) <= 1
    reveal = page.locator(".quote-reveal")  # made by portal.js; its words wrap on a phone
    assert reveal.evaluate(WORDS)["left"] - reveal.bounding_box()["x"] <= 2
    for label in page.locator("#comment-form label.choice").all():
        words = label.evaluate(WORDS)
        assert abs(middle(label.locator("input").bounding_box()) - (words["top"] + words["bottom"]) / 2) <= 3
    assert min(heights(page, '#comment-form .hint a[href$="/rules"], #comment-form .hint a[href$="/privacy"]')) >= 44
    chooser = page.locator("#comment-form input[type=file]").evaluate(  # the browser's button inside the field
        "e => parseFloat(getComputedStyle(e, '::file-selector-button').minHeight)")
    assert chooser >= 44
    assert_no_sideways_scrolling(page)

    page.locator("#body").fill("希望社区助餐点周末也开门。")
    page.get_by_role("button", name="Send comment").click()
    number = page.locator(".receipt-number")
    number.wait_for()
    page.wait_for_load_state("load")  # its style sheet applied
    # one line, not broken at its "-": less than two lines' height of its letters (a computed line height may read
    # "normal", which is no number)
    size = number.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert number.bounding_box()["height"] < 2 * size, (number.bounding_box(), size)
    header = page.locator(".site-header").bounding_box()
    assert page.locator(".panel-confirm").bounding_box()["y"] >= header["y"] + header["height"] + 16
    assert min(heights(page, ".next-step a")) >= 44  # back to the draft
    assert_no_sideways_scrolling(page)

    page.goto(f"/consultations/{live_portal.consultation_id}/statistics")
    assert not page.locator(".chart-figure").first.is_visible()  # 12 px words on a phone
    table = page.locator(".table-wrap table").first
    assert table.is_visible()
    assert table.locator("td").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 20
    page.goto(f"/search?q=%E5%85%BB%E8%80%81&consultation={live_portal.consultation_id}")
    assert min(heights(page, ".search-form select")) >= 56
    assert min(heights(page, ".result-title")) >= 44
    page.goto("/receipts/")  # a short page: its button had touched the footer's line
    button, footer = page.locator("main button").last.bounding_box(), page.locator(".site-footer").bounding_box()
    assert footer["y"] >= button["y"] + button["height"] + 32
    assert_no_sideways_scrolling(page)


# English's words take two rows more; each bound leaves about a row's room (the Chinese first row has ~4 px to spare
# with these fonts: another font may wrap it), far below the 408 and 452 px of the header before
@pytest.mark.parametrize("language, most", [("zh_CN", 260), ("en", 320)])
def test_elderly_modes_header_on_a_phone_leaves_room_for_the_page(open_page, live_portal, language, most):
    page = open_page(viewport=PHONE)
    page.goto(f"/settings/language/{language}?next=/")
    page.goto("/settings/elderly/on?next=/")
    page.goto(f"/consultations/{live_portal.consultation_id}")
    assert page.locator("h1").bounding_box()["y"] <= most  # it was 408 px down (452 in English), below the header
    targets = page.locator(".site-header a:visible, .site-header button:visible").all()
    assert len(targets) >= 5
    for target in targets:  # every one large, 44 px tall and on one line
        assert target.bounding_box()["height"] >= 44, target.text_content()
        assert target.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 22, target.text_content()
        assert target.evaluate("e => e.getClientRects().length") == 1, target.text_content()
    assert not page.locator(".site-search").is_visible()  # behind a plain link to the search page, which has its box
    assert_no_sideways_scrolling(page)
    page.locator(".site-header .search-link").click()
    page.wait_for_url("**/search")
    assert page.locator("#search-q").bounding_box()["height"] >= 44
    assert page.locator(".site-header .search-link").get_attribute("aria-current") == "page"
    assert page.locator("h1").bounding_box()["y"] <= most - 44  # no breadcrumbs above it
    page.set_viewport_size(DESKTOP)  # wider than a phone: the box in the header, no link
    assert page.locator(".site-search input").is_visible() and not page.locator(".search-link").is_visible()


def test_english_pages_on_a_desktop_keep_their_columns_and_labels(open_page, live_portal):
    page = open_page(viewport=DESKTOP)
    page.goto("/settings/language/en?next=/")
    page.goto(f"/consultations/{live_portal.consultation_id}")
    lefts = [dd.bounding_box()["x"] for dd in page.locator(".notice-facts dd").all()]
    assert len(lefts) >= 4 and max(lefts) - min(lefts) <= 1, lefts  # "Send comments to" is wider than 7em
    page.goto(f"/consultations/{live_portal.consultation_id}/statistics")
    assert page.locator(".chart-figure").first.is_visible()  # shown outside elderly mode
    labels = page.locator("svg.chart .chart-label").all_text_contents()
    assert "Comments on the draft as a whole" in labels, labels


def test_the_staff_pages_buttons_and_tick_boxes(staff_page, moderator_page):  # noqa: F811 (the fixture)
    page = staff_page()
    page.goto("/office/")
    upload, report = (button.bounding_box() for button in page.locator("main .button-row .button").all()[:2])
    assert report["x"] >= upload["x"] + upload["width"] + 8  # they had touched
    queue = moderator_page()
    queue.goto("/moderation?view=approved")  # the seeded comment, approved: its buttons and its link to move it
    shortcuts = queue.locator("[data-shortcuts-on]")
    shortcuts.wait_for()  # shown by moderation.js
    assert shortcuts.bounding_box()["height"] >= 24
    actions = queue.locator(".row-actions").first
    button = actions.locator("button").first.bounding_box()
    words = actions.locator(".move-link").evaluate(  # its first words (a hidden receipt number follows)
        "e => { const r = document.createRange(); r.selectNodeContents(e.firstChild);"
        " return r.getBoundingClientRect(); }")
    assert abs(middle(button) - (words["top"] + words["bottom"]) / 2) <= 3, (button, words)  # its words, not its box
