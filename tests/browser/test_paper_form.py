"""The comment form on paper (纸质意见表) prints on one A4 sheet in Chromium, in normal and elderly mode, and the page
passes axe."""
import io

import pytest
from pypdf import PdfReader

from portal.core.pdftext import unified_ideographs
from tests.browser.conftest import DESKTOP, run_axe

pytestmark = pytest.mark.browser


def test_the_paper_form_prints_on_one_sheet_with_the_parts_to_tick(open_page, live_portal):
    page = open_page(viewport=DESKTOP, bypass_csp=True)  # only so that axe itself can be injected
    page.goto(f"/consultations/{live_portal.consultation_id}")
    page.get_by_role("link", name="打印纸质意见表（手写后寄回）").click()
    assert page.get_by_role("heading", level=1).inner_text().endswith("意见表")
    assert run_axe(page) == []
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = unified_ideographs(pdf.pages[0].extract_text())  # 意⻅ as Chromium's PDF writes it: 意见
    assert len(pdf.pages) == 1, [p.extract_text()[:80] for p in pdf.pages]
    for words in ("您的意见针对", "草案整体", "一、", "社区助餐点应当由谁来办？", "您的态度", "您的意见和理由", "填好后怎样交", "请于"):
        assert words in text, words
    assert "打印意见表" not in text  # the screen's own instructions are not printed

    url = page.url
    page.goto(f"/settings/elderly/on?next={url[url.index('/consultations'):]}")  # 长辈模式: larger type on screen
    assert "elderly" in page.locator("body").get_attribute("class")
    assert run_axe(page) == []
    assert len(PdfReader(io.BytesIO(page.pdf(format="A4"))).pages) == 1  # the sheet prints the same
