"""The notice to put up prints on one A4 sheet, with its QR code, and fits a phone's screen."""
import re

import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def test_the_notice_prints_on_one_a4_sheet_with_its_code(open_page, live_portal, tmp_path):
    page = open_page()
    page.goto(f"/consultations/{live_portal.consultation_id}")
    page.get_by_role("link", name="打印张贴版公告（带二维码）").click()
    page.wait_for_load_state("load")  # its stylesheet too: the sizes and the print rules below come from it
    assert live_portal.consultation_title in page.locator("article.poster h1").inner_text()
    code = page.get_by_role("img", name="用手机扫描这个二维码，打开征求意见的网页")
    box = code.bounding_box()
    assert box["width"] >= 150 and abs(box["width"] - box["height"]) < 1  # large, and square

    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible() and not page.get_by_role("button", name="打印公告").is_visible()
    pdf = page.pdf(format="A4", print_background=True)
    (tmp_path / "poster.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the notice takes {pages} pages (see {tmp_path / 'poster.pdf'})"


def test_the_notice_fits_a_phone(open_page, live_portal):
    page = open_page(viewport=PHONE)
    page.goto(f"/consultations/{live_portal.consultation_id}/poster")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
