"""The statistics page's charts are read on a phone: in Chromium at 360 px, their words are drawn at a size one
can read (they were drawn 720 units wide and shrunk to ~9 px letters)."""
import pytest

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser


def _letters(page) -> list[float]:
    """The height in CSS pixels of each chart's first label, as drawn."""
    return page.locator("svg.chart .chart-label").evaluate_all(
        "labels => labels.map(label => label.getBoundingClientRect().height)")


def test_the_charts_words_are_readable_on_a_phone_and_not_huge_on_a_desktop(open_page, live_portal):
    url = f"/consultations/{live_portal.consultation_id}/statistics"
    phone = open_page(viewport=PHONE)
    phone.goto(url)
    heights = _letters(phone)
    assert heights and min(heights) >= 13, heights
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    desktop = open_page(viewport=DESKTOP)
    desktop.goto(url)
    assert max(_letters(desktop)) <= 24
