"""Choosing an answer to a key question (表态) in Chromium on a phone, in elderly mode: large radios, labelled, and
the thanks shown where the reader chose."""
import pytest

from tests.browser.conftest import PHONE, run_axe

pytestmark = pytest.mark.browser


def test_an_elderly_reader_chooses_on_a_phone(open_page, live_portal):
    page = open_page(viewport=PHONE, bypass_csp=True)  # only so that axe itself can be injected
    page.goto(f"/settings/elderly/on?next=/consultations/{live_portal.consultation_id}")
    box = page.locator("#choices")
    choice = box.get_by_label("偏低")
    size = choice.bounding_box()
    assert size["width"] >= 24 and size["x"] + size["width"] <= PHONE["width"]
    assert run_axe(page) == []
    choice.check()
    box.get_by_role("button", name="提交我的选择").click()
    assert "谢谢，已记下您的选择" in page.locator("#choices").inner_text()
